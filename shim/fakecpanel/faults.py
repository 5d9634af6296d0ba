"""Scripted misbehaviour: make the next N matching requests fail in a chosen way.

    state.faults.add("/execute/Ftp/passwd", "hang", times=1)
    state.faults.add(re.compile(r"cpanel_jsonapi_func=passwd"), "status:503")

A string matches as a substring, a compiled pattern with `search`, in both cases against
the raw path plus query string (`/cpsess0123456789/json-api/cpanel?…`), so API 2 calls
can be told apart by their parameters. `times=None` keeps the fault for every match.
Faults are checked after the request is recorded and before authentication and routing.

Actions:
  status:<code>   that HTTP status with a small HTML error page (cpsrvd's 500/503 style)
  html            200 with the HTML login page (what an expired session or a misrouted
                  request looks like)
  invalid_json    200, application/json, a truncated JSON document
  hang            no answer until the client goes away or the server shuts down
                  (capped at HANG_SECONDS); always cancellable
  reset           headers and part of a body, then the connection is aborted
  drop            the connection is aborted before any byte of answer
  huge[:<MiB>]    200 application/json body of that many MiB (default HUGE_DEFAULT_MIB),
                  with its Content-Length, streamed in chunks
  huge_chunked[:<MiB>]  the same without Content-Length (chunked transfer encoding)
  delay:<secs>    wait, then answer normally
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HANG_SECONDS = 3600.0
HUGE_DEFAULT_MIB = 8

_KINDS_WITHOUT_ARG = frozenset({"html", "invalid_json", "hang", "reset", "drop"})


@dataclass(frozen=True, slots=True)
class FaultAction:
    kind: str
    status: int = 0
    seconds: float = 0.0
    mib: int = 0

    @classmethod
    def parse(cls, text: str) -> "FaultAction":
        kind, _, arg = text.partition(":")
        if kind in _KINDS_WITHOUT_ARG and not arg:
            return cls(kind)
        if kind == "status":
            if not arg.isdigit() or not 100 <= int(arg) <= 599:
                raise ValueError(f"fault {text!r}: status needs an HTTP code, e.g. status:503")
            return cls(kind, status=int(arg))
        if kind == "delay":
            try:
                seconds = float(arg)
            except ValueError:
                raise ValueError(f"fault {text!r}: delay needs seconds, e.g. delay:0.2") from None
            if seconds < 0:
                raise ValueError(f"fault {text!r}: delay must not be negative")
            return cls(kind, seconds=seconds)
        if kind in ("huge", "huge_chunked"):
            if not arg:
                return cls(kind, mib=HUGE_DEFAULT_MIB)
            if not arg.isdigit() or int(arg) < 1:
                raise ValueError(f"fault {text!r}: {kind} takes a size in MiB, e.g. {kind}:16")
            return cls(kind, mib=int(arg))
        raise ValueError(f"unknown fault {text!r}")


@dataclass(slots=True)
class Fault:
    match: str | re.Pattern[str]
    action: FaultAction
    remaining: int | None  # None: forever
    service: str | None = None  # "whm", "cpanel" or None for both
    method: str | None = None

    def matches(self, service: str, method: str, path_qs: str) -> bool:
        if self.service is not None and self.service != service:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if isinstance(self.match, re.Pattern):
            return self.match.search(path_qs) is not None
        return self.match in path_qs


@dataclass(slots=True)
class FaultScript:
    pending: list[Fault] = field(default_factory=list)
    fired: list[tuple[str, str]] = field(default_factory=list)  # (action text, path_qs) in order

    def add(
        self,
        match: str | re.Pattern[str],
        action: str,
        *,
        times: int | None = 1,
        service: str | None = None,
        method: str | None = None,
    ) -> Fault:
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for every matching request)")
        if service not in (None, "whm", "cpanel"):
            raise ValueError(f"service must be 'whm', 'cpanel' or None, not {service!r}")
        fault = Fault(match, FaultAction.parse(action), times, service, method)
        self.pending.append(fault)
        return fault

    def clear(self) -> None:
        self.pending.clear()

    def take(self, service: str, method: str, path_qs: str) -> FaultAction | None:
        """The action for this request, if a pending fault matches; consumes one use."""
        for fault in self.pending:
            if fault.matches(service, method, path_qs):
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self.pending.remove(fault)
                self.fired.append((_describe(fault.action), path_qs))
                return fault.action
        return None


def _describe(action: FaultAction) -> str:
    if action.kind == "status":
        return f"status:{action.status}"
    if action.kind == "delay":
        return f"delay:{action.seconds:g}"
    if action.kind in ("huge", "huge_chunked"):
        return f"{action.kind}:{action.mib}"
    return action.kind
