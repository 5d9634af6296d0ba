"""The event loop `serve` runs on: uvloop when it is installed, asyncio's own otherwise.

uvloop is an optional dependency (`pip install 'api2shim[speed]'`); the bench measured it
faster on every scenario (see docs/performance.md). `API2SHIM_UVLOOP=0` keeps asyncio's loop,
to compare or to rule uvloop out when chasing a problem.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, Callable, Coroutine, TypeVar

SWITCH = "API2SHIM_UVLOOP"
T = TypeVar("T")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    if os.environ.get(SWITCH, "1") == "0":
        return None
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def loop_name() -> str:
    return "asyncio" if loop_factory() is None else "uvloop"


def run(main: Coroutine[Any, Any, T]) -> T:
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(main)
