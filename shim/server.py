"""Starting and stopping listeners: one aiohttp server per proxied service."""

from __future__ import annotations

import ssl
from dataclasses import dataclass

from aiohttp import web

# Certificates, keys and CA bundles travel in the query string of legacy
# SSL::installssl calls, far beyond aiohttp's 8 KiB default.
DEFAULT_MAX_LINE_SIZE = 64 * 1024
DEFAULT_MAX_FIELD_SIZE = 64 * 1024
DEFAULT_MAX_HEADERS = 128
# aiohttp's own default: how long closing waits for requests in flight before cancelling them.
DEFAULT_SHUTDOWN_TIMEOUT = 60.0


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


@dataclass(slots=True)
class Listener:
    """A running server; `port` is the bound port (useful when asked for port 0)."""

    runner: web.AppRunner
    site: web.TCPSite
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
    site = web.TCPSite(runner, host, port, ssl_context=ssl_context, reuse_port=reuse_port or None)
    await site.start()
    bound_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return Listener(runner=runner, site=site, host=host, port=bound_port)
