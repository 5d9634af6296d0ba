"""Stopping and scaling the real process: `python -m shim serve` in a subprocess, the fake in the test.

SIGTERM with requests in flight: every one gets its complete answer, new connections are
refused, the process exits 0; the drain is bounded. `--workers 2`: two processes on one port.
"""

import asyncio
import os
import re
import signal
import ssl
import sys
from datetime import datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
import trustme
from conftest import ROOT_AUTH

from shim import fakecpanel
from shim.config import load_config
from shim.inbound.listener import start_listener
from shim.operations.workers import MULTIPROC_ENV, run_master

ROOT = Path(__file__).resolve().parent.parent
PASSWD = "/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&user=user&pass=x"
OK = {"cpanelresult": {"apiversion": 2, "func": "passwd", "module": "Ftp", "data": [{"result": 1, "reason": "OK"}],
                       "event": {"result": 1}}}
_LISTENING = re.compile(r"whm listening on https?://127\.0\.0\.1:(\d+)")
_ADMIN = re.compile(r"admin listening on [\d.]+:(\d+)")
_STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ")


class Shim:
    """A `serve` process and what it logs."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.log: list[str] = []
        self._reader: asyncio.Task | None = None

    async def wait_listening(self, count: int = 1) -> int:
        ports = []
        while len(ports) < count:
            line = (await asyncio.wait_for(self.proc.stderr.readline(), 15)).decode()
            assert line, f"serve exited early: {self.log}"
            self.log.append(line)
            match = _LISTENING.search(line)
            if match:
                ports.append(int(match.group(1)))
        self._reader = asyncio.get_running_loop().create_task(self._drain_log())
        assert len(set(ports)) == 1
        return ports[0]

    async def wait_ready(self) -> None:
        """Until /readyz answers 200: every listener is up and the process is past start-up."""
        admin = await self.admin_port()
        async with asyncio.timeout(15), aiohttp.ClientSession() as http:
            while True:
                try:
                    async with http.get(f"http://127.0.0.1:{admin}/readyz") as resp:
                        if resp.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.01)

    async def whole_log(self) -> list[str]:
        """Every line, once the process has exited."""
        await asyncio.wait_for(self._reader, 10)
        return self.log

    async def in_flight(self) -> float:
        """The shim's own count of requests it is handling (its in-flight gauge)."""
        admin = await self.admin_port()
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{admin}/metrics") as resp:
                text = await resp.text()
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith("api2shim_in_flight{"))

    async def admin_port(self) -> int:
        """The admin listener logs after the others; wait for its line."""
        for _ in range(500):
            found = [int(m.group(1)) for line in self.log for m in [_ADMIN.search(line)] if m]
            if found:
                return found[0]
            await asyncio.sleep(0.01)
        raise AssertionError(f"no admin listener in {self.log}")

    async def _drain_log(self) -> None:
        async for line in self.proc.stderr:
            self.log.append(line.decode())


@pytest.fixture
async def fake():
    state = fakecpanel.FakeState.demo()
    listener = await start_listener(fakecpanel.create_whm_app(state), "127.0.0.1", 0, shutdown_timeout=0.1)
    yield state, listener.port
    await listener.close()


async def serve(upstream_port: int, *extra: str) -> Shim:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shim", "serve", "--whm-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
        "--whm-upstream", f"http://127.0.0.1:{upstream_port}", *extra,
        cwd=ROOT, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    return Shim(proc)


async def test_sigterm_lets_every_request_in_flight_finish_then_exits_0(fake):
    state, upstream = fake
    shim = await serve(upstream)
    port = await shim.wait_listening()
    admin = await shim.admin_port()
    state.faults.add("/json-api/uapi_cpanel", "delay:0.4", times=None)
    async with aiohttp.ClientSession() as http:
        async def call():
            async with http.get(f"http://127.0.0.1:{port}{PASSWD}", headers=ROOT_AUTH) as resp:
                return resp.status, await resp.json()

        in_flight = [asyncio.create_task(call()) for _ in range(12)]
        for _ in range(1000):  # until all of them reached upstream and are waiting there
            if len(state.requests) == 12:
                break
            await asyncio.sleep(0.01)
        assert len(state.requests) == 12
        async with http.get(f"http://127.0.0.1:{admin}/readyz") as resp:
            assert resp.status == 200
        shim.proc.send_signal(signal.SIGTERM)
        async with aiohttp.ClientSession() as fresh:  # readiness is off while requests finish
            for _ in range(100):  # until the shim has taken the signal in
                async with fresh.get(f"http://127.0.0.1:{admin}/readyz") as resp:
                    status, text = resp.status, await resp.text()
                if status != 200:
                    break
                await asyncio.sleep(0.005)
            assert status == 503 and "draining" in text
        with pytest.raises(aiohttp.ClientConnectionError):  # no new connections
            async with aiohttp.ClientSession() as fresh:
                async with fresh.get(f"http://127.0.0.1:{port}{PASSWD}", headers=ROOT_AUTH) as resp:
                    await resp.read()
        assert await asyncio.gather(*in_flight) == [(200, OK)] * 12
    assert await asyncio.wait_for(shim.proc.wait(), 10) == 0
    assert any("12 request(s) in flight" in line for line in shim.log)


