"""Transparent reverse proxy for everything that is not a translated API 2 call."""

from __future__ import annotations

import asyncio
import logging
import time

import aiohttp
from aiohttp import hdrs, web
from multidict import CIMultiDict

from shim.config import ServiceConfig
from shim.observability.observe import (
    REQUEST_ID_HEADER,
    note_error,
    request_id,
    upstream_answered,
)
from shim.upstream.pool import Exchange, UpstreamError, UpstreamPool

# RFC 9110 §7.6.1 connection-specific fields, plus Proxy-* which only mean something per hop.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
_STREAM_CHUNK = 64 * 1024
# Answers up to this size (with a Content-Length) are relayed whole rather than streamed.
_ONE_WRITE_MAX = _STREAM_CHUNK
log = logging.getLogger("api2shim")


class Tap:
    """A copy of a relayed answer, for shadow mode to compare: `body` is None unless the answer
    was a complete 200 within `limit` bytes. The client's copy is relayed as always."""

    __slots__ = ("limit", "body", "_chunks", "_size")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.body: bytes | None = None
        self._chunks: list[bytes] | None = []
        self._size = 0

    def add(self, chunk: bytes) -> None:
        if self._chunks is None:
            return
        self._size += len(chunk)
        if self._size > self.limit:
            self._chunks = None
        else:
            self._chunks.append(chunk)

    def finish(self, status: int) -> None:
        if status == 200 and self._chunks is not None:
            self.body = b"".join(self._chunks)


class BodyTooLarge(Exception):
    """A streamed request body went past its cap (a chunked body declares no length up front)."""


class UploadTooSlow(Exception):
    """A streamed request body paused longer than its idle timeout (a client holding a pool connection)."""


def end_to_end_headers(headers: "CIMultiDict[str] | aiohttp.typedefs.LooseHeaders") -> CIMultiDict[str]:
    """Copy of `headers` without hop-by-hop fields, including any that `Connection` names."""
    # A C-level copy, then a lookup per hop-by-hop name (rarely present): 4x cheaper than
    # filtering every field through Python.
    out: CIMultiDict[str] = CIMultiDict(headers)  # type: ignore[arg-type]
    if hdrs.CONNECTION in out:
        for value in out.getall(hdrs.CONNECTION):
            for token in value.split(","):
                out.popall(token.strip(), None)
    for name in HOP_BY_HOP:
        if name in out:
            out.popall(name)
    return out


def forwarded_headers(request: web.BaseRequest) -> dict[str, str]:
    previous = request.headers.get("X-Forwarded-For")
    client = request.remote or ""
    return {
        "X-Forwarded-For": f"{previous}, {client}" if previous else client,
        "X-Forwarded-Proto": request.scheme,
        REQUEST_ID_HEADER: request_id(request),
    }


