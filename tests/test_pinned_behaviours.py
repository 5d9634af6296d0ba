"""Behaviours no test pinned before issue 13's mutation sample (each a place a one-line bug slipped
through). Each test here fails when its behaviour is broken."""

from __future__ import annotations

import asyncio
import ipaddress

import aiohttp
import pytest
from conftest import ROOT_AUTH, raw_exchange, start_stack

from shim.config import ConfigError, load_config
from shim.inbound.guard import client_allowed
from shim.translation.mapping import load_table
from shim.translation.recognise import parse_form, recognise
from shim.translation.translate import to_cpanelresult
from shim.upstream.pool import UpstreamPool


def test_a_uapi_status_sent_as_the_string_1_is_success():
    entry = load_table(None).lookup("Ftp", "passwd")
    for status in (1, "1"):
        assert to_cpanelresult("Ftp", "passwd", entry, {"status": status, "data": None, "errors": None}) == {
            "cpanelresult": {"apiversion": 2, "func": "passwd", "module": "Ftp",
                             "data": [{"result": 1, "reason": "OK"}], "event": {"result": 1}}}
    failed = to_cpanelresult("Ftp", "passwd", entry, {"status": "0", "data": None, "errors": ["no"]})
    assert failed["cpanelresult"]["data"] == [{"result": 0, "reason": "no"}]


def test_jsonapi_names_win_over_xmlapi_names_in_one_call_whatever_their_order():
    both = [("cpanel_xmlapi_module", "Email"), ("cpanel_jsonapi_module", "Ftp"), ("cpanel_jsonapi_func", "passwd"),
            ("cpanel_xmlapi_func", "delpop"), ("cpanel_xmlapi_user", "x"), ("cpanel_jsonapi_user", "user")]
    for params in (dict(both), dict(reversed(both))):
        call = recognise(params, "")
        assert (call.module, call.func, call.user, call.args) == ("Ftp", "passwd", "user", {})


def test_an_empty_apiversion_is_api2_and_an_empty_argument_survives():
    params = dict(parse_form(b"cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=setquota&cpanel_jsonapi_apiversion="
                             b"&user=bob&quota=", ""))
    call = recognise(params, "")
    assert (call.module, call.func, call.user, call.args) == ("Ftp", "setquota", None, {"user": "bob", "quota": ""})


def test_ipv4_mapped_clients_match_ipv4_allow_entries_on_a_dual_stack_listener():
    networks = (ipaddress.ip_network("192.0.2.0/24"), ipaddress.ip_network("2001:db8::/32"))
    assert client_allowed("::ffff:192.0.2.7", networks) and client_allowed("192.0.2.7", networks)
    assert client_allowed("2001:db8::5", networks)
    assert not client_allowed("::ffff:198.51.100.1", networks) and not client_allowed("", networks)
    assert not client_allowed("/run/api2shim.sock", networks)  # no address (a Unix socket): never allowed


def test_a_zero_timeout_is_refused_in_the_config(tmp_path):
    path = tmp_path / "shim.yaml"
    path.write_text("whm: {listen: '127.0.0.1:1'}\ntimeouts:\n  read: 0\n  connect: 0\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert raised.value.errors == [f"{path}:4: connect_timeout must be a positive number of seconds, not 0",
                                   f"{path}:3: read_timeout must be a positive number of seconds, not 0"]


def test_the_client_facing_defaults_are_the_documented_ones(tmp_path):
    """docs/security.md gives each figure its reason; a config that names none of them gets them all."""
    path = tmp_path / "shim.yaml"
    path.write_text("whm: {listen: '127.0.0.1:1'}\n")
    config = load_config(path)
    assert {name: getattr(config, name) for name in (
        "head_timeout", "keepalive_timeout", "body_timeout", "body_idle_timeout", "read_timeout", "connect_timeout",
        "max_api_body", "max_head_size", "max_connections_per_client")} == {
        "head_timeout": 10.0, "keepalive_timeout": 15.0, "body_timeout": 60.0, "body_idle_timeout": 15.0,
        "read_timeout": 300.0, "connect_timeout": 10.0, "max_api_body": 256 * 1024, "max_head_size": 128 * 1024,
        "max_connections_per_client": 128}
    limits = config.http_limits()
    assert (limits.keepalive_timeout, limits.head_timeout) == (15.0, 10.0)  # what the listener is given


async def _recording_origin(heads: list[bytes]):
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()

    return await asyncio.start_server(answer, "127.0.0.1", 0)


async def test_a_bodyless_post_upstream_says_content_length_0_on_the_wire():
    heads: list[bytes] = []
    origin = await _recording_origin(heads)
    pool = UpstreamPool(f"http://127.0.0.1:{origin.sockets[0].getsockname()[1]}", limit=1, connect_timeout=2,
                        read_timeout=2)
    try:
        for method in ("POST", "GET"):
            exchange = await pool.request(method, "/x", [])
            assert await exchange.read() == b"ok"
        assert b"\r\nContent-Length: 0\r\n" in heads[0] and b"Content-Length" not in heads[1]
    finally:
        await pool.close()
        origin.close()


async def test_a_line_break_in_an_outgoing_header_is_refused_and_the_slot_comes_back():
    heads: list[bytes] = []
    origin = await _recording_origin(heads)
    pool = UpstreamPool(f"http://127.0.0.1:{origin.sockets[0].getsockname()[1]}", limit=1, connect_timeout=0.5,
                        read_timeout=2)
    try:
        for value in ("a\r\nX-Injected: 1", "a\nb", "a\rb"):
            with pytest.raises(ValueError):
                await pool.request("GET", "/x", [("X-Value", value)])
        # The one slot came back after each failure: a request still gets a connection.
        exchange = await pool.request("GET", "/x", [])
        assert await exchange.read() == b"ok"
        assert heads and all(b"X-Injected" not in head for head in heads)
    finally:
        await pool.close()
        origin.close()


async def test_proxy_authorization_is_never_forwarded_and_connect_is_refused(stack):
    async with stack.http.get(f"{stack.whm}/json-api/version?api.version=1",
                              headers={**ROOT_AUTH, "Proxy-Authorization": "Basic cHJveHk6c2VjcmV0"}) as resp:
        assert resp.status == 200
    assert "proxy-authorization" not in stack.state.requests[-1].headers
    port = int(stack.whm.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"CONNECT /json-api/version HTTP/1.1\r\nHost: h\r\n\r\n")  # origin-form CONNECT
    answer = await asyncio.wait_for(reader.read(), 3)  # answered and closed, never hung
    writer.close()
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert not stack.state.requests_to("/json-api/version")[1:]


async def test_a_413_for_a_declared_body_closes_even_when_the_whole_body_came():
    """Without the close, aiohttp reads the refused body to its end and serves what follows it."""
    state, config, listeners = await start_stack({"max_api_body": 300})
    try:
        pipelined = b"GET /json-api/version?api.version=1 HTTP/1.1\r\nHost: h\r\nAuthorization: whm root:x\r\n\r\n"
        answer = await raw_exchange(listeners[0].port, b"POST /json-api/cpanel HTTP/1.1\r\nHost: h\r\n"
                                    b"Content-Length: 301\r\n\r\n" + b"a" * 301 + pipelined)
        assert answer.startswith(b"HTTP/1.1 413 ") and answer.count(b"HTTP/1.1 ") == 1
        assert state.requests_to("/json-api/version") == []
    finally:
        for listener in listeners:
            await listener.close()
