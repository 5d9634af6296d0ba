"""Malformed requests real legacy clients send, as raw bytes over a real socket.

The server is the real listener (shim.inbound.listener.start_listener) serving a small echo app; the
pure head normaliser and the framer are also tested on their own. The module passes with
both of aiohttp's parsers (C/llhttp by default, AIOHTTP_NO_EXTENSIONS=1 for Python).
"""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from shim import fakecpanel
from shim.inbound.framing import (
    QUIRK_STRAY_CRLF,
    QUIRK_TE_WITH_CL,
    Framing,
    HeadDecision,
    RequestFramer,
    normalise_head,
)
from shim.inbound.listener import HttpLimits, Listener, start_listener

FORM = b"cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&user=ftpuser&pass=S3cret%21"
FORM_PARSED = {
    "cpanel_jsonapi_module": "Ftp",
    "cpanel_jsonapi_func": "passwd",
    "user": "ftpuser",
    "pass": "S3cret!",
}
BASIC = "Basic dXNlcjpwYXNz"

# What the PHP class embedded in billing modules sends: curl's own Transfer-Encoding, then
# one "header" holding the real head end and the form, then curl's last header and an empty
# chunked body.
PHP_CLASS_POST = (
    b"POST /json-api/cpanel HTTP/1.1\r\n"
    b"Host: whm.example.com:2087\r\n"
    b"Accept: */*\r\n"
    b"Transfer-Encoding: chunked\r\n"
    b"Authorization: " + BASIC.encode() + b"\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: " + str(len(FORM)).encode() + b"\r\n"
    b"\r\n" + FORM + b"\r\n"
    b"Expect: 100-continue\r\n"
    b"\r\n"
    b"0\r\n\r\n"
)
# cPanel's old curl example: the Authorization header ends in "\n\r", curl adds "\r\n".
STRAY_AUTH_GET = (
    b"GET /json-api/cpanel?user=ftpuser HTTP/1.1\r\n"
    b"Host: whm.example.com:2087\r\n"
    b"Authorization: " + BASIC.encode() + b"\n\r\r\n"
    b"Accept: */*\r\n"
    b"\r\n"
)


async def echo(request: web.Request) -> web.Response:
    body = await request.read()
    form = await request.post()
    return web.json_response(
        {
            "method": request.method,
            "path": request.path,
            "query_length": len(request.query_string),
            "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in request.raw_headers],
            "body_length": len(body),
            "form": {k: str(v) for k, v in form.items()},
        }
    )


def echo_app() -> web.Application:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", echo)
    return app


@pytest.fixture
async def server() -> AsyncIterator[Listener]:
    listener = await start_listener(echo_app(), "127.0.0.1", 0)
    yield listener
    await listener.close()


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


async def read_response(reader: asyncio.StreamReader) -> Response:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    body = await reader.readexactly(int(headers["content-length"]))
    return Response(int(lines[0].split()[1]), headers, body)


async def is_closed(reader: asyncio.StreamReader) -> bool:
    """True when the server closed the connection, False when it keeps it open."""
    try:
        return await asyncio.wait_for(reader.read(1), 0.3) == b""
    except asyncio.TimeoutError:
        return False
    except ConnectionResetError:
        return True


