"""Malformed requests are refused without echoing their bytes to the client or the logs."""

import asyncio
import logging

import pytest

OVER_64K = b"A" * (65 * 1024)


async def exchange(base_url: str, raw: bytes) -> bytes:
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(raw)
    await writer.drain()
    answer = await reader.read()
    writer.close()
    return answer


@pytest.mark.parametrize("raw", [
    b"GET /json-api/cpanel HTTP/1.1\r\nHost: x\r\nAuthorization: Basic TOPSECRETVALUE" + OVER_64K + b"\r\n\r\n",
    b"GET /json-api/cpanel?pass=TOPSECRETVALUE" + OVER_64K + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /json-api/cpanel HTTP/1.1\r\nHost: x\r\nCookie: cpsession=TOPSECRETVALUE\r\nX-Bad\x01Name: 1\r\n\r\n",
])
async def test_refusal_names_no_client_bytes(stack, caplog, raw):
    caplog.set_level(logging.DEBUG)
    answer = await exchange(stack.whm, raw)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.") and b" 400 " in head.split(b"\r\n")[0]
    assert body == b"400 Bad Request\n"
    assert "TOPSECRETVALUE" not in caplog.text
    assert stack.state.requests == []
