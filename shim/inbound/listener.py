"""Starting and stopping listeners: one aiohttp server per proxied service."""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass

from aiohttp import web
from yarl import URL

from shim.inbound.client_errors import QuietRequestHandler
from shim.inbound.framing import lenient_protocol_factory

# Certificates, keys and CA bundles travel in the query string of legacy
# SSL::installssl calls, far beyond aiohttp's 8 KiB default.
DEFAULT_MAX_LINE_SIZE = 64 * 1024
DEFAULT_MAX_FIELD_SIZE = 64 * 1024
DEFAULT_MAX_HEADERS = 128
# aiohttp's own default: how long closing waits for requests in flight before cancelling them.
DEFAULT_SHUTDOWN_TIMEOUT = 60.0
# aiohttp's TCPSite default listen backlog, kept by our own site.
DEFAULT_BACKLOG = 128


@dataclass(frozen=True, slots=True)
class HttpLimits:
    max_line_size: int = DEFAULT_MAX_LINE_SIZE
    max_field_size: int = DEFAULT_MAX_FIELD_SIZE
    max_headers: int = DEFAULT_MAX_HEADERS

    def __post_init__(self) -> None:
        for name in ("max_line_size", "max_field_size", "max_headers"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, not {value!r}")


class LenientTCPSite(web.BaseSite):
    """A TCP site whose connections pass through shim.inbound.framing before aiohttp's parser.

    Like web.TCPSite, but the protocol factory handed to the event loop wraps the
    runner's web.Server (documented as a protocol factory) in
    shim.inbound.framing.LenientProtocol, so legacy clients' malformed heads are normalised.

    aiohttp internal used: BaseSite.stop() closes the listening server stored in the
    protected attribute ``self._server``; start() has to set it (as aiohttp's own sites
    do). Re-check that contract when upgrading aiohttp.
    """

    __slots__ = ("_host", "_port", "_limits", "_web_server", "_handler_args", "_tls", "_reuse_port")

    def __init__(
        self,
        runner: web.BaseRunner,
        host: str,
        port: int,
        *,
        limits: HttpLimits,
        ssl_context: ssl.SSLContext | None = None,
        reuse_port: bool = False,
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
        }
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
            lenient_protocol_factory(make_handler, self._limits),
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

    async def close(self) -> None:
        await self.runner.cleanup()


async def start_listener(
    app: web.Application,
    host: str,
    port: int,
    *,
    limits: HttpLimits = HttpLimits(),
    ssl_context: ssl.SSLContext | None = None,
    reuse_port: bool = False,
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT,
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
    )
    await runner.setup()
    site = LenientTCPSite(runner, host, port, limits=limits, ssl_context=ssl_context, reuse_port=reuse_port)
    await site.start()
    return Listener(runner=runner, site=site, host=host, port=site.port)
