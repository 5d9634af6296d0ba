"""The recipe mechanism: `recipe:` / `local:` entries, checked at load and run end to end.

Recipes here are a small module of this test's own, registered as `shim.recipes.testkit`
(the loader finds recipes by name, as it finds the shipped ones); the shipped recipes have
their own tests beside their module's (e.g. test_mysqlfe_e2e.py).
"""

import sys
import types
from pathlib import Path

import pytest
from api2calls import stack_with
from conftest import ROOT_AUTH, USER_AUTH

from shim import fakecpanel
from shim.app import TableHolder
from shim.translation.mapping import load_table
from shim.translation.recipe import Api2Died, Api2Failure, RecipeCall
from shim.translation.yamlsource import SourceErrors

MODULE = "Testkit"


async def echo(call: RecipeCall):
    """Two reads, then rows built from both and from the API 2 arguments."""
    first = await call.uapi_data("Mysql", "list_databases")
    users = await call.uapi_data("Mysql", "list_users")
    return [{"arg": call.arg("name"), "account": call.user, "databases": len(first), "users": len(users)}]


async def failing(call: RecipeCall):
    if call.arg("how") == "died":
        raise Api2Died("it died")
    raise Api2Failure("it failed", [{"result": 0, "reason": "it failed"}])


async def uapi_error(call: RecipeCall):
    return await call.uapi_data("Mysql", "create_database", {"name": "nope"})


async def whm_version(call: RecipeCall):
    data = await call.whm_data("version")
    return [{"version": data["version"]}]


def constant(call: RecipeCall):
    return [{"value": call.arg("x", "none")}]


@pytest.fixture
def testkit(monkeypatch):
    module = types.ModuleType("shim.recipes.testkit")
    for function in (echo, failing, uapi_error, whm_version, constant):
        setattr(module, function.__name__, function)
    monkeypatch.setitem(sys.modules, "shim.recipes.testkit", module)
    return module


def table_file(tmp_path: Path, functions: str) -> Path:
    path = tmp_path / "Testkit.yaml"
    path.write_text(f"module: {MODULE}\nfunctions:\n{functions}")
    return path


def load_errors(path: Path) -> list[str]:
    with pytest.raises(SourceErrors) as caught:
        load_table([path])
    return [str(e) for e in caught.value.errors]


def test_a_recipe_entry_names_its_function(tmp_path, testkit):
    table = load_table([table_file(tmp_path, "  echo: {mode: translate, recipe: testkit.echo}\n"
                                             "  constant: {mode: translate, local: testkit.constant}\n")])
    entry = table.lookup(MODULE, "echo")
    assert (entry.recipe, entry.recipe_kind, entry.recipe_name) == (echo, "recipe", "testkit.echo")
    assert table.lookup(MODULE, "constant").recipe is constant


def test_bad_recipe_names_are_load_errors_with_file_and_line(tmp_path, testkit):
    path = table_file(tmp_path, """  a: {mode: translate, recipe: testkit}
  b: {mode: translate, recipe: nosuchmodule.f}
  c: {mode: translate, recipe: testkit.nosuch}
  d: {mode: translate, recipe: testkit.constant}
  e: {mode: translate, local: testkit.echo}
  f: {mode: passthrough, reason: x, recipe: testkit.echo}
  g:
    mode: translate
    recipe: testkit.echo
    uapi: Mysql::list_users
    output: {shape: list}
  h: {mode: translate, recipe: testkit.echo, local: testkit.constant}
  i: {mode: translate, recipe: testkit.echo, args: {name: other}}
""")
    assert load_errors(path) == [
        f"{path}:3: Testkit::a: recipe must be module.function (a function of shim/recipes/<module>.py), not 'testkit'",
        f"{path}:4: Testkit::b: recipe nosuchmodule.f: there is no shim/recipes/nosuchmodule.py",
        f"{path}:5: Testkit::c: recipe testkit.nosuch: shim/recipes/testkit.py has no function nosuch",
        f"{path}:6: Testkit::d: recipe testkit.constant must be an async function (it awaits upstream calls)",
        f"{path}:7: Testkit::e: local testkit.echo must be a plain function (a local answer makes no upstream call)",
        f"{path}:8: Testkit::f: a recipe entry has mode translate",
        f"{path}:12: Testkit::g: 'uapi' does not apply to a recipe entry (its function shapes the answer)",
        f"{path}:13: Testkit::g: 'output' does not apply to a recipe entry (its function shapes the answer)",
        f"{path}:14: Testkit::h: give recipe or local, not both",
        f"{path}:15: Testkit::i: args of a recipe entry only mark secrets (name: {{secret: true}})",
    ]


def test_a_recipe_entry_may_mark_secret_arguments(tmp_path, testkit):
    table = load_table([table_file(tmp_path, "  echo: {mode: translate, recipe: testkit.echo, "
                                             "args: {password: {secret: true}}}\n")])
    assert table.lookup(MODULE, "echo").secret_args == frozenset({"password"})