async def test_sigterm_while_it_still_starts_stops_it_cleanly_with_exit_0(fake):
    """Sent the moment the first listener is up, before the admin listener and the start-up
    gc: the stop is remembered, so the process drains and exits 0 instead of dying with -15."""
    _, upstream = fake
    shim = await serve(upstream)
    await shim.wait_listening()
    shim.proc.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(shim.proc.wait(), 10) == 0
    assert any("stopped" in line for line in await shim.whole_log())


def test_a_master_stopped_while_it_loaded_starts_no_worker_and_exits_0(monkeypatch, tmp_path):
    """`--workers 2` told to stop before its own handlers were in: no worker starts, exit 0."""
    monkeypatch.setenv(MULTIPROC_ENV, str(tmp_path))  # else the master sets it here, for the later tests' processes too
    config = load_config(None, {"whm_listen": "127.0.0.1:0", "whm_upstream": "http://127.0.0.1:9", "workers": 2})
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    children = set(children_of(os.getpid()))
    try:
        assert run_master(config, ["serve"], stop_requested=lambda: True) == 0
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
    assert set(children_of(os.getpid())) == children


async def test_a_close_with_a_deadline_cuts_off_a_handler_that_never_ends_at_the_deadline():
    """In-process, so no process exit closes the socket for us: the listener itself must."""
    started = asyncio.Event()

    async def never_ends(request: web.Request) -> web.Response:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    app = web.Application()
    app.router.add_get("/", never_ends)
    listener = await start_listener(app, "127.0.0.1", 0, shutdown_timeout=30)
    async with aiohttp.ClientSession() as http:
        pending = asyncio.ensure_future(http.get(f"http://127.0.0.1:{listener.port}/"))
        await asyncio.wait_for(started.wait(), 3)
        await listener.close(0.2)
        with pytest.raises(aiohttp.ClientConnectionError):  # not left open until aiohttp's own 30 s
            async with asyncio.timeout(2):
                await pending


async def test_the_drain_is_bounded_by_timeouts_shutdown(fake, tmp_path):
    state, upstream = fake
    config = tmp_path / "shim.yaml"
    config.write_text("timeouts:\n  shutdown: 0.3\n")
    shim = await serve(upstream, "--config", str(config))
    port = await shim.wait_listening()
    await shim.wait_ready()
    state.faults.add("/json-api/uapi_cpanel", "hang", times=None)
    async with aiohttp.ClientSession() as http:
        async def call():
            async with http.get(f"http://127.0.0.1:{port}{PASSWD}", headers=ROOT_AUTH) as resp:
                return await resp.read()

        stuck = asyncio.create_task(call())
        for _ in range(1000):
            if state.requests:
                break
            await asyncio.sleep(0.01)
        assert state.requests, "the call never reached the upstream"
        shim.proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(shim.proc.wait(), 10) == 0
        assert drain_seconds(await shim.whole_log()) < 1.0
        with pytest.raises(aiohttp.ClientError):  # cut off, not answered with a half document
            await stuck


def drain_seconds(log: list[str]) -> float:
    """From the shim's "stopping" line to its "stopped" line, by the shim's own log clock: the
    drain itself, without signal delivery and interpreter exit, which a loaded machine stretches."""
    def stamp(text: str) -> datetime:
        [line] = [line for line in log if f" api2shim {text}" in line]
        return datetime.strptime(_STAMP.match(line).group(1), "%Y-%m-%d %H:%M:%S,%f")

    return (stamp("[-] stopped") - stamp("[-] stopping: ")).total_seconds()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


