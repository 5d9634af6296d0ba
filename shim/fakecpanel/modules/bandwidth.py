"""UAPI Bandwidth::query: the account's traffic totals, grouped as asked.

cPanel's code (Cpanel/API/Bandwidth.pm) answers nested objects, one level per `grouping`
name in order (`domain`, `protocol`, or one time unit: `year`, `year_month`,
`year_month_day`), with the byte count at the leaves; time keys are the Unix time at which
the period starts in the server's time zone (UTC here). `domains` and `protocols` filter
(`|`-separated); `start` and `end` are Unix times.

The 11.125 description types every leaf as an object, while cPanel's code (and this fake)
answers byte counts: the contract samples are chosen so that the answer is empty.

Demo seed, per account: HTTP traffic on the primary domain in two months and IMAP traffic
(recorded without a domain, as cPanel's `UNKNOWN`) in the later one. Tests replace
`bandwidth_state(account).records`.
"""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass, field
from typing import Any

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from ..state import CpanelAccount

TIME_UNITS = ("year", "year_month", "year_month_day")
GROUPINGS = ("domain", "protocol", *TIME_UNITS)


@dataclass(frozen=True, slots=True)
class Traffic:
    domain: str
    protocol: str
    when: int  # Unix time
    bytes: int


@dataclass(slots=True)
class BandwidthState:
    records: list[Traffic] = field(default_factory=list)


def _seed(account: CpanelAccount) -> BandwidthState:
    return BandwidthState([
        Traffic(account.domain, "http", calendar.timegm((2026, 10, 5, 12, 0, 0)), 1_000_000),
        Traffic(account.domain, "http", calendar.timegm((2026, 11, 2, 8, 0, 0)), 2_500_000),
        Traffic("UNKNOWN", "imap", calendar.timegm((2026, 11, 20, 9, 30, 0)), 40_000),
    ])


def bandwidth_state(account: CpanelAccount) -> BandwidthState:
    return account.module_state("Bandwidth", _seed)


def _period_start(unit: str, when: int) -> int:
    t = time.gmtime(when)
    month = 1 if unit == "year" else t.tm_mon
    day = t.tm_mday if unit == "year_month_day" else 1
    return calendar.timegm((t.tm_year, month, day, 0, 0, 0))


def _key(name: str, record: Traffic) -> str:
    if name == "domain":
        return record.domain
    if name == "protocol":
        return record.protocol
    return str(_period_start(name, record.when))


def _int_arg(args: Args, name: str) -> int | None:
    value = args.get(name, "")
    if not value:
        return None
    if not value.isdigit():
        raise UapiError(f"“{value}” is not a valid Unix time for “{name}”.")
    return int(value)


@uapi_function("Bandwidth", "query", samples=[
    {"grouping": "year_month", "domains": "nowhere.test"},
    {"grouping": "domain|year_month_day", "protocols": "ftp"}])
def query(ctx: UapiContext, args: Args) -> UapiOutcome:
    grouping = [name for name in args.get("grouping", "").split("|") if name]
    if not grouping:
        raise UapiError("You must specify the “grouping” parameter.")
    unknown = [name for name in grouping if name not in GROUPINGS]
    if unknown:
        raise UapiError(f"“{unknown[0]}” is not a valid grouping.")
    if sum(name in TIME_UNITS for name in grouping) > 1:
        raise UapiError("The “grouping” parameter may include only one time unit.")
    domains = {d for d in args.get("domains", "").split("|") if d}
    protocols = {p for p in args.get("protocols", "").split("|") if p}
    start, end = _int_arg(args, "start"), _int_arg(args, "end")
    data: dict[str, Any] = {}
    for record in bandwidth_state(ctx.account).records:
        if (domains and record.domain not in domains) or (protocols and record.protocol not in protocols):
            continue
        if (start is not None and record.when < start) or (end is not None and record.when > end):
            continue
        node = data
        for name in grouping[:-1]:
            node = node.setdefault(_key(name, record), {})
        leaf = _key(grouping[-1], record)
        node[leaf] = node.get(leaf, 0) + record.bytes
    return UapiOutcome.ok(data)