async def exchange(port: int, raw: bytes, count: int = 1, ssl_context: ssl.SSLContext | None = None):
    """Send raw bytes, read `count` responses, then see whether the server closed."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ssl_context)
    try:
        writer.write(raw)
        await writer.drain()
        responses = [await read_response(reader) for _ in range(count)]
        return responses, await is_closed(reader)
    finally:
        writer.close()


def echoed(method: str, path: str, headers: list[list[str]], body_length: int = 0, form=None, query_length=0):
    return {
        "method": method,
        "path": path,
        "query_length": query_length,
        "headers": headers,
        "body_length": body_length,
        "form": form or {},
    }


# --- the two quirks, end to end -------------------------------------------------------

# What the handler sees of PHP_CLASS_POST: Transfer-Encoding gone, Connection: close added.
PHP_CLASS_ECHO = echoed(
    "POST",
    "/json-api/cpanel",
    [
        ["Host", "whm.example.com:2087"],
        ["Accept", "*/*"],
        ["Authorization", BASIC],
        ["Content-Type", "application/x-www-form-urlencoded"],
        ["Content-Length", str(len(FORM))],
        ["Connection", "close"],
    ],
    len(FORM),
    FORM_PARSED,
)


async def test_content_length_wins_over_chunked_and_the_rest_is_discarded(server):
    [resp], closed = await exchange(server.port, PHP_CLASS_POST)
    assert resp.status == 200
    assert resp.headers["connection"] == "close"
    assert resp.json() == PHP_CLASS_ECHO
    assert closed


async def test_stray_newline_after_a_header_value_is_trimmed(server):
    [resp], closed = await exchange(server.port, STRAY_AUTH_GET)
    assert resp.status == 200
    assert resp.headers["connection"] == "close"
    assert resp.json() == echoed(
        "GET",
        "/json-api/cpanel",
        [["Host", "whm.example.com:2087"], ["Authorization", BASIC], ["Accept", "*/*"], ["Connection", "close"]],
        query_length=len("user=ftpuser"),
    )
    assert closed


async def test_stray_newline_on_the_last_header(server):
    raw = b"GET /x HTTP/1.1\r\nHost: h\r\nAuthorization: " + BASIC.encode() + b"\n\r\r\n\r\n"
    [resp], closed = await exchange(server.port, raw)
    assert resp.json() == echoed("GET", "/x", [["Host", "h"], ["Authorization", BASIC], ["Connection", "close"]])
    assert closed


async def test_both_quirks_together_and_a_keep_alive_header_is_overridden(server):
    raw = PHP_CLASS_POST.replace(
        b"Authorization: " + BASIC.encode() + b"\r\n",
        b"Connection: keep-alive\r\nAuthorization: " + BASIC.encode() + b"\n\r\r\n",
    )
    [resp], closed = await exchange(server.port, raw)
    assert resp.status == 200 and resp.headers["connection"] == "close"
    assert resp.json() == PHP_CLASS_ECHO
    assert closed


async def test_quirky_request_after_a_clean_one_on_a_keep_alive_connection(server):
    clean = b"GET /first HTTP/1.1\r\nHost: h\r\n\r\n"
    smuggled = b"GET /never HTTP/1.1\r\nHost: h\r\n\r\n"
    responses, closed = await exchange(server.port, clean + PHP_CLASS_POST + smuggled, count=2)
    assert [r.status for r in responses] == [200, 200]
    assert [r.json()["path"] for r in responses] == ["/first", "/json-api/cpanel"]
    assert "connection" not in responses[0].headers
    assert closed  # and /never was never answered


async def test_quirky_request_arriving_in_pieces(server):
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        cuts = [0, 20, PHP_CLASS_POST.index(b"\n\r\n") + 1, PHP_CLASS_POST.index(FORM) + 5, len(PHP_CLASS_POST)]
        for start, end in zip(cuts, cuts[1:]):
            writer.write(PHP_CLASS_POST[start:end])
            await writer.drain()
            await asyncio.sleep(0.02)
        resp = await read_response(reader)
        assert (resp.status, resp.json()["form"]) == (200, FORM_PARSED)
        assert await is_closed(reader)
    finally:
        writer.close()


async def test_quirks_over_tls(tmp_path):
    server_ctx, client_ctx = tls_contexts(tmp_path)
    listener = await start_listener(echo_app(), "127.0.0.1", 0, ssl_context=server_ctx)
    try:
        [resp], closed = await exchange(listener.port, PHP_CLASS_POST, ssl_context=client_ctx)
        assert (resp.status, resp.json()["form"], closed) == (200, FORM_PARSED, True)
        [resp], closed = await exchange(listener.port, b"GET /t HTTP/1.1\r\nHost: h\r\n\r\n", ssl_context=client_ctx)
        assert (resp.status, resp.json()["path"], closed) == (200, "/t", False)
    finally:
        await listener.close()


def tls_contexts(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    client_ctx = ssl.create_default_context(cafile=str(cert))
    return server_ctx, client_ctx


# --- clean requests keep working --------------------------------------------------------


async def test_keep_alive_of_clean_requests(server):
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        for path in ("/one", "/two"):
            writer.write(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n\r\na=1")
            await writer.drain()
            resp = await read_response(reader)
            assert (resp.status, resp.json()["path"], resp.json()["form"]) == (200, path, {"a": "1"})
        assert not await is_closed(reader)
    finally:
        writer.close()


async def test_pipelined_clean_requests(server):
    raw = (
        b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
        b"POST /b HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 7\r\n\r\nx=1&y=2"
        b"\r\n"  # an empty line between requests is skipped
        b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n\r\n3\r\nz=9\r\n0\r\n\r\n"
        b"GET /d HTTP/1.1\r\nHost: h\r\n\r\n"
    )
    responses, closed = await exchange(server.port, raw, count=4)
    assert [(r.status, r.json()["path"], r.json()["form"]) for r in responses] == [
        (200, "/a", {}),
        (200, "/b", {"x": "1", "y": "2"}),
        (200, "/c", {"z": "9"}),
        (200, "/d", {}),
    ]
    assert not closed


async def test_chunked_request_with_extension_and_trailer(server):
    raw = (
        b"POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
        b"4;name=value\r\na=12\r\n3\r\n&b=\r\n1\r\n3\r\n0\r\nX-Trailer: t\r\n\r\n"
    )
    [resp], closed = await exchange(server.port, raw)
    assert resp.json() == echoed(
        "POST",
        "/up",
        [["Host", "h"], ["Transfer-Encoding", "chunked"], ["Content-Type", "application/x-www-form-urlencoded"]],
        8,
        {"a": "12", "b": "3"},
    )
    assert not closed


async def test_clean_heads_reach_aiohttp_byte_for_byte(server):
    headers = [["Host", "h"], ["X-Odd-Case", "value with  spaces"], ["content-length", "2"], ["Accept", "*/*"]]
    raw = b"PUT /raw HTTP/1.1\r\nHost: h\r\nX-Odd-Case:   value with  spaces  \r\ncontent-length: 2\r\nAccept: */*\r\n\r\nab"
    [resp], _ = await exchange(server.port, raw)
    assert resp.json() == echoed("PUT", "/raw", headers, 2)


async def test_websocket_upgrade_still_works():
    async def ws_handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_str(msg.data.upper())
        return ws

    app = web.Application()
    app.router.add_get("/ws", ws_handler)
    listener = await start_listener(app, "127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{listener.port}/ws") as ws:
                await ws.send_str("hello\r\n\r\nGET / HTTP/1.1\r\n\r\n")
                assert (await ws.receive()).data == "HELLO\r\n\r\nGET / HTTP/1.1\r\n\r\n"
    finally:
        await listener.close()


# --- long lines --------------------------------------------------------------------------


async def test_64_kib_request_line(server):
    query = "cert=" + "A" * (64 * 1024 - 100)
    raw = f"GET /json-api/cpanel?{query} HTTP/1.1\r\nHost: h\r\n\r\n".encode()
    assert 63 * 1024 < len(raw.split(b"\r\n")[0]) <= 64 * 1024
    [resp], closed = await exchange(server.port, raw)
    assert (resp.status, resp.json()["query_length"], closed) == (200, len(query), False)


async def test_64_kib_header_field(server):
    value = "k" * (64 * 1024 - 100)
    [resp], _ = await exchange(server.port, f"GET /h HTTP/1.1\r\nHost: h\r\nX-Key: {value}\r\n\r\n".encode())
    assert (resp.status, resp.json()["headers"][1]) == (200, ["X-Key", value])


@pytest.mark.parametrize(
    "raw",
    [
        b"GET /?" + b"q" * 5000 + b" HTTP/1.1\r\nHost: h\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + b"v" * 5000 + b"\r\n\r\n",
        # Over the limit and unfinished: answered at once, not held.
        b"GET /?" + b"q" * 5000,
        # Over the limit with a quirk in it.
        b"GET /?" + b"q" * 5000 + b" HTTP/1.1\r\nAuthorization: " + BASIC.encode() + b"\n\r\r\n\r\n",
    ],
    ids=["request-line", "header-field", "unfinished-line", "quirky-line"],
)
async def test_over_the_configured_limit_is_a_clean_400(raw):
    limits = HttpLimits(max_line_size=4096, max_field_size=4096)
    listener = await start_listener(echo_app(), "127.0.0.1", 0, limits=limits)
    try:
        [resp], closed = await exchange(listener.port, raw)
        assert (resp.status, closed) == (400, True)
        assert resp.body == b"400 Bad Request\n"  # no client bytes echoed (shim.client_errors)
    finally:
        await listener.close()


async def test_over_64_kib_is_refused_with_the_default_limits(server):
    [resp], closed = await exchange(server.port, b"GET /?" + b"q" * (64 * 1024) + b" HTTP/1.1\r\nHost: h\r\n\r\n")
    assert (resp.status, closed) == (400, True)


# --- everything else stays strict -------------------------------------------------------

REFUSED = {
    "two-content-lengths": b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    "same-content-length-twice": b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab",
    "te-gzip-chunked-with-cl": b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 2\r\n\r\nab",
    "te-identity-with-cl": b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\nContent-Length: 2\r\n\r\nab",
    "te-twice-with-cl": b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"
    b"Content-Length: 2\r\n\r\nab",
    "te-cl-two-cls": b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n"
    b"Content-Length: 3\r\n\r\nab",
    "te-cl-signed-length": b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: +2\r\n\r\nab",
    "te-with-cl-obs-folded": b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n chunked\r\nContent-Length: 2\r\n\r\nab",
    "obs-fold": b"GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n\r\n",
    "obs-fold-in-quirky-head": b"GET / HTTP/1.1\r\nAuthorization: " + BASIC.encode() + b"\n\r\r\nX-A: a\r\n b\r\n\r\n",
    "bare-lf-line-ends": b"GET / HTTP/1.1\nHost: h\n\n",
    "bare-lf-mid-value": b"GET / HTTP/1.1\r\nHost: h\r\nX-A: a\nb\r\n\r\n",
    "stray-lf-without-cr": b"GET / HTTP/1.1\r\nAuthorization: " + BASIC.encode() + b"\n\r\nHost: h\r\n\r\n",
    "stray-in-request-line": b"GET / HTTP/1.1\n\r\r\nHost: h\r\n\r\n",
    "bare-cr": b"GET / HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n",
    "space-before-colon": b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length : 2\r\n\r\nab",
    "not-a-method": b"\x16\x03\x01\x00 / HTTP/1.1\r\nHost: h\r\n\r\n",
    "bad-chunk-size": b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "chunk-lf-only": b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\n0\n\n",
}


@pytest.mark.parametrize("raw", REFUSED.values(), ids=REFUSED.keys())
async def test_conflicting_or_malformed_framing_is_refused(server, raw):
    [resp], closed = await exchange(server.port, raw)
    assert (resp.status, closed) == (400, True)


# --- the pure normaliser -----------------------------------------------------------------


def test_clean_heads_are_left_alone():
    assert normalise_head(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n") == HeadDecision(None, Framing.LENGTH)
    assert normalise_head(b"POST / HTTP/1.1\r\nCONTENT-LENGTH:  12 \r\n\r\n") == HeadDecision(None, Framing.LENGTH, 12)
    assert normalise_head(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n") == HeadDecision(
        None, Framing.CHUNKED
    )
    assert normalise_head(b"GET / HTTP/1.1\r\nX-Content-Length: 5\r\n\r\n") == HeadDecision(None, Framing.LENGTH)


def test_heads_aiohttp_reads_differently_stop_the_inspection():
    untouched = HeadDecision(None, Framing.UNKNOWN)
    for head in (
        b"GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
        b"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
    ):
        assert normalise_head(head) == untouched, head


QUIRKY_HEADS = {
    "content-length-wins": (
        b"POST /p HTTP/1.1\r\nHost: h\r\ntransfer-encoding:  CHUNKED \r\nConnection: keep-alive\r\n"
        b"Content-Length: 7\r\nX-A: b\r\n\r\n",
        HeadDecision(
            b"POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 7\r\nX-A: b\r\nConnection: close\r\n\r\n",
            Framing.LENGTH, 7, close=True, quirks=(QUIRK_TE_WITH_CL,),
        ),
    ),
    "stray-trimmed-chunked-kept": (
        b"POST /p HTTP/1.1\r\nAuthorization: Basic eA==\n\r\r\nTransfer-Encoding: chunked\r\n\r\n",
        HeadDecision(
            b"POST /p HTTP/1.1\r\nAuthorization: Basic eA==\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
            Framing.CHUNKED, close=True, quirks=(QUIRK_STRAY_CRLF,),
        ),
    ),
    "both": (
        b"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\nAuthorization: WHM root:abc\n\r\r\n"
        b"Content-Length: 0\r\n\r\n",
        HeadDecision(
            b"POST /p HTTP/1.1\r\nAuthorization: WHM root:abc\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            Framing.LENGTH, 0, close=True, quirks=(QUIRK_STRAY_CRLF, QUIRK_TE_WITH_CL),
        ),
    ),
}


@pytest.mark.parametrize("head, decision", QUIRKY_HEADS.values(), ids=QUIRKY_HEADS.keys())
def test_quirky_heads_are_rewritten(head, decision):
    assert normalise_head(head) == decision


@pytest.mark.parametrize("raw", [v for k, v in REFUSED.items() if b"\r\n\r\n" in v], ids=lambda v: v[:40])
def test_refused_heads_are_handed_over_untouched(raw):
    decision = normalise_head(raw[: raw.index(b"\r\n\r\n") + 4])
    assert decision.head is None and not decision.close


# --- the framer --------------------------------------------------------------------------

LIMITS = HttpLimits()
CLEAN_STREAM = (
    b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
    b"POST /b HTTP/1.1\r\nContent-Length: 5\r\n\r\n\r\n\r\n\r"
    b"\r\n"
    b"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2;x\r\n\r\n\r\n10\r\n" + b"0123456789abcdef" + b"\r\n0\r\nT: 1\r\n\r\n"
    b"GET /d HTTP/1.1\r\n\r\n"
)


def test_clean_stream_is_returned_as_the_same_object():
    assert RequestFramer(LIMITS).feed(CLEAN_STREAM) is CLEAN_STREAM


def feed_in_pieces(stream: bytes, cuts: list[int]) -> bytes:
    framer = RequestFramer(LIMITS)
    bounds = [0, *cuts, len(stream)]
    return b"".join(framer.feed(stream[a:b]) for a, b in zip(bounds, bounds[1:]))


def test_any_split_of_a_clean_stream_is_forwarded_unchanged():
    for cut in range(1, len(CLEAN_STREAM)):
        assert feed_in_pieces(CLEAN_STREAM, [cut]) == CLEAN_STREAM, cut
    assert feed_in_pieces(CLEAN_STREAM, list(range(1, len(CLEAN_STREAM)))) == CLEAN_STREAM


def test_any_split_of_a_quirky_stream_gives_the_same_result():
    clean = b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
    stream = clean + PHP_CLASS_POST + clean
    expected = clean + normalise_head(PHP_CLASS_POST[: PHP_CLASS_POST.index(b"\r\n\r\n") + 4]).head + FORM
    assert RequestFramer(LIMITS).feed(stream) == expected
    for cut in range(1, len(stream)):
        assert feed_in_pieces(stream, [cut]) == expected, cut
    assert feed_in_pieces(stream, list(range(1, len(stream)))) == expected


# Small limits, so a held head meets them: lines of at most 64 bytes, a head of at most 300.
SMALL = HttpLimits(max_line_size=64, max_field_size=64, max_headers=10, max_head_size=300)


def full_lines(count: int) -> list[bytes]:
    """Header lines of exactly SMALL's line limit, CRLF not counted."""
    return [b"X-%02d: " % n + b"v" * (SMALL.max_line_size - 6) for n in range(count)]


