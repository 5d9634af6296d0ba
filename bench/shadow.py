"""`python -m bench shadow`: what shadow mode costs the client (the native answer's latency).

Two shims in front of the same fixed-answer upstream, alike but for one line of config:
`"Ftp::listftpwithdisk": passthrough` (shadow off: the native API 2 answer relayed) and
`"Ftp::listftpwithdisk": shadow` (the same native answer relayed, then the translated call
made and its 1,000 records compared in the background). The client's request is the
list1000 scenario's; its answer is native API 2's either way. Rounds interleave the two and
the report gives medians over rounds of throughput, p50/p99 latency and the shim's CPU per
request, plus how many comparisons the shadow shim made, skipped (over
`shadow.max_concurrent`) or found different (must be none: the fixed answers agree), and
the shadow shim's RSS after the warm-up and after each of its runs: shadow mode keeps a
copy of each native answer until its comparison ends, so the memory must stay flat.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from .answers import scenarios
from .contenders import SHIM_READ_TIMEOUT, _CHECKOUT, start_upstream
from .load import Job, find_wrk, run_jobs
from .procs import START_TIMEOUT, Server, free_port, start, wait_ready

FUNCTION = "Ftp::listftpwithdisk"
MODES = ("passthrough", "shadow")  # off, on


def _start_shim(workdir: Path, mode: str, upstream_port: int) -> tuple[Server, int]:
    cpanel, admin = free_port(), free_port()
    config = workdir / f"shim-{mode}.yaml"
    config.write_text(f"""cpanel:
  listen: 127.0.0.1:{cpanel}
  upstream: http://127.0.0.1:{upstream_port}
timeouts:
  read: {SHIM_READ_TIMEOUT}
admin:
  listen: 127.0.0.1:{admin}
logging:
  access_log: off
functions:
  "{FUNCTION}": {mode}
""")
    argv = [sys.executable, "-m", "shim", "serve", "--config", str(config)]
    return start(f"shadow-{mode}", argv, [cpanel], workdir / f"shim-{mode}.log", cwd=_CHECKOUT), admin


def _shadow_counts(admin: int) -> dict[str, int]:
    with urllib.request.urlopen(f"http://127.0.0.1:{admin}/usage", timeout=10) as answer:  # noqa: S310 - loopback
        document = json.loads(answer.read())
    found = document.get("shadow", {}).get("functions", {}).get(FUNCTION, {})
    return {key: found.get(key, 0) for key in ("agree", "differ", "error", "skipped")}


def run_shadow(rounds: int, duration: float, connections: tuple[int, ...], warmup: float, log=print) -> dict[str, Any]:
    scenario = next(s for s in scenarios() if s.name == "list1000")
    wrk = find_wrk()
    samples: dict[tuple[str, int], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-shadow-") as folder:
        workdir = Path(folder)
        upstream, kind = start_upstream(workdir, None)
        servers: list[Server] = [upstream]
        try:
            shims = {}
            for mode in MODES:
                server, admin = _start_shim(workdir, mode, upstream.ports[0])
                servers.append(server)
                shims[mode] = (server, admin)
            deadline = time.monotonic() + START_TIMEOUT
            for server in servers:
                wait_ready(server, deadline)
            headers = {"Authorization": scenario.authorization}
            url = {mode: f"http://127.0.0.1:{server.ports[0]}{scenario.path}" for mode, (server, _) in shims.items()}
            for mode in MODES:
                _check_answer(url[mode], headers, scenario.expected)
                if warmup:
                    run_jobs([Job(url[mode], headers, 1, warmup)], wrk)
            time.sleep(0.5)  # the warm-up's comparisons end
            rss_kib = [shims["shadow"][0].rss_kib()]
            for round_no in range(rounds):
                order = MODES if round_no % 2 == 0 else MODES[::-1]
                for count in connections:
                    for mode in order:
                        server = shims[mode][0]
                        cpu_before = server.cpu_seconds()
                        result = run_jobs([Job(url[mode], headers, count, duration)], wrk)
                        cpu = server.cpu_seconds() - cpu_before
                        if mode == "shadow":  # the comparisons still running belong to this measurement
                            time.sleep(0.5)
                            cpu = server.cpu_seconds() - cpu_before
                            rss_kib.append(server.rss_kib())
                        samples.setdefault((mode, count), []).append({
                            "rps": result.rps, "p50_ms": result.p50_ms, "p99_ms": result.p99_ms,
                            "errors": result.errors,
                            "cpu_us": cpu / result.requests * 1e6 if result.requests else 0.0,
                        })
                        log(f"round {round_no + 1} c={count} shadow {'on ' if mode == 'shadow' else 'off'}: "
                            f"{result.rps:8.0f} req/s  p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms  "
                            f"{samples[(mode, count)][-1]['cpu_us']:7.0f} µs CPU/req")
            counts = _shadow_counts(shims["shadow"][1])
            peak_kib = shims["shadow"][0].peak_rss_kib()
        finally:
            for server in reversed(servers):
                server.stop()
    return {"upstream": kind, "loader": "wrk" if wrk else "builtin", "rounds": rounds, "duration": duration,
            "medians": {f"{mode}@{count}": {key: statistics.median(s[key] for s in runs) for key in runs[0]}
                        for (mode, count), runs in samples.items()},
            "comparisons": counts, "memory": {"rss_kib": rss_kib, "peak_kib": peak_kib}}


def _check_answer(url: str, headers: dict[str, str], expected: Any) -> None:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback
        if json.loads(answer.read()) != expected:
            raise RuntimeError(f"{url} did not answer the scenario's document")


def render(data: dict[str, Any], connections: tuple[int, ...]) -> str:
    lines = [f"Shadow mode overhead: {FUNCTION}, 1,000 records, native answer relayed "
             f"(upstream {data['upstream']}, loader {data['loader']}, {data['rounds']} rounds × {data['duration']:g} s, "
             "medians)", "",
             "| connections | shadow | req/s | p50 ms | p99 ms | shim CPU µs/req |", "|---:|---|---:|---:|---:|---:|"]
    for count in connections:
        for mode in MODES:
            m = data["medians"][f"{mode}@{count}"]
            lines.append(f"| {count} | {'on' if mode == 'shadow' else 'off'} | {m['rps']:.0f} | {m['p50_ms']:.2f} | "
                         f"{m['p99_ms']:.2f} | {m['cpu_us']:.0f} |")
    c = data["comparisons"]
    lines += ["", f"Comparisons made by the shadow shim: {c['agree']} agreed, {c['differ']} differed, "
                  f"{c['error']} failed, {c['skipped']} skipped (over shadow.max_concurrent)."]
    memory = data.get("memory")
    if memory:
        mib = [f"{kib / 1024:.1f}" for kib in memory["rss_kib"]]
        lines += ["", f"RSS of the shadow shim (MiB), after the warm-up then after each of its runs: {' → '.join(mib)} "
                      f"(peak {memory['peak_kib'] / 1024:.1f})."]
    return "\n".join(lines) + "\n"
