"""What shadow mode found, per function, and the rollout report built from it.

The running shim keeps a `ShadowLedger` (in `Runtime`): per function the comparisons that
agreed, differed, could not be made (the translated call failed: `error`) or were not
made (`skipped`: the shadow concurrency limit was reached, or the native answer was not a
complete JSON document), the general paths that differed most, and a bounded store of the
latest mismatches with both values, redacted. Every comparison is also one line in the
access log (`{"shadow": "Module::func", "result": …, "paths": […]}`, no values), so the
report can be rebuilt over days from log files.

The report joins that with the usage rows (calls per function and way handled) and the
table (effective mode, whether anything can translate): one verdict per function.
"""

from __future__ import annotations

import json
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, NamedTuple, TextIO

from shim.observability import redact
from shim.observability.usage import UsageTracker
from shim.observability.usage import _parse_time as parse_time  # the same time format
from shim.translation.compare import Difference, general
from shim.translation.mapping import MappingTable
from shim.translation.rollout import DEFAULT_KEEP_MISMATCHES, DEFAULT_READY_AFTER, describe

RESULTS = ("agree", "differ", "error", "skipped")
MAX_FUNCTIONS = 1_000  # bounded like the usage rows: only mapped functions are shadowed anyway
MAX_PATHS = 50  # distinct differing paths counted per function
MAX_NOISE = 50  # learned noise paths kept per function
MAX_VALUE = 200  # characters of a value kept in the mismatch store
TOP_PATHS = 3


@dataclass(slots=True)
class FunctionShadow:
    agree: int = 0
    differ: int = 0
    error: int = 0
    skipped: int = 0
    first: float = 0.0  # first comparison (agree or differ)
    last: float = 0.0
    paths: dict[str, int] = field(default_factory=dict)  # general path → comparisons it differed in
    noise: set[str] = field(default_factory=set)  # paths where native API 2 differed from itself

    @property
    def compared(self) -> int:
        return self.agree + self.differ

    def as_json(self) -> dict[str, Any]:
        return {"agree": self.agree, "differ": self.differ, "error": self.error, "skipped": self.skipped,
                "first": self.first, "last": self.last, "paths": self.paths, "noise": sorted(self.noise)}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> "FunctionShadow":
        return cls(doc.get("agree", 0), doc.get("differ", 0), doc.get("error", 0), doc.get("skipped", 0),
                   doc.get("first", 0.0), doc.get("last", 0.0), dict(doc.get("paths", {})), set(doc.get("noise", [])))


