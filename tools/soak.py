"""Bounded soak: many requests mixed across translated, pass-through and error paths, with
the shim's memory and descriptors sampled as it goes. Loopback only; stops by itself.

    .venv/bin/python tools/soak.py                      # 100,000 requests, 32 at a time
    .venv/bin/python tools/soak.py --requests 5000 --json

The shim runs as its own process (`python -m shim serve`, as operators run it) in front of
the embedded fake cPanel, which runs here with the load generator. Each request's answer
status is checked against what its kind must get. The shim's RSS and open descriptors
are read from /proc after a warm-up and then at every sample; "flat" means the second
half's peak of descriptors is within FD_SLACK of the first half's (busy counts move with
the connections in flight) and RSS grew less than --rss-slack-mib after the warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shim import fakecpanel  # noqa: E402
from shim.inbound.listener import start_listener  # noqa: E402

ROOT_AUTH = {"Authorization": f"whm root:{fakecpanel.ROOT_TOKEN}"}
USER_AUTH = {"Authorization": f"cpanel user:{fakecpanel.USER_TOKEN}"}
BAD_AUTH = {"Authorization": "whm root:WRONGTOKEN"}
DEFAULT_REQUESTS = 100_000
DEFAULT_CONCURRENCY = 32
WARMUP = 2_000
SAMPLES = 10
RSS_SLACK_MIB = 8.0
FD_SLACK = 8

# (name, listener, path and query, headers, expected status); weights by repetition.
KINDS = [
    ("translated whm Ftp::passwd", "whm", "/cpsess0123456789/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_module=Ftp"
     "&cpanel_jsonapi_func=passwd&user=user&pass=12345luggage", ROOT_AUTH, 200),
    ("translated cpanel Ftp::listftp", "cpanel", "/json-api/cpanel?cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=listftp",
     USER_AUTH, 200),
    ("pass-through WHM API 1", "whm", "/json-api/version?api.version=1", ROOT_AUTH, 200),
    ("pass-through UAPI", "cpanel", "/execute/Ftp/list_ftp", USER_AUTH, 200),
    ("error: upstream 500 on a translated call", "cpanel",
     "/json-api/cpanel?cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=listftpwithdisk", USER_AUTH, 502),
    ("error: upstream drops a pass-through", "whm", "/json-api/soak_drop?api.version=1", ROOT_AUTH, 502),
    ("error: bad token", "whm", "/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_module=Ftp"
     "&cpanel_jsonapi_func=listftp", BAD_AUTH, 403),
    ("error: no account on WHM", "whm", "/json-api/cpanel?cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=listftp",
     ROOT_AUTH, 200),
    ("error: proxy request refused", "whm", "ABSOLUTE", ROOT_AUTH, 400),
]
WEIGHTS = [30, 15, 20, 10, 6, 6, 5, 5, 3]
_LISTENING = re.compile(r"(whm|cpanel) listening on http://127\.0\.0\.1:(\d+)")


@dataclass
class Report:
    requests: int = 0
    seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)
    wrong: dict[str, int] = field(default_factory=dict)
    samples: list[dict[str, float]] = field(default_factory=list)  # done, rss_mib, fds


def shim_usage(pid: int) -> tuple[float, int]:
    rss_kib = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                   if line.startswith("VmRSS:"))
    return rss_kib / 1024, len(os.listdir(f"/proc/{pid}/fd"))


async def start_shim(whm_upstream: int, cpanel_upstream: int, config: Path) -> tuple[asyncio.subprocess.Process, dict[str, int]]:
    # No access log: a line per request would measure the log pipe, not the shim.
    config.write_text('logging:\n  access_log: "off"\n')
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shim", "serve", "--config", str(config),
        "--whm-listen", "127.0.0.1:0", "--cpanel-listen", "127.0.0.1:0",
        "--whm-upstream", f"http://127.0.0.1:{whm_upstream}", "--cpanel-upstream", f"http://127.0.0.1:{cpanel_upstream}",
        "--admin-listen", "off",
        cwd=ROOT, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    ports: dict[str, int] = {}
    assert proc.stderr is not None
    while len(ports) < 2:
        line = (await asyncio.wait_for(proc.stderr.readline(), 20)).decode()
        if not line:
            raise RuntimeError("the shim exited before listening")
        match = _LISTENING.search(line)
        if match:
            ports[match.group(1)] = int(match.group(2))
    asyncio.get_running_loop().create_task(_discard(proc.stderr))
    return proc, ports


async def _discard(stream: asyncio.StreamReader) -> None:
    while await stream.read(65536):
        pass


async def absolute_form(port: int) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET http://evil.example/ HTTP/1.1\r\nHost: evil.example\r\n\r\n")
    await writer.drain()
    head = await reader.read()
    writer.close()
    return int(head.split(b" ", 2)[1])


async def soak(total: int, concurrency: int, progress: bool) -> Report:
    state = fakecpanel.FakeState.demo()
    fake_whm = await start_listener(fakecpanel.create_whm_app(state), "127.0.0.1", 0)
    fake_cpanel = await start_listener(fakecpanel.create_cpanel_app(state), "127.0.0.1", 0)
    state.faults.add("/execute/Ftp/list_ftp_with_disk", "status:500", times=None)
    state.faults.add("/json-api/soak_drop", "drop", times=None)
    workdir = Path(tempfile.mkdtemp(prefix="api2shim-soak-"))
    proc, ports = await start_shim(fake_whm.port, fake_cpanel.port, workdir / "soak.yaml")
    schedule = [kind for kind, weight in zip(KINDS, WEIGHTS) for _ in range(weight)]
    report = Report()
    sample_every = max(1, (total - WARMUP) // SAMPLES) if total > WARMUP else total
    next_index = 0
    started = time.perf_counter()
    try:
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as http:
            async def one(index: int) -> None:
                name, listener, target, headers, expected = schedule[index % len(schedule)]
                port = ports[listener]
                try:
                    if target == "ABSOLUTE":
                        status = await absolute_form(port)
                    else:
                        async with http.get(f"http://127.0.0.1:{port}{target}", headers=headers) as resp:
                            await resp.read()
                            status = resp.status
                except aiohttp.ClientError:
                    status = -1
                report.by_kind[name] = report.by_kind.get(name, 0) + 1
                if status != expected:
                    report.wrong[f"{name}: {status}"] = report.wrong.get(f"{name}: {status}", 0) + 1

            async def worker() -> None:
                nonlocal next_index
                while next_index < total:
                    index = next_index
                    next_index += 1
                    await one(index)
                    done = index + 1
                    if done == min(WARMUP, total) or (done > WARMUP and (done - WARMUP) % sample_every == 0):
                        rss, fds = shim_usage(proc.pid)
                        report.samples.append({"done": done, "rss_mib": round(rss, 1), "fds": fds})
                        state.requests.clear()  # the fake's record, not the shim's memory
                        if progress:
                            print(f"{done:>8} requests  rss {rss:6.1f} MiB  fds {fds}", file=sys.stderr)

            await asyncio.gather(*(worker() for _ in range(concurrency)))
        report.requests = next_index
        report.seconds = round(time.perf_counter() - started, 1)
        await asyncio.sleep(0.5)  # let the shim close idle connections of the finished client
        rss, fds = shim_usage(proc.pid)
        report.samples.append({"done": report.requests, "rss_mib": round(rss, 1), "fds": fds, "idle": 1})
    finally:
        proc.terminate()
        await proc.wait()
        await fake_whm.close()
        await fake_cpanel.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return report


def verdict(report: Report, rss_slack: float) -> list[str]:
    """Wrong answers, or growth: busy descriptors vary with connections in flight, so the
    later half of the samples may not peak above the earlier half by more than FD_SLACK."""
    problems = [f"{count} answers with the wrong status ({kind})" for kind, count in report.wrong.items()]
    busy = [s for s in report.samples if "idle" not in s]
    half = max(1, len(busy) // 2)
    early, late = max(s["fds"] for s in busy[:half]), max(s["fds"] for s in busy[half:] or busy[:half])
    if late > early + FD_SLACK:
        problems.append(f"descriptors grew under load: peak {early} early, {late} late")
    growth = busy[-1]["rss_mib"] - busy[0]["rss_mib"]
    if growth > rss_slack:
        problems.append(f"RSS grew {growth:.1f} MiB after warm-up (> {rss_slack})")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=DEFAULT_REQUESTS)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--rss-slack-mib", type=float, default=RSS_SLACK_MIB)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    report = asyncio.run(soak(args.requests, args.concurrency, progress=not args.json))
    problems = verdict(report, args.rss_slack_mib)
    if args.json:
        print(json.dumps({**report.__dict__, "problems": problems}, indent=2))
    else:
        print(f"{report.requests} requests in {report.seconds} s ({report.requests / max(report.seconds, 0.1):.0f}/s), "
              f"concurrency {args.concurrency}")
        for kind, count in report.by_kind.items():
            print(f"  {count:>7}  {kind}")
        print("samples (requests, shim RSS MiB, shim fds):")
        for sample in report.samples:
            print(f"  {sample['done']:>8}  {sample['rss_mib']:7.1f}  {sample['fds']:>4}{'  (idle)' if 'idle' in sample else ''}")
        print("flat: memory and descriptors" if not problems else "PROBLEMS:\n  " + "\n  ".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
