"""API 2 StatsBar::stat, answered natively (the fake has no UAPI StatsBar::get_stats).

It stands for "a function the server still runs as API 2 that the shim has no mapping
for": calls to it must pass through the shim untouched. Records follow the shape of
cPanel's stats rows; only the stats listed in `_STATS` exist, others are skipped.
"""

from __future__ import annotations

from typing import Any, Callable

from ..registry import Api2Outcome, Args, UapiContext, api2_function
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


@api2_function("StatsBar", "stat")
def api2_stat(ctx: UapiContext, args: Args) -> Api2Outcome:
    wanted = [name for name in args.get("display", "").split("|") if name in _STATS]
    return Api2Outcome([_STATS[name](ctx.state, ctx.account) for name in wanted])
