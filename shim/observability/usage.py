"""The deprecation usage report: which API 2 functions are still called, by whom, how often.

The running shim keeps a `UsageTracker` (served as JSON at the admin listener's /usage);
the same rows can be rebuilt from access log files. Memory is bounded: names are cut to a
fixed length and past MAX_ROWS distinct (function, mode, client) rows new ones are only
counted in `dropped`. Per process: with several workers, ask each or read the access logs.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, TextIO

MAX_ROWS = 10_000
# Rows one client address may fill: a billing server calls a few dozen functions under a few
# accounts and User-Agents; a client forging User-Agents or accounts fills its own share only.
MAX_ROWS_PER_CLIENT = 200
# Refused calls (credentials the upstream did not accept: 401/403) are counted apart, per
# function, way handled and address, without the forgeable User-Agent and account.
MAX_REFUSED_ROWS = 1_000
MAX_NAME = 64  # a module or function name longer than any real one is cut
MAX_AGENT = 200
MODE_WORDS = {"translate": "translated", "passthrough": "passed through", "reject": "rejected",
              "unanswerable": "UNANSWERABLE (no route, no API 2 upstream)",
              "shadow": "native, shadowed", "canary-translate": "canary: translated",
              "canary-passthrough": "canary: passed through"}


@dataclass(slots=True)
class UsageRow:
    function: str
    mode: str
    auth: str | None  # "scheme user", never the secret
    client: str  # source address
    user_agent: str
    calls: int
    first_seen: float
    last_seen: float


def function_name(module: str, func: str) -> str:
    return f"{module[:MAX_NAME]}::{func[:MAX_NAME]}"


class UsageTracker:
    def __init__(self, max_rows: int = MAX_ROWS, max_per_client: int = MAX_ROWS_PER_CLIENT,
                 max_refused: int = MAX_REFUSED_ROWS) -> None:
        self.max_rows = max_rows
        self.max_per_client = max_per_client
        self.max_refused = max_refused
        self.rows: dict[tuple[str, str, str | None, str, str], UsageRow] = {}
        self.dropped = 0
        self.since = time.time()
        self.refused: dict[tuple[str, str, str], UsageRow] = {}
        self.refused_dropped = 0
        self._per_client: dict[str, int] = {}
        self.lines_read = 0  # access log lines given to add_log_lines
        self.unreadable_lines = 0  # ... that were not a JSON object

    def record(self, function: str, mode: str, auth: str | None, client: str, user_agent: str,
               when: float | None = None, calls: int = 1, *, refused: bool = False) -> None:
        when = time.time() if when is None else when
        if refused:
            self._record_refused(function, mode, client, when, calls)
            return
        user_agent = user_agent[:MAX_AGENT]
        key = (function, mode, auth, client, user_agent)
        row = self.rows.get(key)
        if row is None:
            held = self._per_client.get(client, 0)
            if len(self.rows) >= self.max_rows or held >= self.max_per_client:
                self.dropped += calls
                return
            self._per_client[client] = held + 1
            self.rows[key] = UsageRow(function, mode, auth, client, user_agent, calls, when, when)
            return
        row.calls += calls
        row.first_seen = min(row.first_seen, when)
        row.last_seen = max(row.last_seen, when)

    def _record_refused(self, function: str, mode: str, client: str, when: float, calls: int) -> None:
        key = (function, mode, client)
        row = self.refused.get(key)
        if row is None:
            if len(self.refused) >= self.max_refused:
                self.refused_dropped += calls
                return
            self.refused[key] = UsageRow(function, mode, None, client, "", calls, when, when)
            return
        row.calls += calls
        row.first_seen = min(row.first_seen, when)
        row.last_seen = max(row.last_seen, when)

    def record_now(self, function: str, mode: str, auth: str | None, client: str, user_agent: str,
                   now: float, refused: bool = False) -> None:
        """One live call at `now` (per request, so kept short).

        `user_agent` must already be cut to MAX_AGENT. `refused`: the upstream did not accept
        the call's credentials (counted apart, aggregated).
        """
        if refused:
            self._record_refused(function, mode, client, now, 1)
            return
        row = self.rows.get((function, mode, auth, client, user_agent))
        if row is None:
            self.record(function, mode, auth, client, user_agent, now)
            return
        row.calls += 1
        if now > row.last_seen:  # the wall clock may step back
            row.last_seen = now

    def as_json(self) -> dict[str, Any]:
        return {"since": self.since, "dropped": self.dropped, "rows": [asdict(r) for r in self.sorted_rows()],
                "refused": [asdict(r) for r in sorted(self.refused.values(), key=lambda r: (r.function, r.client))],
                "refused_dropped": self.refused_dropped}

    def sorted_rows(self) -> list[UsageRow]:
        return sorted(self.rows.values(), key=lambda r: (r.function, r.mode, -r.calls, r.auth or "", r.client))

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> "UsageTracker":
        tracker = cls()
        tracker.since = document.get("since", tracker.since)
        tracker.dropped = document.get("dropped", 0)
        for fields in document.get("rows", []):
            row = UsageRow(**fields)
            tracker.rows[(row.function, row.mode, row.auth, row.client, row.user_agent)] = row
        tracker.refused_dropped = document.get("refused_dropped", 0)
        for fields in document.get("refused", []):
            row = UsageRow(**fields)
            tracker.refused[(row.function, row.mode, row.client)] = row
        return tracker

    def add_log_lines(self, lines: Iterable[str]) -> int:
        """Count the API 2 calls of access log lines; returns how many. Lines that are not a
        JSON object are skipped and counted in `unreadable_lines` (`lines_read` counts all)."""
        seen = 0
        for line in lines:
            line = line.strip()
            if not line:
                continue
            self.lines_read += 1
            try:
                entry = json.loads(line) if line.startswith("{") else None
            except ValueError:
                entry = None
            if not isinstance(entry, dict):
                self.unreadable_lines += 1
                continue
            if not entry.get("api2"):
                continue
            when = _parse_time(entry.get("ts"))
            self.record(str(entry["api2"]), str(entry.get("mode", "")), entry.get("auth"),
                        str(entry.get("client", "")), str(entry.get("ua") or ""), when,
                        refused=is_refused(entry.get("outcome"), entry.get("status")))
            seen += 1
        if seen and self.rows:
            self.since = min(r.first_seen for r in self.rows.values())
        return seen


def is_refused(outcome: Any, status: Any) -> bool:
    """A call whose credentials the upstream did not accept (or that got 401/403): anyone can
    send those, with any User-Agent, so they are counted apart and never fill real rows."""
    return outcome == "denied" or status in (401, 403)


def _parse_time(text: Any) -> float:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return time.time()


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


COLUMNS = ("function", "handled", "calls", "first seen (UTC)", "last seen (UTC)", "auth", "source", "user agent")


def write_report(tracker: UsageTracker, out: TextIO, source: str) -> None:
    """A table an operator reads to plan the cut-over: one line per function, way handled and client."""
    rows = tracker.sorted_rows()
    functions = {r.function for r in rows}
    calls = sum(r.calls for r in rows)
    out.write(f"API 2 usage from {source} since {_when(tracker.since)} UTC: "
              f"{len(functions)} functions, {calls} calls\n")
    if tracker.dropped:
        out.write(f"({tracker.dropped} calls from further clients were counted but not itemised)\n")
    if tracker.refused or tracker.refused_dropped:
        refused = sum(r.calls for r in tracker.refused.values()) + tracker.refused_dropped
        addresses = len({r.client for r in tracker.refused.values()})
        out.write(f"({refused} refused calls (credentials not accepted) from {addresses} addresses, counted apart)\n")
    if not rows:
        return
    table = [COLUMNS] + [
        (r.function, MODE_WORDS.get(r.mode, r.mode), str(r.calls), _when(r.first_seen), _when(r.last_seen),
         r.auth or "-", r.client or "-", r.user_agent or "-")
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(COLUMNS) - 1)]
    for row in table:
        cells = [cell.rjust(w) if i == 2 else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        out.write("  ".join(cells + [row[-1]]).rstrip() + "\n")
    for mode, heading in _AT_RISK:
        calls: dict[str, int] = {}
        for r in rows:
            if r.mode == mode:
                calls[r.function] = calls.get(r.function, 0) + r.calls
        if calls:
            listed = ", ".join(f"{name} ({n} call{'s' if n != 1 else ''})" for name, n in sorted(calls.items()))
            out.write(f"\n{heading}: {listed}\n")


# The calls an operator must act on before (or since) cPanel removes API 2.
_AT_RISK = (
    ("passthrough", "Will break when cPanel removes API 2 (answered by native API 2 only)"),
    ("unanswerable", "Unanswerable now (no route, and the upstream serves no native API 2)"),
)


FETCH_TIMEOUT = 10.0


def fetch_usage(address: str, token: str | None = None) -> UsageTracker:
    """The rows of a running shim, from its admin listener at HOST:PORT (`token`: admin.token_file's)."""
    return UsageTracker.from_json(fetch_usage_document(address, token))


def fetch_usage_document(address: str, token: str | None = None) -> dict[str, Any]:
    """A running shim's whole /usage document (the rows, and the rollout report's)."""
    from urllib.request import Request, urlopen

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = Request(f"http://{address}/usage", headers=headers)
    with urlopen(request, timeout=FETCH_TIMEOUT) as answer:  # noqa: S310 - operator-given address
        return json.loads(answer.read())


def merged(trackers: Iterable[UsageTracker]) -> UsageTracker:
    """Several processes' rows as one report: calls add up, first and last seen widen."""
    out = UsageTracker(max_rows=sys.maxsize, max_per_client=sys.maxsize, max_refused=sys.maxsize)
    for tracker in trackers:
        out.since = min(out.since, tracker.since)
        out.dropped += tracker.dropped
        for key, row in tracker.rows.items():
            have = out.rows.get(key)
            if have is None:
                out.rows[key] = UsageRow(**asdict(row))
                continue
            have.calls += row.calls
            have.first_seen = min(have.first_seen, row.first_seen)
            have.last_seen = max(have.last_seen, row.last_seen)
        out.refused_dropped += tracker.refused_dropped
        for row in tracker.refused.values():
            out.record(row.function, row.mode, None, row.client, "", row.first_seen, row.calls, refused=True)
            out.refused[(row.function, row.mode, row.client)].last_seen = max(
                out.refused[(row.function, row.mode, row.client)].last_seen, row.last_seen)
    return out


# With several workers each one saves its rows here, in the metrics directory they share.
SHARE_PREFIX = "usage-"


def save_share(tracker: UsageTracker, directory: Path, pid: int) -> None:
    target = directory / f"{SHARE_PREFIX}{pid}.json"
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(tracker.as_json()), encoding="utf-8")
    temporary.replace(target)  # readers see the old file or the new one, never half of one


def load_shares(directory: Path, except_pid: int) -> list[UsageTracker]:
    """Every other process's saved rows (workers that have exited included: their calls happened)."""
    found = []
    for path in sorted(directory.glob(f"{SHARE_PREFIX}*.json")):
        if path.name == f"{SHARE_PREFIX}{except_pid}.json":
            continue
        try:
            found.append(UsageTracker.from_json(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, TypeError, KeyError):
            continue  # a file being replaced or damaged: the next look gets it
    return found
