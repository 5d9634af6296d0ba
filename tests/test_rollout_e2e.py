"""Phased rollout end to end: per-function modes from the config, shadow comparison against the
fake's native API 2, canary share, strict reload. Real servers, real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from conftest import ROOT_AUTH
from shim import fakecpanel
from shim.app import TableHolder, create_app, load_configured_table
from shim.config import Config, load_config
from shim.fakecpanel import Api2Outcome, Api2Registry
from shim.fakecpanel.modules import load_all
from shim.fakecpanel.registry import DEFAULT_API2
from shim.inbound.listener import start_listener
from shim.observability.observe import Runtime
from shim.operations.admin import create_admin_app
from shim.operations.reload import Reloader

LISTFTP = ("/cpsess0123456789/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_apiversion=2"
           "&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=listftp")
WITHDISK = LISTFTP.replace("func=listftp", "func=listftpwithdisk")
ELSEWHERE = "/home/user/elsewhere"


@dataclass
class RolloutStack:
    state: fakecpanel.FakeState
    config: Config
    runtime: Runtime
    tables: TableHolder
    whm: str
    fake_whm: str
    admin: str
    http: aiohttp.ClientSession
    config_path: Path

    async def get(self, url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
        async with self.http.get(url, headers=headers or ROOT_AUTH) as resp:
            return resp.status, await resp.read(), dict(resp.headers)

    def upstream_paths(self) -> list[str]:
        return [r.path for r in self.state.requests]


def native_with(module: str, func: str, change) -> Api2Registry:
    """The fake's native API 2 with one function's rows passed through `change(rows)`."""
    load_all()  # the fake's modules register their functions when first needed
    registry = Api2Registry()
    for name in DEFAULT_API2.names():
        if name != (module, func):
            registry.register(*name, DEFAULT_API2.get(*name))  # type: ignore[arg-type]
    original = DEFAULT_API2.get(module, func)
    assert original is not None

    def changed(ctx: Any, args: Any) -> Api2Outcome:
        outcome = original(ctx, args)
        return Api2Outcome(change([dict(row) for row in outcome.data]), outcome.error)

    registry.register(module, func, changed)
    return registry


def native_with_a_difference(switch: dict[str, bool]) -> Api2Registry:
    """Native Ftp::listftp reports another home directory for its second login while
    `switch["on"]`: what a translation that is subtly wrong looks like from the other side."""

    def elsewhere(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if switch["on"]:
            rows[1]["homedir"] = ELSEWHERE
        return rows

    return native_with("Ftp", "listftp", elsewhere)


@contextlib.asynccontextmanager
async def rollout_stack(tmp_path: Path, config_text: str, api2: Api2Registry | None = None):
    state = fakecpanel.FakeState.demo()
    fake_whm = await start_listener(fakecpanel.create_whm_app(state, api2=api2), "127.0.0.1", 0)
    path = tmp_path / "shim.yaml"
    path.write_text(config_text)
    overrides = {"whm_listen": "127.0.0.1:0", "whm_upstream": f"http://127.0.0.1:{fake_whm.port}",
                 "connect_timeout": 2.0, "read_timeout": 5.0}
    config = load_config(path, overrides)
    runtime = Runtime()
    tables = TableHolder(load_configured_table(config))
    shim_whm = await start_listener(create_app(config, "whm", tables, runtime), "127.0.0.1", 0)
    reloader = Reloader(path, overrides, config, tables, runtime.lifecycle, runtime.metrics)
    admin = await start_listener(create_admin_app(runtime, config.services, reloader), "127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession(auto_decompress=False) as http:
            yield RolloutStack(state, config, runtime, tables, f"http://127.0.0.1:{shim_whm.port}",
                               f"http://127.0.0.1:{fake_whm.port}", f"http://127.0.0.1:{admin.port}", http, path)
    finally:
        for listener in (shim_whm, admin, fake_whm):
            await listener.close()


async def settled(stack: RolloutStack, function: str, compared: int, timeout: float = 5.0) -> None:
    """Wait (bounded) until the background comparisons of `function` reach `compared`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shadow = stack.runtime.shadow.functions.get(function)
        if shadow is not None and shadow.compared + shadow.error >= compared:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{function}: {compared} comparisons not made within {timeout} s")


def shadow_lines(caplog) -> list[dict]:
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "api2shim.access"]
    return [{**line, "ts": "T"} for line in lines if "shadow" in line]


