"""The upstream pool against a real aiohttp server: reuse, limits, failures, never a retry."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from shim.upstream.pool import UpstreamError, UpstreamPool


class Upstream:
    """A scripted origin that records which client connection carried each request."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, int, bytes]] = []  # (path, client port, body)
        self.in_flight = 0
        self.most_in_flight = 0
        self.release = asyncio.Event()

    def app(self) -> web.Application:
        async def handle(request: web.Request) -> web.StreamResponse:
            body = await request.read()
            port = request.transport.get_extra_info("peername")[1]
            self.seen.append((request.path, port, body))
            if request.path == "/slow":
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
                await self.release.wait()
                self.in_flight -= 1
            if request.path == "/hang":
                await asyncio.sleep(5)
            if request.path == "/drop":
                request.transport.abort()
                return web.Response()
            if request.path == "/close":
                response = web.Response(text="bye")
                response.force_close()
                return response
            if request.path == "/big":
                return web.Response(body=b"x" * 200_000)
            return web.Response(text=f"{request.method} {request.path_qs} {len(body)}")

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handle)
        return app

    def ports(self) -> set[int]:
        return {port for _, port, _ in self.seen}


@pytest.fixture
async def origin(aiohttp_server):
    upstream = Upstream()
    server = await aiohttp_server(upstream.app())
    return upstream, str(server.make_url("/"))


def make_pool(url: str, **options) -> UpstreamPool:
    settings = {"limit": 4, "connect_timeout": 2.0, "read_timeout": 2.0} | options
    return UpstreamPool(url, **settings)


async def get(pool: UpstreamPool, target: str, body: bytes | None = None) -> tuple[int, bytes]:
    exchange = await pool.request("POST" if body is not None else "GET", target, [("X-Test", "1")], body)
    return exchange.status, await exchange.read()


async def test_sequential_requests_share_one_connection(origin):
    upstream, url = origin
    pool = make_pool(url)
    answers = [await get(pool, f"/n?i={i}", b"a=1") for i in range(10)]
    await pool.close()
    assert answers == [(200, f"POST /n?i={i} 3".encode()) for i in range(10)]
    assert len(upstream.ports()) == 1


async def test_no_more_connections_than_the_limit_and_every_request_answered(origin):
    upstream, url = origin
    pool = make_pool(url, limit=2)
    calls = [asyncio.create_task(get(pool, "/slow")) for _ in range(6)]
    await asyncio.sleep(0.2)
    assert upstream.in_flight == 2  # the other four wait for room in the pool
    upstream.release.set()
    answers = await asyncio.gather(*calls)
    await pool.close()
    assert answers == [(200, b"GET /slow 0")] * 6
    assert upstream.most_in_flight == 2
    assert len(upstream.ports()) == 2


async def test_waiting_for_room_ends_at_the_connect_timeout_and_the_room_passes_on(origin):
    upstream, url = origin
    pool = make_pool(url, limit=1, connect_timeout=0.2)
    holder = asyncio.create_task(get(pool, "/slow"))
    await asyncio.sleep(0.05)
    with pytest.raises(UpstreamError) as waited:
        await get(pool, "/slow")
    assert (waited.value.kind, str(waited.value)) == ("timeout", "upstream did not answer in time")
    upstream.release.set()
    assert await holder == (200, b"GET /slow 0")
    assert await get(pool, "/after") == (200, b"GET /after 0")
    await pool.close()


async def test_an_answer_that_closes_the_connection_is_followed_by_a_fresh_one(origin):
    upstream, url = origin
    pool = make_pool(url)
    assert await get(pool, "/close") == (200, b"bye")
    assert await get(pool, "/next") == (200, b"GET /next 0")
    await pool.close()
    assert len(upstream.ports()) == 2


async def test_a_connection_idle_too_long_is_not_reused(origin):
    upstream, url = origin
    pool = make_pool(url, keepalive_idle=0.05)
    await get(pool, "/a")
    await asyncio.sleep(0.1)
    await get(pool, "/b")
    await pool.close()
    assert len(upstream.ports()) == 2