@pytest.fixture
async def kit(tmp_path, testkit):
    table = load_table([table_file(tmp_path, """  echo: {mode: translate, recipe: testkit.echo}
  failing: {mode: translate, recipe: testkit.failing}
  uapi_error: {mode: translate, recipe: testkit.uapi_error}
  whm_version: {mode: translate, recipe: testkit.whm_version}
  constant: {mode: translate, local: testkit.constant}
""")])
    async with stack_with(tables=TableHolder(table)) as stack:
        yield stack


async def whm(stack, func, user="user", auth=ROOT_AUTH, **args):
    form = {"cpanel_jsonapi_user": user, "cpanel_jsonapi_apiversion": "2", "cpanel_jsonapi_module": MODULE,
            "cpanel_jsonapi_func": func, **args}
    return await stack.post_json(f"{stack.whm}/json-api/cpanel", data=form, headers=auth)


async def cpanel(stack, func, auth=USER_AUTH, **args):
    query = {"cpanel_jsonapi_module": MODULE, "cpanel_jsonapi_func": func, **args}
    return await stack.get_json(f"{stack.cpanel}/json-api/cpanel", params=query, headers=auth)


def ok(func, data, **extra):
    return {"cpanelresult": {"apiversion": 2, "func": func, "data": data, "event": {"result": 1}, "module": MODULE,
                             **extra}}


NOT_FOUND = {"cpanelresult": {"apiversion": 2, "error": "Could not find function 'whm_version' in module 'Testkit'",
                              "func": "whm_version", "module": MODULE}}


async def test_a_recipe_reads_several_times_as_the_account_on_both_ports(kit):
    row = {"arg": "x", "account": "user", "databases": 2, "users": 1}
    assert await whm(kit, "echo", name="x") == (200, ok("echo", [row]))
    assert [r.form["cpanel.function"] for r in kit.state.requests[-2:]] == [["list_databases"], ["list_users"]]
    assert await cpanel(kit, "echo", name="x") == (200, ok("echo", [row]))
    assert [r.path for r in kit.state.requests[-2:]] == ["/execute/Mysql/list_databases", "/execute/Mysql/list_users"]


async def test_failures_a_recipe_raises_become_api2_failure_documents(kit):
    assert await cpanel(kit, "failing") == (200, ok("failing", [{"result": 0, "reason": "it failed"}], error="it failed"))
    assert await cpanel(kit, "failing", how="died") == (200, {"cpanelresult": {
        "apiversion": 2, "func": "failing", "module": MODULE,
        "event": {"result": 0, "reason": "it died"}, "error": "it died"}})
    reason = "The name “nope” must begin with the account’s prefix “user_”."
    assert await whm(kit, "uapi_error") == (200, ok("uapi_error", [], error=reason))


async def test_whm_api1_from_a_recipe_on_the_whm_port_only(kit):
    assert await whm(kit, "whm_version") == (200, ok("whm_version", [{"version": fakecpanel.VERSION}]))
    seen = kit.state.requests[-1]
    assert (seen.path, seen.form["api.version"]) == ("/json-api/version", ["1"])
    # The cPanel port has no WHM credentials: the call passes through while the upstream serves API 2
    # (the fake has no Testkit module, so its own unknown-function answer comes back).
    before = len(kit.state.requests)
    assert await cpanel(kit, "whm_version") == (200, NOT_FOUND)
    assert [seen.path for seen in kit.state.requests[before:]] == ["/json-api/cpanel"]


async def test_whm_api1_from_a_recipe_on_the_cpanel_port_after_the_removal(tmp_path, testkit):
    state = fakecpanel.FakeState.demo()
    state.native_api2 = False
    table = load_table([table_file(tmp_path, "  whm_version: {mode: translate, recipe: testkit.whm_version}\n")],
                       upstream_api2="absent")
    async with stack_with({"upstream_api2": "absent"}, tables=TableHolder(table), state=state) as stack:
        # No native API 2 to hand it to: cPanel's answer for a function it cannot run, with no upstream call.
        assert await cpanel(stack, "whm_version") == (200, NOT_FOUND)
        assert stack.state.requests == []


async def test_a_local_answer_makes_no_call_but_the_credentials_are_checked(kit):
    assert await cpanel(kit, "constant", x="7") == (200, ok("constant", [{"value": "7"}]))
    assert [r.path for r in kit.state.requests[-1:]] == ["/execute/Variables/get_user_information"]
    assert await whm(kit, "constant") == (200, ok("constant", [{"value": "none"}]))
    status, _ = await cpanel(kit, "constant", auth={"Authorization": "cpanel user:WRONGTOKEN"})
    assert status == 403
    assert await whm(kit, "constant", user="nosuchuser") == (200, {"cpanelresult": {
        "data": {"reason": "User parameter is invalid or was not supplied", "result": "0"}, "type": "text",
        "error": "User parameter is invalid or was not supplied"}})
