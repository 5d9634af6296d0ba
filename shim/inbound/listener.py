"""Starting and stopping listeners: one aiohttp server per proxied service."""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass

from aiohttp import web
from yarl import URL

from shim.inbound.client_errors import QuietRequestHandler
from shim.inbound.connections import ClientConnections, ConnectionPolicy
from shim.inbound.framing import lenient_protocol_factory

# Certificates, keys and CA bundles travel in the query string of legacy
# SSL::installssl calls, far beyond aiohttp's 8 KiB default.
DEFAULT_MAX_LINE_SIZE = 64 * 1024
DEFAULT_MAX_FIELD_SIZE = 64 * 1024
DEFAULT_MAX_HEADERS = 128
# A whole request head: the 64 KiB request line an SSL install's query needs, plus 64 KiB of
# header lines (credentials and cookies are well under 8 KiB). aiohttp's per-line limits
# alone allow 128 lines of 64 KiB, 8 MiB per unfinished head; past this the connection gets
# a 431 and is closed.
DEFAULT_MAX_HEAD_SIZE = 128 * 1024
# A head must arrive whole within this many seconds of its first byte (a billing server sends
# it in one packet; a slowloris client never finishes): 408, closed.
DEFAULT_HEAD_TIMEOUT = 10.0
# An idle keep-alive connection (or a new one that sends nothing) is closed after this long.
# Clients reuse a connection within a second or two when they reuse it at all; aiohttp's own
# default is 3630 s, which lets idle connections pile up. Like the upstream pool's 15 s.
DEFAULT_KEEPALIVE_TIMEOUT = 15.0
# Connections one client address may hold open at once (every listener of the process
# together). A billing server opens a handful; a provisioning burst a few dozen. A quarter of
# max_concurrent, so one address cannot hold every slot; past it: 503, closed.
DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 128
# After an answer that refused an unread body (413, 408), the rest of the body is read and
# dropped for at most this long before the close, so the client reads the answer instead of a
# reset. aiohttp's 10 s let a refused client hold its connection ten times longer than needed.
LINGERING_SECONDS = 2.0
# aiohttp's own default: how long closing waits for requests in flight before cancelling them.
DEFAULT_SHUTDOWN_TIMEOUT = 60.0
# After the drain's deadline has cut every connection, how long the apps' cleanup may take.
CLEANUP_GRACE_SECONDS = 0.2
# aiohttp's TCPSite default listen backlog, kept by our own site.
DEFAULT_BACKLOG = 128