async def test_a_dropped_connection_is_reported_once_and_never_replayed(origin):
    upstream, url = origin
    pool = make_pool(url)
    await get(pool, "/warm")  # the failing request goes out on a reused connection
    with pytest.raises(UpstreamError) as dropped:
        await get(pool, "/drop", b"pass=secret")
    assert (dropped.value.kind, str(dropped.value)) == ("broken", "upstream closed the connection before answering")
    assert [path for path, _, _ in upstream.seen] == ["/warm", "/drop"]
    assert await get(pool, "/after") == (200, b"GET /after 0")
    await pool.close()


async def test_the_read_timeout_ends_the_wait_and_the_connection(origin):
    upstream, url = origin
    pool = make_pool(url, read_timeout=0.2)
    with pytest.raises(UpstreamError) as slow:
        await get(pool, "/hang")
    assert slow.value.kind == "timeout"
    # A per-request timeout overrides the pool's.
    exchange = await pool.request("GET", "/quick", [], read_timeout=1.0)
    assert await exchange.read() == b"GET /quick 0"
    await pool.close()
    assert len(upstream.ports()) == 2


async def test_a_refused_connection_is_a_connect_failure(unused_tcp_port):
    pool = make_pool(f"http://127.0.0.1:{unused_tcp_port}")
    with pytest.raises(UpstreamError) as refused:
        await get(pool, "/")
    assert (refused.value.kind, str(refused.value)) == ("connect", "cannot connect to upstream")
    await pool.close()


async def test_a_body_left_unread_is_not_left_on_a_reused_connection(origin):
    upstream, url = origin
    pool = make_pool(url)
    exchange = await pool.request("GET", "/big", [])
    assert (exchange.status, len(await exchange.payload.read(10))) == (200, 10)
    exchange.close()
    assert await get(pool, "/next") == (200, b"GET /next 0")
    await pool.close()
    assert len(upstream.ports()) == 2


async def test_a_streamed_body_goes_chunked_or_with_its_length(origin):
    upstream, url = origin
    pool = make_pool(url)

    async def pieces():
        for part in (b"abc", b"", b"defgh"):
            yield part

    for length in (None, 8):
        exchange = await pool.request("PUT", "/up", [], pieces(), content_length=length)
        assert await exchange.read() == b"PUT /up 8"
    await pool.close()
    assert [body for _, _, body in upstream.seen] == [b"abcdefgh", b"abcdefgh"]


async def test_the_only_slot_comes_back_after_every_kind_of_failure(origin, unused_tcp_port):
    upstream, url = origin
    # One connection and a short wait for it: a slot a failure kept would time the next request out.
    pool = make_pool(url, limit=1, connect_timeout=0.5, read_timeout=0.3)

    async def failing_body():
        yield b"a"
        raise RuntimeError("the client's upload broke off")

    async def cancelled():
        waiting = asyncio.create_task(pool.request("GET", "/hang", []))
        await asyncio.sleep(0.1)
        waiting.cancel()
        await waiting

    async def closed_unread():
        exchange = await pool.request("GET", "/big", [])
        exchange.close()

    failures = {
        "broken": (lambda: get(pool, "/drop"), UpstreamError),
        "read timeout": (lambda: get(pool, "/hang"), UpstreamError),
        "line break in a header": (lambda: pool.request("GET", "/x", [("X-Value", "a\r\nX-Injected: 1")]), ValueError),
        "upload source failed": (lambda: pool.request("PUT", "/up", [], failing_body()), RuntimeError),
        "cancelled": (cancelled, asyncio.CancelledError),
        "answer closed unread": (closed_unread, None),
    }
    for name, (failure, raised) in failures.items():
        if raised is None:
            await failure()
        else:
            with pytest.raises(raised):
                await failure()
        assert await get(pool, f"/after?{name.replace(' ', '-')}") == (200, f"GET /after?{name.replace(' ', '-')} 0".encode())
    # No failure gave back more than it took: the limit still holds.
    calls = [asyncio.create_task(get(pool, "/slow")) for _ in range(3)]
    await asyncio.sleep(0.1)
    upstream.release.set()
    assert await asyncio.gather(*calls) == [(200, b"GET /slow 0")] * 3 and upstream.most_in_flight == 1
    await pool.close()
    # A connection that could not be made gives its slot back too: the second try fails the same way.
    refused = make_pool(f"http://127.0.0.1:{unused_tcp_port}", limit=1, connect_timeout=0.5)
    for _ in range(2):
        with pytest.raises(UpstreamError) as failed:
            await get(refused, "/")
        assert failed.value.kind == "connect"
    await refused.close()


