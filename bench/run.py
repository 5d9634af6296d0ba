"""`python -m bench`: every contender, every scenario, in one run; writes Markdown and JSON.

Rounds are interleaved (round → scenario → connections → contender, the contenders'
order rotating each round) so that drift on the shared machine hits every contender alike;
the report gives medians over rounds. `python -m bench micro` runs only the translation
micro-benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from . import micro, shadow
from .answers import MIXED, Mixed, Scenario, scenarios
from .contenders import Contender, Lineup, start_lineup
from .load import Job, LoadResult, find_wrk, run_groups, run_jobs
from .procs import START_TIMEOUT, wait_ready
from .report import update_docs, write_reports

DEFAULT_OUT = Path(__file__).resolve().parent / "results"
DEFAULT_CONNECTIONS = (1, 64)
WARMUP_SECONDS = 1.0
MEMORY_REQUESTS = 200_000
# How the memory soak splits its requests over the scenarios (the 1,000-record list is slow).
MEMORY_MIX = {"passwd": 0.6, "whmapi1": 0.2, "reject": 0.175, "list1000": 0.025}
MEMORY_CONNECTIONS = 32
MEMORY_WARMUP_FRACTION = 0.1


@dataclass
class Options:
    rounds: int = 3
    duration: float = 3.0
    connections: tuple[int, ...] = DEFAULT_CONNECTIONS
    loader: str = "auto"  # auto | wrk | builtin
    use_nginx: bool = True
    workers: int = os.cpu_count() or 2
    only: set[str] | None = None
    memory_requests: int = MEMORY_REQUESTS
    micro_repeats: int = micro.REPEATS
    micro_seconds: float = micro.TARGET_SECONDS
    out: Path = DEFAULT_OUT
    keep: bool = False
    warmup: float = WARMUP_SECONDS
    scenarios: set[str] | None = None
    compare: Path | None = None


@dataclass
class Sample:
    scenario: str
    connections: int
    contender: str
    round: int
    result: LoadResult
    rss_kib: int
    cpu_us: float | None  # the contender's CPU per request; robust to other load on the machine
    large: LoadResult | None = None  # mixed: the large calls run beside the measured small ones


@dataclass
class RunData:
    options: dict[str, Any]
    environment: dict[str, Any]
    contenders: list[dict[str, Any]]
    scenarios: list[dict[str, Any]]
    samples: list[dict[str, Any]] = field(default_factory=list)
    memory: dict[str, Any] | None = None
    micro: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _get(url: str, authorization: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": authorization})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def verify(lineup: Lineup, all_scenarios: list[Scenario]) -> None:
    """Every contender must give every scenario's expected document before anything is timed."""
    problems = []
    for contender in lineup.contenders:
        for scenario in all_scenarios:
            for url in contender.urls(scenario):
                status, body = _get(url, scenario.authorization)
                try:
                    document = orjson.loads(body)
                except orjson.JSONDecodeError:
                    document = body[:200]
                if status != 200 or document != scenario.expected:
                    problems.append(f"{contender.name} / {scenario.name}: HTTP {status} {str(document)[:300]}")
    if problems:
        raise RuntimeError("contenders answer wrongly, nothing measured:\n" + "\n".join(problems))


def _jobs(contender: Contender, scenario: Scenario, connections: int, duration: float, max_requests: int | None = None) -> list[Job]:
    urls = contender.urls(scenario)[:connections]  # at 1 connection only one port can be used
    jobs = []
    for index, url in enumerate(urls):
        share = connections // len(urls) + (1 if index < connections % len(urls) else 0)
        count = None if max_requests is None else max_requests // len(urls)
        jobs.append(Job(url, {"Authorization": scenario.authorization}, share, duration, count))
    return jobs


