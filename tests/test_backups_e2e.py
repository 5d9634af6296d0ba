"""Backups::listfullbackups through the real shim: UAPI Backup::list_backups."""

from conftest import ROOT_AUTH

from shim.fakecpanel.modules.backup import backups

FORM = {"cpanel_jsonapi_user": "user", "cpanel_jsonapi_apiversion": "2",
        "cpanel_jsonapi_module": "Backups", "cpanel_jsonapi_func": "listfullbackups"}


async def test_listfullbackups_gives_a_record_per_backup(stack):
    backups(stack.state.accounts["user"]).append("2024-05-04T03:00:00.000Z")
    got = await stack.post_json(f"{stack.whm}/json-api/cpanel", data=FORM, headers=ROOT_AUTH)
    assert got == (200, {"cpanelresult": {"apiversion": 2, "func": "listfullbackups", "module": "Backups",
                                          "event": {"result": 1}, "data": [
        {"localtime": "2024-04-20T03:12:45.000Z", "time": 1713582765, "status": "complete"},
        {"localtime": "2024-04-27T03:10:02.000Z", "time": 1714187402, "status": "complete"},
        {"localtime": "2024-05-04T03:00:00.000Z", "time": 1714791600, "status": "complete"},
    ]}})


async def test_listfullbackups_when_upstream_fails(stack):
    stack.state.faults.add("/json-api/uapi_cpanel", "status:500", times=1)
    got = await stack.post_json(f"{stack.whm}/json-api/cpanel", data=FORM, headers=ROOT_AUTH)
    reason = "upstream answered HTTP 500"
    assert got == (502, {"cpanelresult": {"apiversion": 2, "func": "listfullbackups", "module": "Backups", "data": [],
                                          "event": {"result": 0, "reason": reason}, "error": reason}})