class ShadowLedger:
    def __init__(self, keep_mismatches: int = DEFAULT_KEEP_MISMATCHES) -> None:
        self.functions: dict[str, FunctionShadow] = {}
        self.mismatches: deque[dict[str, Any]] = deque(maxlen=keep_mismatches)
        self.in_flight = 0  # background comparisons running (the concurrency bound)

    def keep(self, mismatches: int) -> None:
        if self.mismatches.maxlen != mismatches:
            self.mismatches = deque(self.mismatches, maxlen=mismatches)

    def _of(self, function: str) -> FunctionShadow | None:
        found = self.functions.get(function)
        if found is None and len(self.functions) < MAX_FUNCTIONS:
            found = self.functions[function] = FunctionShadow()
        return found

    def count(self, function: str, result: str) -> None:
        """A comparison that could not be made (`error`, `skipped`)."""
        shadow = self._of(function)
        if shadow is not None:
            setattr(shadow, result, getattr(shadow, result) + 1)

    def compared(self, function: str, differences: list[Difference], when: float | None = None,
                 request_id: str = "", secret: Iterable[str] = ()) -> None:
        when = time.time() if when is None else when
        shadow = self._of(function)
        if shadow is None:
            return
        shadow.first = min(shadow.first, when) if shadow.first else when
        shadow.last = max(shadow.last, when)
        if not differences:
            shadow.agree += 1
            return
        shadow.differ += 1
        for form in {general(d.path) for d in differences}:
            if form in shadow.paths or len(shadow.paths) < MAX_PATHS:
                shadow.paths[form] = shadow.paths.get(form, 0) + 1
        if self.mismatches.maxlen:
            self.mismatches.append({
                "time": when, "id": request_id, "function": function,
                "differences": [{"path": d.path, "native": _shown(d.path, d.native, secret),
                                 "translated": _shown(d.path, d.translated, secret)} for d in differences],
            })

    def learn_noise(self, function: str, paths: Iterable[str]) -> frozenset[str]:
        """Add paths native API 2 disagreed with itself on; returns all known for the function."""
        shadow = self._of(function)
        if shadow is None:
            return frozenset(paths)
        for path in paths:
            if len(shadow.noise) < MAX_NOISE:
                shadow.noise.add(general(path))
        return frozenset(shadow.noise)

    def noise_of(self, function: str) -> frozenset[str]:
        shadow = self.functions.get(function)
        return frozenset(shadow.noise) if shadow else frozenset()

    def as_json(self) -> dict[str, Any]:
        return {"functions": {name: s.as_json() for name, s in sorted(self.functions.items())},
                "mismatches": list(self.mismatches)}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> "ShadowLedger":
        ledger = cls()
        ledger.functions = {name: FunctionShadow.from_json(s) for name, s in doc.get("functions", {}).items()}
        ledger.mismatches.extend(doc.get("mismatches", []))
        return ledger

    def add_log_lines(self, lines: Iterable[str]) -> int:
        """Count the shadow lines of access logs (other lines are skipped); returns how many."""
        seen = 0
        for line in lines:
            line = line.strip()
            if not line.startswith('{"') or '"shadow"' not in line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if not isinstance(entry, dict) or not isinstance(entry.get("shadow"), str) or entry.get("result") not in RESULTS:
                continue
            when = parse_time(entry.get("ts"))
            name, result = entry["shadow"], entry["result"]
            if result in ("agree", "differ"):
                paths = [p for p in entry.get("paths") or [] if isinstance(p, str)]
                found = [Difference(p, None, None) for p in paths or ["?"]] if result == "differ" else []
                self.compared(name, found, when)
            else:
                self.count(name, result)
            seen += 1
        self.mismatches.clear()  # the log lines hold no values
        return seen


def log_line(stamp: str, request_id: str, function: str, result: str, differences: list[Difference]) -> str:
    """The access log line of one comparison: paths only, never values."""
    return json.dumps({"ts": stamp, "id": request_id, "shadow": function, "result": result,
                       "paths": [d.path for d in differences] or None}, separators=(",", ":"))


def _shown(path: str, value: Any, secret: Iterable[str]) -> Any:
    """A value as the mismatch store keeps it: masked under a secret-looking key, long text cut."""
    if any(redact.is_secret_name(part, secret) for part in path.split(".") if not part.isdigit()):
        return redact.MASK
    if isinstance(value, str):
        if "PRIVATE KEY" in value:
            return redact.MASK
        return value if len(value) <= MAX_VALUE else value[:MAX_VALUE] + "…"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False)
        return value if len(text) <= MAX_VALUE else text[:MAX_VALUE] + "…"
    return value


# --- the report -----------------------------------------------------------------------------

READY = "ready to translate"
DIFFERS = "differs"
NO_ROUTE = "no route"


class ReportRow(NamedTuple):
    function: str
    mode: str
    calls: int
    ways: str  # how the calls were handled, e.g. "108 native, 12 translated"
    agreement: str  # e.g. "412/412 agree over 3 days", or "-"
    paths: str  # most frequent differing paths, e.g. "data.*.homedir (3)"
    verdict: str


def verdict(mode: str, translatable: bool, read_only: bool, shadow: FunctionShadow | None, ready_after: int) -> str:
    if not translatable:
        return NO_ROUTE
    if shadow is not None and shadow.differ:
        return DIFFERS
    compared = shadow.compared if shadow else 0
    if compared >= ready_after:
        return READY
    if mode == "translate":
        return "translated"
    if not read_only:
        return "write: prove by canary"
    return f"shadow more ({compared}/{ready_after} calls)"