def test_a_held_head_whose_lines_sit_at_the_limit_is_held_however_it_is_cut():
    # Each line exactly at max_line_size, the head longer than one line: the framer must
    # measure the line being received from the last CRLF, wherever the pieces cut (just
    # before the CR, between CR and LF, just after the LF), and never give up early.
    head = b"GET /x HTTP/1.1\r\n" + b"".join(line + b"\r\n" for line in full_lines(3)) + b"\r\n"
    for shift in (0, 1, 2):
        cuts = sorted({i + shift for i in range(len(b"GET /x HTTP/1.1\r\n") + 1, len(head) - 4)
                       if head[i - 1:i + 1] == b"\r\n" or head[i:i + 1] == b"\r"})
        framer = RequestFramer(SMALL)
        bounds = [0, *cuts, len(head)]
        pieces = [framer.feed(head[a:b]) for a, b in zip(bounds, bounds[1:])]
        assert b"".join(pieces) == head and not framer.passthrough, shift
        assert pieces[:-1] == [b""] * (len(pieces) - 1), shift  # held until its end


def test_an_unfinished_head_may_fill_max_head_size_exactly_and_not_one_byte_more():
    start = b"GET /x HTTP/1.1\r\n" + b"".join(line + b"\r\n" for line in full_lines(4))
    unfinished = start + b"X-end: " + b"w" * (300 - len(start) - 7)
    assert len(unfinished) == 300 and max(len(line) for line in unfinished.split(b"\r\n")) <= 64
    framer = RequestFramer(SMALL)
    assert framer.feed(unfinished) == b"" and not framer.head_too_large and framer.holding_head
    assert framer.feed(b"w") == unfinished + b"w" and framer.head_too_large and framer.passthrough


