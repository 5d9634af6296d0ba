"""Every Ftp function through the real shim, success and failure, on both listeners."""

import logging

import pytest
from api2calls import Api2Calls
from conftest import BASIC_USER_AUTH, ROOT_AUTH

SECRET = "12345luggage"


def ok(func, data):
    return {"cpanelresult": {"apiversion": 2, "func": func, "data": data, "event": {"result": 1}, "module": "Ftp"}}


def status_ok(func):
    return ok(func, [{"reason": "OK", "result": 1}])


def status_failed(func, reason, row_reason=None):
    return {"cpanelresult": {"apiversion": 2, "func": func, "module": "Ftp", "event": {"result": 1},
                             "data": [{"result": 0, "reason": reason if row_reason is None else row_reason}],
                             "error": reason}}


async def api2_whm(stack, func, **args):
    return await Api2Calls(stack, "Ftp").whm(func, **args)


async def api2_cpanel(stack, func, **args):
    return await Api2Calls(stack, "Ftp").cpanel(func, **args)


async def uapi_direct(stack, func, **args):
    return await Api2Calls(stack, "Ftp").uapi("Ftp", func, **args)


async def test_the_documented_passwd_call(stack, caplog):
    caplog.set_level(logging.DEBUG)
    url = (f"{stack.whm}/cpsess0123456789/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_apiversion=2"
           f"&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&user=user&pass={SECRET}")
    assert await stack.get_json(url, headers=ROOT_AUTH) == (200, {
        "cpanelresult": {"apiversion": 2, "func": "passwd", "data": [{"reason": "OK", "result": 1}],
                         "event": {"result": 1}, "module": "Ftp"}})
    [seen] = stack.state.requests
    assert (seen.method, seen.path, seen.query) == ("POST", "/cpsess0123456789/json-api/uapi_cpanel", {})
    assert seen.form == {"api.version": ["1"], "cpanel.user": ["user"], "cpanel.module": ["Ftp"],
                         "cpanel.function": ["passwd"], "user": ["user"], "pass": [SECRET]}
    assert seen.headers["authorization"] == ROOT_AUTH["Authorization"]
    assert SECRET not in caplog.text


async def test_passwd_failure_and_legacy_user_rule(stack):
    # No cpanel_jsonapi_user: WHM's legacy rule takes the account from `user` and removes it.
    got = await stack.post_json(f"{stack.whm}/json-api/cpanel", headers=ROOT_AUTH, data={
        "cpanel_jsonapi_module": "Ftp", "cpanel_jsonapi_func": "passwd", "user": "user", "pass": "x-Y-z-123"})
    reason = "You must specify a user name."
    assert got == (200, status_failed("passwd", reason))
    assert stack.state.requests[-1].form["cpanel.user"] == ["user"] and "user" not in stack.state.requests[-1].form
    got = await api2_whm(stack, "passwd", user="nosuch", **{"pass": "x-Y-z-123"})
    assert got == (200, status_failed("passwd", "The FTP account “nosuch@example.com” does not exist."))


async def test_addftp_then_listed_then_deleted(stack):
    assert await api2_whm(stack, "addftp", user="newftp", **{"pass": "N3w-pass-word"}, quota="20") == (200, status_ok("addftp"))
    listed = await api2_whm(stack, "listftp")
    assert listed == (200, ok("listftp", await uapi_direct(stack, "list_ftp")))
    assert any(r["user"] == "newftp@example.com" for r in listed[1]["cpanelresult"]["data"])
    # API 2 left the row's reason empty when addftp failed; the text is in `error`.
    again = await api2_whm(stack, "addftp", user="newftp", **{"pass": "N3w-pass-word"})
    assert again == (200, status_failed("addftp", "The FTP account “newftp@example.com” already exists.", row_reason=""))
    assert await api2_whm(stack, "delftp", user="newftp", destroy="1") == (200, status_ok("delftp"))
    assert await api2_whm(stack, "delftp", user="newftp") == (200, status_failed(
        "delftp", "The FTP account “newftp” cannot be removed because it does not exist."))


async def test_listftp_filters_and_failure(stack):
    got = await api2_cpanel(stack, "listftp", include_acct_types="sub")
    assert got == (200, ok("listftp", await uapi_direct(stack, "list_ftp", include_acct_types="sub")))
    assert got[1]["cpanelresult"]["data"] and all(r["type"] == "sub" for r in got[1]["cpanelresult"]["data"])
    stack.state.faults.add("/execute/Ftp/list_ftp", "status:500", times=1)
    status, document = await api2_cpanel(stack, "listftp")
    assert (status, document["cpanelresult"]["event"]) == (502, {"result": 0, "reason": "upstream answered HTTP 500"})


async def test_listftpwithdisk_and_regex_failure(stack):
    got = await api2_cpanel(stack, "listftpwithdisk")
    assert got == (200, ok("listftpwithdisk", await uapi_direct(stack, "list_ftp_with_disk")))
    bad = await api2_cpanel(stack, "listftpwithdisk", regex="([")
    assert bad == (200, status_failed("listftpwithdisk", "Invalid regular expression “([”."))


async def test_listftpsessions(stack):
    got = await stack.get_json(f"{stack.cpanel}/json-api/cpanel?cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=listftpsessions",
                               headers=BASIC_USER_AUTH)
    assert got == (200, ok("listftpsessions", await uapi_direct(stack, "list_sessions")))
    assert got[1]["cpanelresult"]["data"]
    stack.state.faults.add("/execute/Ftp/list_sessions", "invalid_json", times=1)
    status, document = await api2_cpanel(stack, "listftpsessions")
    assert status == 502 and document["cpanelresult"]["error"] == "upstream answered something that is not JSON"


@pytest.mark.parametrize("quota_key", ["quota", "setquota"])
async def test_setquota_and_its_alias(stack, quota_key):
    assert await api2_cpanel(stack, "setquota", user="ftpuser", **{quota_key: "75"}) == (200, status_ok("setquota"))
    records = await uapi_direct(stack, "list_ftp_with_disk")
    [record] = [r for r in records if r["login"] == "ftpuser@example.com"]
    assert record["diskquota"] == "75.00"  # megabytes with two decimals (UAPI OpenAPI: ^\d+\.\d+$)
    seen = stack.state.requests[-2]
    assert (seen.path, seen.form.get("quota")) == ("/execute/Ftp/set_quota", ["75"])
    assert await api2_cpanel(stack, "setquota", user="ghost", quota="5") == (200, status_failed(
        "setquota", "The FTP account “ghost” at domain “example.com” does not exist."))
