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


# --- shared helpers for raw-socket findings ------------------------------------------------------

API2_PASSWD_PATH = "/json-api/cpanel?" + PASSWD


async def _stack(overrides):
    state, config, listeners = await start_stack(overrides)
    return state, config, listeners, listeners[0].port, listeners[1].port


async def _close(listeners):
    for listener in listeners:
        await listener.close()


async def _connect(port, source="127.0.0.1"):
    return await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))


async def _answer(reader, timeout=3.0):
    """One whole answer (head and Content-Length body) from a raw connection."""
    async with asyncio.timeout(timeout):
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        body = await reader.readexactly(length)
    return head, body


async def _closed(reader, timeout=3.0):
    async with asyncio.timeout(timeout):
        return await reader.read() == b""


async def _legit_call(port):
    """A translated call from 127.0.0.1, on a connection of its own."""
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}{API2_PASSWD_PATH}", headers=ROOT_AUTH) as resp:
            return resp.status, await resp.json(content_type=None)


def _failed(reason, module="Ftp", func="passwd"):
    return {"cpanelresult": {"apiversion": 2, "func": func, "module": module, "data": [],
                             "event": {"result": 0, "reason": reason}, "error": reason}}


# --- finding 1: one large API 2 body -------------------------------------------------------------

async def test_a_large_chunked_api2_body_gets_an_api2_413_and_the_connection_closes():
    """16 MiB of chunked multipart: cut off at limits.max_api_body (256 KiB by default), answered
    with an API 2 413 and closed, so a request pipelined after the refused body is never served."""
    state, config, listeners, whm, _ = await _stack({})
    try:
        assert config.max_api_body == 256 * 1024
        reader, writer = await _connect(whm)
        writer.write(b"POST " + API2_PASSWD_PATH.encode() + b" HTTP/1.1\r\nHost: h\r\nAuthorization: "
                     + ROOT_AUTH["Authorization"].encode() + b"\r\nContent-Type: multipart/form-data; boundary=B\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n" + b"x" * 65000 + b"\r\n"
        # Just past the cap, then wait: a client still sending when the shim closes would get a
        # reset that swallows the answer (the attack suite sends the whole 16 MiB).
        writer.write(b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(5)))
        head, body = await _answer(reader)
        assert head.startswith(b"HTTP/1.1 413 ") and b"Connection: close" in head
        import orjson
        assert orjson.loads(body) == _failed("the request body is too large")
        writer.close()
        # A declared body over the cap, with a whole request pipelined behind it: never served.
        reader, writer = await _connect(whm)
        smuggled = b"GET /json-api/version?api.version=1 HTTP/1.1\r\nHost: h\r\n\r\n"
        big = b"x" * (256 * 1024 + 1)
        writer.write(b"POST " + API2_PASSWD_PATH.encode() + b" HTTP/1.1\r\nHost: h\r\nContent-Length: "
                     + str(len(big)).encode() + b"\r\n\r\n" + smuggled)
        head, _ = await _answer(reader)
        assert head.startswith(b"HTTP/1.1 413 ") and await _closed(reader)
        writer.close()
        assert state.requests_to("/json-api/version") == [] and state.requests_to("/json-api/uapi_cpanel") == []
    finally:
        await _close(listeners)