CHUNKED_STREAM = (
    b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"5;ext=1\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: t\r\n\r\n"
    b"GET /next HTTP/1.1\r\n\r\n"
)


def test_any_split_of_a_chunked_stream_is_forwarded_unchanged_and_framing_goes_on():
    # Chunk-size lines, chunk ends and trailers cut anywhere (a CR and its LF apart too):
    # all forwarded as they are, and the framer still follows the requests after it.
    bounds_list = [[0, cut, len(CHUNKED_STREAM)] for cut in range(1, len(CHUNKED_STREAM))]
    bounds_list.append(list(range(len(CHUNKED_STREAM) + 1)))
    for bounds in bounds_list:
        framer = RequestFramer(SMALL)
        out = b"".join(framer.feed(CHUNKED_STREAM[a:b]) for a, b in zip(bounds, bounds[1:]))
        assert out == CHUNKED_STREAM and not framer.passthrough and not framer.holding_head, bounds[:3]


def test_a_chunk_line_aiohttp_refuses_is_handed_over_when_its_fault_arrives():
    head = b"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    # A bare LF ends the chunk-size line: aiohttp refuses it, so nothing is held back.
    framer = RequestFramer(SMALL)
    assert framer.feed(head + b"5") == head and not framer.passthrough
    assert framer.feed(b"\nhello") == b"5\nhello" and framer.passthrough
    # A chunk-size line may reach the line limit while held, not one byte past it.
    framer = RequestFramer(SMALL)
    assert framer.feed(head + b"0" * (SMALL.max_line_size - 1)) == head and not framer.passthrough
    assert framer.feed(b"0") == b"" and not framer.passthrough
    assert framer.feed(b"0") == b"0" * (SMALL.max_line_size + 1) and framer.passthrough


