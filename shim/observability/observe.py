"""Per-request observation: request id, one JSON access log line, metrics and usage.

A middleware opens a `RequestRecord` for each request; the handler adds what only it
knows (the API 2 call, its mode, an upstream error) through `note_*`; upstream status
and latency come from `upstream_answered`, called where the upstream answer's headers
arrive; it finds the record through a context variable, so the proxy code needs no extra
parameters. When the handler is done the record becomes one access log line (JSON, logger
`api2shim.access`), metric samples and a usage row. Nothing secret is kept: see redact.py
for what is and is not written.

Cost: this runs on every request, so it is kept to what it must do (about 50-60 µs per
request before it was trimmed). No aiohttp TraceConfig (it makes the client build signal
objects for every request: two perf_counter calls do the job), prometheus children resolved
once per label tuple (metrics.py), the timestamp's second formatted once per second, request
ids from a per-process random prefix and a counter, and the access line's LogRecord built
directly so logging does not walk the stack to find a caller nobody prints.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import logging.handlers
import os
import re
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable

import orjson
from aiohttp import web

from shim.observability import redact
from shim.observability.lifecycle import Lifecycle
from shim.observability.metrics import Metrics
from shim.observability.rollout_report import ShadowLedger
from shim.observability.usage import MAX_AGENT, UsageTracker, function_name, is_refused
from shim.translation.mapping import MappingTable

ACCESS_LOGGER = "api2shim.access"
REQUEST_ID_HEADER = "X-Request-Id"
# An incoming id is kept when it is a plausible id; anything else is replaced, not escaped.
_GOOD_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+=/-]{1,128}\Z")
# A client that goes away before its answer: nginx's code for it.
CLIENT_GONE = 499

log = logging.getLogger("api2shim")


class RequestIds:
    """Ids of requests without a usable X-Request-Id: 32 hex digits, unique across processes.

    A random per-process prefix and a counter: as unique as uuid4 for this purpose (ids are
    labels, not secrets) at a fraction of its cost. The prefix is redrawn in a forked child.
    """

    def __init__(self) -> None:
        self.reseed()

    def reseed(self) -> None:
        self._prefix, self._counter = os.urandom(8).hex(), itertools.count()

    def next(self) -> str:
        return f"{self._prefix}{next(self._counter) & 0xFFFFFFFFFFFFFFFF:016x}"


_ids = RequestIds()
os.register_at_fork(after_in_child=_ids.reseed)


class _Clock:
    """`ts` of access lines, formatted once per millisecond (a busy shim logs many lines in one)."""

    def __init__(self) -> None:
        self._milli = -1
        self._second = -1
        self._second_text = ""
        self._text = ""

    def stamp(self, now: float) -> str:
        milli = int(now * 1000)
        if milli != self._milli:
            second, fraction = divmod(milli, 1000)
            if second != self._second:
                formatted = datetime.fromtimestamp(second, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
                self._second, self._second_text = second, formatted
            self._milli, self._text = milli, f"{self._second_text}.{fraction:03d}Z"
        return self._text


_clock = _Clock()


class _AuthSummaries:
    """redact.auth_summary of an Authorization header, remembered: a client sends the same
    credentials on every call, and parsing them cost ~0.5 µs a request.

    Keyed by the header's hash, not the header, so no secret outlives its request (str hashes
    are keyed per process: a collision cannot be aimed at). Bounded: forgotten all at once
    when full.
    """

    MAX = 4096

    def __init__(self) -> None:
        self._known: dict[int, str | None] = {}

    def of(self, header: str | None) -> str | None:
        if header is None:
            return None
        key = hash(header)
        try:
            return self._known[key]
        except KeyError:
            pass
        if len(self._known) >= self.MAX:
            self._known.clear()
        summary = self._known[key] = redact.auth_summary(header)
        return summary


_auth_summaries = _AuthSummaries()


@dataclass
class Runtime:
    """What all apps of one process share besides the table: lifecycle, metrics, usage, access log."""

    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    metrics: Metrics = field(default_factory=Metrics)
    usage: UsageTracker = field(default_factory=UsageTracker)
    shadow: ShadowLedger = field(default_factory=ShadowLedger)
    access_log: logging.Logger = field(default_factory=lambda: logging.getLogger(ACCESS_LOGGER))


RUNTIME = web.AppKey("api2shim_runtime", Runtime)
LISTENER = web.AppKey("api2shim_listener", str)


@dataclass(slots=True)
class RequestRecord:
    request_id: str
    started: float = field(default_factory=time.perf_counter)
    function: str | None = None
    mapped: bool = False
    mode: str | None = None
    outcome: str | None = None
    error: str | None = None
    upstream_status: int | None = None
    upstream_seconds: float | None = None


# The record of the request being handled. A context variable rather than a request key: the
# proxy code reaches it without the request, and a lookup costs a fraction of request.get().
_current: ContextVar[RequestRecord | None] = ContextVar("api2shim_request", default=None)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Middleware = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]


def current_request_id() -> str | None:
    record = _current.get()
    return record.request_id if record else None


def request_id(request: web.BaseRequest) -> str:
    """This request's id (the client's X-Request-Id when plausible), sent upstream and logged.

    Called while the request is being handled; outside that, a fresh id.
    """
    record = _current.get()
    if record is not None:
        return record.request_id
    return _incoming_id(request) or _ids.next()


def _incoming_id(request: web.BaseRequest) -> str | None:
    incoming = request.headers.get(REQUEST_ID_HEADER)
    if incoming is None:
        return None
    incoming = incoming.strip()
    return incoming if _GOOD_REQUEST_ID.match(incoming) else None


# note_* take the request for their callers' sake; the record is the one being handled.
def note_call(request: web.BaseRequest, module: str, func: str, mode: str, mapped: bool,
              args: dict[str, str], table: MappingTable) -> None:
    record = _current.get()
    name = function_name(module, func)
    if record is not None:
        record.function, record.mode, record.mapped = name, mode, mapped
    if log.isEnabledFor(logging.DEBUG):
        # Any name an entry marks secret is secret in every call: a client may send it anywhere.
        secret = {arg for entry in table.entries.values() for arg in entry.secret_args}
        log.debug("api2 %s mode=%s args=%s", name, mode, redact.redact_args(args, secret))


def note_error(request: web.BaseRequest, kind: str) -> None:
    record = _current.get()
    if record is not None:
        record.error = kind


def note_outcome(request: web.BaseRequest, outcome: str) -> None:
    record = _current.get()
    if record is not None:
        record.outcome = outcome


def observed(inner: Middleware, runtime: Runtime, listener: str) -> Middleware:
    """The middleware `inner` with its request observed: id, in-flight gauge, then access line,
    metrics and usage. One middleware composed of plain wrappers rather than one aiohttp
    middleware each: aiohttp's per-middleware plumbing costs more than their own work.
    """
    in_flight = runtime.metrics.in_flight_for(listener)

    @web.middleware
    async def observe_request(request: web.Request, handler: Handler) -> web.StreamResponse:
        record = RequestRecord(_incoming_id(request) or _ids.next())
        token = _current.set(record)
        in_flight.inc()
        status, response = 500, None
        try:
            response = await inner(request, handler)
            status = response.status
            if not response.prepared:
                # Sent here rather than after we return, so the line can say how many bytes went out.
                await response.prepare(request)
                await response.write_eof()
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        except asyncio.CancelledError:
            status, record.error = CLIENT_GONE, record.error or "client_gone"
            raise
        except ConnectionError:
            # The client left mid-request: its access line says so; a traceback would only be noise.
            status, record.error = CLIENT_GONE, record.error or "client_gone"
            return web.Response(status=CLIENT_GONE)  # nobody reads it; aiohttp drops it with the connection
        except Exception:
            record.error = record.error or "internal"
            raise
        finally:
            _current.reset(token)
            in_flight.dec()
            _finish(request, record, runtime, listener, status, response)

    return observe_request


async def tag_response(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: the client sees the id its call was logged under.

    A signal rather than a header set by `observed`, because pass-through answers are
    streamed: the proxy prepares them itself, before `observed` sees them.
    """
    response.headers[REQUEST_ID_HEADER] = request_id(request)