async def test_a_body_exactly_at_the_cap_is_read_and_one_byte_more_is_not():
    state, config, listeners, whm, _ = await _stack({"max_api_body": 300})
    try:
        async with aiohttp.ClientSession() as http:
            body = PASSWD.encode()
            exact = body + b"&pad=" + b"p" * (300 - len(body) - 5)
            assert len(exact) == 300
            for data, status in ((exact, 200), (exact + b"p", 413)):
                # Chunked, in two pieces with a pause, so the guard counts it as it arrives.
                reader, writer = await _connect(whm)
                writer.write(b"POST /json-api/cpanel HTTP/1.1\r\nHost: h\r\nAuthorization: "
                             + ROOT_AUTH["Authorization"].encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n"
                             + b"%x\r\n%s\r\n" % (150, data[:150]))
                await writer.drain()
                await asyncio.sleep(0.05)
                writer.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(data) - 150, data[150:]))
                head, _ = await _answer(reader)
                assert head.startswith(b"HTTP/1.1 %d " % status), (len(data), head)
                writer.close()
                async def chunked():
                    yield data[:100]
                    yield data[100:]

                for payload in (data, chunked()):  # declared and chunked
                    async with http.post(f"http://127.0.0.1:{whm}/json-api/cpanel", data=payload,
                                         headers=ROOT_AUTH) as resp:
                        assert resp.status == status, (len(data), payload)
    finally:
        await _close(listeners)


async def test_too_many_arguments_are_refused_before_they_are_parsed():
    _, _, listeners, whm, _ = await _stack({})
    try:
        async with aiohttp.ClientSession() as http:
            async with http.post(f"http://127.0.0.1:{whm}/json-api/cpanel?{PASSWD}", data=b"a&" * 100_000,
                                 headers=ROOT_AUTH) as resp:
                assert (resp.status, await resp.json(content_type=None)) == (
                    413, _failed("the request has too many arguments"))
            async with http.get(f"http://127.0.0.1:{whm}/json-api/cpanel?" + "a&" * 300, headers=ROOT_AUTH) as resp:
                reason = "the request has too many arguments"
                assert (resp.status, await resp.json(content_type=None)) == (413, {"cpanelresult": {
                    "apiversion": 2, "data": [], "event": {"result": 0, "reason": reason}, "error": reason}})
            assert await _legit_call(whm) == (200, OK_PASSWD)
    finally:
        await _close(listeners)


def test_form_parsing_finds_the_same_fields_as_before():
    from shim.translation.recognise import count_fields, parse_form

    assert parse_form(b"a=1&b=&c&&d=%C3%A9+x&e=\xc3\xa9&f=%ZZ&quota=", "") == [
        ("a", "1"), ("b", ""), ("c", ""), ("d", "é x"), ("e", "é"), ("f", "%ZZ"), ("quota", "")]
    multipart = (b"preamble\r\n--B \r\nContent-Disposition: form-data; name=\"a\\\"b\"\r\n\r\nv1\r\n"
                 b"--B\r\ncontent-disposition: form-data; name=plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                 b"aGk=\r\n--B\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n"
                 b"--B\r\nContent-Disposition: form-data; filename=\"x\"\r\n\r\nno name\r\n--B--\r\nepilogue")
    assert parse_form(multipart, 'multipart/form-data; boundary="B"') == [("a\"b", "v1"), ("plain", "hi"), ("empty", "")]
    assert count_fields(multipart, "multipart/form-data; boundary=B") == 5
    assert count_fields(b"a&b&c", "") == 3 and count_fields(b"", "") == 0


# --- finding 2: slow bodies ---------------------------------------------------------------------

async def test_slow_bodies_hold_no_concurrency_slot_and_time_out():
    _, _, listeners, whm, _ = await _stack({"max_concurrent": 4, "body_timeout": 1.0, "body_idle_timeout": 0.4})
    try:
        slow = []
        for index in range(12):
            reader, writer = await _connect(whm, f"127.0.0.{2 + index % 3}")
            writer.write(b"POST " + API2_PASSWD_PATH.encode() + b" HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\nx")
            slow.append((reader, writer))
        await asyncio.sleep(0.1)
        # Every slow body is being read, yet the real call gets a slot.
        assert await _legit_call(whm) == (200, OK_PASSWD)
        # A body that keeps trickling still ends at timeouts.body (1 s after its head), though
        # no pause reaches the idle time; one that stops ends at the idle time.
        reader, writer = slow[0]
        answered = asyncio.get_running_loop().create_task(_answer(reader, timeout=3.0))
        for _ in range(10):
            if answered.done():
                break
            writer.write(b"x")
            await asyncio.sleep(0.2)
        assert answered.done(), "a trickling body outlived timeouts.body"
        head, _ = await answered
        assert head.startswith(b"HTTP/1.1 408 ")
        slow = slow[1:]
        import orjson
        for reader, writer in slow:
            head, body = await _answer(reader, timeout=2.0)
            assert head.startswith(b"HTTP/1.1 408 ") and b"Connection: close" in head
            assert orjson.loads(body) == _failed("the request body did not arrive in time")
            writer.close()
    finally:
        await _close(listeners)


