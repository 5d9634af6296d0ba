"""Stats' bandwidth functions through the real shim: recipes over UAPI Bandwidth::query."""

import calendar
import time

import pytest
from api2calls import Api2Calls

from shim.fakecpanel.modules.bandwidth import Traffic, bandwidth_state
from shim.recipes.stats import month_of

HTTP_500 = "upstream answered HTTP 500"


def died(func, reason):
    return {"cpanelresult": {"apiversion": 2, "func": func, "module": "Stats", "data": [],
                             "event": {"result": 0, "reason": reason}, "error": reason}}


async def test_monthly_totals_oldest_first(stack):
    calls = Api2Calls(stack, "Stats")
    assert await calls.whm("getmonthlybandwidth") == (200, calls.ok("getmonthlybandwidth", [
        {"date": "2026-10", "bw": 1_000_000}, {"date": "2026-11", "bw": 2_540_000}]))
    assert calls.last_uapi() == ("Bandwidth", "query", {"grouping": ["year_month"]})
    # API 2 built this list from key/value pairs: it is flat.
    assert await calls.cpanel("getmonthlydomainbandwidth") == (200, calls.ok("getmonthlydomainbandwidth", [
        "date", "2026-10", "bw", {"example.com": 1_000_000},
        "date", "2026-11", "bw", {"UNKNOWN": 40_000, "example.com": 2_500_000}]))


async def test_this_months_usage(stack):
    calls = Api2Calls(stack, "Stats")
    # The demo traffic is older than this month.
    assert await calls.whm("getthismonthsbwusage") == (200, calls.ok("getthismonthsbwusage", [{"bw": 0}]))
    records = bandwidth_state(stack.state.accounts["user"]).records
    now = int(time.time())
    records += [Traffic("example.com", "http", now - 1, 7_000), Traffic("UNKNOWN", "ftp", now - 2, 300)]
    assert await calls.cpanel("getthismonthsbwusage") == (200, calls.ok("getthismonthsbwusage", [{"bw": 7_300}]))


@pytest.mark.parametrize("func", ["getmonthlybandwidth", "getmonthlydomainbandwidth", "getthismonthsbwusage"])
async def test_an_unreadable_database_dies(stack, func):
    stack.state.faults.add("/json-api/uapi_cpanel", "status:500", times=1)
    assert await Api2Calls(stack, "Stats").whm(func) == (502, died(func, HTTP_500))


@pytest.mark.parametrize("offset_hours", [-12, -5, 0, 1, 9, 14])
def test_a_local_month_start_names_its_month_in_any_time_zone(offset_hours):
    # The month starts at local midnight of the 1st: UTC midnight minus the zone's offset.
    for year, month in ((2026, 1), (2026, 3), (2025, 12)):
        start = calendar.timegm((year, month, 1, 0, 0, 0)) - offset_hours * 3600
        assert month_of(start) == f"{year:04d}-{month:02d}"
        assert month_of(str(start)) == f"{year:04d}-{month:02d}"
