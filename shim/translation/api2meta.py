"""API 2's own `api2_columns`, `api2_filter`, `api2_sort` and `api2_paginate` arguments, applied
to the rows a recipe or local function answered.

cPanel 11.120 ran every API 2 function and then, in its API 2 dispatcher (Cpanel/Api2/Exec.pm),
reshaped the rows it returned, in this order: columns, filter, sort, paginate. A translated
single-call entry hands these arguments to UAPI as `api.*` (UAPI's result does the same work
with the same rules); a recipe builds its own UAPI calls, so its rows are reshaped here, as API 2
did, with Perl's readings of the values (translation/perlvalues):

  * columns — `api2_columns=1` with `api2_columns_N=KEY`: the keys of the FIRST row that are not
    named are deleted from every row (a later row's other keys stay, as in cPanel); named keys
    the first row lacks are listed in `invalid_columns` with the sentence `invalid_columns_str`;
  * filter — `api2_filter=1` with `api2_filter_column[_N]`, `_type[_N]` (contains, begins, ends,
    matches, eq, ne, lt, gt, lt_handle_unlimited, gt_handle_unlimited; default contains) and
    `_term[_N]`: each valid filter keeps the rows it matches (a list value matches when one item
    does; column `*` matches on any value); `records_before_filter` reports the count before;
  * sort — `api2_sort=1` with `api2_sort_column[_N]`, `_method[_N]` (lexicographic, numeric,
    ipv4, numeric_zero_as_max; default and fallback lexicographic) and `_reverse[_N]`: the first
    column is the main key; equal rows keep their order;
  * paginate — `api2_paginate=1` with `api2_paginate_start` (from 1) and `api2_paginate_size`
    (default 100): the page's rows, and `paginate` {start_result, results_per_page,
    total_results, current_page, total_pages}. The start and size are reported as the client
    sent them (text) when valid, as numbers when defaulted; with `api2_paginate` present but
    false, every `paginate` value is null, as a fresh cPanel process had none.

Where cPanel's behaviour could not be followed exactly, the rows are left as they are rather
than guessed: rows that are not all objects, a `matches` pattern Python's regular expressions
cannot read (Perl died there), and a page start or size that is not a finite number.

A few API 2 functions did part of this work in their own backend and told the dispatcher so
(its %STATE): EmailTrack::search's SQL query filtered by every api2_filter, ordered by the first
api2_sort key and returned only the page. A recipe that has its upstream do the same says so
with `Backend` (translation/recipe's `Answer`), and only the rest is done here.
"""

from __future__ import annotations

import functools
import logging
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from shim.translation.perlvalues import perl_number, perl_numeric, perl_text, perl_true

log = logging.getLogger("api2shim")

DEFAULT_PAGE_SIZE = 100  # cPanel's page size when api2_paginate_size is absent or int() 0


@dataclass(frozen=True, slots=True)
class Backend:
    """What the function's own backend already did with the meta-arguments (cPanel's %STATE)."""

    filtered: bool = False  # every api2_filter was applied upstream: none is applied again
    sorted_first: bool = False  # the first api2_sort key was: only the other keys sort these rows
    page_total: int | None = None  # the rows are already the page, of this many results in all


NOTHING_DONE = Backend()


def reshape(rows: list[Any], args: Mapping[str, str],
            backend: Backend = NOTHING_DONE) -> tuple[list[Any], dict[str, Any]]:
    """The rows after API 2's meta-arguments, and the keys API 2 added beside `data`."""
    extra: dict[str, Any] = {}
    if not any(name.startswith("api2_") for name in args):
        return rows, extra
    if not all(isinstance(row, dict) for row in rows):
        log.info("api2_* arguments left unapplied: the answer's rows are not all objects")
        return rows, extra
    if perl_true(args.get("api2_columns")):
        rows = _columns(rows, args, extra)
    if perl_true(args.get("api2_filter")):
        extra["records_before_filter"] = len(rows)
        if rows and not backend.filtered:
            for column, kind, term in filters(args):
                rows = [row for row in rows if _row_matches(row, column, _MATCHERS[kind], term)]
    if perl_true(args.get("api2_sort")):
        keys = sort_keys(args)
        if backend.sorted_first and keys:
            keys = [key for key in keys if key != keys[0]]  # cPanel dropped every copy of the done key
        rows = _sort(rows, keys)
    if "api2_paginate" in args:
        if backend.page_total is not None and perl_true(args.get("api2_paginate")):
            _paginated_upstream(args, backend.page_total, extra)
        else:
            rows = _paginate(rows, args, extra)
    return rows, extra