# --- finding 4: unfinished heads, idle connections, connections per address ---------------------

async def test_an_unfinished_head_gets_408_after_the_head_timeout():
    _, _, listeners, whm, _ = await _stack({"head_timeout": 0.3})
    try:
        reader, writer = await _connect(whm)
        writer.write(b"GET /json-api/version HTTP/1.1\r\nHost: h\r\nX-Slow: ")
        loop = asyncio.get_running_loop()
        started = loop.time()
        head, body = await _answer(reader, timeout=2.0)
        assert (head.split(b"\r\n")[0], body) == (b"HTTP/1.1 408 Request Timeout", b"408 Request Timeout\n")
        assert 0.25 < loop.time() - started < 1.5 and await _closed(reader)
        writer.close()
    finally:
        await _close(listeners)


async def test_a_head_past_max_head_size_gets_431_without_being_held():
    _, config, listeners, whm, _ = await _stack({})
    try:
        assert config.max_head_size == 128 * 1024
        reader, writer = await _connect(whm)
        writer.write(b"GET / HTTP/1.1\r\nHost: h\r\n")
        try:
            for _ in range(127):  # the attack: 127 header lines of 64 KiB, no blank line (8 MB)
                writer.write(b"X-Fill: " + b"f" * (64 * 1024 - 20) + b"\r\n")
                await writer.drain()
        except ConnectionError:
            pass
        head, body = await _answer(reader)
        assert (head.split(b"\r\n")[0], body) == (b"HTTP/1.1 431 Request Header Fields Too Large",
                                                  b"431 Request Header Fields Too Large\n")
        writer.close()
    finally:
        await _close(listeners)


async def test_an_idle_connection_is_closed_after_the_keepalive_timeout():
    from shim.inbound.listener import HttpLimits

    assert HttpLimits().keepalive_timeout == 15.0 and HttpLimits().head_timeout == 10.0  # the defaults
    _, _, listeners, whm, _ = await _stack({"keepalive_timeout": 0.3})
    try:
        reader, writer = await _connect(whm)  # sends nothing at all
        assert await _closed(reader, timeout=2.0)
        writer.close()
        reader, writer = await _connect(whm)  # one request, then idle
        writer.write(b"GET /json-api/version?api.version=1 HTTP/1.1\r\nHost: h\r\n" + b"Authorization: "
                     + ROOT_AUTH["Authorization"].encode() + b"\r\n\r\n")
        head, _ = await _answer(reader)
        assert head.startswith(b"HTTP/1.1 200 ") and await _closed(reader, timeout=2.0)
        writer.close()
    finally:
        await _close(listeners)


