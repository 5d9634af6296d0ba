"""`serve --workers N`: N worker processes on the same ports, kept by a small master.

The master resolves each listen address to a port (so `:0` works) and keeps that port
reserved with a bound, never-listening SO_REUSEPORT socket; each worker re-runs the same
command line with `--worker`, binds the port with SO_REUSEPORT and listens, and the kernel
spreads new connections over the workers. Workers import everything afresh with
PROMETHEUS_MULTIPROC_DIR set, so prometheus-client sums their metrics.

Signals: SIGTERM or SIGINT on the master is passed to every worker, which drains (see
`_serve`); the master exits 0 when all workers did. A worker that dies on its own is
started again (at most once per RESPAWN_INTERVAL, so a worker that cannot start does not
spin).
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from shim.config import Config
from shim.observability.metrics import MULTIPROC_ENV, mark_process_dead

log = logging.getLogger("api2shim.workers")

RESPAWN_INTERVAL = 1.0
POLL_SECONDS = 0.1
# On top of shutdown_timeout: time for a worker to start its exit after draining.
EXIT_GRACE = 5.0


def reserve_port(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    return sock  # bound, not listening: the kernel hands connections only to listening sockets


def run_master(config: Config, argv: list[str], stop_requested: Callable[[], bool] = lambda: False) -> int:
    # Every port the workers share, the admin one included (so /metrics is one address).
    shared = [(f"--{s.name}-listen", s.name, s.listen_host, s.listen_port) for s in config.services]
    admin = config.admin_settings.listen
    if admin is not None:
        shared.append(("--admin-listen", "admin", admin[0], admin[1]))
    reserved: list[socket.socket] = []
    listen_flags: list[str] = []
    try:
        for flag, name, host, port in shared:
            reserved.append(reserve_port(host, port))
            bound = reserved[-1].getsockname()[1]
            listen_flags += [flag, f"{host}:{bound}"]
            log.info("%s on port %d served by %d workers", name, bound, config.workers)
    except OSError:
        for sock in reserved:
            sock.close()
        raise
    own_dir = None
    if not os.environ.get(MULTIPROC_ENV):
        own_dir = tempfile.mkdtemp(prefix="api2shim-metrics-")
        os.environ[MULTIPROC_ENV] = own_dir  # for the workers, and for mark_process_dead here
    else:
        _clear_metrics(Path(os.environ[MULTIPROC_ENV]))  # counters of an earlier run must not add up
    env = dict(os.environ)
    command = [sys.executable, "-m", "shim", *argv, *listen_flags, "--workers", "1", "--worker"]
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for proc in workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)

    def reload(signum: int, _frame: object) -> None:
        # Each worker reloads its own table (reload.py); the master has none.
        for proc in workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGHUP)

    workers: list[subprocess.Popen[bytes]] = []
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, reload)
    # A stop that came while the config loaded: start no worker, exit 0 as a drained server does.
    stopping = stop_requested()
    try:
        if not stopping:
            workers.extend(subprocess.Popen(command, env=env) for _ in range(config.workers))
        last_start = time.monotonic()
        while not stopping:
            time.sleep(POLL_SECONDS)
            for index, proc in enumerate(workers):
                if proc.poll() is not None and not stopping and time.monotonic() - last_start >= RESPAWN_INTERVAL:
                    log.warning("worker %d exited with %s; starting it again", proc.pid, proc.returncode)
                    mark_process_dead(proc.pid, env[MULTIPROC_ENV])  # its in-flight gauge is gone with it
                    workers[index] = subprocess.Popen(command, env=env)
                    last_start = time.monotonic()
        deadline = time.monotonic() + config.shutdown_timeout + EXIT_GRACE
        codes = []
        for proc in workers:
            try:
                codes.append(proc.wait(timeout=max(0.0, deadline - time.monotonic())))
            except subprocess.TimeoutExpired:
                log.error("worker %d did not stop in time; killing it", proc.pid)
                proc.kill()
                codes.append(proc.wait())
        return 0 if all(code == 0 for code in codes) else 1
    finally:
        for sock in reserved:
            sock.close()
        if own_dir:
            shutil.rmtree(own_dir, ignore_errors=True)


def _clear_metrics(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for db in directory.glob("*.db"):
        db.unlink()