async def test_two_workers_share_one_port_count_together_and_stop_together(fake, tmp_path, monkeypatch):
    state, upstream = fake
    metrics_dir = tmp_path / "metrics"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(metrics_dir))
    shim = await serve(upstream, "--workers", "2")
    port = await shim.wait_listening(count=2)
    admin = await shim.admin_port()
    workers = children_of(shim.proc.pid)
    assert len(workers) == 2
    answers = []
    for _ in range(30):  # a new connection each time, so the kernel spreads them
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}{PASSWD}", headers=ROOT_AUTH) as resp:
                answers.append((resp.status, await resp.json()))
    assert answers == [(200, OK)] * 30
    # both workers served (each keeps its own sample files), and any of them reports the sum
    assert {int(p.stem.rsplit("_", 1)[1]) for p in metrics_dir.glob("counter_*.db")} == set(workers)
    for _ in range(4):
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{admin}/metrics") as resp:
                text = await resp.text()
        calls = [line for line in text.splitlines() if line.startswith("api2shim_api2_calls_total{")]
        assert sum(float(line.rsplit(" ", 1)[1]) for line in calls) == 30, calls
    shim.proc.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(shim.proc.wait(), 10) == 0
    assert [pid for pid in workers if os.path.exists(f"/proc/{pid}")] == []


async def test_a_worker_that_dies_is_replaced_and_the_port_keeps_answering(fake):
    state, upstream = fake
    shim = await serve(upstream, "--workers", "2")
    port = await shim.wait_listening(count=2)
    first = children_of(shim.proc.pid)
    os.kill(first[0], signal.SIGKILL)
    # Waits on conditions with a bound a loaded machine cannot reach (a new worker needs about
    # a second of CPU to start); each ends as soon as its condition holds.
    async with asyncio.timeout(20):
        while True:  # the master notices within its poll and respawn intervals
            now = children_of(shim.proc.pid)
            if len(now) == 2 and first[0] not in now:
                break
            await asyncio.sleep(0.02)
        assert first[1] in now
        while sum(1 for line in shim.log if _LISTENING.search(line)) < 3:  # the new worker listens
            await asyncio.sleep(0.01)
    assert sum(1 for line in shim.log if _LISTENING.search(line)) == 3
    for _ in range(10):
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}{PASSWD}", headers=ROOT_AUTH) as resp:
                assert (resp.status, await resp.json()) == (200, OK)
    shim.proc.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(shim.proc.wait(), 10) == 0


async def test_serve_speaks_tls_with_the_configured_pair(fake, tmp_path):
    state, upstream = fake
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert.cert_chain_pems[0].write_to_path(str(tmp_path / "cert.pem"))
    cert.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
    (tmp_path / "shim.yaml").write_text("tls:\n  cert: cert.pem\n  key: key.pem\n")
    shim = await serve(upstream, "--config", str(tmp_path / "shim.yaml"))
    port = await shim.wait_listening()
    assert any(f"whm listening on https://127.0.0.1:{port}" in line for line in shim.log)
    client_tls = ssl.create_default_context()
    ca.configure_trust(client_tls)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=client_tls)) as http:
        async with http.get(f"https://127.0.0.1:{port}{PASSWD}", headers=ROOT_AUTH) as resp:
            assert (resp.status, await resp.json()) == (200, OK)
    shim.proc.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(shim.proc.wait(), 10) == 0


async def test_the_drain_ends_at_timeouts_shutdown_whatever_the_requests_are_doing(fake, tmp_path):
    """Issue 13, finding 5: aiohttp alone waited, cancelled, then waited again (and rounds
    timeouts of 5 s and more up to whole seconds): the drain could last twice the setting."""
    state, upstream = fake
    config = tmp_path / "shim.yaml"
    config.write_text("timeouts:\n  shutdown: 1.2\n")
    shim = await serve(upstream, "--config", str(config))
    port = await shim.wait_listening()
    await shim.wait_ready()
    state.faults.add("/json-api/uapi_cpanel", "hang", times=1)
    state.faults.add("/json-api/version", "delay:0.3", times=1)
    async with aiohttp.ClientSession() as http:
        async def call(path):
            async with http.get(f"http://127.0.0.1:{port}{path}", headers=ROOT_AUTH) as resp:
                return resp.status, await resp.read()

        stuck = asyncio.create_task(call(PASSWD))
        quick = asyncio.create_task(call("/json-api/version?api.version=1"))
        # An upload trickling into the pass-through, and one into an API 2 body.
        readers = []
        for head in (b"POST /json-api/restorepkg HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n",
                     b"POST /json-api/cpanel HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nx"):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(head)
            readers.append((reader, writer))
        # Until the shim handles all four (the uploads reach no upstream handler until their
        # bodies end, so the fake's request list cannot say so) and both calls wait upstream.
        async with asyncio.timeout(15):
            while await shim.in_flight() < 4 or len(state.requests) < 2:
                await asyncio.sleep(0.01)
        shim.proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(shim.proc.wait(), 10) == 0
        elapsed = drain_seconds(await shim.whole_log())
        assert 1.1 < elapsed < 1.9, elapsed
        assert (await quick)[0] == 200  # what finished in time was answered
        with pytest.raises(aiohttp.ClientError):
            await stuck
        for _, writer in readers:
            writer.close()
