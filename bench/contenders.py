"""Starting everything the bench compares: the fixed upstream and each contender on loopback."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import nginx
from .answers import Scenario, upstream_routes
from .procs import Server, free_port, start

_CHECKOUT = Path(__file__).resolve().parent.parent
SHIM_READ_TIMEOUT = 30  # seconds; the bench's upstream answers at once


def have_uvloop() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class Contender:
    name: str
    description: str
    servers: list[Server]
    # Base URLs per shim service ("whm"/"cpanel"); a proxy that does not care lists one for both.
    bases: dict[str, list[str]]
    loop: str = ""  # the event loop a Python contender runs on

    def urls(self, scenario: Scenario) -> list[str]:
        return [base + scenario.path for base in self.bases[scenario.service]]

    def rss_kib(self) -> int:
        return sum(s.rss_kib() for s in self.servers)

    def peak_rss_kib(self) -> int:
        return sum(s.peak_rss_kib() for s in self.servers)

    def cpu_seconds(self) -> float:
        return sum(s.cpu_seconds() for s in self.servers)


def _base(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def _both(port: int) -> dict[str, list[str]]:
    return {"whm": [_base(port)], "cpanel": [_base(port)]}


@dataclass
class Lineup:
    upstream: Server
    upstream_kind: str
    contenders: list[Contender] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def servers(self) -> list[Server]:
        return [self.upstream, *(s for c in self.contenders for s in c.servers)]


def start_upstream(workdir: Path, nginx_binary: str | None) -> tuple[Server, str]:
    port = free_port()
    if nginx_binary:
        prefix = workdir / "nginx-upstream"
        prefix.mkdir()
        config = nginx.upstream_config(prefix, port, upstream_routes())
        return start("upstream", nginx.command(nginx_binary, prefix, config), [port], workdir / "upstream.log"), "nginx"
    argv = [sys.executable, "-m", "bench.upstream", "--port", str(port)]
    if have_uvloop():
        argv.append("--uvloop")
    kind = "aiohttp" + (" + uvloop" if have_uvloop() else "")
    return start("upstream", argv, [port], workdir / "upstream.log"), kind


def shim_supports_workers() -> bool:
    out = subprocess.run([sys.executable, "-m", "shim", "serve", "--help"], capture_output=True, text=True, timeout=60)
    return "--workers" in out.stdout


def _shim_config(workdir: Path, name: str, whm_port: int, cpanel_port: int, upstream_port: int) -> Path:
    path = workdir / f"{name}.yaml"
    upstream = _base(upstream_port)
    path.write_text(
        f"""whm:
  listen: 127.0.0.1:{whm_port}
  upstream: {upstream}
cpanel:
  listen: 127.0.0.1:{cpanel_port}
  upstream: {upstream}
# Unmapped functions get cPanel's "Could not find function" answer (the reject scenario).
default_mode: reject
timeouts:
  read: {SHIM_READ_TIMEOUT}
# Several shims run side by side here: none takes the default admin port.
admin:
  listen: off
"""
    )
    return path


def _start_shim(workdir: Path, name: str, upstream_port: int, env: dict[str, str] | None = None,
                extra_args: tuple[str, ...] = (), checkout: Path | None = None) -> Server:
    whm, cpanel = free_port(), free_port()
    config = _shim_config(workdir, name, whm, cpanel, upstream_port)
    argv = [sys.executable, "-m", "shim", "serve", "--config", str(config), *extra_args]
    # `python -m shim` imports the package from the folder it runs in: this checkout, or another one.
    return start(name, argv, [whm], workdir / f"{name}.log", env=env, cwd=checkout or _CHECKOUT, cpanel=cpanel)


def _shim_bases(servers: list[Server]) -> dict[str, list[str]]:
    return {"whm": [_base(s.ports[0]) for s in servers], "cpanel": [_base(s.extra["cpanel"]) for s in servers]}


def start_lineup(
    workdir: Path, *, use_nginx: bool, workers: int, only: set[str] | None, compare: Path | None = None
) -> Lineup:
    """Start the upstream and every wanted contender; `compare` adds the shim of another checkout."""
    nginx_binary = nginx.find_nginx() if use_nginx else None
    upstream, kind = start_upstream(workdir, nginx_binary)
    lineup = Lineup(upstream, kind)
    up_port = upstream.ports[0]
    uv = have_uvloop()
    shim_loop = "uvloop" if uv else "asyncio"

    def wanted(name: str) -> bool:
        return only is None or name in only

    if wanted("direct"):
        lineup.contenders.append(Contender("direct", f"the upstream itself ({kind})", [], _both(up_port)))
    if wanted("nginx"):
        if nginx_binary:
            port = free_port()
            prefix = workdir / "nginx-proxy"
            prefix.mkdir()
            config = nginx.proxy_config(prefix, port, up_port)
            server = start("nginx", nginx.command(nginx_binary, prefix, config), [port], workdir / "nginx.log")
            lineup.contenders.append(Contender("nginx", "nginx proxy_pass, upstream keep-alive, 1 worker", [server], _both(port)))
        else:
            lineup.notes.append("nginx: not installed, no ceiling measured (apt-get install -y nginx)")
    for name, with_uvloop in (("aiohttp", False), ("aiohttp+uvloop", True)):
        if not wanted(name):
            continue
        if with_uvloop and not uv:
            lineup.notes.append("aiohttp+uvloop: uvloop not installed")
            continue
        port = free_port()
        argv = [sys.executable, "-m", "bench.bareproxy", "--port", str(port), "--upstream", _base(up_port)]
        if with_uvloop:
            argv.append("--uvloop")
        server = start(name, argv, [port], workdir / f"{name}.log")
        loop = "uvloop" if with_uvloop else "asyncio"
        lineup.contenders.append(Contender(name, f"bare aiohttp pass-through proxy ({loop})", [server], _both(port), loop))
    if wanted("shim"):
        server = _start_shim(workdir, "shim", up_port)
        lineup.contenders.append(Contender("shim", f"api2shim serve, 1 process ({shim_loop})", [server], _shim_bases([server]), shim_loop))
    if wanted("shim-asyncio") and uv:
        server = _start_shim(workdir, "shim-asyncio", up_port, env={"API2SHIM_UVLOOP": "0"})
        lineup.contenders.append(
            Contender("shim-asyncio", "api2shim serve, 1 process, uvloop disabled", [server], _shim_bases([server]), "asyncio")
        )
    if compare is not None:
        server = _start_shim(workdir, "shim-ref", up_port, checkout=compare)
        lineup.contenders.append(
            Contender("shim-ref", f"api2shim serve from {compare} (before/after comparison)", [server],
                      _shim_bases([server]), shim_loop)
        )
    if workers > 1 and wanted(f"shim-x{workers}"):
        name = f"shim-x{workers}"
        if shim_supports_workers():
            server = _start_shim(workdir, name, up_port, extra_args=("--workers", str(workers)))
            lineup.contenders.append(Contender(name, f"api2shim serve --workers {workers}", [server], _shim_bases([server]), shim_loop))
        else:
            servers = [_start_shim(workdir, f"{name}-{i}", up_port) for i in range(workers)]
            lineup.contenders.append(
                Contender(
                    name,
                    f"{workers} separate api2shim processes on {workers} ports, load split across them "
                    "(`serve --workers` not available)",
                    servers,
                    _shim_bases(servers),
                    shim_loop,
                )
            )
    return lineup
