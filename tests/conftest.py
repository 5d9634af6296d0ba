"""A real stack for end-to-end tests: fake WHM and cPanel servers, the shim in front.

Every piece is a real aiohttp server on an ephemeral loopback port; tests talk to the shim
over real HTTP with their own client.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import functools
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator

import aiohttp
import pytest

from shim import fakecpanel
from shim.app import TableHolder, create_app, load_configured_table
from shim.config import Config, load_config
from shim.inbound.listener import Listener, start_listener
from shim.translation.mapping import MappingTable, load_table
from shim.observability.observe import Runtime
from shim.operations.admin import create_admin_app
from shim.operations.reload import Reloader

ROOT = Path(__file__).resolve().parent.parent
ROOT_AUTH = {"Authorization": f"whm root:{fakecpanel.ROOT_TOKEN}"}
USER_AUTH = {"Authorization": f"cpanel user:{fakecpanel.USER_TOKEN}"}
BASIC_USER_AUTH = {"Authorization": "Basic " + base64.b64encode(f"user:{fakecpanel.USER_PASSWORD}".encode()).decode()}


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`python -m shim ARGS` run in this process from the project root: its exit status, stdout
    and stderr as the child's would be, without a child's 0.5-1 s of start-up. For commands
    that neither serve nor fork (check, translate, coverage, usage); a traceback is an error
    here too. tests/test_cli.py runs the same commands as real processes."""
    from shim.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(ROOT), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        saved_stdin, sys.stdin = sys.stdin, io.StringIO(stdin or "")
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's refusals, as `raise SystemExit(main())` would end
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                print(exc.code, file=sys.stderr)
        finally:
            sys.stdin = saved_stdin
    return subprocess.CompletedProcess([sys.executable, "-m", "shim", *args], code or 0, out.getvalue(), err.getvalue())


def pytest_collection_modifyitems(items):
    # Serial tests first (the sort is stable): under xdist they then start while the other
    # worker is on its first test, not waiting for whatever long test it is in the middle of.
    items.sort(key=lambda item: item.get_closest_marker("serial") is None)


@pytest.fixture(autouse=True)
def _alone_when_serial(request, tmp_path_factory):
    """Under pytest-xdist (`./dev test` runs the suite on every core), a test marked `serial`
    runs while no other test does: it times the shim's latency, which a test running beside it
    on the same cores would distort. Every other test holds a shared lock on one file all
    workers see, a serial test the exclusive one. In a single process this does nothing."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        yield
        return
    serial = request.node.get_closest_marker("serial") is not None
    path = tmp_path_factory.getbasetemp().parent / "serial.lock"  # beside each worker's own basetemp
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if serial else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@dataclass
class Stack:
    state: fakecpanel.FakeState
    config: Config
    whm: str  # base URL of the shim's WHM listener
    cpanel: str  # base URL of the shim's cPanel listener
    fake_whm: str
    fake_cpanel: str
    http: aiohttp.ClientSession

    async def get_json(self, url: str, **kwargs: Any) -> tuple[int, Any]:
        async with self.http.get(url, **kwargs) as resp:
            return resp.status, await resp.json(content_type=None)

    async def post_json(self, url: str, **kwargs: Any) -> tuple[int, Any]:
        async with self.http.post(url, **kwargs) as resp:
            return resp.status, await resp.json(content_type=None)

    async def uapi_data(self, module: str, func: str, **args: str) -> Any:
        """`data` of a successful UAPI call made straight to the fake cPanel as `user`."""
        status, document = await self.get_json(f"{self.fake_cpanel}/execute/{module}/{func}", params=args, headers=USER_AUTH)
        assert status == 200 and document["status"] == 1, document
        return document["data"]


def configured_table(config: Config) -> MappingTable:
    """shim.app.load_configured_table, with the shipped table read and compiled once per test
    process and shared (a tenth of a second each time, before nearly every end-to-end test;
    tables are frozen). Mapping files or `functions:` rules of the test's own: loaded as usual."""
    if config.mappings or config.extra.get("functions"):
        return load_configured_table(config)
    return _shipped_table(config.default_mode, config.upstream_version, config.upstream_api2)


@functools.cache
def _shipped_table(default_mode: str, upstream_version: tuple[int, ...] | None, upstream_api2: str) -> MappingTable:
    return load_table(None, default_mode=default_mode, upstream_version=upstream_version, upstream_api2=upstream_api2)


