"""Request smuggling and malformed requests against the whole shim, over raw sockets.

The lenient layer (shim/inbound/framing.py) accepts two quirks of old clients and closes the
connection after answering them; every other conflicting or repeated framing is refused
with a 400 that quotes nothing back. Upstream (the fake) must never see a smuggled request.
"""

import logging

import pytest
from conftest import raw_exchange, start_stack

from shim import fakecpanel

SECRET = "Sup3r-secret-pw"
AUTH = f"whm root:{fakecpanel.ROOT_TOKEN}".encode()
FORM = f"cpanel_jsonapi_user=user&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&user=user&pass={SECRET}".encode()
SMUGGLED = b"GET /json-api/smuggled?api.version=1 HTTP/1.1\r\nHost: x\r\nAuthorization: whm root:x\r\n\r\n"


def answers(raw: bytes) -> list[bytes]:
    return [line for line in raw.split(b"\r\n") if line.startswith(b"HTTP/1.")]


@pytest.fixture
async def shim():
    state, config, listeners = await start_stack()
    yield state, listeners[0].port
    for listener in listeners:
        await listener.close()


async def test_php_content_length_with_chunked_is_answered_then_closed(shim):
    state, port = shim
    request = (b"POST /json-api/cpanel HTTP/1.1\r\nHost: x\r\nAuthorization: " + AUTH + b"\r\n"
               b"Transfer-Encoding: chunked\r\nContent-Length: " + str(len(FORM)).encode() + b"\r\n\r\n"
               + FORM + b"\r\n0\r\n\r\n" + SMUGGLED)
    raw = await raw_exchange(port, request)
    assert answers(raw) == [b"HTTP/1.1 200 OK"]
    assert b"\r\nConnection: close\r\n" in raw
    assert raw.endswith(b'"event":{"result":1},"module":"Ftp"}}')
    assert [r.path for r in state.requests] == ["/json-api/uapi_cpanel"]  # nothing smuggled upstream


async def test_php_quirk_on_a_pass_through_path_forwards_exactly_the_declared_body(shim):
    state, port = shim
    body = b"api.version=1"
    request = (b"POST /json-api/version HTTP/1.1\r\nHost: x\r\nAuthorization: " + AUTH + b"\r\n"
               b"Transfer-Encoding: chunked\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n"
               + body + b"\r\n0\r\n\r\n" + SMUGGLED)
    raw = await raw_exchange(port, request)
    assert answers(raw) == [b"HTTP/1.1 200 OK"]
    assert [(r.path, r.body) for r in state.requests] == [("/json-api/version", body)]


async def test_stray_lf_cr_after_a_header_is_answered_then_closed(shim):
    state, port = shim
    request = (b"GET /json-api/cpanel?" + FORM + b" HTTP/1.1\r\nHost: x\r\nAuthorization: " + AUTH + b"\n\r\r\n\r\n"
               + SMUGGLED)
    raw = await raw_exchange(port, request)
    assert answers(raw) == [b"HTTP/1.1 200 OK"]
    assert b"\r\nConnection: close\r\n" in raw
    assert [r.path for r in state.requests] == ["/json-api/uapi_cpanel"]


REFUSED = {
    "two Content-Length": b"Content-Length: 5\r\nContent-Length: 6\r\n",
    "the same Content-Length twice": b"Content-Length: 5\r\nContent-Length: 5\r\n",
    "Content-Length list": b"Content-Length: 5, 5\r\n",
    "signed Content-Length": b"Content-Length: +5\r\n",
    "two Transfer-Encoding": b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
    "gzip, chunked with Content-Length": b"Transfer-Encoding: gzip, chunked\r\nContent-Length: 5\r\n",
    "xchunked with Content-Length": b"Transfer-Encoding: xchunked\r\nContent-Length: 5\r\n",
    "chunked, identity": b"Transfer-Encoding: chunked, identity\r\n",
    "folded Transfer-Encoding": b"Transfer-Encoding: gzip\r\n chunked\r\nContent-Length: 5\r\n",
    "space before colon": b"Transfer-Encoding : chunked\r\nContent-Length: 5\r\n",
    "bare LF in a header": b"X-A: 1\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n",
    "bare CR in a header": b"X-A: 1\rTransfer-Encoding: chunked\r\n",
}


@pytest.mark.parametrize("framing", REFUSED.values(), ids=REFUSED.keys())
async def test_any_other_conflicting_framing_is_refused_quoting_nothing(shim, caplog, framing):
    caplog.set_level(logging.DEBUG)
    state, port = shim
    request = (b"POST /json-api/cpanel?pass=" + SECRET.encode() + b" HTTP/1.1\r\nHost: x\r\nAuthorization: "
               + AUTH + b"\r\n" + framing + b"\r\n" + b"hello\r\n0\r\n\r\n" + SMUGGLED)
    raw = await raw_exchange(port, request)
    assert answers(raw) == [b"HTTP/1.0 400 Bad Request"] or answers(raw) == [b"HTTP/1.1 400 Bad Request"]
    assert raw.endswith(b"\r\n\r\n400 Bad Request\n")
    assert state.requests == []
    assert SECRET not in caplog.text and "Traceback" not in caplog.text
    assert fakecpanel.ROOT_TOKEN not in caplog.text


@pytest.mark.parametrize("request_head", [
    b"GET /json-api/cpanel?pass=" + SECRET.encode() + b"\x01\xff HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /json-api/cpanel HTTP/1.1\r\nHost: x\r\nBad Header: " + SECRET.encode() + b"\r\n\r\n",
    b"GET /json-api/cpanel?pass=" + SECRET.encode() + b" HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET /json-api/cpanel?pass=" + SECRET.encode() + b"&x=" + b"y" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nCookie: cpsession=" + SECRET.encode() + b"z" * 70_000 + b"\r\n\r\n",
])
async def test_malformed_requests_get_a_400_that_echoes_no_secret(shim, caplog, request_head):
    caplog.set_level(logging.DEBUG)
    state, port = shim
    raw = await raw_exchange(port, request_head)
    status_line = answers(raw)[0]
    assert status_line.split(b" ", 1)[1] in (b"400 Bad Request", b"431 Request Header Fields Too Large",
                                               b"414 URI Too Long", b"505 HTTP Version Not Supported")
    assert SECRET.encode() not in raw
    assert SECRET not in caplog.text and "Traceback" not in caplog.text
    assert state.requests == []
