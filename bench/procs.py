"""Starting, watching and stopping the contenders' processes; their memory from /proc."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

START_TIMEOUT = 15.0  # seconds for a server to accept connections
STOP_TIMEOUT = 5.0


# Below Linux's ephemeral range (32768-60999): the kernel never hands these out for outgoing
# connections or port-0 binds, so a port found free here stays free until our server binds it.
_FIXED_PORTS = range(20000, 32768)


def free_port() -> int:
    """A loopback port free now, chosen outside the kernel's ephemeral range."""
    for _ in range(200):
        port = random.choice(_FIXED_PORTS)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port below the ephemeral range")


@dataclass
class Server:
    """One started process tree (a process and the workers it forks) and the ports it serves."""

    name: str
    process: subprocess.Popen
    ports: list[int]
    log: Path
    extra: dict[str, int] = field(default_factory=dict)  # further named ports (e.g. the shim's cPanel listener)

    def pids(self) -> list[int]:
        return [self.process.pid, *_descendants(self.process.pid)]

    def rss_kib(self) -> int:
        return sum(_status_kib(pid, "VmRSS") for pid in self.pids())

    def peak_rss_kib(self) -> int:
        return sum(_status_kib(pid, "VmHWM") for pid in self.pids())

    def cpu_seconds(self) -> float:
        """User plus system CPU the process tree has used so far (live processes only)."""
        return sum(_cpu_seconds(pid) for pid in self.pids())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(
    name: str, argv: list[str], ports: list[int], log: Path, env: dict[str, str] | None = None,
    cwd: Path | None = None, **extra: int,
) -> Server:
    handle = log.open("wb")
    process = subprocess.Popen(
        argv, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})},
        cwd=cwd,
    )
    handle.close()
    return Server(name, process, ports, log, dict(extra))


def wait_ready(server: Server, deadline: float) -> None:
    """Wait until every port of `server` accepts a connection; raise with its log if it died."""
    for port in [*server.ports, *server.extra.values()]:
        while True:
            if server.process.poll() is not None:
                raise RuntimeError(f"{server.name} exited with {server.process.returncode}:\n{_tail(server.log)}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{server.name} did not listen on {port}:\n{_tail(server.log)}") from None
                time.sleep(0.05)


def _tail(log: Path, size: int = 2000) -> str:
    try:
        return log.read_bytes()[-size:].decode("utf-8", "replace")
    except OSError:
        return "(no log)"


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    queue = [pid]
    while queue:
        parent = queue.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found.append(child)
            queue.append(child)
    return found


_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2:].split()  # the command name may contain spaces
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime


def _status_kib(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0
