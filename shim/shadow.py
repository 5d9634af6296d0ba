"""Shadow mode's background half: the translated call, made after the client has native
API 2's answer, compared with that answer (GitHub's Scientist: always return the control).

The request handler relays native API 2's answer as in pass-through, keeping a copy, then
starts `compare` as a task of its own and returns: the client's answer never waits for it.
The task runs in an empty context (it is not part of the request's access line or upstream
timing) and is bounded: at most `shadow.max_concurrent` per process run at once, further
shadowed calls are only counted as skipped. With `shadow.noise_check` it also asks native
API 2 a second time (Diffy): paths where native disagrees with itself are noise for that
function from then on, not differences.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable

import aiohttp
import orjson

from shim.observability import observe
from shim.observability.rollout_report import ShadowLedger, log_line
from shim.translation.compare import Difference, differences, general
from shim.translation.mapping import Entry
from shim.translation.rollout import ShadowSettings
from shim.translation.translate import UpstreamAnswerError
from shim.upstream.pool import UpstreamError

log = logging.getLogger("api2shim.shadow")

# What a failed translated (or second native) call may raise: counted as `error`, not a difference.
CALL_ERRORS = (UpstreamError, UpstreamAnswerError, aiohttp.ClientError, asyncio.TimeoutError)


async def compare(
    ledger: ShadowLedger,
    runtime: observe.Runtime,
    settings: ShadowSettings,
    entry: Entry,
    request_id: str,
    native_body: bytes,
    translated: Callable[[], Awaitable[Any]],
    native_again: Callable[[], Awaitable[bytes | None]] | None,
) -> None:
    """One comparison; whatever happens, the ledger's in-flight count is given back."""
    name = entry.name
    try:
        again = asyncio.ensure_future(native_again()) if native_again is not None else None
        try:
            candidate = await translated()
        except CALL_ERRORS as exc:
            log.info("shadow %s: the translated call failed (%s); not compared", name, type(exc).__name__)
            _count(ledger, runtime, name, "error", request_id)
            return
        finally:
            second = await _settle(again)
        # Parsing and comparing big answers is CPU: in a worker thread, the event loop keeps
        # answering clients meanwhile (the GIL is handed back every few milliseconds).
        judged = await asyncio.to_thread(_judge, native_body, candidate, second, entry, ledger.noise_of(name))
        if judged is None:  # native API 2 did not answer JSON: nothing to compare with
            _count(ledger, runtime, name, "skipped", request_id)
            return
        found, noise = judged
        if noise:
            ledger.learn_noise(name, noise)
        result = "differ" if found else "agree"
        ledger.compared(name, found, request_id=request_id, secret=entry.secret_args)
        runtime.metrics.count_shadow(name, result)
        _write_line(runtime, request_id, name, result, found)
        if found:
            # The request id in the text: this task runs outside the request's logging context.
            log.warning("shadow %s differs from native API 2 at %s (request %s)", name,
                        ", ".join(d.path for d in found), request_id)
    except Exception:  # a bug here must never reach the client, whose answer has long gone
        log.exception("shadow %s: comparison failed", name)
        _count(ledger, runtime, name, "error", request_id)
    finally:
        ledger.in_flight -= 1


async def _settle(task: "asyncio.Future[bytes | None] | None") -> bytes | None:
    """The second native answer; None when there is none or it failed."""
    if task is None:
        return None
    try:
        return await task
    except CALL_ERRORS:
        return None


def _judge(native_body: bytes, candidate: Any, second: bytes | None, entry: Entry,
           known_noise: frozenset[str]) -> tuple[list[Difference], list[str]] | None:
    """(differences, paths where native disagreed with itself), or None when native is not JSON."""
    try:
        native = orjson.loads(native_body)
    except orjson.JSONDecodeError:
        return None
    try:
        again = orjson.loads(second) if second is not None else None
    except orjson.JSONDecodeError:
        again = None  # no noise learnt from this call
    # The translation as the client would have parsed it (the plain-copy path gives bytes).
    translated = orjson.loads(candidate if type(candidate) is bytes else orjson.dumps(candidate))
    noise = [d.path for d in differences(native, again)] if again is not None else []
    ignore = entry.shadow.volatile | known_noise | {general(path) for path in noise}
    return differences(native, translated, ignore=ignore, numbers_as_text=entry.shadow.numbers_as_text), noise


def _count(ledger: ShadowLedger, runtime: observe.Runtime, name: str, result: str, request_id: str) -> None:
    ledger.count(name, result)
    runtime.metrics.count_shadow(name, result)
    _write_line(runtime, request_id, name, result, [])


def _write_line(runtime: observe.Runtime, request_id: str, name: str, result: str, found: list[Any]) -> None:
    access_log = runtime.access_log
    if access_log.isEnabledFor(logging.INFO):
        access_log.info(log_line(observe.timestamp(), request_id, name, result, found))