@dataclass(frozen=True, slots=True)
class HttpLimits:
    max_line_size: int = DEFAULT_MAX_LINE_SIZE
    max_field_size: int = DEFAULT_MAX_FIELD_SIZE
    max_headers: int = DEFAULT_MAX_HEADERS
    max_head_size: int = DEFAULT_MAX_HEAD_SIZE
    head_timeout: float = DEFAULT_HEAD_TIMEOUT
    keepalive_timeout: float = DEFAULT_KEEPALIVE_TIMEOUT
    max_connections_per_client: int = DEFAULT_MAX_CONNECTIONS_PER_CLIENT

    def __post_init__(self) -> None:
        for name in ("max_line_size", "max_field_size", "max_headers", "max_head_size", "max_connections_per_client"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, not {value!r}")
        for name in ("head_timeout", "keepalive_timeout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")


class LenientTCPSite(web.BaseSite):
    """A TCP site whose connections pass through shim.inbound.framing before aiohttp's parser.

    Like web.TCPSite, but the protocol factory handed to the event loop wraps the
    runner's web.Server (documented as a protocol factory) in
    shim.inbound.framing.LenientProtocol, so legacy clients' malformed heads are normalised.

    aiohttp internal used: BaseSite.stop() closes the listening server stored in the
    protected attribute ``self._server``; start() has to set it (as aiohttp's own sites
    do). Re-check that contract when upgrading aiohttp.
    """

    __slots__ = ("_host", "_port", "_limits", "_web_server", "_handler_args", "_tls", "_reuse_port", "_policy")

    def __init__(
        self,
        runner: web.BaseRunner,
        host: str,
        port: int,
        *,
        limits: HttpLimits,
        ssl_context: ssl.SSLContext | None = None,
        reuse_port: bool = False,
        connections: ClientConnections | None = None,
    ) -> None:
        super().__init__(runner, ssl_context=ssl_context, backlog=DEFAULT_BACKLOG)
        self._host = host
        self._port = port
        self._limits = limits
        self._web_server = runner.server
        self._handler_args = {
            "access_log": None,
            "max_line_size": limits.max_line_size,
            "max_field_size": limits.max_field_size,
            "max_headers": limits.max_headers,
            "keepalive_timeout": limits.keepalive_timeout,
            "lingering_time": LINGERING_SECONDS,
        }
        self._policy = ConnectionPolicy(connections or ClientConnections(limits.max_connections_per_client),
                                        limits.head_timeout)
        self._tls = ssl_context
        self._reuse_port = reuse_port or None

    @property
    def port(self) -> int:
        """The bound port once started (the requested one before)."""
        if self._server is not None and self._server.sockets:  # type: ignore[attr-defined]
            return int(self._server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]
        return self._port

    @property
    def name(self) -> str:
        scheme = "https" if self._tls else "http"
        return str(URL.build(scheme=scheme, host=self._host or "0.0.0.0", port=self.port))

    async def start(self) -> None:
        await super().start()  # registers the site with its runner
        web_server = self._web_server
        assert web_server is not None
        loop = asyncio.get_running_loop()

        def make_handler() -> QuietRequestHandler:
            # What web.Server.__call__ does, with our handler class (see shim.client_errors).
            return QuietRequestHandler(web_server, loop=loop, **self._handler_args)

        self._server = await loop.create_server(
            lenient_protocol_factory(make_handler, self._limits, self._policy),
            self._host,
            self._port,
            ssl=self._tls,
            reuse_port=self._reuse_port,
            backlog=DEFAULT_BACKLOG,
        )


@dataclass(slots=True)
class Listener:
    """A running server; `port` is the bound port (useful when asked for port 0)."""

    runner: web.AppRunner
    site: LenientTCPSite
    host: str
    port: int

    async def close(self, timeout: float | None = None) -> None:
        """Stop accepting, let requests in flight finish, then close.

        With `timeout`, the whole close ends by then: aiohttp alone waits up to its shutdown
        timeout (rounded up to whole seconds), then cancels the handlers and may wait as long
        again, so a drain could last twice `timeouts.shutdown`. At the deadline every
        connection still open is closed, whatever its handler is doing.
        """
        if timeout is None:
            await self.runner.cleanup()
            return
        cleanup = asyncio.ensure_future(self.runner.cleanup())
        done, _ = await asyncio.wait({cleanup}, timeout=timeout)
        if done:
            cleanup.result()
            return
        server = self.runner.server
        for handler in list(server.connections if server is not None else ()):
            handler.force_close()
        # What is left (the apps' cleanup hooks: upstream pools) gets a moment, not another timeout.
        await asyncio.wait({cleanup}, timeout=CLEANUP_GRACE_SECONDS)


async def start_listener(
    app: web.Application,
    host: str,
    port: int,
    *,
    limits: HttpLimits = HttpLimits(),
    ssl_context: ssl.SSLContext | None = None,
    reuse_port: bool = False,
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT,
    connections: ClientConnections | None = None,
) -> Listener:
    """Serve `app`; `reuse_port` lets worker processes share one port (SO_REUSEPORT).

    Closing the listener stops accepting at once, then lets requests in flight finish for
    up to `shutdown_timeout` seconds (idle keep-alive connections close straight away).

    Every connection passes through shim.inbound.framing first (legacy clients' malformed heads).
    aiohttp honours max_line_size/max_field_size/max_headers in both its C and Python
    parsers (checked by tests/test_lenient.py): heads past them get a 400.
    """
    runner = web.AppRunner(
        app,
        access_log=None,
        handle_signals=False,
        shutdown_timeout=shutdown_timeout,
        max_line_size=limits.max_line_size,
        max_field_size=limits.max_field_size,
        max_headers=limits.max_headers,
        keepalive_timeout=limits.keepalive_timeout,
        lingering_time=LINGERING_SECONDS,
    )
    await runner.setup()
    site = LenientTCPSite(runner, host, port, limits=limits, ssl_context=ssl_context, reuse_port=reuse_port,
                          connections=connections)
    await site.start()
    return Listener(runner=runner, site=site, host=host, port=site.port)
