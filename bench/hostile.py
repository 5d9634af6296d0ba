"""A translated call timed under hostile background load (issue 13's attacks).

    python -m bench hostile            # the full-size attacks (a minute or so); also python -m bench.hostile
    python -m bench hostile --small    # the counts tests/test_attacks.py uses

Starts the embedded fake WHM in this process and `python -m shim serve` (default settings)
as a child, then, one attack at a time, keeps the attack running while a billing-style
client (one keep-alive connection, from 127.0.0.1) calls Ftp::passwd over and over. Prints,
per attack, the call's p50/p99/max latency, how many calls failed, and the shim's peak RSS
(sampled from /proc every 20 ms). Loopback only; every attack is bounded in time and count.

Attacks (full size; --small scales the counts down):
  multipart_16mib   clients posting 16 MiB multipart bodies to /json-api/cpanel, again and again
  slow_bodies       connections that declare a 1000-byte API 2 body and send a byte every 0.5 s
  slow_uploads      chunked pass-through uploads trickling a byte every 0.5 s
  unfinished_heads  connections sending 127 header lines of 64 KiB (8 MB) with no blank line
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
FULL = {"multipart_16mib": 1, "slow_bodies": 500, "slow_uploads": 100, "unfinished_heads": 30}
SMALL = {"multipart_16mib": 1, "slow_bodies": 150, "slow_uploads": 40, "unfinished_heads": 30}
ATTACKS = tuple(FULL)
PASSWD = ("/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_apiversion=2&cpanel_jsonapi_module=Ftp"
          "&cpanel_jsonapi_func=passwd&user=ftpuser%40example.com&pass=Bench-pass-1")
_LISTENING = re.compile(r"whm listening on http://127\.0\.0\.1:(\d+)")
# The billing-style client's pause between calls (the attack suite's test pauses less: more
# calls in its short window make its p99 a percentile rather than the slowest call).
CALL_PAUSE = 0.01
# Attackers come from addresses of their own (the per-address cap is 128 by default).
ATTACKER_ADDRESSES = [f"127.0.0.{n}" for n in range(2, 14)]


@dataclass
class Result:
    attack: str
    count: int
    calls: int
    failed: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    peak_rss_mb: float


class Shim:
    """`python -m shim serve` in front of an upstream, its port and its pid."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.proc: asyncio.subprocess.Process | None = None
        self.port = 0

    async def __aenter__(self) -> "Shim":
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "shim", "serve", "--whm-listen", "127.0.0.1:0", "--admin-listen", "off",
            "--whm-upstream", f"http://127.0.0.1:{self.upstream_port}",
            cwd=ROOT, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE)
        assert self.proc.stderr is not None
        while not self.port:
            line = (await asyncio.wait_for(self.proc.stderr.readline(), 20)).decode()
            if not line:
                raise RuntimeError("serve exited before listening")
            match = _LISTENING.search(line)
            if match:
                self.port = int(match.group(1))
        self._drain = asyncio.get_running_loop().create_task(self._read_rest())
        return self

    async def _read_rest(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        async for _ in self.proc.stderr:  # the access log, read and dropped
            pass

    def rss_mb(self) -> float:
        assert self.proc is not None
        with open(f"/proc/{self.proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    async def __aexit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.terminate()
        try:
            await asyncio.wait_for(self.proc.wait(), 10)
        except asyncio.TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        self._drain.cancel()


async def _open(port: int, index: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    source = ATTACKER_ADDRESSES[index % len(ATTACKER_ADDRESSES)]
    return await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))


async def _multipart(port: int, index: int, stop: asyncio.Event) -> None:
    part = b"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n" + b"a" * (1 << 20) + b"\r\n"
    while not stop.is_set():
        try:
            _, writer = await _open(port, index)
            writer.write(b"POST " + PASSWD.encode() + b" HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; "
                         b"boundary=B\r\nContent-Length: " + str(16 * len(part)).encode() + b"\r\n\r\n")
            for _ in range(16):  # 16 MiB
                writer.write(part)
                await writer.drain()
            writer.close()
        except OSError:
            await asyncio.sleep(0.01)  # refused and closed: start again


async def _slow_body(port: int, index: int, stop: asyncio.Event) -> None:
    reader, writer = await _open(port, index)
    writer.write(b"POST " + PASSWD.encode() + b" HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n")
    while not stop.is_set():
        writer.write(b"x")
        await asyncio.sleep(0.5)
    writer.close()


async def _slow_upload(port: int, index: int, stop: asyncio.Event) -> None:
    reader, writer = await _open(port, index)
    writer.write(b"POST /json-api/restorepkg HTTP/1.1\r\nHost: h\r\nAuthorization: whm root:x\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n")
    while not stop.is_set():
        writer.write(b"1\r\nx\r\n")
        await asyncio.sleep(0.5)
    writer.close()


async def _unfinished_head(port: int, index: int, stop: asyncio.Event) -> None:
    reader, writer = await _open(port, index)
    writer.write(b"GET / HTTP/1.1\r\nHost: h\r\n")
    line = b"X-Fill: " + b"f" * (64 * 1024 - 10) + b"\r\n"
    for _ in range(127):
        if stop.is_set():
            break
        writer.write(line)
        await writer.drain()
    await stop.wait()
    writer.close()


_ATTACKERS = {"multipart_16mib": _multipart, "slow_bodies": _slow_body, "slow_uploads": _slow_upload,
              "unfinished_heads": _unfinished_head}


async def _quietly(coroutine) -> None:  # type: ignore[no-untyped-def]
    try:
        await coroutine
    except (OSError, asyncio.IncompleteReadError):
        pass  # the shim refused or closed the connection: what it should do


async def run_attack(shim: Shim, attack: str, count: int, seconds: float, authorization: str,
                     pause: float = CALL_PAUSE) -> Result:
    stop = asyncio.Event()
    peak = shim.rss_mb()

    async def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, shim.rss_mb())
            await asyncio.sleep(0.02)

    sampler = asyncio.get_running_loop().create_task(sample())
    attackers = [asyncio.get_running_loop().create_task(_quietly(_ATTACKERS[attack](shim.port, i, stop)))
                 for i in range(count)]
    await asyncio.sleep(min(1.0, seconds / 3))  # let the attack build up
    latencies: list[float] = []
    failed = 0
    url = f"http://127.0.0.1:{shim.port}{PASSWD}"
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                async with http.get(url, headers={"Authorization": authorization}) as resp:
                    await resp.read()
                    ok = resp.status == 200
            except (aiohttp.ClientError, asyncio.TimeoutError):
                ok = False
            latencies.append(time.perf_counter() - started)
            failed += not ok
            await asyncio.sleep(pause)
    stop.set()
    await asyncio.wait(attackers, timeout=5)
    for task in attackers:
        task.cancel()
    await sampler
    latencies.sort()
    ms = [value * 1000 for value in latencies]
    return Result(attack, count, len(ms), failed, round(ms[len(ms) // 2], 1),
                  round(ms[min(len(ms) - 1, int(len(ms) * 0.99))], 1), round(ms[-1], 1), round(peak, 1))


async def run_all(counts: dict[str, int], seconds: float, only: tuple[str, ...] = ATTACKS,
                  pause: float = CALL_PAUSE) -> list[Result]:
    from shim import fakecpanel
    from shim.inbound.listener import start_listener

    state = fakecpanel.FakeState.demo()
    upstream = await start_listener(fakecpanel.create_whm_app(state), "127.0.0.1", 0)
    authorization = f"whm root:{fakecpanel.ROOT_TOKEN}"
    try:
        async with Shim(upstream.port) as shim:
            results = []
            for attack in only:
                results.append(await run_attack(shim, attack, counts[attack], seconds, authorization, pause))
                await asyncio.sleep(0.3)  # the shim settles between attacks
            return results
    finally:
        await upstream.close()


def main(argv: list[str] | None = None, prog: str = "python -m bench.hostile") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="the attack suite's scaled-down counts")
    parser.add_argument("--seconds", type=float, default=5.0, help="legitimate calls per attack, seconds")
    args = parser.parse_args(argv)
    results = asyncio.run(run_all(SMALL if args.small else FULL, args.seconds))
    print(f"{'attack':18} {'count':>5} {'calls':>5} {'failed':>6} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
          f"{'peak RSS MB':>11}")
    for r in results:
        print(f"{r.attack:18} {r.count:5} {r.calls:5} {r.failed:6} {r.p50_ms:7} {r.p99_ms:7} {r.max_ms:7} "
              f"{r.peak_rss_mb:11}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
