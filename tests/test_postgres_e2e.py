"""Postgres::listdbs through the real shim: UAPI Postgresql::list_databases."""

from conftest import ROOT_AUTH

from shim.fakecpanel.modules.postgresql import POSTGRES_DOWN, postgres_data

FORM = {"cpanel_jsonapi_user": "user", "cpanel_jsonapi_apiversion": "2",
        "cpanel_jsonapi_module": "Postgres", "cpanel_jsonapi_func": "listdbs"}


def document(data=None, error=None):
    result = {"apiversion": 2, "func": "listdbs", "module": "Postgres", "event": {"result": 1}}
    if error is None:
        return {"cpanelresult": {**result, "data": data}}
    return {"cpanelresult": {**result, "data": [{"result": 0, "reason": error}], "error": error}}


async def test_listdbs_renames_the_uapi_records(stack):
    got = await stack.post_json(f"{stack.whm}/json-api/cpanel", data={**FORM, "regex": "pg"}, headers=ROOT_AUTH)
    assert got == (200, document([{"db": "user_pg", "size": 2097152, "users": ["user_pguser"]}]))
    seen = stack.state.requests[-1]
    assert (seen.form["cpanel.module"], seen.form["cpanel.function"], "regex" in seen.form) == (
        ["Postgresql"], ["list_databases"], False)


async def test_listdbs_when_postgres_is_down(stack):
    postgres_data(stack.state.accounts["user"]).running = False
    got = await stack.post_json(f"{stack.whm}/json-api/cpanel", data=FORM, headers=ROOT_AUTH)
    assert got == (200, document(error=POSTGRES_DOWN))
