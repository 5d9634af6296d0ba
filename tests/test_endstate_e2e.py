"""The declared end state: `upstream_api2: absent`, an upstream with no native API 2.

A function the shim has no route for gets cPanel's own answer for a function it does not
have, without a call upstream; it is counted `unanswerable` in metrics, the access line and
the usage report. With API 2 still present, the usage report names the functions that
will break when it goes.
"""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT_AUTH, USER_AUTH, ops_stack_context

from shim import fakecpanel
from shim.config import ConfigError, load_config
from shim.observability.usage import write_report

ROOT = Path(__file__).resolve().parent.parent


def not_found(module, func):
    return {"cpanelresult": {"apiversion": 2, "error": f"Could not find function '{func}' in module '{module}'",
                             "func": func, "module": module}}


async def api2(stack, port, module, func, **args):
    if port == "whm":
        form = {"cpanel_jsonapi_user": "user", "cpanel_jsonapi_apiversion": "2", "cpanel_jsonapi_module": module,
                "cpanel_jsonapi_func": func, **args}
        return await stack.post_json(f"{stack.whm}/json-api/cpanel", data=form, headers=ROOT_AUTH)
    query = {"cpanel_jsonapi_apiversion": "2", "cpanel_jsonapi_module": module, "cpanel_jsonapi_func": func, **args}
    return await stack.get_json(f"{stack.cpanel}/json-api/cpanel", params=query, headers=USER_AUTH)


def no_api2_state():
    state = fakecpanel.FakeState.demo()
    state.native_api2 = False
    return state


@pytest.mark.parametrize("port", ["whm", "cpanel"])
async def test_a_function_without_a_route_is_answered_as_cpanel_answers_an_unknown_one(port):
    async with ops_stack_context({"upstream_api2": "absent"}, state=no_api2_state()) as stack:
        # Cron has no UAPI module (mappings/Cron.yaml); a module the table does not know either.
        assert await api2(stack, port, "Cron", "listcron") == (200, not_found("Cron", "listcron"))
        assert await api2(stack, port, "Nosuch", "thing") == (200, not_found("Nosuch", "thing"))
        assert [r.path for r in stack.state.requests if "json-api/cpanel" in r.path] == []
        # What the shim answers still works.
        status, document = await api2(stack, port, "MysqlFE", "getdbusers")
        assert (status, document["cpanelresult"]["data"]) == (200, ["user_wpuser"])

        usage = stack.runtime.usage.as_json()["rows"]
        assert sorted((r["function"], r["mode"], r["calls"]) for r in usage) == [
            ("Cron::listcron", "unanswerable", 1), ("MysqlFE::getdbusers", "translate", 1),
            ("Nosuch::thing", "unanswerable", 1)]
        report = io.StringIO()
        write_report(stack.runtime.usage, report, "test")
        assert report.getvalue().splitlines()[-1] == (
            "Unanswerable now (no route, and the upstream serves no native API 2): "
            "Cron::listcron (1 call), Nosuch::thing (1 call)")
        async with stack.http.get(f"{stack.admin}/metrics") as resp:
            text = await resp.text()
        assert 'api2shim_api2_calls_total{function="Cron::listcron",mode="unanswerable",outcome="unanswerable"} 1.0' in text


async def test_with_api2_present_the_usage_report_names_what_will_break():
    async with ops_stack_context() as stack:
        state = stack.state
        assert state.native_api2
        await api2(stack, "cpanel", "Cron", "listcron")
        await api2(stack, "whm", "Cron", "listcron")
        assert len([r for r in state.requests if r.path.endswith("json-api/cpanel")]) == 2  # passed through
        report = io.StringIO()
        write_report(stack.runtime.usage, report, "test")
        assert report.getvalue().splitlines()[-1] == (
            "Will break when cPanel removes API 2 (answered by native API 2 only): Cron::listcron (2 calls)")


async def test_the_fake_without_native_api2_answers_every_function_as_unknown():
    async with ops_stack_context(state=no_api2_state()) as stack:
        # Passed through (upstream_api2 not declared): the upstream's own answer comes back.
        assert await api2(stack, "whm", "Cron", "listcron") == (200, not_found("Cron", "listcron"))
        assert stack.state.requests[-1].path == "/json-api/cpanel"


def test_upstream_api2_is_present_or_absent(tmp_path):
    assert load_config(None, {"whm_listen": "127.0.0.1:0"}).upstream_api2 == "present"
    config = tmp_path / "shim.yaml"
    config.write_text("whm:\n  listen: 127.0.0.1:2087\nupstream_api2: gone\n")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert caught.value.errors == [f"{config}:3: upstream_api2 must be one of present, absent, not 'gone'"]


def test_coverage_with_api2_absent_says_so():
    result = subprocess.run([sys.executable, "-m", "shim", "coverage", "--upstream-api2", "absent", "--module", "Cron",
                             "--format", "json"], cwd=ROOT, capture_output=True, text=True, timeout=20)
    assert (result.returncode, result.stderr) == (0, "")
    document = json.loads(result.stdout)
    assert document["upstream_api2"] == "absent"
    assert document["split"] == {"translated": 0, "recipe": 0, "local": 0, "no_route": document["total"]["functions"]}
