"""What an operator sees: access log lines, request ids, metrics, usage, readiness, reload."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from pathlib import Path

from conftest import ROOT_AUTH, USER_AUTH, ops_stack_context

PASSWD = ("/cpsess0123456789/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_apiversion=2"
          "&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&user=user&pass=12345luggage")


def access_lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "api2shim.access"]


def bytes_sent(resp, body: bytes) -> int:
    """What went over the wire: status line, headers, blank line, body (chunk framing included)."""
    head = len(f"HTTP/1.1 {resp.status} {resp.reason}\r\n\r\n") + sum(
        len(f"{k}: {v}\r\n") for k, v in resp.raw_headers and ((k.decode(), v.decode()) for k, v in resp.raw_headers))
    framing = len(f"{len(body):x}\r\n\r\n0\r\n\r\n") if resp.headers.get("Transfer-Encoding") == "chunked" else 0
    return head + len(body) + framing


def stable(line: dict) -> dict:
    """The line with its clock-dependent fields checked for type and replaced."""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["ts"])
    assert isinstance(line["total_ms"], float) and line["total_ms"] >= 0
    if line["upstream_ms"] is not None:
        assert 0 <= line["upstream_ms"] <= line["total_ms"]
    return {**line, "ts": "T", "total_ms": "MS", "upstream_ms": "MS" if line["upstream_ms"] is not None else None}


async def test_translated_call_is_one_access_line_with_the_clients_request_id(ops_stack, caplog):
    caplog.set_level(logging.INFO)
    headers = {**ROOT_AUTH, "X-Request-Id": "billing-42", "User-Agent": "WHMCS/8.10"}
    async with ops_stack.http.get(ops_stack.whm + PASSWD, headers=headers) as resp:
        assert resp.status == 200
        assert resp.headers["X-Request-Id"] == "billing-42"
        body = await resp.read()
        sent = bytes_sent(resp, body)
    assert ops_stack.state.requests[-1].headers["x-request-id"] == "billing-42"
    assert [stable(line) for line in access_lines(caplog)] == [{
        "ts": "T", "id": "billing-42", "client": "127.0.0.1", "listener": "whm", "method": "GET",
        "path": "/cpsess********/json-api/cpanel", "status": 200, "api2": "Ftp::passwd", "mode": "translate",
        "outcome": "ok", "upstream_status": 200, "upstream_ms": "MS", "total_ms": "MS", "bytes_in": 0,
        "bytes_out": sent, "auth": "whm root", "cookies": None, "ua": "WHMCS/8.10", "error": None,
    }]


async def test_pass_through_gets_a_generated_id_sent_upstream_and_logged(ops_stack, caplog):
    caplog.set_level(logging.INFO)
    body = b"x" * 1000
    async with ops_stack.http.post(f"{ops_stack.cpanel}/upload?token=abc", data=body, headers={
            **USER_AUTH, "X-Request-Id": "bad id with spaces", "Cookie": "cpsession=s3cret", "User-Agent": "up/1"}) as resp:
        answer = await resp.read()
        answer_id = resp.headers["X-Request-Id"]
        sent = bytes_sent(resp, answer)
    upstream_id = ops_stack.state.requests[-1].headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", upstream_id) and answer_id == upstream_id
    assert [stable(line) for line in access_lines(caplog)] == [{
        "ts": "T", "id": upstream_id, "client": "127.0.0.1", "listener": "cpanel", "method": "POST",
        "path": "/upload", "status": 200, "api2": None, "mode": None, "outcome": None, "upstream_status": 200,
        "upstream_ms": "MS", "total_ms": "MS", "bytes_in": 1000, "bytes_out": sent, "auth": "cpanel user",
        "cookies": ["cpsession"], "ua": "up/1", "error": None,
    }]


async def test_reject_and_upstream_failure_lines(ops_stack, caplog):
    caplog.set_level(logging.INFO)
    ops_stack.state.faults.add("/json-api/uapi_cpanel", "drop", times=1)
    async with ops_stack.http.get(ops_stack.whm + PASSWD, headers={**ROOT_AUTH, "X-Request-Id": "r1"}) as resp:
        assert resp.status == 502
    lines = [stable(line) for line in access_lines(caplog)]
    assert [(l["id"], l["status"], l["outcome"], l["error"], l["upstream_status"]) for l in lines] == [
        ("r1", 502, "upstream_error", "broken", None)]


async def test_metrics_count_calls_by_function_mode_outcome_with_bounded_labels(ops_stack):
    for _ in range(2):
        assert (await ops_stack.get_json(ops_stack.whm + PASSWD, headers=ROOT_AUTH))[0] == 200
    for name in ("randomAAA", "randomBBB", "randomCCC"):  # not in the table: one label for all
        query = f"cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func={name}&cpanel_jsonapi_apiversion=2"
        async with ops_stack.http.get(f"{ops_stack.cpanel}/json-api/cpanel?{query}", headers=USER_AUTH) as resp:
            await resp.read()
    ops_stack.state.faults.add("/execute/Ftp/passwd", "status:500", times=1)
    query = "cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&cpanel_jsonapi_apiversion=2&user=user&pass=x"
    async with ops_stack.http.get(f"{ops_stack.cpanel}/json-api/cpanel?{query}", headers=USER_AUTH) as resp:
        assert resp.status == 502
    async with ops_stack.http.get(f"{ops_stack.admin}/metrics") as resp:
        assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/plain")
        text = await resp.text()
    samples = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line and not line.startswith("#") and "_created" not in line}
    calls = {k: v for k, v in samples.items() if k.startswith("api2shim_api2_calls_total")}
    assert calls == {
        'api2shim_api2_calls_total{function="Ftp::passwd",mode="translate",outcome="ok"}': 2.0,
        'api2shim_api2_calls_total{function="Ftp::passwd",mode="translate",outcome="upstream_error"}': 1.0,
        'api2shim_api2_calls_total{function="unmapped",mode="passthrough",outcome="ok"}': 3.0,
    }
    assert samples['api2shim_errors_total{kind="status"}'] == 1.0
    assert samples['api2shim_requests_total{code="2xx",listener="whm"}'] == 2.0
    assert samples['api2shim_requests_total{code="5xx",listener="cpanel"}'] == 1.0
    assert samples['api2shim_upstream_latency_seconds_count{listener="cpanel"}'] == 4.0
    assert samples['api2shim_in_flight{listener="whm"}'] == 0.0
    assert "randomAAA" not in text


async def test_a_rejected_argument_is_outcome_invalid_in_the_access_log_and_the_metrics(ops_stack, caplog):
    caplog.set_level(logging.INFO)
    query = ("cpanel_jsonapi_module=Email&cpanel_jsonapi_func=addpop&cpanel_jsonapi_apiversion=2"
             "&email=info&domain=example.com&password=x&send_welcome_email=maybe")
    async with ops_stack.http.get(f"{ops_stack.cpanel}/json-api/cpanel?{query}", headers=USER_AUTH) as resp:
        reason = "expected a yes/no value, not 'maybe'"
        assert (resp.status, await resp.json()) == (200, {"cpanelresult": {
            "apiversion": 2, "func": "addpop", "module": "Email", "event": {"result": 1},
            "data": [{"result": 0, "reason": reason}], "error": reason}})
    assert not ops_stack.state.requests  # nothing was called upstream
    assert [(line["api2"], line["status"], line["outcome"], line["upstream_status"]) for line in access_lines(caplog)] == [
        ("Email::addpop", 200, "invalid", None)]
    async with ops_stack.http.get(f"{ops_stack.admin}/metrics") as resp:
        calls = [line for line in (await resp.text()).splitlines() if line.startswith("api2shim_api2_calls_total{")]
    assert calls == ['api2shim_api2_calls_total{function="Email::addpop",mode="translate",outcome="invalid"} 1.0']


async def test_in_flight_gauge_counts_a_request_being_handled(ops_stack):
    ops_stack.state.faults.add("/execute/Ftp/passwd", "delay:0.4", times=1)
    query = "cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&cpanel_jsonapi_apiversion=2&user=user&pass=x"
    slow = asyncio.create_task(ops_stack.get_json(f"{ops_stack.cpanel}/json-api/cpanel?{query}", headers=USER_AUTH))
    await asyncio.sleep(0.2)
    async with ops_stack.http.get(f"{ops_stack.admin}/metrics") as resp:
        assert 'api2shim_in_flight{listener="cpanel"} 1.0' in await resp.text()
    assert (await slow)[0] == 200


async def test_usage_rows_by_function_client_and_mode(ops_stack):
    await ops_stack.get_json(ops_stack.whm + PASSWD, headers={**ROOT_AUTH, "User-Agent": "WHMCS/8.10"})
    await ops_stack.get_json(ops_stack.whm + PASSWD, headers={**ROOT_AUTH, "User-Agent": "WHMCS/8.10"})
    query = "cpanel_jsonapi_module=Legacy&cpanel_jsonapi_func=unmapped&cpanel_jsonapi_apiversion=2"
    await ops_stack.get_json(f"{ops_stack.cpanel}/json-api/cpanel?{query}", headers={**USER_AUTH, "User-Agent": "cron"})
    status, usage = await ops_stack.get_json(f"{ops_stack.admin}/usage")
    assert status == 200
    for row in usage["rows"]:
        assert row.pop("first_seen") <= row.pop("last_seen")
    assert usage["dropped"] == 0
    assert usage["rows"] == [
        {"function": "Ftp::passwd", "mode": "translate", "auth": "whm root", "client": "127.0.0.1",
         "user_agent": "WHMCS/8.10", "calls": 2},
        {"function": "Legacy::unmapped", "mode": "passthrough", "auth": "cpanel user", "client": "127.0.0.1",
         "user_agent": "cron", "calls": 1},
    ]


async def test_health_and_readiness(ops_stack):
    async with ops_stack.http.get(f"{ops_stack.admin}/healthz") as resp:
        assert (resp.status, await resp.text()) == (200, "ok\n")
    assert await ops_stack.get_json(f"{ops_stack.admin}/readyz") == (200, {"ready": True, "reasons": []})
    ops_stack.runtime.lifecycle.begin_drain()
    assert await ops_stack.get_json(f"{ops_stack.admin}/readyz") == (503, {"ready": False, "reasons": ["draining"]})
    # The admin listener is its own server: the proxied ports still pass /healthz through.
    async with ops_stack.http.get(f"{ops_stack.whm}/healthz", headers=ROOT_AUTH) as resp:
        assert ops_stack.state.requests[-1].path == "/healthz"


async def test_not_ready_while_an_upstream_is_unreachable():
    async with ops_stack_context({"cpanel_upstream": "http://127.0.0.1:9"}) as stack:
        assert await stack.get_json(f"{stack.admin}/readyz") == (
            503, {"ready": False, "reasons": ["cpanel upstream unreachable"]})


FTP_TRANSLATE = """\
module: Ftp
functions:
  passwd:
    mode: translate
    uapi: Ftp::passwd
    args:
      user: user
      pass: {to: pass, secret: true}
    output: {shape: status}