def _ordered(args: Mapping[str, str], prefix: str) -> list[str | None]:
    """The ordinals of `PREFIXcolumn` (None) and `PREFIXcolumn_N`: the plain one first, then by N."""
    ordinals: list[str | None] = []
    for name in args:
        if name == prefix + "column":
            ordinals.append(None)
        elif name.startswith(prefix + "column_"):
            ordinals.append(name[len(prefix) + 7:])
    plain = [o for o in ordinals if o is None]
    numbered = sorted((o for o in ordinals if o is not None), key=lambda o: _sortable(perl_number(o)))
    return plain + numbered


def _sortable(number: int | float) -> float:
    return -math.inf if isinstance(number, float) and math.isnan(number) else number


def _key(prefix: str, base: str, ordinal: str | None) -> str:
    return prefix + base if ordinal is None else f"{prefix}{base}_{ordinal}"


# --- columns -------------------------------------------------------------------------------

def _columns(rows: list[dict[str, Any]], args: Mapping[str, str], extra: dict[str, Any]) -> list[dict[str, Any]]:
    wanted = [value for name, value in args.items() if name.startswith("api2_columns_")]
    if not rows:
        rows = [{}]  # cPanel read the first row's keys, which brought an empty one into being
    rows = [dict(row) for row in rows]  # keys are deleted below: the recipe's rows stay whole
    first = rows[0]
    invalid = [name for name in wanted if name not in first]
    drop = [key for key in first if key not in wanted]
    for row in rows:
        for key in drop:
            row.pop(key, None)
    if invalid:
        extra["invalid_columns_str"] = _invalid_columns_text(invalid)
        extra["invalid_columns"] = invalid
    return rows


def _invalid_columns_text(names: list[str]) -> str:
    quoted = [f"“{name}”" for name in names]
    if len(quoted) == 1:
        return f"{quoted[0]} is not a valid column."
    listed = f"{quoted[0]} and {quoted[1]}" if len(quoted) == 2 else ", ".join(quoted[:-1]) + f", and {quoted[-1]}"
    return f"{listed} are not valid columns."


# --- filter --------------------------------------------------------------------------------

def filters(args: Mapping[str, str], *, patterns: bool = True) -> list[tuple[str, str, str]]:
    """The valid api2_filter (column, type, term) triples, in cPanel's order. `patterns=False`:
    keep `matches` terms Python cannot read (for a backend that never reads them as patterns)."""
    prefix = "api2_filter_"
    found = []
    for ordinal in _ordered(args, prefix):
        column = args.get(_key(prefix, "column", ordinal))
        kind = args.get(_key(prefix, "type", ordinal)) or ""
        kind = kind if perl_true(kind) else "contains"
        term = args.get(_key(prefix, "term", ordinal))
        if not column or kind not in _MATCHERS:
            continue
        if kind != "eq" and not term:
            continue
        if kind == "matches" and patterns:
            try:
                re.compile(term or "")
            except re.error:
                log.info("api2_filter pattern left unapplied: Python cannot read it as Perl did")
                continue
        found.append((column, kind, term or ""))
    return found


def _row_matches(row: dict[str, Any], column: str, matcher: Callable[[Any, str], bool], term: str) -> bool:
    values = row.values() if column == "*" else (row.get(column),)
    for value in values:
        items = value if isinstance(value, list) else (value,)
        if any(matcher(item, term) for item in items):
            return True
    return False


def _unlimited(value: Any) -> bool:
    return value is not None and _fold(value) == "unlimited"


# cPanel's form values are bytes, where Perl's /i folds only the ASCII letters.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _fold(value: Any) -> str:
    return perl_text(value).translate(_ASCII_LOWER)


_MATCHERS: dict[str, Callable[[Any, str], bool]] = {
    "contains": lambda v, t: _fold(t) in _fold(v),
    "begins": lambda v, t: _fold(v).startswith(_fold(t)),
    "ends": lambda v, t: _fold(v).endswith(_fold(t)),
    "matches": lambda v, t: re.search(t, perl_text(v)) is not None,
    "eq": lambda v, t: perl_text(v) == t,
    "ne": lambda v, t: perl_text(v) != t,
    # cPanel kept an "unlimited" value under `lt` and dropped it under `gt` (its own comment
    # says the other way round would be right, and keeps it for compatibility).
    "lt": lambda v, t: _unlimited(v) or perl_numeric(v) < perl_number(t),
    "gt": lambda v, t: not _unlimited(v) and perl_numeric(v) > perl_number(t),
    "lt_handle_unlimited": lambda v, t: (_fold(v) != "unlimited" and perl_numeric(v) != 0
                                         and perl_numeric(v) < perl_number(t)),
    "gt_handle_unlimited": lambda v, t: (_fold(v) == "unlimited" or perl_numeric(v) == 0
                                         or perl_numeric(v) > perl_number(t)),
}


# --- sort ----------------------------------------------------------------------------------

def _three_way(a: Any, b: Any) -> int:
    return (a > b) - (a < b)


