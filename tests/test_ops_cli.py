"""The operator's view of logging, the admin listener and reloads, on the real process.

Config sections `admin` and `logging` are validated at load with file and line; `serve`
writes its access log where configured, answers /healthz on the admin port, reloads on
SIGHUP, and `python -m shim usage` reports from the admin listener or from the log.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from conftest import ROOT_AUTH, run_cli

from shim import fakecpanel
from shim.config import AdminSettings, ConfigError, LoggingSettings, load_config
from shim.inbound.listener import start_listener

ROOT = Path(__file__).resolve().parent.parent
SECRET = "Luggage-S3cret-98765"
PASSWD = ("/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd"
          f"&cpanel_jsonapi_apiversion=2&user=user&pass={SECRET}")
FTP_TRANSLATE = ("module: Ftp\nfunctions:\n  passwd:\n    mode: translate\n    uapi: Ftp::passwd\n"
                 "    args:\n      user: user\n      pass: {to: pass, secret: true}\n    output: {shape: status}\n")
FTP_REJECT = "module: Ftp\nfunctions:\n  passwd:\n    mode: reject\n    reason: retired\n"
REJECTED = {"cpanelresult": {"apiversion": 2, "error": "Could not find function 'passwd' in module 'Ftp'",
                             "func": "passwd", "module": "Ftp"}}


def errors_of(path: Path, text: str) -> list[str]:
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.errors


def test_admin_and_logging_sections_load(tmp_path):
    path = tmp_path / "shim.yaml"
    path.write_text("whm:\n  listen: 127.0.0.1:2087\nadmin:\n  listen: 0.0.0.0:9999\n"
                    "logging:\n  access_log: /var/log/api2shim/access.log\n  level: debug\n")
    config = load_config(path)
    assert (config.admin_settings, config.logging_settings) == (
        AdminSettings(("0.0.0.0", 9999)), LoggingSettings("/var/log/api2shim/access.log", "DEBUG"))


def test_a_relative_access_log_is_beside_the_config_file(tmp_path):
    path = tmp_path / "shim.yaml"
    path.write_text("whm:\n  listen: 127.0.0.1:2087\nlogging:\n  access_log: logs/access.log\n")
    assert load_config(path).logging_settings == LoggingSettings(str(tmp_path / "logs" / "access.log"), "INFO")


def test_defaults_and_off(tmp_path):
    config = load_config(None, {"whm_listen": "127.0.0.1:1"})
    assert (config.admin_settings, config.logging_settings) == (
        AdminSettings(("127.0.0.1", 9180)), LoggingSettings("stdout", "INFO"))
    assert load_config(None, {"whm_listen": "127.0.0.1:1", "admin_listen": "off"}).admin_settings == AdminSettings(None)
    path = tmp_path / "shim.yaml"
    path.write_text("whm:\n  listen: 127.0.0.1:2087\nadmin:\n  listen: off\nlogging:\n  access_log: off\n")
    config = load_config(path)
    assert (config.admin_settings, config.logging_settings) == (AdminSettings(None), LoggingSettings("off", "INFO"))


def test_section_errors_name_file_and_line(tmp_path):
    path = tmp_path / "shim.yaml"
    assert errors_of(path, "whm:\n  listen: 127.0.0.1:2087\nadmin:\n  listen: nowhere\n  port: 3\n"
                           "logging:\n  level: LOUD\n  access_log: [a]\n  format: json\n") == [
        f"{path}:5: unknown key 'port' in admin (allowed: listen, token_file)",
        f"{path}:4: admin.listen: 'nowhere' is not HOST:PORT or off",
        f"{path}:9: unknown key 'format' in logging (allowed: access_log, level)",
        f"{path}:8: logging.access_log: expected stderr, stdout, off or a file path, not ['a']",
        f"{path}:7: logging.level: 'LOUD' is not one of DEBUG, INFO, WARNING, ERROR",
    ]
    assert errors_of(path, "whm:\n  listen: 127.0.0.1:2087\nadmin: 9180\n") == [f"{path}:3: admin: expected a mapping"]


def test_admin_listen_flag_is_validated():
    result = subprocess.run([sys.executable, "-m", "shim", "serve", "--whm-listen", "127.0.0.1:0",
                             "--admin-listen", "9180"], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert (result.returncode, result.stderr) == (1, "error: admin: '9180' is not HOST:PORT or off\n")


@pytest.fixture
async def fake():
    state = fakecpanel.FakeState.demo()
    listener = await start_listener(fakecpanel.create_whm_app(state), "127.0.0.1", 0)
    yield state, listener.port
    await listener.close()


async def _read_until(stream: asyncio.StreamReader, pattern: str, seen: list[str]) -> re.Match:
    while True:
        line = (await asyncio.wait_for(stream.readline(), 15)).decode()
        assert line, f"serve exited early: {seen}"
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match


def usage_cli(*args: str) -> subprocess.CompletedProcess:
    return run_cli("usage", *args)  # in-process: exit status, stdout and stderr as a child's


async def test_serve_logs_to_file_answers_health_reloads_on_sighup_and_reports_usage(fake, tmp_path):
    state, upstream = fake
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "Ftp.yaml").write_text(FTP_TRANSLATE)
    access_log = tmp_path / "access.log"
    config = tmp_path / "shim.yaml"
    config.write_text(f"whm:\n  listen: 127.0.0.1:0\n  upstream: http://127.0.0.1:{upstream}\n"
                      f"mappings: [mappings]\npartial_mappings: true\nadmin:\n  listen: 127.0.0.1:0\n"
                      f"logging:\n  access_log: {access_log}\n  level: DEBUG\n")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shim", "serve", "--config", str(config), cwd=ROOT,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    stderr: list[str] = []
    try:
        whm = int((await _read_until(proc.stderr, r"whm listening on http://127\.0\.0\.1:(\d+)", stderr)).group(1))
        admin = int((await _read_until(proc.stderr, r"admin listening on 127\.0\.0\.1:(\d+)", stderr)).group(1))
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{admin}/healthz") as resp:
                assert (resp.status, await resp.text()) == (200, "ok\n")
            headers = {**ROOT_AUTH, "User-Agent": "WHMCS/8.10", "X-Request-Id": "first"}
            async with http.get(f"http://127.0.0.1:{whm}{PASSWD}", headers=headers) as resp:
                assert (resp.status, (await resp.json())["cpanelresult"]["data"]) == (200, [{"result": 1, "reason": "OK"}])
            (mappings / "Ftp.yaml").write_text(FTP_REJECT)
            proc.send_signal(signal.SIGHUP)
            await _read_until(proc.stderr, r"reloaded: 1 mapping entries", stderr)
            async with http.get(f"http://127.0.0.1:{whm}{PASSWD}", headers={**headers, "X-Request-Id": "second"}) as resp:
                assert (resp.status, await resp.json()) == (200, REJECTED)
        report = await asyncio.to_thread(usage_cli, "--admin", f"127.0.0.1:{admin}")
        as_json = await asyncio.to_thread(usage_cli, "--admin", f"127.0.0.1:{admin}", "--json")
    finally:
        proc.send_signal(signal.SIGTERM)
        rest = await asyncio.wait_for(proc.stderr.read(), 15)
        stderr.append(rest.decode())
        await proc.wait()
    assert proc.returncode == 0

    lines = [json.loads(line) for line in access_log.read_text().splitlines()]
    assert [(l["id"], l["api2"], l["mode"], l["outcome"], l["auth"]) for l in lines] == [
        ("first", "Ftp::passwd", "translate", "ok", "whm root"),
        ("second", "Ftp::passwd", "reject", "rejected", "whm root"),
    ]
    assert any("[first] api2 Ftp::passwd mode=translate args={'user': 'user', 'pass': '********'}" in line
               for line in stderr)
    everything = "".join(stderr) + access_log.read_text() + report.stdout + as_json.stdout
    assert SECRET not in everything and fakecpanel.ROOT_TOKEN not in everything

    assert report.returncode == 0
    table = report.stdout.splitlines()
    assert table[0].startswith(f"API 2 usage from the shim at 127.0.0.1:{admin} since ")
    assert table[0].endswith(" UTC: 1 functions, 2 calls")
    assert re.split(r"\s{2,}", table[1]) == [
        "function", "handled", "calls", "first seen (UTC)", "last seen (UTC)", "auth", "source", "user agent"]
    rows = [re.split(r"\s{2,}", line) for line in table[2:]]
    assert [row[:3] + row[5:] for row in rows] == [
        ["Ftp::passwd", "rejected", "1", "whm root", "127.0.0.1", "WHMCS/8.10"],
        ["Ftp::passwd", "translated", "1", "whm root", "127.0.0.1", "WHMCS/8.10"],
    ]
    rotated = tmp_path / "access.log.1.gz"
    rotated.write_bytes(gzip.compress(access_log.read_bytes()))
    from_log = await asyncio.to_thread(usage_cli, "--log", str(access_log))
    assert from_log.returncode == 0
    assert from_log.stdout.splitlines()[1:] == table[1:]
    both = await asyncio.to_thread(usage_cli, "--log", str(rotated), "--log", str(access_log))
    assert both.stdout.splitlines()[0].endswith(" UTC: 1 functions, 4 calls")
    document = json.loads(as_json.stdout)
    assert [(r["function"], r["mode"], r["calls"]) for r in document["rows"]] == [
        ("Ftp::passwd", "reject", 1), ("Ftp::passwd", "translate", 1)]


def test_usage_without_a_running_shim_says_so():
    result = usage_cli("--admin", "127.0.0.1:9")
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot read usage: ")


async def test_workers_share_the_admin_port_sum_metrics_and_all_reload_on_sighup(fake, tmp_path):
    state, upstream = fake
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "Ftp.yaml").write_text(FTP_TRANSLATE)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shim", "serve", "--whm-listen", "127.0.0.1:0", "--whm-upstream",
        f"http://127.0.0.1:{upstream}", "--mappings", str(mappings), "--partial-mappings", "--workers", "2",
        "--admin-listen", "127.0.0.1:0", cwd=ROOT, env={**__import__("os").environ, "PYTHONUNBUFFERED": "1"},
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    stderr: list[str] = []
    try:
        # The master binds the admin port (":0" chosen by the system) and shares it with the workers.
        admin = int((await _read_until(proc.stderr, r"admin on port (\d+) served by 2 workers", stderr)).group(1))
        whm = int((await _read_until(proc.stderr, r"whm listening on http://127\.0\.0\.1:(\d+)", stderr)).group(1))
        await _read_until(proc.stderr, r"admin listening", stderr)
        await _read_until(proc.stderr, r"admin listening", stderr)
        for _ in range(8):  # new connections: the kernel spreads them over both workers
            async with aiohttp.ClientSession() as http:
                async with http.get(f"http://127.0.0.1:{whm}{PASSWD}", headers=ROOT_AUTH) as resp:
                    assert resp.status == 200
        calls = 'api2shim_api2_calls_total{function="Ftp::passwd",mode="translate",outcome="ok"} 8.0'
        # Waits on conditions, not on the clock: a loaded machine delays the workers' bookkeeping
        # (usage rows are saved every second), and each wait ends as soon as its condition holds.
        async with asyncio.timeout(15), aiohttp.ClientSession() as http:
            while True:  # each worker counts a call as its answer goes out
                async with http.get(f"http://127.0.0.1:{admin}/metrics") as resp:
                    text = await resp.text()
                if calls in text:
                    break
                await asyncio.sleep(0.05)
            while True:  # other workers save their usage rows every second
                async with http.get(f"http://127.0.0.1:{admin}/usage") as resp:
                    rows = (await resp.json())["rows"]
                if sum(row["calls"] for row in rows) >= 8:
                    break
                await asyncio.sleep(0.1)
        assert calls in text
        assert [(r["function"], r["mode"], r["calls"]) for r in rows] == [("Ftp::passwd", "translate", 8)]
        (mappings / "Ftp.yaml").write_text(FTP_REJECT)
        proc.send_signal(signal.SIGHUP)
        await _read_until(proc.stderr, r"reloaded: 1 mapping entries", stderr)
        await _read_until(proc.stderr, r"reloaded: 1 mapping entries", stderr)
        for _ in range(4):
            async with aiohttp.ClientSession() as http:
                async with http.get(f"http://127.0.0.1:{whm}{PASSWD}", headers=ROOT_AUTH) as resp:
                    assert await resp.json() == REJECTED
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.stderr.read(), 20)
        await proc.wait()
    assert proc.returncode == 0


def test_usage_of_several_workers_adds_up(tmp_path):
    from dataclasses import asdict

    from shim.observability.usage import UsageTracker, load_shares, merged, save_share

    first, second = UsageTracker(), UsageTracker()
    first.record("Ftp::passwd", "translate", "whm root", "10.0.0.1", "WHMCS", when=100.0)
    first.record("Ftp::passwd", "translate", "whm root", "10.0.0.1", "WHMCS", when=300.0)
    second.record("Ftp::passwd", "translate", "whm root", "10.0.0.1", "WHMCS", when=50.0)
    second.record("Email::addpop", "passthrough", "cpanel bob", "10.0.0.2", "curl", when=200.0)
    save_share(second, tmp_path, 2)
    save_share(first, tmp_path, 1)
    (tmp_path / "usage-3.json").write_text("{half a file")
    total = merged([first, *load_shares(tmp_path, except_pid=1)])
    assert [asdict(row) for row in total.sorted_rows()] == [
        {"function": "Email::addpop", "mode": "passthrough", "auth": "cpanel bob", "client": "10.0.0.2",
         "user_agent": "curl", "calls": 1, "first_seen": 200.0, "last_seen": 200.0},
        {"function": "Ftp::passwd", "mode": "translate", "auth": "whm root", "client": "10.0.0.1",
         "user_agent": "WHMCS", "calls": 3, "first_seen": 50.0, "last_seen": 300.0},
    ]