async def test_connections_per_client_address_are_capped():
    _, _, listeners, whm, _ = await _stack({"max_connections_per_client": 3})
    try:
        held = [await _connect(whm, "127.0.0.3") for _ in range(3)]
        reader, writer = await _connect(whm, "127.0.0.3")
        head, body = await _answer(reader)
        assert (head.split(b"\r\n")[0], body) == (b"HTTP/1.1 503 Service Unavailable", b"503 Service Unavailable\n")
        assert b"Retry-After: 1" in head and await _closed(reader)
        writer.close()
        assert await _legit_call(whm) == (200, OK_PASSWD)  # another address is not affected
        held.pop()[1].close()
        await asyncio.sleep(0.05)
        reader, writer = await _connect(whm, "127.0.0.3")  # room again
        writer.write(b"GET /json-api/version?api.version=1 HTTP/1.1\r\nHost: h\r\nAuthorization: "
                     + ROOT_AUTH["Authorization"].encode() + b"\r\n\r\n")
        head, _ = await _answer(reader)
        assert head.startswith(b"HTTP/1.1 200 ")
        writer.close()
        for _, held_writer in held:
            held_writer.close()
    finally:
        await _close(listeners)


def test_ipv4_mapped_addresses_count_as_their_ipv4_client():
    from shim.inbound.connections import ClientConnections, client_address

    assert client_address(("::ffff:192.0.2.7", 1, 0, 0)) == "192.0.2.7"
    assert client_address(("2001:db8::1", 1, 0, 0)) == "2001:db8::1"
    assert client_address(("192.0.2.7", 1)) == "192.0.2.7"
    counts = ClientConnections(2)
    assert counts.admit(client_address(("::ffff:192.0.2.7", 1, 0, 0))) and counts.admit("192.0.2.7")
    assert not counts.admit(client_address(("::ffff:192.0.2.7", 2, 0, 0)))
    counts.release("192.0.2.7")
    assert counts.admit("192.0.2.7") and counts.total == 2


async def test_readiness_reports_saturation():
    from conftest import ops_stack_context

    from shim.inbound.guard import Gate
    from shim.operations.admin import create_admin_app

    async with ops_stack_context() as stack:
        gate = Gate(2)
        admin = await start_listener(create_admin_app(stack.runtime, stack.config.services, None, gate), "127.0.0.1", 0)
        try:
            url = f"http://127.0.0.1:{admin.port}/readyz"
            async with stack.http.get(url) as resp:
                assert (resp.status, await resp.json()) == (200, {"ready": True, "reasons": []})
            gate.in_flight = 2
            async with stack.http.get(url) as resp:
                assert (resp.status, await resp.json()) == (
                    503, {"ready": False, "reasons": ["saturated: 2 of 2 requests in progress"]})
        finally:
            await admin.close()


def test_the_new_settings_load_from_the_file_and_bad_values_name_file_and_line(tmp_path):
    from shim.config import ConfigError, load_config

    path = tmp_path / "shim.yaml"
    path.write_text("whm: {listen: '127.0.0.1:1'}\ntimeouts:\n  head: 5\n  keepalive: 7\n  body: 30\n  body_idle: 3\n"
                    "limits:\n  max_head_size: 70000\n  max_connections_per_client: 9\n  max_api_body: 65536\n")
    config = load_config(path)
    assert (config.head_timeout, config.keepalive_timeout, config.body_timeout, config.body_idle_timeout,
            config.max_head_size, config.max_connections_per_client, config.max_api_body) == (5, 7, 30, 3, 70000, 9, 65536)
    limits = config.http_limits()
    assert (limits.head_timeout, limits.keepalive_timeout, limits.max_head_size, limits.max_connections_per_client) == (
        5, 7, 70000, 9)
    path.write_text("whm: {listen: '127.0.0.1:1'}\ntimeouts:\n  head: 0\n  keepalive: -1\n  body: x\n  body_idle: 0\n"
                    "limits:\n  max_head_size: 1000\n  max_connections_per_client: 0\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert raised.value.errors == [
        f"{path}:3: head_timeout must be a positive number of seconds, not 0",
        f"{path}:4: keepalive_timeout must be a positive number of seconds, not -1",
        f"{path}:5: body_timeout must be a positive number of seconds, not 'x'",
        f"{path}:6: body_idle_timeout must be a positive number of seconds, not 0",
        f"{path}:9: max_connections_per_client must be a positive whole number, not 0",
        f"{path}:8: max_head_size (1000) must be at least max_line_size (65536): a request line alone may be that long",
    ]