def build(
    usage: UsageTracker, ledger: ShadowLedger, table: MappingTable | None, *, ready_after: int = DEFAULT_READY_AFTER
) -> list[ReportRow]:
    """One row per function that was called or shadowed."""
    calls: dict[str, dict[str, int]] = {}
    for row in usage.rows.values():
        ways = calls.setdefault(row.function, {})
        ways[row.mode] = ways.get(row.mode, 0) + row.calls
    rows = []
    for function in sorted(set(calls) | set(ledger.functions), key=str.lower):
        module, _, func = function.partition("::")
        shadow = ledger.functions.get(function)
        ways = calls.get(function, {})
        if table is not None:
            entry = table.lookup(module, func)
            route = table.route(module, func, entry)
            mode = describe(route) if route is not None else table.mode_for(entry)
            translatable = entry is not None and entry.mode == "translate" and table.upstream_supports(entry)
            read_only = entry is not None and entry.read_only
        else:  # from logs without a table: what the calls show
            mode = "/".join(sorted(ways)) or "-"
            translatable, read_only = True, True
        rows.append(ReportRow(
            function=function, mode=mode, calls=sum(ways.values()), ways=_ways(ways),
            agreement=_agreement(shadow), paths=_top_paths(shadow),
            verdict=verdict(mode, translatable, read_only, shadow, ready_after)))
    return rows


_WAY_WORDS = {"translate": "translated", "passthrough": "native", "reject": "rejected", "shadow": "native+shadow",
              "canary-translate": "canary translated", "canary-passthrough": "canary native"}


def _ways(ways: dict[str, int]) -> str:
    return ", ".join(f"{n} {_WAY_WORDS.get(mode, mode or '?')}" for mode, n in sorted(ways.items(), key=lambda i: -i[1])) or "-"


def _agreement(shadow: FunctionShadow | None) -> str:
    if shadow is None or not (shadow.compared or shadow.error or shadow.skipped):
        return "-"
    text = f"{shadow.agree}/{shadow.compared} agree"
    if shadow.compared:
        text += f" over {_span(shadow.last - shadow.first)}"
    extra = [f"{n} {what}" for what, n in (("failed", shadow.error), ("skipped", shadow.skipped)) if n]
    return text + (f" ({', '.join(extra)})" if extra else "")


def _span(seconds: float) -> str:
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.0f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.0f} h"
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


def _top_paths(shadow: FunctionShadow | None) -> str:
    if shadow is None or not shadow.paths:
        return "-"
    top = sorted(shadow.paths.items(), key=lambda item: (-item[1], item[0]))[:TOP_PATHS]
    return ", ".join(f"{path} ({count})" for path, count in top)


COLUMNS = ("function", "mode", "calls", "handled", "shadow agreement", "most frequent differences", "verdict")


def _cells(row: ReportRow) -> tuple[str, ...]:
    return (row.function, row.mode, str(row.calls), row.ways, row.agreement, row.paths, row.verdict)


def write_text(rows: list[ReportRow], out: TextIO) -> None:
    out.write("Rollout (shadow comparison against native API 2):\n")
    if not rows:
        out.write("  no API 2 calls yet\n")
        return
    table = [COLUMNS] + [_cells(r) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(COLUMNS) - 1)]
    for row in table:
        cells = [cell.rjust(w) if i == 2 else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        out.write("  ".join(cells + [row[-1]]).rstrip() + "\n")


def write_markdown(rows: list[ReportRow], out: TextIO, source: str, since: float, ready_after: int) -> None:
    """The report as a Markdown document to attach to a change ticket."""
    when = datetime.fromtimestamp(since, timezone.utc).strftime("%Y-%m-%d %H:%M")
    out.write(f"# API 2 rollout report\n\nSource: {source}, since {when} UTC. "
              f"A function is *ready to translate* after {ready_after} shadowed calls that all agreed.\n\n")
    out.write("| " + " | ".join(COLUMNS) + " |\n|" + "|".join("---:" if c == "calls" else "---" for c in COLUMNS) + "|\n")
    for row in rows:
        out.write("| " + " | ".join(cell.replace("|", "\\|") for cell in _cells(row)) + " |\n")
    ready = [r.function for r in rows if r.verdict == READY and r.mode != "translate"]
    differs = [r.function for r in rows if r.verdict == DIFFERS]
    out.write(f"\nReady to translate: {', '.join(ready) or 'none'}.  \nDiffers: {', '.join(differs) or 'none'}.\n")
