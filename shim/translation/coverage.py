"""What the mapping table does with every API 2 function (`python -m shim coverage`).

Pure: a loaded `MappingTable` and the list of API 2 functions (`api2_functions.py`) go
in, a `Coverage` report comes out, and three renderers print it. Each function of the
list lands in exactly one bucket, after the upstream-version gate:

* translate   — the shim answers it without native API 2 on this upstream: one UAPI call the
                YAML describes ("translated"), or a Python function the entry names
                (`recipe`: several upstream calls; `local`: none — docs/recipes.md). Recipes
                that need WHM API 1 answer on the WHM port only, and those whose call WHM's
                uapi_cpanel cannot make (file uploads) on the cPanel port only; both are listed;
* passthrough — the entry forwards it unchanged; grouped by the entry's reason, and
                translate entries whose UAPI function is newer than the upstream count
                here with a reason naming the version;
* reject      — the entry answers "Could not find function";
* no entry    — the table does not name it, so the configured default mode applies.

The split translated / recipe / local / no route (everything that would need native API 2)
is what an operator plans the removal of API 2 with. "Inferred" lists the functions that translate on facts marked confidence medium or low.
Entries for functions missing from the list are reported apart (a typo, or a custom
module) and do not change the totals, which always add up to the list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from shim.translation.mapping import UNANSWERABLE, MappingTable

BUCKETS = ("translate", "passthrough", "reject", "no_entry")
INFERRED_CONFIDENCES = ("medium", "low")
FORMATS = ("table", "markdown", "json")
_HEADINGS = {"translate": "translate", "passthrough": "passthrough", "reject": "reject", "no_entry": "no entry"}


@dataclass
class Counts:
    functions: int = 0
    translate: int = 0
    recipe: int = 0  # of translate: answered by a recipe
    local: int = 0  # of translate: answered by the shim alone
    passthrough: int = 0
    reject: int = 0
    no_entry: int = 0
    inferred: int = 0

    def add(self, bucket: str) -> None:
        self.functions += 1
        setattr(self, bucket, getattr(self, bucket) + 1)

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in ("functions", *BUCKETS, "recipe", "local", "inferred")}

    def split(self) -> dict[str, int]:
        """translated / recipe / local / no route: how each function is answered once API 2 is gone."""
        return {
            "translated": self.translate - self.recipe - self.local,
            "recipe": self.recipe,
            "local": self.local,
            "no_route": self.passthrough + self.reject + self.no_entry,
        }


@dataclass
class Coverage:
    upstream_version: str | None
    default_mode: str
    upstream_api2: str = "present"
    modules: dict[str, Counts] = field(default_factory=dict)
    total: Counts = field(default_factory=Counts)
    passthrough_reasons: dict[str, list[str]] = field(default_factory=dict)  # reason → functions
    rejected: list[str] = field(default_factory=list)
    no_entry: list[str] = field(default_factory=list)
    inferred: list[tuple[str, str]] = field(default_factory=list)  # (function, confidence)
    outside_list: list[str] = field(default_factory=list)  # entries naming no known API 2 function
    whm_only: list[str] = field(default_factory=list)  # recipes that need WHM API 1: the WHM port only
    cpanel_only: list[str] = field(default_factory=list)  # recipes whose call uapi_cpanel cannot make


def version_reason(since: tuple[int, ...], upstream: tuple[int, ...]) -> str:
    return f"its UAPI function needs cPanel {_dotted(since)}; the upstream is {_dotted(upstream)}"


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in version)


def compute(
    table: MappingTable, functions: dict[str, tuple[str, ...]], only_modules: frozenset[str] | None = None
) -> Coverage:
    """Sort every function of `functions` (module → names) into one bucket.

    `only_modules` narrows the report to those modules (entries outside the list too).
    """
    report = Coverage(
        upstream_version=_dotted(table.upstream_version) if table.upstream_version else None,
        default_mode=table.default_mode,
        upstream_api2=table.upstream_api2,
    )
    known = {(module, func) for module, names in functions.items() for func in names}
    for module in sorted(functions, key=str.lower):
        if only_modules is not None and module not in only_modules:
            continue
        counts = report.modules.setdefault(module, Counts())
        for func in sorted(functions[module]):
            name = f"{module}::{func}"
            entry = table.lookup(module, func)
            if entry is None:
                bucket = "no_entry"
                report.no_entry.append(name)
            else:
                bucket = table.mode_for(entry)
                if bucket == UNANSWERABLE:
                    bucket = "passthrough"  # the entry passes through; the upstream has nothing to pass to
                if bucket == "passthrough":
                    reason = entry.reason
                    if entry.mode == "translate":
                        assert entry.since is not None and table.upstream_version is not None
                        reason = version_reason(entry.since, table.upstream_version)
                    report.passthrough_reasons.setdefault(reason, []).append(name)
                elif bucket == "reject":
                    report.rejected.append(name)
                else:
                    if entry.recipe is not None:
                        for tally in (counts, report.total):
                            setattr(tally, entry.recipe_kind, getattr(tally, entry.recipe_kind) + 1)
                        if getattr(entry.recipe, "whm_only", False):
                            report.whm_only.append(name)
                        if getattr(entry.recipe, "cpanel_only", False):
                            report.cpanel_only.append(name)
                    if entry.confidence in INFERRED_CONFIDENCES:
                        report.inferred.append((name, entry.confidence))
                        counts.inferred += 1
                        report.total.inferred += 1
            counts.add(bucket)
            report.total.add(bucket)
    report.outside_list = sorted(
        entry.name
        for key, entry in table.entries.items()
        if key not in known and (only_modules is None or key[0] in only_modules)
    )
    return report


def render(report: Coverage, fmt: str) -> str:
    if fmt == "json":
        return render_json(report)
    if fmt == "markdown":
        return render_markdown(report)
    return render_table(report)


def as_document(report: Coverage) -> dict[str, Any]:
    return {
        "upstream_version": report.upstream_version,
        "default_mode": report.default_mode,
        "upstream_api2": report.upstream_api2,
        "total": report.total.as_dict(),
        "split": report.total.split(),
        "modules": {module: counts.as_dict() for module, counts in report.modules.items()},
        "passthrough_reasons": [
            {"reason": reason, "count": len(names), "functions": names}
            for reason, names in _by_count(report.passthrough_reasons)
        ],
        "reject": report.rejected,
        "no_entry": report.no_entry,
        "inferred": [{"function": name, "confidence": confidence} for name, confidence in report.inferred],
        "whm_port_only": report.whm_only,
        "cpanel_port_only": report.cpanel_only,
        "not_in_function_list": report.outside_list,
    }


def render_json(report: Coverage) -> str:
    return json.dumps(as_document(report), indent=2) + "\n"


def _by_count(reasons: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    return sorted(reasons.items(), key=lambda item: (-len(item[1]), item[0]))


def _title(report: Coverage) -> str:
    version = report.upstream_version or "not stated (assumed current)"
    title = (f"API 2 coverage: {report.total.functions} functions; upstream cPanel version: {version}; "
             f"functions without an entry: {report.default_mode}")
    if report.upstream_api2 == "absent":
        title += "; the upstream serves no native API 2: every function without a route is unanswerable"
    return title


def _rows(report: Coverage) -> list[list[str]]:
    rows = [[module, *(str(v) for v in counts.as_dict().values())] for module, counts in report.modules.items()]
    rows.append(["total", *(str(v) for v in report.total.as_dict().values())])
    return rows


_COLUMNS = ["module", "functions", *(_HEADINGS[b] for b in BUCKETS), "recipe", "local", "inferred"]


def render_table(report: Coverage) -> str:
    rows = _rows(report)
    widths = [max(len(row[i]) for row in [_COLUMNS, *rows]) for i in range(len(_COLUMNS))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:])]
        return "  ".join([first, *rest]).rstrip()

    out = [_title(report), "", line(_COLUMNS), *(line(row) for row in rows)]
    out.extend(_details(report, bullet="  "))
    return "\n".join(out) + "\n"


def render_markdown(report: Coverage) -> str:
    out = [_title(report), "", "| " + " | ".join(_COLUMNS) + " |", "|---" + "|---:" * (len(_COLUMNS) - 1) + "|"]
    for row in _rows(report):
        if row[0] == "total":
            row = [f"**{cell}**" for cell in row]
        out.append("| " + " | ".join(row) + " |")
    out.extend(_details(report, bullet="- ", code=True))
    return "\n".join(out) + "\n"


def _details(report: Coverage, *, bullet: str, code: bool = False) -> list[str]:
    def name(text: str) -> str:
        return f"`{text}`" if code else text

    split = report.total.split()
    out: list[str] = ["", "Without native API 2: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in split.items())
                      + f" (answered: {report.total.translate} of {report.total.functions})"]
    if report.whm_only:
        out.append(f"{bullet}answered on the WHM port only (they need WHM API 1; on the cPanel port native API 2 "
                   f"while the upstream serves it, else cPanel's unknown-function answer): "
                   f"{', '.join(name(n) for n in report.whm_only)}")
    if report.cpanel_only:
        out.append(f"{bullet}answered on the cPanel port only (WHM API 1's uapi_cpanel cannot make their call; on "
                   f"the WHM port native API 2 while it is served, else cPanel's unknown-function answer): "
                   f"{', '.join(name(n) for n in report.cpanel_only)}")
    if report.passthrough_reasons:
        out += ["", "Passed through, by reason:"]
        for reason, names in _by_count(report.passthrough_reasons):
            out.append(f"{bullet}{len(names)} × {reason}: {', '.join(name(n) for n in names)}")
    if report.rejected:
        out += ["", f"Rejected: {', '.join(name(n) for n in report.rejected)}"]
    if report.inferred:
        out += ["", "Translated on inferred facts (confidence medium or low):"]
        out += [f"{bullet}{name(n)} ({confidence})" for n, confidence in report.inferred]
    if report.no_entry:
        out += ["", f"No entry ({report.default_mode}): {', '.join(name(n) for n in report.no_entry)}"]
    if report.outside_list:
        out += ["", f"Entries for functions not in the API 2 function list: {', '.join(name(n) for n in report.outside_list)}"]
    return out