# --- finding 3: slow pass-through uploads --------------------------------------------------------

async def test_slow_uploads_cannot_starve_translated_calls_and_time_out_when_idle():
    _, _, listeners, whm, _ = await _stack({"pool_size": 2, "body_idle_timeout": 0.5, "connect_timeout": 1.0})
    try:
        uploads = []
        for index in range(4):  # twice the pass-through pool
            reader, writer = await _connect(whm, "127.0.0.2")
            writer.write(b"POST /json-api/restorepkg HTTP/1.1\r\nHost: h\r\nAuthorization: "
                         + ROOT_AUTH["Authorization"].encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n")
            uploads.append((reader, writer))
        await asyncio.sleep(0.1)
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await _legit_call(whm) == (200, OK_PASSWD)
        assert loop.time() - started < 0.5  # not after the pool's connect timeout
        # Each, once it holds a pool connection, is cut off when it pauses past body_idle.
        statuses = []
        for reader, writer in uploads:
            head, body = await _answer(reader, timeout=4.0)
            statuses.append(head.split(b"\r\n")[0])
            if statuses[-1] == b"HTTP/1.1 408 Request Timeout":
                assert body == b"408 the request body did not arrive in time\n"
        assert statuses.count(b"HTTP/1.1 408 Request Timeout") >= 2, statuses
        for _, writer in uploads:
            writer.close()
    finally:
        await _close(listeners)


# --- finding 10: the admin listener's token -------------------------------------------------------

async def test_usage_and_reload_need_the_admin_token_when_one_is_set(tmp_path):
    from conftest import ops_stack_context

    from shim.config import load_config
    from shim.operations.admin import create_admin_app

    (tmp_path / "admin.token").write_text("s3cret-admin-token\n")
    config_file = tmp_path / "shim.yaml"
    config_file.write_text("whm: {listen: '127.0.0.1:0'}\nadmin:\n  listen: 127.0.0.1:0\n  token_file: admin.token\n")
    settings = load_config(config_file).admin_settings
    assert settings.token == "s3cret-admin-token" and "s3cret" not in repr(settings)
    async with ops_stack_context() as stack:
        admin = await start_listener(create_admin_app(stack.runtime, stack.config.services, stack.reloader, None,
                                                      settings.token), "127.0.0.1", 0)
        base = f"http://127.0.0.1:{admin.port}"
        try:
            for method, path in (("GET", "/usage"), ("POST", "/reload")):
                for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-admin-token"}):
                    async with stack.http.request(method, base + path, headers=headers) as resp:
                        assert resp.status == 401 and resp.headers["WWW-Authenticate"].startswith("Bearer")
                        assert "s3cret" not in await resp.text()
                async with stack.http.request(method, base + path,
                                              headers={"Authorization": "Bearer s3cret-admin-token"}) as resp:
                    assert resp.status == 200
            for path in ("/healthz", "/readyz", "/metrics"):  # probes and scrapes stay open
                async with stack.http.get(base + path) as resp:
                    assert resp.status == 200
        finally:
            await admin.close()


def test_the_admin_token_file_errors_name_file_and_line(tmp_path):
    from shim.config import ConfigError, load_config

    path = tmp_path / "shim.yaml"
    (tmp_path / "empty.token").write_text("\n")
    for body, error in (
        ("  token_file: missing.token\n", f"{path}:4: admin.token_file: cannot read '{tmp_path / 'missing.token'}': "
                                          "No such file or directory"),
        ("  token_file: empty.token\n", f"{path}:4: admin.token_file: '{tmp_path / 'empty.token'}' is empty"),
        ("  token_file: [a]\n", f"{path}:4: admin.token_file: expected a file path, not ['a']"),
    ):
        path.write_text("whm: {listen: '127.0.0.1:0'}\nadmin:\n  listen: 127.0.0.1:0\n" + body)
        with pytest.raises(ConfigError) as raised:
            load_config(path)
        assert raised.value.errors == [error]


# --- finding 9: the usage report cannot be flooded out of its real rows ---------------------------

def test_refused_calls_are_counted_apart_and_cannot_push_out_the_real_client():
    from shim.observability.usage import MAX_ROWS, UsageTracker, is_refused

    tracker = UsageTracker()
    tracker.record_now("Ftp::passwd", "translate", "whm root", "192.0.2.10", "WHMCS/8.9", 1.0)
    for index in range(MAX_ROWS + 50):  # the attack: wrong token, a new User-Agent each time
        tracker.record_now("Ftp::passwd", "translate", "whm root", "198.51.100.7", f"flood/{index}", 2.0,
                           is_refused("denied", 403))
    # ...and one address forging accounts on a function that never asks upstream.
    for index in range(MAX_ROWS):
        tracker.record_now("Fake::reject", "reject", f"whm user{index}", "198.51.100.8", f"ua/{index}", 3.0)
    tracker.record_now("Ftp::passwd", "translate", "whm root", "192.0.2.10", "WHMCS/8.9", 4.0)
    document = tracker.as_json()
    real = [row for row in document["rows"] if row["client"] == "192.0.2.10"]
    assert real == [{"function": "Ftp::passwd", "mode": "translate", "auth": "whm root", "client": "192.0.2.10",
                     "user_agent": "WHMCS/8.9", "calls": 2, "first_seen": 1.0, "last_seen": 4.0}]
    assert document["refused"] == [{"function": "Ftp::passwd", "mode": "translate", "auth": None,
                                    "client": "198.51.100.7", "user_agent": "", "calls": MAX_ROWS + 50,
                                    "first_seen": 2.0, "last_seen": 2.0}]
    assert sum(1 for row in document["rows"] if row["client"] == "198.51.100.8") == 200
    assert document["dropped"] == MAX_ROWS - 200
    again = UsageTracker.from_json(document)
    assert again.as_json() == document
    import io

    from shim.observability.usage import merged, write_report

    assert merged([again, UsageTracker.from_json(document)]).as_json()["refused"][0]["calls"] == 2 * (MAX_ROWS + 50)
    report = io.StringIO()
    write_report(again, report, "test")
    assert f"({MAX_ROWS + 50} refused calls (credentials not accepted) from 1 addresses, counted apart)" in report.getvalue()


async def test_a_call_with_a_wrong_token_lands_in_the_refused_counts():
    from conftest import ops_stack_context

    async with ops_stack_context() as stack:
        async with stack.http.get(f"{stack.whm}{API2_PASSWD_PATH}", headers={"Authorization": "whm root:WRONG"}) as resp:
            assert resp.status == 403
        async with stack.http.get(f"{stack.whm}{API2_PASSWD_PATH}", headers=ROOT_AUTH) as resp:
            assert resp.status == 200
        document = stack.runtime.usage.as_json()
    assert [(r["function"], r["auth"], r["calls"]) for r in document["rows"]] == [("Ftp::passwd", "whm root", 1)]
    assert [(r["function"], r["client"], r["calls"]) for r in document["refused"]] == [("Ftp::passwd", "127.0.0.1", 1)]


async def test_closing_a_listener_cuts_what_still_runs_at_its_deadline():
    from aiohttp import web

    async def forever(request):
        await asyncio.sleep(30)
        return web.Response()

    app = web.Application()
    app.router.add_get("/", forever)
    listener = await start_listener(app, "127.0.0.1", 0)
    reader, writer = await asyncio.open_connection("127.0.0.1", listener.port)
    writer.write(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    await asyncio.sleep(0.1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await listener.close(0.3)
    assert loop.time() - started < 0.8
    assert await _closed(reader, timeout=1.0)  # the connection is gone, not left to the process exit
    writer.close()
