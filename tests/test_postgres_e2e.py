"""Postgres through the real shim: listdbs (UAPI Postgresql::list_databases) and the user
lists (recipes over Postgresql::list_users and list_databases)."""

from api2calls import Api2Calls
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


async def test_user_lists_from_the_users_and_databases(stack):
    calls = Api2Calls(stack, "Postgres")
    data = postgres_data(stack.state.accounts["user"])
    data.databases["user_shop"] = 0
    data.users["user_shop"] = {"user_pguser"}
    assert await calls.whm("listusers") == (200, calls.ok("listusers", [
        {"user": "user_idle", "dblist": []},
        {"user": "user_pguser", "dblist": [{"user": "user_pguser", "db": "user_pg"},
                                           {"user": "user_pguser", "db": "user_shop"}]}]))
    assert await calls.cpanel("listusersindb", db="user_pg") == (
        200, calls.ok("listusersindb", [{"user": "user_pguser", "db": "user_pg"}]))
    assert await calls.cpanel("listusersindb", db="user_none") == (200, calls.ok("listusersindb", []))
    assert await calls.whm("userexists", user="user_idle") == (200, calls.ok("userexists", [{"userexists": "1"}]))
    assert await calls.whm("userexists", user="idle") == (200, calls.ok("userexists", [{"userexists": "0"}]))
    assert calls.last_uapi() == ("Postgresql", "list_users", {})


async def test_user_lists_die_when_postgres_is_down(stack):
    calls = Api2Calls(stack, "Postgres")
    postgres_data(stack.state.accounts["user"]).running = False
    for func in ("listusers", "listusersindb", "userexists"):
        assert await calls.cpanel(func, db="user_pg", user="user_pguser") == (200, {"cpanelresult": {
            "apiversion": 2, "func": func, "module": "Postgres",
            "event": {"result": 0, "reason": POSTGRES_DOWN}, "error": POSTGRES_DOWN}})
