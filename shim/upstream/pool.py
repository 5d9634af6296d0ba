"""Keep-alive HTTP/1.1 connections to one upstream, and single request/answer exchanges on them.

Every request the shim sends upstream goes through here. aiohttp's `ClientSession` would
do it, but builds a `ClientRequest`, a `ClientResponse`, header multidicts, a payload
object and a body-writer task for each request: 82 µs of CPU per small POST on the bench
machine, against 24 µs for the same exchange written directly on aiohttp's own client
protocol (`ResponseHandler`: the C HTTP parser, read timeouts, flow control), which is
what this module does. Left out on purpose, because the shim never wants them: redirects
(relayed, never followed), cookies, added headers, decompression, proxies, and retries:
a request is sent once, since an API 2 GET may have changed state.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import deque
from typing import AsyncIterable, Iterable

from aiohttp import ClientError, hdrs
from aiohttp.client_proto import ResponseHandler
from aiohttp.http import HttpProcessingError, StreamWriter
from aiohttp.streams import StreamReader
from multidict import CIMultiDictProxy
from yarl import URL

# An idle connection older than this is closed rather than reused: servers drop idle
# keep-alive connections after a while, and a request sent on one that is being dropped
# fails. aiohttp's connector uses the same figure.
DEFAULT_KEEPALIVE_IDLE = 15.0
DEFAULT_MAX_LINE = 8190  # status line and each header line of an answer, as aiohttp's client
UNTRUSTED_UPSTREAM = "upstream's TLS certificate is not trusted"
# Methods whose requests carry no body unless one is given; the others announce an empty one.
_BODYLESS_METHODS = frozenset({hdrs.METH_GET, hdrs.METH_HEAD, hdrs.METH_OPTIONS, hdrs.METH_TRACE})
_KIND_MESSAGES = {
    "timeout": "upstream did not answer in time",
    "connect": "cannot connect to upstream",
    "broken": "upstream closed the connection before answering",
    "tls": UNTRUSTED_UPSTREAM,
}

# How sending a request or reading an answer's head fails: the connection broke, the answer
# was not HTTP, or the read timeout fired (aiohttp's SocketTimeoutError is a TimeoutError).
_EXCHANGE_FAILURES = (OSError, ClientError, HttpProcessingError, asyncio.TimeoutError)


class UpstreamError(Exception):
    """No usable answer from upstream; `kind` names why, the text is safe to show a client."""

    def __init__(self, kind: str, message: str | None = None) -> None:
        self.kind = kind
        super().__init__(message or _KIND_MESSAGES[kind])


def error_kind(exc: BaseException) -> str:
    """How a request to upstream failed, for answers and metrics."""
    if isinstance(exc, UpstreamError):
        return exc.kind
    if isinstance(exc, asyncio.TimeoutError):
        return "timeout"
    return "broken"


class Exchange:
    """An answer's status line and headers; its body is still to be read from the connection.

    Whoever gets one must end it: `read` (which gives the connection back to the pool),
    or `close` when the body is not wanted whole.
    """

    __slots__ = ("status", "reason", "headers", "payload", "_protocol", "_pool")

    def __init__(
        self, status: int, reason: str, headers: CIMultiDictProxy[str], payload: StreamReader,
        protocol: ResponseHandler, pool: UpstreamPool,
    ) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.payload = payload
        self._protocol: ResponseHandler | None = protocol
        self._pool = pool

    @property
    def content_length(self) -> int | None:
        value = self.headers.get(hdrs.CONTENT_LENGTH)
        return int(value) if value is not None and value.isdigit() else None

    async def read(self) -> bytes:
        """The whole body; the connection then serves the next request."""
        payload = self.payload
        try:
            # An answer that arrived whole with its head is taken as it is, without read()'s
            # coroutine per buffered chunk.
            body = payload.read_nowait() if payload.is_eof() else await payload.read()
        except BaseException:
            self.close()
            raise
        self.release()
        return body

    def release(self) -> None:
        """The body has been read to its end: the connection may carry another request."""
        protocol, self._protocol = self._protocol, None
        if protocol is not None:
            self._pool._put_back(protocol)

    def close(self) -> None:
        """Drop the connection, whatever is left of the body with it."""
        protocol, self._protocol = self._protocol, None
        if protocol is not None:
            self._pool._discard(protocol)


class UpstreamPool:
    """Up to `limit` keep-alive connections to the origin of `url`, shared by every request."""

    def __init__(
        self,
        url: str | URL,
        *,
        ssl_context: ssl.SSLContext | None = None,
        limit: int,
        connect_timeout: float | None,
        read_timeout: float | None,
        keepalive_idle: float = DEFAULT_KEEPALIVE_IDLE,
    ) -> None:
        url = URL(str(url))
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"upstream must be an http:// or https:// URL, got {str(url)!r}")
        if limit < 1:
            raise ValueError("the pool needs room for at least one connection")
        self.host = url.host
        self.port = url.port
        self.host_header = url.host_port_subcomponent or url.host
        self.base_path = url.raw_path.rstrip("/")
        # Plain http never uses a context; https without one gets the system's trust store.
        self.ssl_context = (ssl_context or ssl.create_default_context()) if url.scheme == "https" else None
        self.limit = limit
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.keepalive_idle = keepalive_idle
        self._idle: deque[tuple[ResponseHandler, float]] = deque()
        self._open = 0  # connections that exist: idle, in use, or being opened
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._closed = False

    async def request(
        self,
        method: str,
        target: str,
        headers: Iterable[tuple[str, str]],
        body: bytes | AsyncIterable[bytes] | None = None,
        *,
        content_length: int | None = None,
        read_timeout: float | None = None,
    ) -> Exchange:
        """Send one request and wait for its answer's head; never sent twice.

        `target` is the path and query as the origin should see it (the upstream URL's own
        path is put in front). A `bytes` body is sent whole with its length; an iterable
        one streams, with `content_length` if known, else chunked.
        """
        protocol = await self._acquire()
        try:
            protocol.set_response_params(
                skip_payload=method == hdrs.METH_HEAD,
                read_until_eof=True,  # an answer with neither length nor chunks ends at close
                auto_decompress=False,  # bodies pass byte for byte
                read_timeout=read_timeout or self.read_timeout,
                max_line_size=DEFAULT_MAX_LINE,
                max_field_size=DEFAULT_MAX_LINE,
            )
            assert protocol.transport is not None
            if isinstance(body, bytes) or body is None:
                if body is not None:
                    framing = f"Content-Length: {len(body)}\r\n"
                elif method not in _BODYLESS_METHODS:
                    framing = "Content-Length: 0\r\n"
                else:
                    framing = ""
                head = self._head(method, target, headers, framing)
                protocol.transport.write(head + body if body else head)
            else:
                await self._stream(protocol, method, target, headers, body, content_length)
            protocol.start_timeout()
            while True:
                message, payload = await protocol.read()
                # An interim answer (100 Continue, 103 Early Hints) precedes the real one.
                if not 100 <= message.code < 200 or message.code == 101:
                    break
        except _EXCHANGE_FAILURES as exc:
            self._discard(protocol)
            raise UpstreamError(error_kind(exc)) from None
        except BaseException:
            self._discard(protocol)  # cancelled, or the body's source failed: never reused
            raise
        return Exchange(message.code, message.reason, message.headers, payload, protocol, self)

    def _head(self, method: str, target: str, headers: Iterable[tuple[str, str]], framing: str) -> bytes:
        lines = [f"{name}: {value}\r\n" for name, value in headers]
        fields = "".join(lines)
        # Each line ends in the one CRLF put there above; any other CR or LF came in a value.
        if fields.count("\n") != len(lines) or fields.count("\r") != len(lines):
            raise ValueError("a header holds a line break")
        return (
            f"{method} {self.base_path}{target} HTTP/1.1\r\nHost: {self.host_header}\r\n{fields}{framing}\r\n"
        ).encode("utf-8", "surrogateescape")

    async def _stream(
        self, protocol: ResponseHandler, method: str, target: str, headers: Iterable[tuple[str, str]],
        body: AsyncIterable[bytes], content_length: int | None,
    ) -> None:
        loop = asyncio.get_running_loop()
        writer = StreamWriter(protocol, loop)
        if content_length is not None:
            framing = f"Content-Length: {content_length}\r\n"
        else:
            framing = "Transfer-Encoding: chunked\r\n"
            writer.enable_chunking()
        assert protocol.transport is not None
        protocol.transport.write(self._head(method, target, headers, framing))
        async for chunk in body:
            await writer.write(chunk)
        await writer.write_eof()

    async def _acquire(self) -> ResponseHandler:
        if self._closed:
            raise UpstreamError("connect")
        # An idle connection needs no timeout context: most requests end here. (A protocol
        # is a queue whose len() is 0 when idle: test for None, not for truth.)
        protocol = self._idle_connection()
        return protocol if protocol is not None else await self._open_or_wait()

    def _idle_connection(self) -> ResponseHandler | None:
        now = time.monotonic()
        while self._idle:
            protocol, since = self._idle.pop()
            # Anything the origin sent while the connection sat idle (a stray answer, a
            # close) marks it should_close: such a connection could mix up answers.
            if protocol.is_connected() and not protocol.should_close and now - since < self.keepalive_idle:
                return protocol
            self._discard(protocol)
        return None

    async def _open_or_wait(self) -> ResponseHandler:
        try:
            # Waiting for room counts against the connect timeout, as in aiohttp.
            async with asyncio.timeout(self.connect_timeout):
                while self._open >= self.limit:
                    await self._wait_for_room()
                    protocol = self._idle_connection()
                    if protocol is not None:
                        return protocol
                self._open += 1
                try:
                    return await self._connect()
                except BaseException:
                    self._open -= 1
                    self._wake_one()
                    raise
        except ssl.SSLCertVerificationError:
            raise UpstreamError("tls") from None
        except TimeoutError:
            raise UpstreamError("timeout") from None
        except OSError:
            raise UpstreamError("connect") from None

    async def _connect(self) -> ResponseHandler:
        loop = asyncio.get_running_loop()
        _, protocol = await loop.create_connection(
            lambda: ResponseHandler(loop), self.host, self.port, ssl=self.ssl_context
        )
        return protocol

    async def _wait_for_room(self) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self._wake_one()  # the room it was given goes to the next in line
            else:
                self._waiters.remove(waiter)
            raise

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def _put_back(self, protocol: ResponseHandler) -> None:
        if self._closed or protocol.should_close or not protocol.is_connected():
            self._discard(protocol)
            return
        self._idle.append((protocol, time.monotonic()))
        self._wake_one()

    def _discard(self, protocol: ResponseHandler) -> None:
        protocol.abort()
        self._open -= 1
        self._wake_one()

    async def close(self) -> None:
        """Close every idle connection; those in use close when their exchange ends."""
        self._closed = True
        while self._idle:
            protocol, _ = self._idle.pop()
            self._discard(protocol)