def test_framing_headers_are_found_whatever_their_case():
    # The framer's quick look for framing headers must not miss a spelling: a body it did
    # not see would be read as the next request's head.
    clean = b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
    for spell in (bytes.upper, bytes.swapcase, bytes.title):
        post = b"POST /c HTTP/1.1\r\n" + spell(b"transfer-encoding") + b": chunked\r\n\r\n"
        quirky = b"GET /x HTTP/1.1\r\nA: b\n\r\r\n\r\n"  # rewritten if read as a head
        body = b"%x\r\n" % len(quirky) + quirky + b"\r\n0\r\n\r\n"
        framer = RequestFramer(LIMITS)
        assert framer.feed(post) == post and framer.feed(body) == body, spell
        assert not framer.passthrough and not framer.holding_head, spell
        assert framer.feed(clean) is clean, spell
        php = PHP_CLASS_POST.replace(b"Transfer-Encoding", spell(b"transfer-encoding")).replace(
            b"Content-Length", spell(b"content-length"))
        # normalised alike (the names keep their own spelling)
        assert RequestFramer(LIMITS).feed(php).lower() == RequestFramer(LIMITS).feed(PHP_CLASS_POST).lower(), spell


def test_empty_lines_before_a_request_line_are_skipped_as_aiohttp_skips_them():
    # Some clients end a body with an extra CRLF; the head after it is still framed, and a
    # quirky one still normalised (not read as a head starting with an empty line).
    clean = b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
    expected = normalise_head(STRAY_AUTH_GET).head
    for lead in (b"\r\n", b"\r\n\r\n", b"\r\n\r\n\r\n"):
        assert RequestFramer(LIMITS).feed(lead + clean) == lead + clean
        assert RequestFramer(LIMITS).feed(lead + STRAY_AUTH_GET) == lead + expected, lead
        assert RequestFramer(LIMITS).feed(clean + lead + STRAY_AUTH_GET) == clean + lead + expected, lead
        framer = RequestFramer(LIMITS)  # the empty lines alone, then the head in two pieces
        pieces = [framer.feed(lead), framer.feed(STRAY_AUTH_GET[:10]), framer.feed(STRAY_AUTH_GET[10:])]
        assert b"".join(pieces) == lead + expected and framer.discarding, lead