def _outcome(record: RequestRecord, status: int) -> str:
    if record.error is not None:
        return "upstream_error"
    if record.outcome is not None:
        return record.outcome
    if record.mode == "reject":
        return "rejected"
    if status in (401, 403):
        return "denied"
    return "upstream_error" if status >= 500 else "ok"


def _finish(request: web.Request, record: RequestRecord, runtime: Runtime, listener: str,
            status: int, response: web.StreamResponse | None) -> None:
    total = time.perf_counter() - record.started
    now = time.time()
    metrics = runtime.metrics
    metrics.count_request(listener, status)
    upstream_seconds, error, function, mode = record.upstream_seconds, record.error, record.function, record.mode
    if upstream_seconds is not None:
        metrics.observe_upstream(listener, upstream_seconds)
    if error is not None:
        metrics.count_error(error)
    headers = request.headers
    auth = _auth_summaries.of(headers.get("Authorization"))
    agent = headers.get("User-Agent", "")[:MAX_AGENT]
    client = request.remote or ""
    outcome = None
    if function is not None:
        outcome = _outcome(record, status)
        metrics.count_call(function, record.mapped, mode or "", outcome)
        runtime.usage.record_now(function, mode or "", auth, client, agent, now, is_refused(outcome, status))
    access_log = runtime.access_log
    if not access_log.isEnabledFor(logging.INFO):
        return
    cookie = headers.get("Cookie")
    text = orjson.dumps({
        "ts": _clock.stamp(now),
        "id": record.request_id,
        "client": client,
        "listener": listener,
        "method": request.method,
        "path": redact.log_path(request.raw_path),
        "status": status,
        "api2": function,
        "mode": mode,
        "outcome": outcome,
        "upstream_status": record.upstream_status,
        "upstream_ms": None if upstream_seconds is None else _ms(upstream_seconds),
        "total_ms": _ms(total),
        # A body read counts what arrived (chunked included); an unread one what was declared.
        "bytes_in": getattr(request.content, "total_bytes", 0) or request.content_length or 0,
        # Status line and headers included, like nginx's $bytes_sent.
        "bytes_out": response.body_length if response is not None else 0,
        "auth": auth,
        "cookies": (redact.cookie_names(cookie) or None) if cookie else None,
        "ua": agent or None,
        "error": error,
    }).decode()
    handlers = access_log.handlers
    if (len(handlers) == 1 and not access_log.propagate and not access_log.filters
            and isinstance(handlers[0], _LineBatch) and not handlers[0].filters):
        # serve's own access handler, nothing else listening: the line goes straight to it.
        handlers[0].add_line(text)
        return
    # What access_log.info() would do, minus its stack walk for a caller no format prints.
    access_log.handle(logging.LogRecord(access_log.name, logging.INFO, __file__, 0, text, None, None))