async def test_shadow_answers_natively_records_the_difference_then_agreement(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    switch = {"on": True}
    config = 'functions:\n  "Ftp::listftp": shadow\n'
    async with rollout_stack(tmp_path, config, native_with_a_difference(switch)) as stack:
        status, body, headers = await stack.get(stack.whm + LISTFTP, {**ROOT_AUTH, "X-Request-Id": "shadow-1"})
        # What native API 2 answers the same call, asked directly.
        native_status, native_body, _ = await stack.get(stack.fake_whm + LISTFTP)
        assert (status, body) == (native_status, native_body) == (200, native_body)
        assert json.loads(body)["cpanelresult"]["data"][1]["homedir"] == ELSEWHERE
        await settled(stack, "Ftp::listftp", 1)
        mismatches = [{**m, "time": "T"} for m in stack.runtime.shadow.mismatches]
        assert mismatches == [{"time": "T", "id": "shadow-1", "function": "Ftp::listftp", "differences": [
            {"path": "data.1.homedir", "native": ELSEWHERE, "translated": "/home/user/public_ftp"}]}]

        switch["on"] = False
        status, body, _ = await stack.get(stack.whm + LISTFTP, {**ROOT_AUTH, "X-Request-Id": "shadow-2"})
        assert (status, body) == (200, (await stack.get(stack.fake_whm + LISTFTP))[1])
        await settled(stack, "Ftp::listftp", 2)
        assert stack.runtime.shadow.functions["Ftp::listftp"].as_json() | {"first": 0, "last": 0} == {
            "agree": 1, "differ": 1, "error": 0, "skipped": 0, "first": 0, "last": 0,
            "paths": {"data.*.homedir": 1}, "noise": []}
        assert len(stack.runtime.shadow.mismatches) == 1
        async with stack.http.get(f"{stack.admin}/metrics") as resp:
            metrics = [line for line in (await resp.text()).splitlines()
                       if line.startswith(("api2shim_shadow_comparisons_total", 'api2shim_api2_calls_total{function="Ftp'))]
        assert metrics == [
            'api2shim_api2_calls_total{function="Ftp::listftp",mode="shadow",outcome="ok"} 2.0',
            'api2shim_shadow_comparisons_total{function="Ftp::listftp",result="differ"} 1.0',
            'api2shim_shadow_comparisons_total{function="Ftp::listftp",result="agree"} 1.0',
        ]
    # Both sides went upstream: native API 2 for the client, then the translated UAPI call.
    assert shadow_lines(caplog) == [
        {"ts": "T", "id": "shadow-1", "shadow": "Ftp::listftp", "result": "differ", "paths": ["data.1.homedir"]},
        {"ts": "T", "id": "shadow-2", "shadow": "Ftp::listftp", "result": "agree", "paths": None},
    ]
    assert any(r.levelno == logging.WARNING and r.getMessage() ==
               "shadow Ftp::listftp differs from native API 2 at data.1.homedir (request shadow-1)"
               for r in caplog.records)


async def test_a_slow_translation_does_not_delay_the_native_answer(tmp_path):
    async with rollout_stack(tmp_path, 'functions:\n  "Ftp::listftp": shadow\n') as stack:
        stack.state.faults.add("/json-api/uapi_cpanel", "delay:1", times=1)  # the translated side only
        started = time.time()
        status, body, _ = await stack.get(stack.whm + LISTFTP)
        answered = time.time()
        assert status == 200 and json.loads(body)["cpanelresult"]["func"] == "listftp"
        assert answered - started < 0.8  # the client did not wait for the 1 s translated call...
        assert "Ftp::listftp" not in stack.runtime.shadow.functions  # ...which was still running
        await settled(stack, "Ftp::listftp", 1)
        shadow = stack.runtime.shadow.functions["Ftp::listftp"]
        assert (shadow.agree, shadow.differ, shadow.error) == (1, 0, 0)
        assert shadow.last - answered > 0.2  # it finished well after the client had its answer
        assert stack.upstream_paths() == ["/cpsess0123456789/json-api/cpanel", "/cpsess0123456789/json-api/uapi_cpanel"]


async def test_shadow_comparisons_past_the_bound_are_skipped_not_queued(tmp_path):
    config = 'functions:\n  "Ftp::listftp": shadow\nshadow:\n  max_concurrent: 1\n'
    async with rollout_stack(tmp_path, config) as stack:
        stack.state.faults.add("/json-api/uapi_cpanel", "delay:0.5", times=1)
        first = await stack.get(stack.whm + LISTFTP)
        second = await stack.get(stack.whm + LISTFTP)  # the first comparison still holds the only slot
        assert first[:2] == second[:2] and first[0] == 200
        await settled(stack, "Ftp::listftp", 1)
        shadow = stack.runtime.shadow.functions["Ftp::listftp"]
        assert (shadow.agree, shadow.skipped) == (1, 1)
        assert stack.runtime.shadow.in_flight == 0


async def test_an_override_changes_only_its_function_and_survives_reload(tmp_path):
    async with rollout_stack(tmp_path, 'functions:\n  "Ftp::listftp": passthrough\n') as stack:
        for url in (LISTFTP, WITHDISK):
            assert (await stack.get(stack.whm + url))[0] == 200
        # listftp went to native API 2, listftpwithdisk is still translated as the table says.
        assert stack.upstream_paths() == ["/cpsess0123456789/json-api/cpanel", "/cpsess0123456789/json-api/uapi_cpanel"]

        status, result = await _post_json(stack, f"{stack.admin}/reload")
        assert (status, result) == (200, {"reloaded": True, "entries": len(stack.tables.table.entries),
                                          "restart_needed": []})
        stack.state.requests.clear()
        for url in (LISTFTP, WITHDISK):
            assert (await stack.get(stack.whm + url))[0] == 200
        assert stack.upstream_paths() == ["/cpsess0123456789/json-api/cpanel", "/cpsess0123456789/json-api/uapi_cpanel"]

        stack.config_path.write_text('functions:\n  "Ftp::listftp": reject\n')
        assert (await _post_json(stack, f"{stack.admin}/reload"))[0] == 200
        stack.state.requests.clear()
        status, body, _ = await stack.get(stack.whm + LISTFTP)
        assert (status, json.loads(body)) == (200, {"cpanelresult": {
            "apiversion": 2, "error": "Could not find function 'listftp' in module 'Ftp'", "func": "listftp",
            "module": "Ftp"}})
        assert (await stack.get(stack.whm + WITHDISK))[0] == 200
        assert stack.upstream_paths() == ["/cpsess0123456789/json-api/uapi_cpanel"]


async def test_reload_refuses_bad_names_an_empty_config_and_an_empty_mappings_folder(tmp_path):
    async with rollout_stack(tmp_path, 'functions:\n  "Ftp::listftp": passthrough\n') as stack:
        before = stack.tables.table
        stack.config_path.write_text('functions:\n  "Ftp::listftp": passthrough\n  "Ftp::lisftp": shadow\n'
                                     '  "Email::addpop": shadow\n')
        status, result = await _post_json(stack, f"{stack.admin}/reload")
        path = stack.config_path
        assert (status, result) == (422, {"reloaded": False, "serving": "the previous table", "errors": [
            f"{path}:3: functions: no API 2 function Ftp::lisftp (did you mean listftp?)",
            f"{path}:4: functions: Email::addpop: cannot shadow: the table does not mark it read_only, and a write "
            "would run twice (canary moves a share of the calls instead)",
        ]})
        stack.config_path.write_text("")
        assert await _post_json(stack, f"{stack.admin}/reload") == (422, {
            "reloaded": False, "serving": "the previous table", "errors": [f"{path}:1: the config file is empty"]})
        (tmp_path / "mappings").mkdir()
        stack.config_path.write_text("mappings: [mappings]\n")
        assert await _post_json(stack, f"{stack.admin}/reload") == (422, {
            "reloaded": False, "serving": "the previous table",
            "errors": [f"{tmp_path / 'mappings'}:0: no mapping files (*.yaml) in this folder"]})
        (tmp_path / "mappings" / "Ftp.yaml").write_text(
            "module: Ftp\nfunctions:\n  listftp: {mode: reject, reason: gone}\n")
        assert await _post_json(stack, f"{stack.admin}/reload") == (422, {
            "reloaded": False, "serving": "the previous table",
            "errors": [f"{path}:1: mappings: 1 entries, fewer than the shipped table's "
                       f"{len(before.entries)}; set partial_mappings: true if that is meant"]})
        assert stack.tables.table is before
        stack.config_path.write_text("mappings: [mappings]\npartial_mappings: true\n")
        assert (await _post_json(stack, f"{stack.admin}/reload"))[1]["entries"] == 1


async def test_canary_sends_its_share_translated_and_the_rest_native(tmp_path):
    config = 'functions:\n  "Ftp::listftp": {mode: canary, percent: 30}\n'
    async with rollout_stack(tmp_path, config) as stack:
        random.seed(10)
        expected = [random.random() * 100 < 30 for _ in range(20)]
        random.seed(10)
        answers = {(await stack.get(stack.whm + LISTFTP))[1] for _ in range(20)}
        assert len(answers) == 1  # native and translated answers are the same document here
        ways = ["uapi_cpanel" in path for path in stack.upstream_paths()]
        assert ways == expected and 0 < sum(ways) < 20
        rows = {row.mode: row.calls for row in stack.runtime.usage.rows.values()}
        assert rows == {"canary-translate": sum(ways), "canary-passthrough": 20 - sum(ways)}


async def _post_json(stack: RolloutStack, url: str) -> tuple[int, Any]:
    async with stack.http.post(url) as resp:
        return resp.status, await resp.json(content_type=None)


async def test_the_rollout_report_gives_agreement_differing_paths_and_a_verdict(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    switch = {"on": True}
    config = ('functions:\n  "Ftp::listftp": shadow\n  "Ftp::listftpwithdisk": shadow\n'
              '  "Ftp::passwd": {mode: canary, percent: 50}\n  "Ftp::listftpsessions": passthrough\n'
              'shadow:\n  ready_after: 3\n')
    async with rollout_stack(tmp_path, config, native_with_a_difference(switch)) as stack:
        for _ in range(2):
            assert (await stack.get(stack.whm + LISTFTP))[0] == 200
        switch["on"] = False
        for _ in range(3):
            assert (await stack.get(stack.whm + LISTFTP))[0] == 200
            assert (await stack.get(stack.whm + WITHDISK))[0] == 200
        assert (await stack.get(stack.whm + LISTFTP.replace("func=listftp", "func=listftpsessions")))[0] == 200
        await settled(stack, "Ftp::listftp", 5)
        await settled(stack, "Ftp::listftpwithdisk", 3)
        async with stack.http.get(f"{stack.admin}/usage") as resp:
            document = await resp.json()
    rollout = [{**row, "agreement": row["agreement"].rsplit(" over ", 1)[0]} for row in document["rollout"]]
    assert rollout == [
        {"function": "Ftp::listftp", "mode": "shadow", "calls": 5, "ways": "5 native+shadow",
         "agreement": "3/5 agree", "paths": "data.*.homedir (2)", "verdict": "differs"},
        {"function": "Ftp::listftpsessions", "mode": "passthrough", "calls": 1, "ways": "1 native",
         "agreement": "-", "paths": "-", "verdict": "shadow more (0/3 calls)"},
        {"function": "Ftp::listftpwithdisk", "mode": "shadow", "calls": 3, "ways": "3 native+shadow",
         "agreement": "3/3 agree", "paths": "-", "verdict": "ready to translate"},
    ]
    assert document["ready_after"] == 3 and len(document["shadow"]["mismatches"]) == 2

    # The same report from the access log alone, as over days of logs (no values in it).
    log = tmp_path / "access.log"
    log.write_text("".join(r.getMessage() + "\n" for r in caplog.records if r.name == "api2shim.access"))
    result = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "shim", "usage", "--log", str(log),
                                                      "--config", str(tmp_path / "shim.yaml"), "--rollout"],
                                     capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    lines = [re.split(r"\s{2,}", re.sub(r" over \d+ s", "", line)) for line in result.stdout.splitlines()]
    assert lines == [
        ["Rollout (shadow comparison against native API 2):"],
        ["function", "mode", "calls", "handled", "shadow agreement", "most frequent differences", "verdict"],
        ["Ftp::listftp", "shadow", "5", "5 native+shadow", "3/5 agree", "data.*.homedir (2)", "differs"],
        ["Ftp::listftpsessions", "passthrough", "1", "1 native", "-", "-", "shadow more (0/3 calls)"],
        ["Ftp::listftpwithdisk", "shadow", "3", "3 native+shadow", "3/3 agree", "-", "ready to translate"],
    ]


async def test_noise_check_learns_what_native_api2_changes_between_calls(tmp_path):
    counter = iter(range(1_000_000))

    def stamped(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows[0]["served"] = next(counter)  # a field native API 2 never answers the same twice
        return rows

    config = 'functions:\n  "Ftp::listftp": shadow\nshadow:\n  noise_check: true\n'
    async with rollout_stack(tmp_path, config, native_with("Ftp", "listftp", stamped)) as stack:
        for expected in (1, 2):
            assert (await stack.get(stack.whm + LISTFTP))[0] == 200
            await settled(stack, "Ftp::listftp", expected)
        shadow = stack.runtime.shadow.functions["Ftp::listftp"]
        assert (shadow.agree, shadow.differ, sorted(shadow.noise)) == (2, 0, ["data.*.served"])
        # The client's call, then per comparison the translation and native API 2 once more.
        assert sorted(stack.upstream_paths()) == ["/cpsess0123456789/json-api/cpanel"] * 4 + [
            "/cpsess0123456789/json-api/uapi_cpanel"] * 2