def test_after_a_quirky_request_everything_is_discarded():
    framer = RequestFramer(LIMITS)
    framer.feed(STRAY_AUTH_GET)
    assert framer.discarding and framer.quirks_seen == (QUIRK_STRAY_CRLF,)
    assert framer.feed(b"GET /again HTTP/1.1\r\n\r\n") == b""


def test_what_cannot_become_an_acceptable_head_is_not_held_back():
    # aiohttp answers these at once (the C parser) or by its own rules (the Python one):
    # waiting for the end of a head would leave the client hanging.
    for data in (
        bytes.fromhex("16030100a5010000a10303") + bytes(40),  # TLS sent to the plain port
        b"GET / HTTP/1.1\nHost: h\n\n",  # LF-only line ends
        b"GET / HTTP/1.1\r\nHost: h\r\nX-A: a\nb",  # a bare LF that is not the stray quirk
        b"GET /?" + b"q" * LIMITS.max_line_size,  # past the line limit
    ):
        framer = RequestFramer(LIMITS)
        assert framer.feed(data) is data and framer.passthrough, data[:30]
    # The stray quirk may be cut anywhere and is still waited for.
    for cut in (1, 2, 3):
        framer = RequestFramer(LIMITS)
        assert framer.feed(STRAY_AUTH_GET[: STRAY_AUTH_GET.index(b"\n\r\r\n") + cut]) == b""
        assert not framer.passthrough