def test_only_http_origins_and_room_for_a_connection_are_accepted():
    with pytest.raises(ValueError) as scheme:
        UpstreamPool("ftp://example.com", limit=1, connect_timeout=1, read_timeout=1)
    assert str(scheme.value) == "upstream must be an http:// or https:// URL, got 'ftp://example.com'"
    with pytest.raises(ValueError) as room:
        UpstreamPool("http://example.com", limit=0, connect_timeout=1, read_timeout=1)
    assert str(room.value) == "the pool needs room for at least one connection"


async def test_bytes_an_idle_connection_receives_never_pass_for_the_next_answer():
    """An origin that sends an unasked-for answer on an idle connection: the pool drops it."""
    requests = 0

    async def origin(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal requests
        served = 0
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                requests += 1
                served += 1
                body = f"answer {served}".encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                if requests == 1:
                    await writer.drain()
                    await asyncio.sleep(0.05)
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstray")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()  # the pool dropped the connection

    server = await asyncio.start_server(origin, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    pool = make_pool(f"http://127.0.0.1:{port}")
    assert await get(pool, "/first") == (200, b"answer 1")
    await asyncio.sleep(0.15)  # the stray answer arrives while the connection is idle
    assert await get(pool, "/second") == (200, b"answer 1")  # a fresh connection's first answer
    await pool.close()
    server.close()
    await server.wait_closed()


async def _scripted_origin(answers: list[bytes], heads: list[bytes], closed: asyncio.Event | None = None):
    """A raw origin: each connection reads one request head, sends the next answer as given and
    closes; with `closed`, it keeps the connection open and sets `closed` when the client closes it."""
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            heads.append(await reader.readuntil(b"\r\n\r\n"))
            writer.write(answers.pop(0))
            await writer.drain()
            if closed is not None and await reader.read() == b"":
                closed.set()
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


async def test_what_the_origin_sees_and_what_comes_back_byte_for_byte():
    heads: list[bytes] = []
    gzipped = __import__("gzip").compress(b"hello")
    server, url = await _scripted_origin([
        b"HTTP/1.1 299 Custom Reason\r\nConnection: close\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s" % (len(gzipped), gzipped),
        b"HTTP/1.1 200 OK\r\n\r\nuntil the close",  # neither length nor chunks: the body ends at the close
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n",
    ], heads)
    pool = make_pool(url + "/base/", limit=1)
    try:
        exchange = await pool.request("GET", "/x?a=1", [("X-One", "1"), ("X-Two", "caf\udce9")])
        assert (exchange.status, exchange.reason, await exchange.read()) == (299, "Custom Reason", gzipped)
        assert heads[0] == (b"GET /base/x?a=1 HTTP/1.1\r\nHost: %s\r\nX-One: 1\r\nX-Two: caf\xe9\r\n\r\n"
                            % url.removeprefix("http://").encode())
        exchange = await pool.request("GET", "/eof", [])
        assert await exchange.read() == b"until the close"
        exchange = await pool.request("POST", "/interim", [], b"a=1")
        assert (exchange.status, await exchange.read()) == (200, b"ok")  # interim answers skipped
        exchange = await pool.request("GET", "/upgrade", [])
        assert exchange.status == 101  # 101 is final, never skipped as interim
        exchange.close()
        with pytest.raises(ValueError) as broken:
            await pool.request("GET", "/x", [("X", "a\nb")])
        assert str(broken.value) == "a header holds a line break"
    finally:
        await pool.close()
        server.close()


async def test_a_head_answer_has_no_body_and_a_read_body_comes_whole(origin):
    upstream, url = origin
    pool = make_pool(url, limit=1, read_timeout=1.0)
    exchange = await pool.request("HEAD", "/big", [])
    assert (exchange.status, await exchange.read()) == (200, b"")  # not waited for: HEAD has no body
    assert await get(pool, "/big") == (200, b"x" * 200_000)
    await pool.close()
    assert len(upstream.ports()) == 1


async def test_a_streamed_body_of_known_length_is_sent_with_it_not_chunked():
    heads: list[bytes] = []
    server, url = await _scripted_origin([b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"] * 2, heads)
    pool = make_pool(url, limit=1)

    async def pieces():
        yield b"abc"

    try:
        for length in (3, None):
            exchange = await pool.request("PUT", "/up", [], pieces(), content_length=length)
            exchange.close()
        assert b"\r\nContent-Length: 3\r\n" in heads[0] and b"Transfer-Encoding" not in heads[0]
        assert b"\r\nTransfer-Encoding: chunked\r\n" in heads[1] and b"Content-Length" not in heads[1]
    finally:
        await pool.close()
        server.close()


async def test_a_connection_in_use_when_the_pool_closes_is_closed_once_its_answer_is_read():
    closed = asyncio.Event()
    server, url = await _scripted_origin([b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"], [], closed)
    pool = make_pool(url, limit=1)
    try:
        exchange = await pool.request("GET", "/x", [])
        await pool.close()
        assert await exchange.read() == b"ok"
        await asyncio.wait_for(closed.wait(), 2)  # not kept idle in a closed pool
        with pytest.raises(UpstreamError) as refused:
            await pool.request("GET", "/y", [])
        assert refused.value.kind == "connect"
    finally:
        server.close()


async def test_room_given_to_a_waiter_that_is_cancelled_passes_to_the_next(origin):
    upstream, url = origin
    pool = make_pool(url, limit=1, connect_timeout=1.0)
    holder = await pool.request("GET", "/first", [])
    first = asyncio.create_task(get(pool, "/a"))
    second = asyncio.create_task(get(pool, "/b"))
    await asyncio.sleep(0.05)
    await holder.read()  # gives the room to the first waiter...
    first.cancel()  # ...which is cancelled before it can use it
    assert await second == (200, b"GET /b 0")
    with pytest.raises(asyncio.CancelledError):
        await first
    await pool.close()


def test_https_origins_get_a_verifying_context_and_http_none():
    import ssl
    given = ssl.create_default_context()
    secure = UpstreamPool("https://cpanel.example:2087", limit=1, connect_timeout=1, read_timeout=1)
    assert secure.ssl_context is not None and secure.ssl_context.verify_mode == ssl.CERT_REQUIRED
    assert (secure.host, secure.port, secure.host_header) == ("cpanel.example", 2087, "cpanel.example:2087")
    assert UpstreamPool("https://h", ssl_context=given, limit=1, connect_timeout=1, read_timeout=1).ssl_context is given
    assert UpstreamPool("http://h", ssl_context=given, limit=1, connect_timeout=1, read_timeout=1).ssl_context is None


async def test_a_failed_connect_gives_back_exactly_its_slot(aiohttp_server, unused_tcp_port):
    pool = make_pool(f"http://127.0.0.1:{unused_tcp_port}", limit=1, connect_timeout=1.0)
    with pytest.raises(UpstreamError):  # nothing listens yet
        await get(pool, "/")
    upstream = Upstream()
    await aiohttp_server(upstream.app(), port=unused_tcp_port)
    calls = [asyncio.create_task(get(pool, "/slow")) for _ in range(2)]
    await asyncio.sleep(0.1)
    upstream.release.set()
    assert await asyncio.gather(*calls) == [(200, b"GET /slow 0")] * 2
    assert upstream.most_in_flight == 1  # still one connection at most
    await pool.close()
