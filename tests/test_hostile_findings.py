"""The findings of the attack pass of issue 13, one test each (plus the behaviours around them).

Each test failed on the shim as it was before the fix it names. The attack suite with
timings under load is tests/test_attacks.py; the figures are in docs/security.md.
"""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from conftest import ROOT_AUTH, USER_AUTH, start_stack

from shim.inbound.listener import start_listener

PASSWD = ("cpanel_jsonapi_user=user&cpanel_jsonapi_apiversion=2&cpanel_jsonapi_module=Ftp"
          "&cpanel_jsonapi_func=passwd&user=ftpuser%40example.com&pass=Secret-123")
OK_PASSWD = {"cpanelresult": {"apiversion": 2, "func": "passwd", "data": [{"reason": "OK", "result": 1}],
                              "event": {"result": 1}, "module": "Ftp"}}


@pytest.fixture
async def started():
    state, config, listeners = await start_stack()
    whm, cpanel = (f"http://127.0.0.1:{listener.port}" for listener in listeners[:2])
    async with aiohttp.ClientSession() as http:
        yield state, config, listeners, whm, cpanel, http
    for listener in listeners:
        await listener.close()


# --- finding 6: client arguments named like the shim's own upstream keys --------------------

INJECTED = [
    ("cpanel.user", "victim"),
    ("CPANEL.MODULE", "Email"),
    ("Cpanel.Function", "delpop"),
    ("api.version", "3"),
    ("api2_version", "9"),  # becomes api.version through the api2_ → api. rule
    (" cpanel.user", "victim"),
    ("\uff43\uff50\uff41\uff4e\uff45\uff4c.user", "victim"),  # fullwidth: NFKC makes it cpanel.user
]


async def test_client_cpanel_and_api_arguments_never_reach_upstream(started, caplog):
    state, _, _, whm, cpanel, http = started
    from urllib.parse import quote

    injected = "&".join(f"{quote(name)}={value}" for name, value in INJECTED)
    # Percent-encoded dots too: the name is compared after decoding.
    injected += "&cpanel%2Euser=victim&api%2eversion=7"
    async with http.post(f"{whm}/json-api/cpanel", data=PASSWD + "&" + injected, headers=ROOT_AUTH) as resp:
        assert (resp.status, await resp.json(content_type=None)) == (200, OK_PASSWD)
    [seen] = state.requests_to("/json-api/uapi_cpanel")
    assert {name: values for name, values in seen.form.items() if "." in name or name.startswith("api")} == {
        "api.version": ["1"], "cpanel.user": ["user"], "cpanel.module": ["Ftp"], "cpanel.function": ["passwd"]}
    assert "victim" not in seen.body.decode() and "delpop" not in seen.body.decode()
    warnings = [r.getMessage() for r in caplog.records if "dropped client arguments" in r.getMessage()]
    assert warnings and "'cpanel.user'" in warnings[0] and "victim" not in warnings[0]
    # On the cPanel port the UAPI call itself carries no client api.* key either.
    state.requests.clear()
    async with http.post(f"{cpanel}/json-api/cpanel", data=PASSWD + "&api.filter_column=x&API.version=2",
                         headers=USER_AUTH) as resp:
        assert (resp.status, await resp.json(content_type=None)) == (200, OK_PASSWD)
    [seen] = state.requests_to("/execute/Ftp/passwd")
    assert not [name for name in seen.form if name.lower().startswith("api")]


# --- finding 8: a small pass-through answer that breaks off -----------------------------------

async def _broken_upstream(declared: int, sent: bytes):
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                     + str(declared).encode() + b"\r\n\r\n" + sent)
        await writer.drain()
        writer.close()

    return await asyncio.start_server(answer, "127.0.0.1", 0)


@pytest.mark.parametrize("path, api2", [
    ("/json-api/version?api.version=1", False),
    ("/json-api/cpanel?cpanel_jsonapi_apiversion=2&cpanel_jsonapi_module=Foo&cpanel_jsonapi_func=bar", True),
])
async def test_a_small_pass_through_answer_that_breaks_off_becomes_a_502(path, api2):
    from shim.app import create_app
    from shim.config import load_config

    upstream = await _broken_upstream(1000, b"0123456789")
    port = upstream.sockets[0].getsockname()[1]
    config = load_config(None, {"whm_listen": "127.0.0.1:0", "whm_upstream": f"http://127.0.0.1:{port}",
                                "read_timeout": 2.0})
    shim = await start_listener(create_app(config, "whm"), "127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession() as http:
            async with asyncio.timeout(5):  # fails fast, not at some global timeout
                async with http.get(f"http://127.0.0.1:{shim.port}{path}", headers=ROOT_AUTH) as resp:
                    status, body = resp.status, await resp.read()
        assert status == 502
        if api2:
            import orjson
            assert orjson.loads(body) == {"cpanelresult": {
                "apiversion": 2, "func": "bar", "module": "Foo", "data": [],
                "event": {"result": 0, "reason": "upstream is unavailable"}, "error": "upstream is unavailable"}}
        else:
            assert body == b"502 Bad Gateway: upstream is unavailable\n"
    finally:
        await shim.close()
        upstream.close()
