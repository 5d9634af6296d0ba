"""Load generation: `wrk` when installed, else the built-in generator in this module.

The built-in generator (also `python -m bench.load`) speaks HTTP/1.1 keep-alive over asyncio
streams rather than through aiohttp's client: the client's own cost per request would
otherwise cap the figures near the proxies' own throughput. It runs in the bench's own
process, with uvloop when importable, and stops at a deadline or a request count, whichever first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

WRK_THREADS = 1  # the machine has 2 cores: one for the load, one for what is measured
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
LOAD_TIMEOUT_MARGIN = 30.0  # seconds wrk may overrun its duration before it is killed


@dataclass
class LoadResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors plus answers that were not 2xx

    @staticmethod
    def combine(parts: list["LoadResult"]) -> "LoadResult":
        """Several generators run side by side (one per port): throughput adds, latency is the worst."""
        return LoadResult(
            requests=sum(p.requests for p in parts),
            seconds=max(p.seconds for p in parts),
            rps=sum(p.rps for p in parts),
            p50_ms=max(p.p50_ms for p in parts),
            p99_ms=max(p.p99_ms for p in parts),
            errors=sum(p.errors for p in parts),
        )


def find_wrk() -> str | None:
    return shutil.which("wrk")


@dataclass(frozen=True)
class Job:
    url: str
    headers: dict[str, str]
    connections: int
    duration: float
    max_requests: int | None = None  # built-in only; wrk is bounded by duration


def _wrk_argv(wrk: str, job: Job) -> list[str]:
    argv = [wrk, f"-t{min(WRK_THREADS, job.connections)}", f"-c{job.connections}", f"-d{max(1, round(job.duration))}s", "--latency"]
    for name, value in job.headers.items():
        argv += ["-H", f"{name}: {value}"]
    return [*argv, job.url]


def _finish_wrk(process: subprocess.Popen, job: Job) -> LoadResult:
    try:
        out, err = process.communicate(timeout=job.duration + LOAD_TIMEOUT_MARGIN)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise RuntimeError(f"wrk overran its time on {job.url}") from None
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed ({process.returncode}): {err.decode('utf-8', 'replace')[-1000:]}")
    return parse_wrk(out.decode("utf-8", "replace"))


def run_jobs(jobs: list[Job], wrk: str | None) -> LoadResult:
    """Run jobs side by side and combine them (one job is the common case).

    wrk runs as its own processes. The built-in generator runs in this process, which is
    otherwise idle while it waits, so no interpreter start-up is paid per measurement.
    """
    if wrk and all(job.max_requests is None for job in jobs):
        processes = [
            subprocess.Popen(_wrk_argv(wrk, job), stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
            for job in jobs
        ]
        return LoadResult.combine([_finish_wrk(p, j) for p, j in zip(processes, jobs)])

    async def together() -> list[LoadResult]:
        return await asyncio.gather(
            *(generate(j.url, j.headers, j.connections, j.duration, j.max_requests) for j in jobs)
        )

    with asyncio.Runner(loop_factory=_fast_loop()) as runner:
        return LoadResult.combine(runner.run(together()))


def run_groups(groups: list[list[Job]], wrk: str | None) -> list[LoadResult]:
    """Run several groups of jobs side by side, each group's result on its own (the mixed
    scenario: small calls' latencies measured while large ones run beside them)."""
    if wrk:
        started = [
            [
                (subprocess.Popen(_wrk_argv(wrk, job), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  stdin=subprocess.DEVNULL), job)
                for job in group
            ]
            for group in groups
        ]
        return [LoadResult.combine([_finish_wrk(p, j) for p, j in group]) for group in started]

    async def together() -> list[list[LoadResult]]:
        return await asyncio.gather(
            *(asyncio.gather(*(generate(j.url, j.headers, j.connections, j.duration, j.max_requests) for j in group))
              for group in groups)
        )

    with asyncio.Runner(loop_factory=_fast_loop()) as runner:
        return [LoadResult.combine(parts) for parts in runner.run(together())]


def _fast_loop():
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(f"unreadable wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(text: str) -> LoadResult:
    def find(pattern: str) -> re.Match[str]:
        match = re.search(pattern, text)
        if match is None:
            raise RuntimeError(f"unexpected wrk output:\n{text}")
        return match

    requests_match = find(r"(\d+) requests in ([\d.]+)(us|ms|s|m)")
    seconds = float(requests_match.group(2)) * _UNITS[requests_match.group(3)] / 1000
    errors = 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if socket_errors:
        errors += sum(int(g) for g in socket_errors.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if non2xx:
        errors += int(non2xx.group(1))
    return LoadResult(
        requests=int(requests_match.group(1)),
        seconds=seconds,
        rps=float(find(r"Requests/sec:\s+([\d.]+)").group(1)),
        p50_ms=_ms(find(r"\n\s+50%\s+(\S+)").group(1)),
        p99_ms=_ms(find(r"\n\s+99%\s+(\S+)").group(1)),
        errors=errors,
    )


# ---- the built-in generator -------------------------------------------------------------

def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; returns (status, whether the server keeps the connection)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = None
    chunked = False
    keep = True
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name == "connection" and "close" in value.lower():
            keep = False
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length is not None:
        await reader.readexactly(length)
    else:
        await reader.read()
        keep = False
    return status, keep


async def generate(url: str, headers: dict[str, str], connections: int, duration: float, max_requests: int | None) -> LoadResult:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    head = f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = (head + "\r\n").encode("latin-1")
    latencies: list[float] = []
    errors = 0
    remaining = [max_requests if max_requests is not None else -1]
    start = time.perf_counter()
    deadline = start + duration

    async def client() -> None:
        nonlocal errors
        reader = writer = None
        while time.perf_counter() < deadline and remaining[0] != 0:
            remaining[0] -= 1
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                began = time.perf_counter()
                writer.write(request)
                status, keep = await _read_answer(reader)  # type: ignore[arg-type]
                latencies.append((time.perf_counter() - began) * 1000)
                if not 200 <= status < 300:
                    errors += 1
                if not keep:
                    writer.close()
                    writer = None
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                errors += 1
                if writer is not None:
                    writer.close()
                writer = None
        if writer is not None:
            writer.close()

    await asyncio.gather(*(client() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    return LoadResult(
        requests=len(latencies),
        seconds=elapsed,
        rps=len(latencies) / elapsed if elapsed > 0 else 0.0,
        p50_ms=percentile(latencies, 0.50),
        p99_ms=percentile(latencies, 0.99),
        errors=errors,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="built-in HTTP/1.1 keep-alive load generator (GET only)")
    parser.add_argument("--url", required=True)
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--duration", type=float, default=1.0)
    parser.add_argument("--max-requests", type=int)
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args()
    headers = dict(h.split(": ", 1) for h in args.header)
    factory = _fast_loop()
    with asyncio.Runner(loop_factory=factory) as runner:
        result = runner.run(generate(args.url, headers, args.connections, args.duration, args.max_requests))
    print(json.dumps(asdict(result)))


if __name__ == "__main__":
    main()
