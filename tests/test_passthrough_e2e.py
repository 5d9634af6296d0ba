"""Everything that is not a translated API 2 call reaches upstream untouched."""

import aiohttp
from conftest import ROOT_AUTH, USER_AUTH

from shim import fakecpanel


async def fetch_raw(http, method, url, **kwargs):
    async with http.request(method, url, allow_redirects=False, **kwargs) as resp:
        return resp.status, resp.headers, await resp.read()


async def test_whm_api1_call_passes_through_byte_for_byte(stack):
    direct = await fetch_raw(stack.http, "GET", f"{stack.fake_whm}/json-api/version?api.version=1", headers=ROOT_AUTH)
    proxied = await fetch_raw(stack.http, "GET", f"{stack.whm}/json-api/version?api.version=1", headers=ROOT_AUTH)
    assert (proxied[0], proxied[2]) == (direct[0], direct[2])
    assert proxied[1]["Content-Type"] == direct[1]["Content-Type"]
    seen = stack.state.requests[-1]
    assert (seen.method, seen.path, seen.query) == ("GET", "/json-api/version", {"api.version": ["1"]})


async def test_uapi_call_passes_through_byte_for_byte(stack):
    path = "/execute/Ftp/list_ftp?include_acct_types=sub"
    direct = await fetch_raw(stack.http, "GET", stack.fake_cpanel + path, headers=USER_AUTH)
    proxied = await fetch_raw(stack.http, "GET", stack.cpanel + path, headers=USER_AUTH)
    assert (proxied[0], proxied[2]) == (direct[0], direct[2])


async def test_api2_version_3_and_1_pass_through(stack):
    query = "cpanel_jsonapi_user=user&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=list_ftp&cpanel_jsonapi_apiversion=3"
    direct = await fetch_raw(stack.http, "POST", f"{stack.fake_whm}/json-api/cpanel", data=query, headers=ROOT_AUTH)
    proxied = await fetch_raw(stack.http, "POST", f"{stack.whm}/json-api/cpanel", data=query, headers=ROOT_AUTH)
    assert (proxied[0], proxied[2]) == (direct[0], direct[2])
    seen = stack.state.requests[-1]
    assert (seen.method, seen.path, seen.body) == ("POST", "/json-api/cpanel", query.encode())


async def test_hop_by_hop_headers_stripped_and_forwarding_added(stack):
    headers = {**ROOT_AUTH, "Connection": "keep-alive, X-Hop", "X-Hop": "secret-hop", "X-End": "kept",
               "X-Forwarded-For": "203.0.113.9"}
    status, _, _ = await fetch_raw(stack.http, "GET", f"{stack.whm}/json-api/version?api.version=1", headers=headers)
    assert status == 200
    seen = stack.state.requests[-1].headers
    assert "x-hop" not in seen and seen["x-end"] == "kept"
    assert seen["x-forwarded-for"] == "203.0.113.9, 127.0.0.1"
    assert seen["x-forwarded-proto"] == "http"
    assert seen["host"] == stack.fake_whm.removeprefix("http://")
    assert seen["authorization"] == ROOT_AUTH["Authorization"]


async def test_login_redirect_and_session_cookie_work_through_the_shim(stack):
    status, headers, _ = await fetch_raw(
        stack.http, "POST", f"{stack.whm}/login", data={"user": "root", "pass": fakecpanel.ROOT_PASSWORD}
    )
    assert status in (301, 302, 303, 307)
    location = headers["Location"]
    cpsess = "/" + location.strip("/").split("/")[0]
    assert cpsess.startswith("/cpsess")
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    url = (f"{stack.whm}{cpsess}/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_module=Ftp"
           "&cpanel_jsonapi_func=passwd&user=ftpuser&pass=N3w-pass-9")
    status, document = await stack.get_json(url, headers={"Cookie": cookie})
    assert (status, document) == (200, {
        "cpanelresult": {"apiversion": 2, "func": "passwd", "data": [{"reason": "OK", "result": 1}],
                         "event": {"result": 1}, "module": "Ftp"}
    })
    seen = stack.state.requests[-1]
    assert seen.path == f"{cpsess}/json-api/uapi_cpanel" and seen.headers["cookie"] == cookie


async def test_streamed_upload_passes_through(stack):
    body = bytes(range(256)) * 4096  # 1 MiB
    async with stack.http.post(f"{stack.cpanel}/upload", data=body, headers=USER_AUTH) as resp:
        proxied = (resp.status, await resp.read())
    async with stack.http.post(f"{stack.fake_cpanel}/upload", data=body, headers=USER_AUTH) as resp:
        direct = (resp.status, await resp.read())
    assert proxied == direct and proxied[0] == 200


async def test_upstream_down_for_pass_through(stack):
    from conftest import start_stack

    state, config, listeners = await start_stack({"whm_upstream": "http://127.0.0.1:9"})
    try:
        whm = f"http://127.0.0.1:{listeners[0].port}"
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{whm}/json-api/version?api.version=1", headers=ROOT_AUTH) as resp:
                assert (resp.status, await resp.text()) == (502, "502 Bad Gateway: upstream is unavailable\n")
    finally:
        for listener in listeners:
            await listener.close()
