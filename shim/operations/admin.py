"""The admin listener: health, readiness, metrics, usage and reload, on its own port.

It is a separate server so that no WHM or cPanel path is shadowed. It answers without
credentials, so it listens on loopback unless configured otherwise (see `admin` in config.py).

    GET  /healthz   200 while the process runs
    GET  /readyz    200 when config is loaded, every upstream accepts a TCP connection, the
                    process is not draining and not saturated (every concurrency slot
                    taken); else 503 with the reasons
    GET  /metrics   Prometheus text format
    GET  /usage     the API 2 usage rows as JSON (what `python -m shim usage` prints)
    POST /reload    reload config and mappings (see reload.py); 200 or 422 with the errors

With `admin.token_file` set, /usage (client addresses, accounts, User-Agents) and /reload
need `Authorization: Bearer <token>`; the probes and /metrics stay open to what can reach
the port (which should be the host or a monitoring network only).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, Sequence

import orjson
from aiohttp import web

from shim.config import Config, ServiceConfig
from shim.inbound.guard import Gate
from shim.inbound.listener import Listener, start_listener
from shim.observability import rollout_report
from shim.observability.metrics import CONTENT_TYPE, multiprocess_dir
from shim.observability.observe import Runtime
from shim.observability.usage import UsageTracker, load_shares, merged, save_share
from shim.operations.reload import Reloader
from shim.translation.rollout import ShadowSettings

log = logging.getLogger("api2shim")

# How stale another worker's rows in /usage may be.
USAGE_SHARE_SECONDS = 1.0
# A readiness probe must answer before the orchestrator's own timeout (often 1 s).
READY_CONNECT_TIMEOUT = 0.8

Handler = Callable[..., Awaitable[Any]]
_RUNTIME = web.AppKey("admin_runtime", Runtime)
_UPSTREAMS = web.AppKey("admin_upstreams", tuple)
_RELOADER = web.AppKey("admin_reloader", object)
_GATE = web.AppKey("admin_gate", object)


# Paths that show who calls (usage) or change the running process (reload).
PROTECTED_PATHS = frozenset({"/usage", "/reload"})


def bearer_required(token: str) -> Handler:
    """Middleware: the protected paths answer 401 without `Authorization: Bearer <token>`."""
    expected = f"Bearer {token}".encode()

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in PROTECTED_PATHS:
            given = request.headers.get("Authorization", "").encode("utf-8", "surrogateescape")
            if not hmac.compare_digest(given, expected):
                response = _json({"error": "this path needs the admin token (Authorization: Bearer …)"}, status=401)
                response.headers["WWW-Authenticate"] = 'Bearer realm="api2shim admin"'
                return response
        return await handler(request)

    return check


def create_admin_app(runtime: Runtime, services: Sequence[ServiceConfig], reloader: Reloader | None,
                     gate: Gate | None = None, token: str | None = None) -> web.Application:
    """`gate` is the services' concurrency cap: readiness reports it full. `token`: see above."""
    app = web.Application(middlewares=[bearer_required(token)] if token else [])
    app[_RUNTIME] = runtime
    app[_UPSTREAMS] = tuple(services)
    app[_RELOADER] = reloader
    app[_GATE] = gate
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/usage", usage)
    app.router.add_post("/reload", reload)
    app.cleanup_ctx.append(_share_usage)
    return app


async def _share_usage(app: web.Application) -> AsyncIterator[None]:
    """With several workers, save this one's usage rows now and then, so any worker's /usage has all."""
    directory = multiprocess_dir()
    if directory is None:
        yield
        return
    tracker = app[_RUNTIME].usage

    async def every_little_while() -> None:
        while True:
            await asyncio.sleep(USAGE_SHARE_SECONDS)
            save_share(tracker, Path(directory), os.getpid())

    task = asyncio.get_running_loop().create_task(every_little_while())
    yield
    task.cancel()
    save_share(tracker, Path(directory), os.getpid())  # a stopping worker's calls stay counted


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok\n")


async def readyz(request: web.Request) -> web.Response:
    runtime = request.app[_RUNTIME]
    reasons = runtime.lifecycle.not_ready_reasons()
    gate: Gate | None = request.app[_GATE]  # type: ignore[assignment]
    if gate is not None and gate.in_flight >= gate.limit:
        # Every slot taken: new calls get a 503 at once, so a balancer should send them elsewhere.
        reasons.append(f"saturated: {gate.in_flight} of {gate.limit} requests in progress")
    services: tuple[ServiceConfig, ...] = request.app[_UPSTREAMS]
    reachable = await asyncio.gather(*(_reachable(s) for s in services))
    reasons += [f"{s.name} upstream unreachable" for s, ok in zip(services, reachable) if not ok]
    document = {"ready": not reasons, "reasons": reasons}
    if runtime.lifecycle.last_reload_error:
        document["last_reload_errors"] = runtime.lifecycle.last_reload_error
    return _json(document, status=503 if reasons else 200)


async def _reachable(service: ServiceConfig) -> bool:
    """A TCP connection to the upstream opens (no TLS handshake, no request: cheap and side-effect free)."""
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(service.upstream.host, service.upstream.port), READY_CONNECT_TIMEOUT
        )
    except (OSError, asyncio.TimeoutError):
        return False
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass
    return True


async def metrics(request: web.Request) -> web.Response:
    body = request.app[_RUNTIME].metrics.exposition()
    response = web.Response(body=body)
    response.headers["Content-Type"] = CONTENT_TYPE
    return response


async def usage(request: web.Request) -> web.Response:
    runtime = request.app[_RUNTIME]
    own = runtime.usage
    directory = multiprocess_dir()
    tracker = own if directory is None else merged([own, *load_shares(Path(directory), os.getpid())])
    return _json({**tracker.as_json(), **_rollout(runtime, tracker, request.app[_RELOADER])})  # type: ignore[arg-type]


def _rollout(runtime: Runtime, tracker: UsageTracker, reloader: Reloader | None) -> dict[str, Any]:
    """The rollout report's rows (effective modes from the live table) and this process's shadow results."""
    table = reloader.tables.table if reloader is not None else None
    settings = (reloader.started_with.extra.get("shadow") if reloader is not None else None) or ShadowSettings()
    rows = rollout_report.build(tracker, runtime.shadow, table, ready_after=settings.ready_after)
    return {"ready_after": settings.ready_after, "rollout": [row._asdict() for row in rows],
            "shadow": runtime.shadow.as_json()}


async def reload(request: web.Request) -> web.Response:
    reloader: Reloader | None = request.app[_RELOADER]  # type: ignore[assignment]
    if reloader is None:
        return _json({"reloaded": False, "errors": ["this process has no reloadable config"]}, status=409)
    result = await reloader.reload()
    return _json(result.as_json(), status=200 if result.ok else 422)


def _json(document: object, *, status: int = 200) -> web.Response:
    response = web.Response(body=orjson.dumps(document) + b"\n", status=status)
    response.headers["Content-Type"] = "application/json"
    return response


async def start_admin(
    config: Config, runtime: Runtime, reloader: Reloader | None, *, reuse_port: bool = False, gate: Gate | None = None
) -> Listener | None:
    """The admin listener when the config asks for one (it does by default)."""
    listen = config.admin_settings.listen
    if listen is None:
        return None
    host, port = listen
    # Workers share the admin port like the others; /metrics sums them all (multiprocess mode).
    listener = await start_listener(create_admin_app(runtime, config.services, reloader, gate, config.admin_settings.token), host, port,
                                    reuse_port=reuse_port)
    log.info("admin listening on %s:%d (healthz, readyz, metrics, usage, reload)", host, listener.port)
    return listener
