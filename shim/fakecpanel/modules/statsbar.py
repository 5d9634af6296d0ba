"""UAPI StatsBar::get_stats, and API 2 StatsBar::stat answered natively from the same rows.

The shim translates API 2 stat to get_stats; the native API 2 answer stays so that tests
can compare the two and so a shim configured to pass stat through still gets an answer.
Records follow the shape of cPanel's stats rows; only the stats listed in `_STATS`
exist, others are skipped (as cPanel skips unknown names). get_stats without `display`
fails: the parameter is required.
"""

from __future__ import annotations

from typing import Any, Callable

from ..registry import (
    Api2Outcome,
    Args,
    UapiContext,
    UapiError,
    UapiOutcome,
    api2_function,
    uapi_function,
)
from ..state import MIB, CpanelAccount, FakeState


def _limit_row(name: str, item: str, module: str, feature: str, count: int, limit: int) -> dict[str, Any]:
    """A counted stat; `limit` 0 means unlimited."""
    percent = count * 100 // limit if limit else 0
    return {
        "_count": str(count),
        "_max": str(limit) if limit else "unlimited",
        "_maxed": int(bool(limit) and count >= limit),
        "count": str(count),
        "feature": feature,
        "id": name,
        "is_maxed": int(bool(limit) and count >= limit),
        "item": item,
        "max": str(limit) if limit else "unlimited",
        "module": module,
        "name": name,
        "percent": percent,
        "percent10": percent // 10 * 10,
        "percent20": percent // 20 * 20,
        "percent5": percent // 5 * 5,
        "phrase": item,
        "zeroisunlimited": 0,
    }


def _value_row(name: str, item: str, value: str) -> dict[str, Any]:
    return {"count": value, "id": name, "item": item, "name": name, "phrase": item, "value": value}


def _ftpaccounts(state: FakeState, account: CpanelAccount) -> dict[str, Any]:
    subs = sum(1 for ftp in account.ftp_accounts.values() if ftp.type == "sub")
    return _limit_row("ftpaccounts", "FTP Accounts", "Ftp", "ftpaccts", subs, 0)


def _diskusage(state: FakeState, account: CpanelAccount) -> dict[str, Any]:
    row = _limit_row("diskusage", "Disk Space Usage", "Quota", "diskusage", 0, 0)
    used, quota = account.disk_used_bytes / MIB, account.disk_quota_mb
    row.update(
        _count=f"{used:.2f}",
        _max=f"{quota:.2f}" if quota else "unlimited",
        count=f"{used:.2f} MB",
        max=f"{quota} MB" if quota else "unlimited",
        percent=int(used * 100 // quota) if quota else 0,
        units="MB",
    )
    return row


_STATS: dict[str, Callable[[FakeState, CpanelAccount], dict[str, Any]]] = {
    "ftpaccounts": _ftpaccounts,
    "diskusage": _diskusage,
    "hostname": lambda state, account: _value_row("hostname", "Server Name", state.hostname),
    "cpanelversion": lambda state, account: _value_row("cpanelversion", "cPanel Version", state.version),
}


def _rows(ctx: UapiContext, display: str) -> list[dict[str, Any]]:
    wanted = [name for name in display.split("|") if name in _STATS]
    return [_STATS[name](ctx.state, ctx.account) for name in wanted]


@api2_function("StatsBar", "stat")
def api2_stat(ctx: UapiContext, args: Args) -> Api2Outcome:
    return Api2Outcome(_rows(ctx, args.get("display", "")))


@uapi_function("StatsBar", "get_stats", samples=[{"display": "ftpaccounts|diskusage|hostname|cpanelversion"}])
def get_stats(ctx: UapiContext, args: Args) -> UapiOutcome:
    display = args.get("display", "")
    if not display:
        raise UapiError("You must specify the “display” parameter.")
    return UapiOutcome.ok(_rows(ctx, display))