async def start_stack(overrides: dict[str, Any] | None = None, state: fakecpanel.FakeState | None = None,
                      runtime: Runtime | None = None, tables: TableHolder | None = None):
    state = state or fakecpanel.FakeState.demo()
    fake_whm = await start_listener(fakecpanel.create_whm_app(state), "127.0.0.1", 0)
    fake_cpanel = await start_listener(fakecpanel.create_cpanel_app(state), "127.0.0.1", 0)
    config = load_config(
        None,
        {
            "whm_listen": "127.0.0.1:0",
            "whm_upstream": f"http://127.0.0.1:{fake_whm.port}",
            "cpanel_listen": "127.0.0.1:0",
            "cpanel_upstream": f"http://127.0.0.1:{fake_cpanel.port}",
            "connect_timeout": 2.0,
            "read_timeout": 5.0,
            **(overrides or {}),
        },
    )
    tables = tables or TableHolder(configured_table(config))
    limits = config.http_limits()
    shim_whm = await start_listener(create_app(config, "whm", tables, runtime), "127.0.0.1", 0, limits=limits)
    shim_cpanel = await start_listener(create_app(config, "cpanel", tables, runtime), "127.0.0.1", 0, limits=limits)
    listeners: list[Listener] = [shim_whm, shim_cpanel, fake_whm, fake_cpanel]
    return state, config, listeners


@pytest.fixture
async def stack() -> AsyncIterator[Stack]:
    state, config, listeners = await start_stack()
    shim_whm, shim_cpanel, fake_whm, fake_cpanel = listeners
    async with aiohttp.ClientSession(auto_decompress=False) as http:
        yield Stack(
            state=state,
            config=config,
            whm=f"http://127.0.0.1:{shim_whm.port}",
            cpanel=f"http://127.0.0.1:{shim_cpanel.port}",
            fake_whm=f"http://127.0.0.1:{fake_whm.port}",
            fake_cpanel=f"http://127.0.0.1:{fake_cpanel.port}",
            http=http,
        )
    for listener in listeners:
        await listener.close()


@dataclass
class OpsStack(Stack):
    """The stack plus what operators see: shared runtime, the admin listener, the reloader."""

    runtime: Runtime = None  # type: ignore[assignment]
    tables: TableHolder = None  # type: ignore[assignment]
    reloader: Reloader = None  # type: ignore[assignment]
    admin: str = ""  # base URL of the admin listener


@contextlib.asynccontextmanager
async def ops_stack_context(overrides: dict[str, Any] | None = None, state: fakecpanel.FakeState | None = None):
    runtime = Runtime()
    state, config, listeners = await start_stack(overrides, state, runtime)
    shim_whm, shim_cpanel, fake_whm, fake_cpanel = listeners
    # The shim apps share one TableHolder; fetch it back from one of them.
    from shim.app import STATE
    tables = shim_whm.runner.app[STATE].tables
    reloader = Reloader(None, dict(overrides or {}, **_listen_overrides(config)), config, tables,
                        runtime.lifecycle, runtime.metrics)
    admin = await start_listener(create_admin_app(runtime, config.services, reloader), "127.0.0.1", 0)
    listeners.append(admin)
    try:
        async with aiohttp.ClientSession(auto_decompress=False) as http:
            yield OpsStack(
                state=state, config=config,
                whm=f"http://127.0.0.1:{shim_whm.port}", cpanel=f"http://127.0.0.1:{shim_cpanel.port}",
                fake_whm=f"http://127.0.0.1:{fake_whm.port}", fake_cpanel=f"http://127.0.0.1:{fake_cpanel.port}",
                http=http, runtime=runtime, tables=tables, reloader=reloader, admin=f"http://127.0.0.1:{admin.port}",
            )
    finally:
        for listener in listeners:
            await listener.close()


def _listen_overrides(config: Config) -> dict[str, Any]:
    """The settings start_stack chose, so a reload rebuilds the same config."""
    values: dict[str, Any] = {"connect_timeout": config.connect_timeout, "read_timeout": config.read_timeout}
    for service in config.services:
        values[f"{service.name}_listen"] = f"{service.listen_host}:{service.listen_port}"
        values[f"{service.name}_upstream"] = str(service.upstream)
    return values


@pytest.fixture
async def ops_stack() -> AsyncIterator[OpsStack]:
    async with ops_stack_context() as stack:
        yield stack


async def raw_exchange(port: int, data: bytes, timeout: float = 3) -> bytes:
    """Send bytes exactly as given to a loopback port; read until the server closes."""
    import asyncio

    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