async def forward(
    request: web.BaseRequest,
    pool: UpstreamPool,
    service: ServiceConfig,
    body: bytes | None = None,
    *,
    max_body: int | None = None,
    idle_timeout: float | None = None,
    tap: Tap | None = None,
) -> web.StreamResponse:
    """Send the request upstream as received and stream the answer back.

    `body` is given when the shim already read it (to look for an API 2 call); otherwise the
    client's body streams upstream as it arrives. Redirects are relayed, never followed.
    A `tap` keeps a copy of a complete answer (shadow mode).
    """
    headers = end_to_end_headers(request.headers)
    headers.popall(hdrs.HOST, None)
    headers.update(forwarded_headers(request))
    data: bytes | _CappedBody | None
    length = None
    if body is not None:
        headers.popall(hdrs.CONTENT_LENGTH, None)
        data = body if (body or request.body_exists) else None
    elif request.body_exists:
        length = request.content_length
        headers.popall(hdrs.CONTENT_LENGTH, None)
        data = _CappedBody(request, max_body, idle_timeout)
    else:
        data = None
    started = time.perf_counter()
    # A streamed body past its cap raises BodyTooLarge out of the pool as it is.
    upstream = await pool.request(request.method, request.raw_path, headers.items(), data, content_length=length)
    upstream_answered(started, upstream.status)
    try:
        if _fits_one_write(request, upstream):
            try:
                small = await upstream.read()
            except PASSTHROUGH_ERRORS as exc:
                # Nothing has gone out yet: the client gets an honest 502, not a 200 with no body.
                log.warning("pass-through answer from %s broke off before it was relayed: %s",
                            service.name, type(exc).__name__)
                raise UpstreamError("broken") from None
            if tap is not None:
                tap.add(small)
                tap.finish(upstream.status)
            # Status line, headers and body leave in one write: streaming costs a send per piece.
            return web.Response(
                status=upstream.status, reason=upstream.reason, headers=end_to_end_headers(upstream.headers), body=small
            )
        response = web.StreamResponse(status=upstream.status, reason=upstream.reason)
        response.headers.extend(end_to_end_headers(upstream.headers))
        await response.prepare(request)
        try:
            async for chunk in upstream.payload.iter_chunked(_STREAM_CHUNK):
                if tap is not None:
                    tap.add(chunk)
                await response.write(chunk)
        except PASSTHROUGH_ERRORS as exc:
            return await _broken_off(request, service, exc, response)
        except ConnectionError:
            # The client went away (a cancelled download): the upstream connection goes too.
            return response
        upstream.release()
        await response.write_eof()
        if tap is not None:
            tap.finish(upstream.status)
        return response
    finally:
        upstream.close()  # unless released above: an unfinished body must not be reused


PASSTHROUGH_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, UpstreamError)


async def fetch_again(
    method: str, raw_path: str, headers: CIMultiDict[str], body: bytes, pool: UpstreamPool, limit: int
) -> bytes | None:
    """The same request once more, its answer read whole (shadow mode's noise check, for
    read-only functions only); None unless a complete 200 within `limit` bytes."""
    upstream = await pool.request(method, raw_path, headers.items(), body or None)
    try:
        if upstream.status != 200 or (upstream.content_length or 0) > limit:
            return None
        tap = Tap(limit)
        async for chunk in upstream.payload.iter_chunked(_STREAM_CHUNK):
            tap.add(chunk)
        upstream.release()
        tap.finish(200)
        return tap.body
    finally:
        upstream.close()


def upstream_headers(request: web.BaseRequest, forwarded: dict[str, str]) -> CIMultiDict[str]:
    """The headers `forward` sends upstream for `request` (its body already read)."""
    headers = end_to_end_headers(request.headers)
    headers.popall(hdrs.HOST, None)
    headers.popall(hdrs.CONTENT_LENGTH, None)
    headers.update(forwarded)
    return headers


def _fits_one_write(request: web.BaseRequest, upstream: Exchange) -> bool:
    """A small answer of known length that has a body: read whole, sent whole."""
    length = upstream.content_length
    return (
        length is not None
        and length <= _ONE_WRITE_MAX
        and request.method != hdrs.METH_HEAD
        and upstream.status >= 200
        and upstream.status not in (204, 304)
    )


async def _broken_off(
    request: web.BaseRequest,
    service: ServiceConfig,
    exc: BaseException,
    response: web.StreamResponse,
) -> web.StreamResponse:
    """A streamed answer broke off after its status line went out: an incomplete body says so."""
    log.warning("pass-through answer from %s broke off: %s", service.name, type(exc).__name__)
    note_error(request, "broken")
    # The status line is out: the only honest signal left is an incomplete body.
    if request.transport is not None:
        request.transport.abort()
    return response


class _CappedBody:
    """The client's body as it arrives, stopped at `limit` bytes or a pause over `idle` seconds."""

    def __init__(self, request: web.BaseRequest, limit: int | None, idle: float | None = None) -> None:
        self.request = request
        self.limit = limit
        self.idle = idle

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        size = 0
        content = self.request.content
        while True:
            try:
                async with asyncio.timeout(self.idle):
                    chunk = await content.readany()
            except TimeoutError:
                raise UploadTooSlow() from None
            if not chunk:
                return
            size += len(chunk)
            if self.limit is not None and size > self.limit:
                raise BodyTooLarge()
            yield chunk
