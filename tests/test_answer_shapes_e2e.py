"""Every answer shape a legacy client can get, compared as whole documents over real HTTP."""

import logging

import pytest
from conftest import ROOT_AUTH, USER_AUTH, start_stack

PASSWD = "cpanel_jsonapi_user=user&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&user=ftpuser&pass=Sup3r-secret-pw"


def failed(func, reason, module="Ftp"):
    return {"cpanelresult": {"apiversion": 2, "func": func, "module": module, "data": [],
                             "event": {"result": 0, "reason": reason}, "error": reason}}


async def test_bad_token_gets_cpanels_access_denied(stack):
    async with stack.http.get(f"{stack.whm}/json-api/cpanel?{PASSWD}",
                              headers={"Authorization": "whm root:WRONGTOKEN"}) as resp:
        assert resp.status == 403
        assert resp.headers["Content-Type"] == 'text/plain; charset="utf-8"'
        assert await resp.json(content_type=None) == {
            "cpanelresult": {"apiversion": "2", "error": "Access denied",
                             "data": {"reason": "Access denied", "result": "0"}, "type": "text"}
        }


async def test_no_credentials_on_cpanel_port(stack):
    status, document = await stack.get_json(f"{stack.cpanel}/json-api/cpanel?cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=listftp")
    assert (status, document) == (403, {"cpanelresult": {"apiversion": "2", "error": "Access denied",
                                                         "data": {"reason": "Access denied", "result": "0"}, "type": "text"}})


@pytest.mark.parametrize("query", [
    "cpanel_jsonapi_user=nosuch&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=listftp",
    "cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=listftp",
])
@pytest.mark.parametrize("apiversion", ["", "&cpanel_jsonapi_apiversion=2"])
async def test_invalid_or_missing_user_through_whm(stack, query, apiversion):
    status, document = await stack.get_json(f"{stack.whm}/json-api/cpanel?{query}{apiversion}", headers=ROOT_AUTH)
    reason = "User parameter is invalid or was not supplied"
    inner = {"data": {"reason": reason, "result": "0"}, "type": "text", "error": reason}
    # WHM wraps it in cpanelresult only for a literal apiversion=2 (tests/test_ground_truth_e2e.py).
    assert (status, document) == (200, {"cpanelresult": inner} if apiversion else inner)


async def test_reject_mode_and_default_mode(tmp_path):
    (tmp_path / "Ftp.yaml").write_text(
        "module: Ftp\nfunctions:\n  passwd: {mode: reject, reason: API 2 is switched off on this server}\n")
    state, config, listeners = await start_stack({"mappings": [tmp_path], "default_mode": "reject"})
    import aiohttp
    try:
        async with aiohttp.ClientSession() as http:
            for func in ("passwd", "nosuchfunc"):
                async with http.get(f"http://127.0.0.1:{listeners[0].port}/json-api/cpanel?cpanel_jsonapi_user=user"
                                    f"&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func={func}", headers=ROOT_AUTH) as resp:
                    assert (resp.status, await resp.json()) == (200, {"cpanelresult": {
                        "apiversion": 2, "error": f"Could not find function '{func}' in module 'Ftp'",
                        "func": func, "module": "Ftp"}})
        assert state.requests == []  # nothing reached upstream
    finally:
        for listener in listeners:
            await listener.close()


@pytest.mark.parametrize("fault, status, reason", [
    ("status:500", 502, "upstream answered HTTP 500"),
    ("status:503", 502, "upstream answered HTTP 503"),
    ("html", 502, "upstream answered something that is not JSON"),
    ("invalid_json", 502, "upstream answered something that is not JSON"),
    ("reset", 502, "upstream closed the connection before answering"),
    ("drop", 502, "upstream closed the connection before answering"),
])
async def test_broken_upstream_answers(stack, caplog, fault, status, reason):
    stack.state.faults.add("/json-api/uapi_cpanel", fault, times=1)
    caplog.set_level(logging.DEBUG)
    got = await stack.get_json(f"{stack.whm}/json-api/cpanel?{PASSWD}", headers=ROOT_AUTH)
    assert got == (status, failed("passwd", reason))
    assert "Sup3r-secret-pw" not in caplog.text
    # and the shim keeps serving
    assert (await stack.get_json(f"{stack.whm}/json-api/cpanel?{PASSWD}", headers=ROOT_AUTH))[0] == 200


async def test_upstream_timeout_is_504():
    state, config, listeners = await start_stack({"read_timeout": 0.3})
    state.faults.add("/json-api/uapi_cpanel", "hang", times=1)
    import aiohttp
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{listeners[0].port}/json-api/cpanel?{PASSWD}", headers=ROOT_AUTH) as resp:
                assert (resp.status, await resp.json()) == (504, failed("passwd", "upstream did not answer in time"))
    finally:
        for listener in listeners:
            await listener.close()


async def test_too_large_answer_and_unreachable_upstream():
    state, config, listeners = await start_stack({"max_upstream_answer": 1024, "cpanel_upstream": "http://127.0.0.1:9"})
    state.faults.add("/json-api/uapi_cpanel", "huge:2", times=1)
    import aiohttp
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{listeners[0].port}/json-api/cpanel?{PASSWD}", headers=ROOT_AUTH) as resp:
                assert (resp.status, await resp.json()) == (502, failed("passwd", "upstream answer is too large"))
            async with http.get(f"http://127.0.0.1:{listeners[1].port}/json-api/cpanel?cpanel_jsonapi_module=Ftp"
                                "&cpanel_jsonapi_func=listftp", headers=USER_AUTH) as resp:
                assert (resp.status, await resp.json()) == (502, failed("listftp", "cannot connect to upstream"))
    finally:
        for listener in listeners:
            await listener.close()


async def test_bad_value_for_a_transform_answers_without_calling_upstream(tmp_path, stack):
    # Build a table where Ftp::setquota's quota must be a number.
    (tmp_path / "Ftp.yaml").write_text(
        "module: Ftp\nfunctions:\n  setquota:\n    mode: translate\n    uapi: Ftp::set_quota\n"
        "    args: {quota: {transform: integer}}\n    output: {shape: status}\n")
    state, config, listeners = await start_stack({"mappings": [tmp_path]})
    import aiohttp
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{listeners[0].port}/json-api/cpanel?cpanel_jsonapi_user=user"
                                "&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=setquota&user=ftpuser&quota=lots",
                                headers=ROOT_AUTH) as resp:
                reason = "expected a number, not 'lots'"
                assert (resp.status, await resp.json()) == (200, {"cpanelresult": {
                    "apiversion": 2, "func": "setquota", "module": "Ftp", "event": {"result": 1},
                    "data": [{"result": 0, "reason": reason}], "error": reason}})
        assert state.requests == []
    finally:
        for listener in listeners:
            await listener.close()


async def test_missing_user_with_bad_credentials_is_access_denied(stack):
    status, document = await stack.get_json(
        f"{stack.whm}/json-api/cpanel?cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=listftp",
        headers={"Authorization": "whm root:WRONG"})
    assert (status, document) == (403, {"cpanelresult": {"apiversion": "2", "error": "Access denied",
                                                         "data": {"reason": "Access denied", "result": "0"}, "type": "text"}})
