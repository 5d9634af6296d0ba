"""Stats: the bandwidth answers API 2 read from cPanel's bandwidth database, from UAPI
Bandwidth::query (the same database, cPanel 11.120 Cpanel/API/Bandwidth.pm).

API 2 keyed months as `YYYY-MM` in the server's local time; UAPI keys a period by the Unix
time at which it starts in that time zone. The zone is not known here, but a local month
start lies between 14 hours before and 12 hours after midnight UTC of the 1st, so the UTC
month of (key + 14 hours) is the local month, whatever the zone. A failed read dies, as
API 2 did when the database could not be read.
"""

from __future__ import annotations

import calendar
import time
from typing import Any

from shim.translation.recipe import RecipeCall

_LATEST_OFFSET = 14 * 3600  # the furthest time zone east of UTC (UTC+14)


def month_of(key: Any) -> str:
    """`YYYY-MM` of a UAPI month key (the Unix time of the month's local start)."""
    t = time.gmtime(int(key) + _LATEST_OFFSET)
    return f"{t.tm_year:04d}-{t.tm_mon:02d}"


async def _by_start(call: RecipeCall, grouping: str) -> dict[int, Any]:
    """UAPI's answer by month start (Unix time); keys that are not times are left out."""
    data = await call.uapi_data("Bandwidth", "query", {"grouping": grouping}, died=True)
    if not isinstance(data, dict):
        return {}
    return {int(key): value for key, value in data.items() if str(key).isdigit() and len(str(key)) <= 11}


async def _by_month(call: RecipeCall, grouping: str) -> dict[str, Any]:
    return {month_of(start): value for start, value in (await _by_start(call, grouping)).items()}


async def getmonthlybandwidth(call: RecipeCall) -> list[Any]:
    """One {date: YYYY-MM, bw: bytes} row per month with traffic, oldest first."""
    months = await _by_month(call, "year_month")
    return [{"date": month, "bw": months[month]} for month in sorted(months)]


async def getmonthlydomainbandwidth(call: RecipeCall) -> list[Any]:
    """API 2 built this list from key/value pairs, so `data` is flat:
    ["date", "YYYY-MM", "bw", {domain: bytes, ...}, "date", ...], oldest month first."""
    months = await _by_month(call, "year_month|domain")
    flat: list[Any] = []
    for month in sorted(months):
        flat += ["date", month, "bw", months[month]]
    return flat


async def getthismonthsbwusage(call: RecipeCall) -> list[Any]:
    """[{bw: bytes}] used so far in the current (local) month, all domains and protocols.

    The latest month key is the current month when now falls within that month's length
    of its start; otherwise nothing was used this month yet.
    """
    starts = await _by_start(call, "year_month")
    if starts:
        latest = max(starts)
        year, month = map(int, month_of(latest).split("-"))
        if latest <= time.time() < latest + calendar.monthrange(year, month)[1] * 86400:
            return [{"bw": starts[latest]}]
    return [{"bw": 0}]