"""
FTP_REJECT = "module: Ftp\nfunctions:\n  passwd:\n    mode: reject\n    reason: retired\n"


def mapping_dir(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "mappings"
    folder.mkdir(exist_ok=True)
    (folder / "Ftp.yaml").write_text(text)
    return folder


async def test_reload_swaps_the_table_and_in_flight_calls_finish_on_the_old_one(tmp_path):
    folder = mapping_dir(tmp_path, FTP_TRANSLATE)
    async with ops_stack_context({"mappings": [folder], "partial_mappings": True}) as stack:
        stack.state.faults.add("/json-api/uapi_cpanel", "delay:0.4", times=1)
        in_flight = asyncio.create_task(stack.get_json(stack.whm + PASSWD, headers=ROOT_AUTH))
        await asyncio.sleep(0.15)
        mapping_dir(tmp_path, FTP_REJECT)
        status, result = await stack.post_json(f"{stack.admin}/reload")
        assert (status, result) == (200, {"reloaded": True, "entries": len(stack.tables.table.entries),
                                          "restart_needed": []})
        assert await in_flight == (200, {"cpanelresult": {
            "apiversion": 2, "func": "passwd", "data": [{"result": 1, "reason": "OK"}], "event": {"result": 1},
            "module": "Ftp"}})
        assert await stack.get_json(stack.whm + PASSWD, headers=ROOT_AUTH) == (200, {"cpanelresult": {
            "apiversion": 2, "error": "Could not find function 'passwd' in module 'Ftp'", "func": "passwd",
            "module": "Ftp"}})


async def test_a_bad_reload_keeps_the_last_good_table_and_says_why(tmp_path, caplog):
    folder = mapping_dir(tmp_path, FTP_TRANSLATE)
    async with ops_stack_context({"mappings": [folder], "partial_mappings": True}) as stack:
        before = stack.tables.table
        (folder / "Ftp.yaml").write_text("module: Ftp\nfunctions:\n  passwd:\n    mode: sideways\n")
        status, result = await stack.post_json(f"{stack.admin}/reload")
        assert (status, result) == (422, {
            "reloaded": False, "serving": "the previous table",
            "errors": [f"{folder / 'Ftp.yaml'}:4: Ftp::passwd: mode must be one of translate, passthrough, reject, "
                       "not 'sideways'"]})
        assert stack.tables.table is before
        assert (await stack.get_json(stack.whm + PASSWD, headers=ROOT_AUTH))[0] == 200
        status, ready = await stack.get_json(f"{stack.admin}/readyz")
        assert (status, ready["last_reload_errors"]) == (200, result["errors"])
        async with stack.http.get(f"{stack.admin}/metrics") as resp:
            assert 'api2shim_reloads_total{result="failed"} 1.0' in await resp.text()
    assert any(r.levelno == logging.ERROR and "the previous table keeps serving" in r.getMessage()
               for r in caplog.records)


async def test_reload_from_a_config_file_reports_errors_with_lines_and_what_needs_a_restart(tmp_path):
    from shim.app import TableHolder, load_configured_table
    from shim.config import load_config
    from shim.observability.lifecycle import Lifecycle
    from shim.observability.metrics import Metrics
    from shim.operations.reload import Reloader

    folder = mapping_dir(tmp_path, FTP_TRANSLATE)
    path = tmp_path / "shim.yaml"
    path.write_text("whm:\n  listen: 127.0.0.1:2087\nmappings: [mappings]\ntimeouts:\n  read: 30\npartial_mappings: true\n")
    config = load_config(path)
    tables = TableHolder(load_configured_table(config))
    reloader = Reloader(path, {}, config, tables, Lifecycle(), Metrics())

    path.write_text("whm:\n  listen: 127.0.0.1:2087\nmappings: [mappings]\ntimeouts:\n  read: 30\n  reed: 5\npartial_mappings: true\n"
                    "default_mode: sideways\n")
    result = await reloader.reload()
    assert result.as_json() == {"reloaded": False, "serving": "the previous table", "errors": [
        f"{path}:6: unknown key 'reed' in timeouts (allowed: body, body_idle, connect, head, keepalive, read, shutdown)",
    ]}
    assert reloader.lifecycle.last_reload_error == result.as_json()["errors"]

    (folder / "Ftp.yaml").write_text(FTP_REJECT)
    path.write_text("whm:\n  listen: 127.0.0.1:2088\nmappings: [mappings]\npartial_mappings: true\ntimeouts:\n  read: 60\n"
                    "default_mode: reject\n")
    result = await reloader.reload()
    assert result.as_json() == {"reloaded": True, "entries": 1, "restart_needed": ["services", "read_timeout"]}
    assert tables.table.default_mode == "reject" and tables.table.lookup("Ftp", "passwd").mode == "reject"
    assert reloader.lifecycle.last_reload_error == []