def test_a_websocket_upgrade_passes_the_rest_through():
    framer = RequestFramer(LIMITS)
    upgrade = b"GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
    frames = b"\x81\x05hello" + PHP_CLASS_POST
    assert framer.feed(upgrade + frames[:3]) == upgrade + frames[:3]
    assert framer.passthrough and framer.feed(frames[3:]) == frames[3:]


# --- through the real shim ---------------------------------------------------------------


async def test_php_class_post_through_the_shim(stack):
    """The billing module's request, with both quirks, answered as cPanel would."""
    auth = "Basic " + base64.b64encode(f"user:{fakecpanel.USER_PASSWORD}".encode()).decode()
    form = b"cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&cpanel_jsonapi_apiversion=2&user=ftpuser&pass=Php-cl4ss"
    raw = (
        b"POST /json-api/cpanel HTTP/1.1\r\nHost: cp.example.com:2083\r\nAccept: */*\r\n"
        b"Transfer-Encoding: chunked\r\nAuthorization: " + auth.encode() + b"\n\r\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + str(len(form)).encode() + b"\r\n"
        b"\r\n" + form + b"\r\nExpect: 100-continue\r\n\r\n0\r\n\r\n"
    )
    port = int(stack.cpanel.rsplit(":", 1)[1])
    [resp], closed = await exchange(port, raw)
    assert (resp.status, resp.json(), closed) == (
        200,
        {
            "cpanelresult": {
                "apiversion": 2,
                "func": "passwd",
                "data": [{"reason": "OK", "result": 1}],
                "event": {"result": 1},
                "module": "Ftp",
            }
        },
        True,
    )
    assert stack.state.requests[-1].path == "/execute/Ftp/passwd"