def measure(
    lineup: Lineup, options: Options, all_scenarios: list[Scenario], wrk: str | None, log, mixed: Mixed | None = None
) -> list[Sample]:
    samples = []
    contenders = lineup.contenders
    for round_index in range(options.rounds):
        shift = round_index % len(contenders)
        order = contenders[shift:] + contenders[:shift]
        if mixed is not None:
            for contender in order:
                samples += measure_mixed(contender, mixed, options, round_index, wrk, log)
        for scenario in all_scenarios:
            for connections in options.connections:
                for contender in order:
                    cpu_before = contender.cpu_seconds()
                    result = run_jobs(_jobs(contender, scenario, connections, options.duration), wrk)
                    cpu = contender.cpu_seconds() - cpu_before
                    cpu_us = cpu / result.requests * 1e6 if contender.servers and result.requests else None
                    rss = contender.rss_kib()
                    samples.append(Sample(scenario.name, connections, contender.name, round_index, result, rss, cpu_us))
                    log(
                        f"round {round_index + 1}/{options.rounds} {scenario.name:9} c={connections:<3} "
                        f"{contender.name:15} {result.rps:9.0f} req/s  p50 {result.p50_ms:7.3f} ms  "
                        f"p99 {result.p99_ms:7.3f} ms  err {result.errors}"
                        + (f"  cpu {cpu_us:6.1f} µs/req" if cpu_us is not None else "")
                    )
    return samples


def measure_mixed(contender: Contender, mixed: Mixed, options: Options, round_index: int, wrk: str | None,
                  log) -> list[Sample]:
    """The small calls alone on their share of the connections, then beside the large ones."""
    by_name = {s.name: s for s in scenarios()}
    connections = max(options.connections)
    small_conns, large_conns = mixed.split(connections)
    small = _jobs(contender, by_name[mixed.small], small_conns, options.duration)
    large = _jobs(contender, by_name[mixed.large], large_conns, options.duration)
    samples = []
    for name, groups in ((f"{mixed.name}-alone", [small]), (mixed.name, [small, large])):
        results = run_groups(groups, wrk)
        rss = contender.rss_kib()
        beside = results[1] if len(results) > 1 else None
        samples.append(Sample(name, connections, contender.name, round_index, results[0], rss, None, beside))
        log(
            f"round {round_index + 1}/{options.rounds} {name:15} c={small_conns}+{large_conns if beside else 0:<3} "
            f"{contender.name:15} {mixed.small} {results[0].rps:8.0f} req/s  p99 {results[0].p99_ms:8.3f} ms"
            + (f"  {mixed.large} {beside.rps:6.0f} req/s  p99 {beside.p99_ms:8.3f} ms" if beside else "")
        )
    return samples


def warm_up(lineup: Lineup, options: Options, all_scenarios: list[Scenario], wrk: str | None) -> None:
    if options.warmup <= 0:
        return
    for contender in lineup.contenders:
        for scenario in all_scenarios:
            run_jobs(_jobs(contender, scenario, max(options.connections), options.warmup), wrk)


def memory_soak(lineup: Lineup, options: Options, all_scenarios: list[Scenario], log,
                name: str = "shim") -> dict[str, Any] | None:
    """RSS of a single shim process after a warm-up and after `memory_requests` more requests."""
    shim = next((c for c in lineup.contenders if c.name == name), None)
    if shim is None or options.memory_requests <= 0:
        return None
    by_name = {s.name: s for s in all_scenarios}

    def soak(total: int) -> tuple[int, float, int]:
        done = errors = 0
        began = time.monotonic()
        for name, share in MEMORY_MIX.items():
            count = max(1, int(total * share))
            # Bounded by count; the time bound only stops a stuck run.
            result = run_jobs(_jobs(shim, by_name[name], MEMORY_CONNECTIONS, 3600.0, count), None)
            done += result.requests
            errors += result.errors
        return done, time.monotonic() - began, errors

    warm, _, _ = soak(int(options.memory_requests * MEMORY_WARMUP_FRACTION))
    before = shim.rss_kib()
    done, seconds, errors = soak(options.memory_requests)
    after = shim.rss_kib()
    growth = (after - before) / before * 100 if before else 0.0
    log(f"memory ({name}): {before} KiB after {warm} warm-up requests, {after} KiB after {done} more ({growth:+.2f}%)")
    return {
        "warmup_requests": warm,
        "requests": done,
        "seconds": seconds,
        "errors": errors,
        "rss_before_kib": before,
        "rss_after_kib": after,
        "peak_rss_kib": shim.peak_rss_kib(),
        "growth_percent": growth,
        "mix": MEMORY_MIX,
        "connections": MEMORY_CONNECTIONS,
    }


def _mixed_scenarios(mixed: Mixed | None, connections: int) -> list[dict[str, Any]]:
    if mixed is None:
        return []
    small, large = mixed.split(connections)
    return [
        {"name": f"{mixed.name}-alone", "title": f"{mixed.small} alone on {small} connections", "mixed": mixed.name},
        {"name": mixed.name, "title": f"{mixed.small} on {small} connections beside {mixed.large} on {large}: "
                                      f"{mixed.small}'s figures", "mixed": mixed.name},
    ]