def _ipv4(value: Any) -> bytes:
    parts = perl_text(value).split(".")[:4] if perl_text(value) else []
    numbers = [int(perl_number(p)) & 0xFF if math.isfinite(perl_number(p)) else 0 for p in parts]
    return bytes(numbers + [0] * (4 - len(numbers)))


def _zero_as_max(a: float, b: float) -> int:
    if a != b:
        return 1 if a == 0 else -1 if b == 0 else _three_way(a, b)
    return 0


_ORDERS: dict[str, tuple[Callable[[Any], Any], Callable[[Any, Any], int]]] = {
    "lexicographic": (perl_text, _three_way),
    "numeric": (perl_numeric, _three_way),
    "ipv4": (_ipv4, _three_way),
    "numeric_zero_as_max": (perl_numeric, _zero_as_max),
}


def sort_keys(args: Mapping[str, str]) -> list[tuple[str, bool, str]]:
    """The api2_sort (column, reverse, method) keys, the main key first."""
    prefix = "api2_sort_"
    sorts = []
    for ordinal in _ordered(args, prefix):
        method = args.get(_key(prefix, "method", ordinal)) or ""
        sorts.append((args.get(_key(prefix, "column", ordinal)) or "",
                      perl_true(args.get(_key(prefix, "reverse", ordinal))),
                      method if method in _ORDERS else "lexicographic"))
    return sorts


def _sort(rows: list[dict[str, Any]], sorts: list[tuple[str, bool, str]]) -> list[dict[str, Any]]:
    if len(rows) <= 1:
        return rows
    for column, reverse, method in reversed(sorts):  # the first column ends as the main key
        read, compare = _ORDERS[method]
        pairs = [(read(row.get(column)), row) for row in rows]
        if reverse:  # cPanel's reverse orders compare b with a: equal rows still keep their order
            order = functools.cmp_to_key(lambda x, y: compare(y[0], x[0]))
        else:
            order = functools.cmp_to_key(lambda x, y: compare(x[0], y[0]))
        rows = [row for _, row in sorted(pairs, key=order)]
    return rows


# --- paginate ------------------------------------------------------------------------------

def page(args: Mapping[str, str]) -> tuple[Any, Any] | None:
    """(start, size) of a true `api2_paginate` as cPanel read them (the client's text when
    valid, else 1 and 100); None when there is no page to make."""
    if not perl_true(args.get("api2_paginate")):
        return None
    start_text, size_text = args.get("api2_paginate_start"), args.get("api2_paginate_size")
    start: Any = start_text if perl_true(start_text) and not perl_number(start_text) < 1 else 1
    size: Any = size_text if size_text is not None and _whole(perl_number(size_text)) else DEFAULT_PAGE_SIZE
    return start, size


def _finite_page(args: Mapping[str, str]) -> tuple[Any, Any] | None:
    """page(), or None as well when its start or size is not a finite number (left unapplied)."""
    found = page(args)
    if found is not None and not all(math.isfinite(perl_numeric(value)) for value in found):
        log.info("api2_paginate left unapplied: a start or size that is not a finite number")
        return None
    return found


_PAGINATE_KEYS = ("start_result", "results_per_page", "total_results", "current_page", "total_pages")


def _paginated_upstream(args: Mapping[str, str], total: int, extra: dict[str, Any]) -> None:
    """The backend made the page: cPanel's counts came from a page set up over no rows (so
    `total_pages` stayed 0) and `total_results` from the backend."""
    found = _finite_page(args)
    if found is None:
        return
    start, size = found
    extra["paginate"] = {
        "start_result": start,
        "results_per_page": size,
        "total_results": total,
        "current_page": math.ceil(perl_numeric(start) / perl_numeric(size)),
        "total_pages": 0,
    }


def _paginate(rows: list[dict[str, Any]], args: Mapping[str, str], extra: dict[str, Any]) -> list[dict[str, Any]]:
    if not perl_true(args.get("api2_paginate")):
        extra["paginate"] = dict.fromkeys(_PAGINATE_KEYS)
        return rows
    found = _finite_page(args)
    if found is None:
        return rows
    start, size = found
    start_n, size_n = perl_numeric(start), perl_numeric(size)
    total = len(rows)
    extra["paginate"] = {
        "start_result": start,
        "results_per_page": size,
        "total_results": total,
        "current_page": math.ceil(start_n / size_n),
        "total_pages": math.ceil(total / size_n),
    }
    begin = int(start_n - 1)
    if begin:
        rows = rows[begin:]
    end = start_n + size_n - 1
    if end and size_n <= len(rows) - 1:
        rows = rows[:int(size_n)]
    return rows


def _whole(number: int | float) -> bool:
    """Perl's int() of the number is not 0."""
    return not math.isfinite(number) or int(number) != 0