def timestamp() -> str:
    """Now, as access lines write it."""
    return _clock.stamp(time.time())


def _ms(seconds: float) -> float:
    """Milliseconds to the microsecond; a third of round(seconds * 1000, 3)'s cost."""
    return int(seconds * 1_000_000 + 0.5) / 1000


def upstream_answered(started: float, status: int) -> None:
    """Called where an upstream answer's headers have arrived (`started`: perf_counter before sending).

    Two perf_counter calls instead of aiohttp trace hooks, which cost ~10 µs a request.
    """
    record = _current.get()
    if record is not None:
        record.upstream_status = status
        record.upstream_seconds = time.perf_counter() - started


class RequestIdFilter(logging.Filter):
    """Gives every log record `request_id` (the request being handled, or '-')."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


# Access lines wait this long to leave together (nginx's access_log buffer/flush idea): at
# low concurrency a write per request was ~6 µs of a translated call's ~140 (same-run bench:
# passwd 143 -> 137 µs at 1 connection, 109 -> 104 at 64). MAX_PENDING_LINES bounds the wait
# in lines, and so the memory, when requests pour in.
FLUSH_INTERVAL = 0.02  # seconds
MAX_PENDING_LINES = 1024


class _LineBatch:
    """Handler mixin for access lines: the record's message is the line (no Formatter), and the
    lines of FLUSH_INTERVAL leave in one write, not one write per request.

    A line is pending at most FLUSH_INTERVAL (or until MAX_PENDING_LINES are); outside a running
    loop it is written at once, and flush() (logging.shutdown at exit, close) writes whatever
    is pending.
    """

    stream: Any
    lock: Any
    filters: list[Any]

    def _init_batch(self) -> None:
        self._pending: list[str] = []
        self._scheduled = False

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = record.getMessage()
        except Exception:
            self.handleError(record)  # type: ignore[attr-defined]
            return
        self.add_line(line)

    def add_line(self, line: str) -> None:
        """The middleware's shortcut when this handler is the access logger's only listener."""
        self._pending.append(line)
        if self._scheduled:
            if len(self._pending) >= MAX_PENDING_LINES:
                self._write_pending()
            return
        try:
            asyncio.get_running_loop().call_later(FLUSH_INTERVAL, self._write_pending)
            self._scheduled = True
        except RuntimeError:
            self._write_pending()

    def _before_write(self) -> None:
        pass

    def _write_pending(self) -> None:
        with self.lock:
            self._scheduled = False
            if not self._pending or self.stream is None:
                return
            text = "\n".join(self._pending) + "\n"
            self._pending.clear()
            try:
                self._before_write()
                self.stream.write(text)
                self.stream.flush()
            except Exception:
                self.handleError(logging.makeLogRecord({"msg": "access log write failed"}))  # type: ignore[attr-defined]

    def flush(self) -> None:
        self._write_pending()
        super().flush()  # type: ignore[misc]


class AccessStreamHandler(_LineBatch, logging.StreamHandler):
    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._init_batch()


class AccessFileHandler(_LineBatch, logging.handlers.WatchedFileHandler):
    """A file that logrotate may move: reopened when it has (checked once per write, not per line)."""

    def __init__(self, path: str) -> None:
        super().__init__(path, encoding="utf-8")
        self._init_batch()

    def _before_write(self) -> None:
        self.reopenIfNeeded()


def configure_logging(access_log: str, level: str) -> None:
    """Process-wide logging for `serve`: app logs as text on stderr, the access log as bare JSON lines.

    `access_log` is stderr, stdout, off, or a file path (reopened when logrotate moves it).
    """
    import sys

    root = logging.getLogger()
    root.setLevel(level)
    app_handler = logging.StreamHandler(sys.stderr)
    app_handler.setFormatter(logging.Formatter(LOG_FORMAT))
    app_handler.addFilter(RequestIdFilter())
    root.handlers[:] = [app_handler]
    access = logging.getLogger(ACCESS_LOGGER)
    access.propagate = False
    access.setLevel(logging.INFO)
    if access_log == "off":
        access.handlers[:] = [logging.NullHandler()]
        access.setLevel(logging.CRITICAL + 1)  # and the middleware does not even build the line
        return
    if access_log in ("stderr", "stdout"):
        handler: logging.Handler = AccessStreamHandler(getattr(sys, access_log))
    else:
        handler = AccessFileHandler(access_log)
    access.handlers[:] = [handler]