def _commit() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=Path(__file__).resolve().parent,
                              capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def _versions(lineup: Lineup, wrk: str | None) -> dict[str, Any]:
    import aiohttp

    env: dict[str, Any] = {
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "aiohttp": aiohttp.__version__,
        "upstream": lineup.upstream_kind,
        "loader": "wrk" if wrk else "built-in (asyncio streams)",
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "commit": _commit(),
    }
    try:
        import uvloop

        env["uvloop"] = uvloop.__version__
    except ImportError:
        env["uvloop"] = None
    return env


def run(options: Options, log=print) -> RunData:
    wrk = None if options.loader == "builtin" else find_wrk()
    if options.loader == "wrk" and wrk is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk); use --loader builtin")
    if wrk is None and options.loader == "auto":
        log("wrk not installed: using the built-in load generator")
    all_scenarios = [s for s in scenarios() if options.scenarios is None or s.name in options.scenarios]
    wanted_mixed = options.scenarios is None or MIXED.name in options.scenarios
    mixed = MIXED if wanted_mixed and max(options.connections) >= 2 else None
    # The machine is shared: what else ran on it before the bench started is part of the figures.
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    workdir = Path(tempfile.mkdtemp(prefix="api2shim-bench-"))
    os.chmod(workdir, 0o755)  # nginx workers may run unprivileged
    lineup: Lineup | None = None
    try:
        lineup = start_lineup(
            workdir, use_nginx=options.use_nginx, workers=options.workers, only=options.only, compare=options.compare
        )
        deadline = time.monotonic() + START_TIMEOUT
        for server in lineup.servers():
            wait_ready(server, deadline)
        verify(lineup, all_scenarios)
        log(f"all {len(lineup.contenders)} contenders answer every scenario correctly; warming up")
        warm_up(lineup, options, all_scenarios, wrk)
        samples = measure(lineup, options, all_scenarios, wrk, log, mixed)
        memory = memory_soak(lineup, options, scenarios(), log)
        if memory is not None and options.compare is not None:
            # The tree before, soaked alike in the same run: what "no regression" is measured against.
            memory["reference"] = memory_soak(lineup, options, scenarios(), log, name="shim-ref")
        peaks = {c.name: c.peak_rss_kib() for c in lineup.contenders}
        data = RunData(
            options={
                "rounds": options.rounds,
                "duration": options.duration,
                "connections": list(options.connections),
                "workers": options.workers,
                "memory_requests": options.memory_requests,
            },
            environment={**_versions(lineup, wrk), "load_average": load_before},
            contenders=[
                {"name": c.name, "description": c.description, "loop": c.loop, "peak_rss_kib": peaks[c.name]}
                for c in lineup.contenders
            ],
            scenarios=[{"name": s.name, "title": s.title, "service": s.service, "path": s.path} for s in all_scenarios]
            + _mixed_scenarios(mixed, max(options.connections)),
            samples=[{**asdict(s), "result": asdict(s.result)} for s in samples],
            memory=memory,
            notes=list(lineup.notes),
        )
    finally:
        if lineup is not None:
            for server in reversed(lineup.servers()):
                server.stop()
        if options.keep:
            log(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    log("translation micro-benchmark")
    data.micro = micro.as_dicts(micro.run_micro(options.micro_repeats, options.micro_seconds))
    return data


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("what", nargs="?", choices=("all", "micro", "report", "shadow", "hostile"), default="all",
                        help="all: the whole run; micro: translation CPU only; report: re-render OUT/latest.md from "
                             "latest.json; shadow: the native answer's latency with shadow mode off and on; hostile: "
                             "a translated call's latency under each of issue 13's attacks (its own options: "
                             "python -m bench hostile --help; about a minute, so never part of all)")
    parser.add_argument("--rounds", type=_at_least_one, default=Options.rounds)
    parser.add_argument("--duration", type=float, default=Options.duration, help="seconds per measurement")
    parser.add_argument("--connections", default=",".join(map(str, DEFAULT_CONNECTIONS)), help="e.g. 1,32,64")
    parser.add_argument("--loader", choices=("auto", "wrk", "builtin"), default="auto")
    parser.add_argument("--no-nginx", action="store_true", help="use the aiohttp upstream and no nginx ceiling")
    parser.add_argument("--workers", type=int, default=Options.workers, help="N for the N-worker shim (0/1: none)")
    parser.add_argument("--only", help="comma-separated contenders, e.g. direct,aiohttp,shim")
    parser.add_argument("--warmup", type=float, default=WARMUP_SECONDS, help="seconds per contender and scenario")
    parser.add_argument("--scenarios",
                        help="comma-separated: passwd,list1000,list1000-shaped,whmapi1,reject,mixed (default all)")
    parser.add_argument("--compare", type=Path, help="also run the shim of another checkout as 'shim-ref'")
    parser.add_argument("--memory-requests", type=int, default=MEMORY_REQUESTS)
    parser.add_argument("--micro-repeats", type=_at_least_one, default=micro.REPEATS)
    parser.add_argument("--micro-seconds", type=float, default=micro.TARGET_SECONDS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for latest.md and latest.json")
    parser.add_argument("--keep", action="store_true", help="keep the work folder with every server's log")
    parser.add_argument("--docs", type=Path,
                        help="report only: also rewrite the generated tables of this file (docs/performance.md)")
    return parser


def _bounded(args: argparse.Namespace) -> list[str]:
    problems = []
    if not 1 <= args.rounds <= 50:
        problems.append("--rounds must be 1..50")
    if not 0.05 <= args.duration <= 120:
        problems.append("--duration must be 0.05..120 seconds")
    if not 0 <= args.warmup <= 60:
        problems.append("--warmup must be 0..60 seconds")
    if not 0 <= args.memory_requests <= 5_000_000:
        problems.append("--memory-requests must be 0..5000000")
    return problems


def _shadow(args: argparse.Namespace) -> int:
    """Only the shadow scenario (bench/shadow.py), with --rounds, --duration, --connections, --warmup."""
    problems = _bounded(args)
    try:
        connections = tuple(int(c) for c in args.connections.split(","))
    except ValueError:
        problems.append("--connections must be numbers separated by commas")
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    data = shadow.run_shadow(args.rounds, args.duration, connections, args.warmup, log=lambda line: print(line, flush=True))
    text = shadow.render(data, connections)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "shadow.md").write_text(text)
    (args.out / "shadow.json").write_text(json.dumps(data, indent=2) + "\n")
    print(text)
    return 0


def _at_least_one(text: str) -> int:
    """A count the report takes a best and a median of: zero would leave nothing to report."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["hostile"]:
        from . import hostile

        return hostile.main(argv[1:], prog="python -m bench hostile")
    args = _parser().parse_args(argv)
    if args.what == "micro":
        for result in micro.run_micro(args.micro_repeats, args.micro_seconds):
            print(f"{result.name:40} {result.best_us:10.1f} µs best  {result.median_us:10.1f} µs median")
        return 0
    if args.what == "shadow":
        return _shadow(args)
    if args.what == "report":
        data = json.loads((args.out / "latest.json").read_text())
        data.pop("analysis", None)
        markdown, _ = write_reports(data, args.out)
        if args.docs is not None:
            update_docs(data, args.docs)
            print(f"updated the generated block of {args.docs}")
            return 0
        print(markdown.read_text())
        return 0
    problems = _bounded(args)
    try:
        connections = tuple(int(c) for c in args.connections.split(","))
        if not all(1 <= c <= 1024 for c in connections):
            raise ValueError
    except ValueError:
        problems.append("--connections must be numbers 1..1024 separated by commas")
        connections = DEFAULT_CONNECTIONS
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    options = Options(
        rounds=args.rounds,
        duration=args.duration,
        connections=connections,
        loader=args.loader,
        use_nginx=not args.no_nginx,
        workers=args.workers,
        only=set(args.only.split(",")) if args.only else None,
        memory_requests=args.memory_requests,
        micro_repeats=args.micro_repeats,
        micro_seconds=args.micro_seconds,
        out=args.out,
        keep=args.keep,
        warmup=args.warmup,
        scenarios=set(args.scenarios.split(",")) if args.scenarios else None,
        compare=args.compare.resolve() if args.compare else None,
    )
    data = run(options, log=lambda line: print(line, flush=True))
    markdown, json_path = write_reports(asdict(data), options.out)
    print(markdown.read_text())
    print(f"written: {markdown} and {json_path}")
    return 0
