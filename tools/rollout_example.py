"""Make the rollout report example of docs/rollout.md from a recorded mix of traffic.

Runs the embedded fake cPanel (native API 2 for Ftp, StatsBar, AddonDomain, Park and
DomainLookup) with the shim in front, shadowing every read-only function the fake answers
natively and canarying Ftp::passwd, plays MIX (the API 2 calls a billing system's nightly
sync and its customers' panels made in one hour, by count) in a fixed shuffled order, waits
for the background comparisons, then prints what `python -m shim usage --log … --config …`
prints with `--rollout` and with `--markdown`. The fake's native API 2 is built on the same
state as its UAPI, so everything would agree: to show what a difference looks like, its
native StatsBar::stat here sends `percent` as text (`"3"`), as a translation that forgot
API 2's spelling would be caught. From the project root:

    .venv/bin/python tools/rollout_example.py
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import random
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

from shim import fakecpanel
from shim.fakecpanel import Api2Outcome, Api2Registry
from shim.fakecpanel.modules import load_all
from shim.fakecpanel.registry import DEFAULT_API2
from shim.app import TableHolder, create_app, load_configured_table
from shim.config import load_config
from shim.inbound.listener import start_listener
from shim.observability import rollout_report
from shim.observability.observe import Runtime, configure_logging
from shim.observability.rollout_report import ShadowLedger
from shim.observability.usage import UsageTracker

CONFIG = """\
functions:
  "Ftp::*": shadow
  "Ftp::passwd": {mode: canary, percent: 25}
  "AddonDomain::listaddondomains": shadow
  "Park::listparkeddomains": shadow
  "DomainLookup::*": shadow
  "StatsBar::stat": shadow
shadow:
  noise_check: true
  ready_after: 20
"""

# (module, function, arguments) → calls in the recorded hour.
MIX = [
    ("Ftp", "listftp", {}, 60),
    ("Ftp", "listftpwithdisk", {}, 30),
    ("Ftp", "listftpsessions", {}, 12),
    ("Ftp", "passwd", {"user": "ftpuser@example.com", "pass": "n3w-Secret-pass"}, 16),
    ("StatsBar", "stat", {"display": "ftpaccounts|diskusage|hostname"}, 40),
    ("DomainLookup", "getdocroot", {"domain": "example.com"}, 25),
    ("DomainLookup", "getbasedomains", {}, 8),
    ("Park", "listparkeddomains", {}, 10),
    ("AddonDomain", "listaddondomains", {}, 10),
]


def _percent_as_text() -> Api2Registry:
    load_all()
    registry = Api2Registry()
    for module, func in DEFAULT_API2.names():
        if (module, func) != ("StatsBar", "stat"):
            registry.register(module, func, DEFAULT_API2.get(module, func))  # type: ignore[arg-type]
    stat = DEFAULT_API2.get("StatsBar", "stat")
    assert stat is not None

    def stat_with_text_percent(ctx: Any, args: Any) -> Api2Outcome:
        outcome = stat(ctx, args)
        rows = [{**row, "percent": str(row["percent"])} if "percent" in row else row for row in outcome.data]
        return Api2Outcome(rows, outcome.error)

    registry.register("StatsBar", "stat", stat_with_text_percent)
    return registry


async def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="rollout-example-"))
    (folder / "shim.yaml").write_text(CONFIG)
    log = folder / "access.log"
    configure_logging(str(log), "WARNING")
    state = fakecpanel.FakeState.demo()
    fake = await start_listener(fakecpanel.create_whm_app(state, api2=_percent_as_text()), "127.0.0.1", 0)
    config = load_config(folder / "shim.yaml", {"whm_listen": "127.0.0.1:0", "whm_upstream": f"http://127.0.0.1:{fake.port}"})
    runtime = Runtime()
    shim = await start_listener(create_app(config, "whm", TableHolder(load_configured_table(config)), runtime),
                                "127.0.0.1", 0)
    calls = [(m, f, a) for m, f, a, n in MIX for _ in range(n)]
    random.Random(2026).shuffle(calls)
    random.seed(12)  # the canary's per-call choice, so the example is the same every time
    headers = {"Authorization": f"whm root:{fakecpanel.ROOT_TOKEN}", "User-Agent": "WHMCS/8.10"}
    try:
        async with aiohttp.ClientSession() as http:
            for module, func, args in calls:
                query = urlencode({"cpanel_jsonapi_user": "user", "cpanel_jsonapi_apiversion": "2",
                                   "cpanel_jsonapi_module": module, "cpanel_jsonapi_func": func, **args})
                async with http.get(f"http://127.0.0.1:{shim.port}/cpsess0123456789/json-api/cpanel?{query}",
                                    headers=headers) as resp:
                    await resp.read()
        for _ in range(500):  # bounded wait for the background comparisons
            if runtime.shadow.in_flight == 0:
                break
            await asyncio.sleep(0.01)
    finally:
        await shim.close()
        await fake.close()
    for handler in __import__("logging").getLogger("api2shim.access").handlers:
        handler.flush()
    tracker, ledger = UsageTracker(), ShadowLedger()
    lines = log.read_text().splitlines()
    tracker.add_log_lines(lines)
    ledger.add_log_lines(lines)
    rows = rollout_report.build(tracker, ledger, load_configured_table(config), ready_after=20)
    out = io.StringIO()
    rollout_report.write_text(rows, out)
    out.write("\n")
    rollout_report.write_markdown(rows, out, "access.log", tracker.since, 20)
    sys.stdout.write(out.getvalue())
    with contextlib.suppress(OSError):
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()


if __name__ == "__main__":
    asyncio.run(main())
