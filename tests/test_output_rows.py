"""Template features: string failure rows, `omit_empty`, `{arg.NAME}` in rows and `{account}`
in defaults and constants (pure translation, plus exact loader errors)."""

from pathlib import Path

import pytest

from shim.translation.mapping import load_table
from shim.translation.recognise import LegacyCall
from shim.translation.translate import build_uapi_call, to_cpanelresult
from shim.translation.yamlsource import SourceErrors

ENTRY = """module: Demo
functions:
  act:
    mode: translate
    uapi: Demo::act
    output:
      shape: {shape}
      {extra}
"""


def entry(tmp_path: Path, shape: str, extra: str):
    path = tmp_path / "Demo.yaml"
    path.write_text(ENTRY.format(shape=shape, extra=extra))
    return path


def load_one(tmp_path: Path, shape: str, extra: str):
    return load_table([entry(tmp_path, shape, extra)]).lookup("Demo", "act")


def load_errors(tmp_path: Path, shape: str, extra: str) -> list[str]:
    path = entry(tmp_path, shape, extra)
    with pytest.raises(SourceErrors) as caught:
        load_table([path])
    return [str(e) for e in caught.value.errors]


def test_failure_rows_may_be_plain_strings(tmp_path):
    act = load_one(tmp_path, "list", 'failure: ["{errors}"]')
    failed = {"status": 0, "errors": ["first", "second"], "data": None}
    assert to_cpanelresult("Demo", "act", act, failed) == {"cpanelresult": {
        "apiversion": 2, "func": "act", "module": "Demo", "event": {"result": 1},
        "data": ["first\nsecond"], "error": "first\nsecond"}}


def test_failure_rows_may_be_null(tmp_path):
    act = load_one(tmp_path, "object", "failure: [~]")
    assert to_cpanelresult("Demo", "act", act, {"status": 0, "errors": ["gone"], "data": None}) == {"cpanelresult": {
        "apiversion": 2, "func": "act", "module": "Demo", "event": {"result": 1}, "data": [None], "error": "gone"}}


def test_success_rows_must_be_records(tmp_path):
    path = tmp_path / "Demo.yaml"
    assert load_errors(tmp_path, "status", 'success: ["OK"]') == [
        f"{path}:8: Demo::act: output: success must be a list of rows"]
    assert load_errors(tmp_path, "status", "failure: [1]") == [
        f"{path}:8: Demo::act: output: failure must be a list of rows, strings or ~"]


def test_omit_empty_drops_keys_that_came_out_empty(tmp_path):
    act = load_one(tmp_path, "status", 'success: [{result: 1, reason: OK, rawout: "{messages}"}]\n      omit_empty: [rawout]')
    quiet = {"status": 1, "messages": None, "data": None}
    chatty = {"status": 1, "messages": ["mailbox removed"], "data": None}
    assert to_cpanelresult("Demo", "act", act, quiet)["cpanelresult"]["data"] == [{"result": 1, "reason": "OK"}]
    assert to_cpanelresult("Demo", "act", act, chatty)["cpanelresult"]["data"] == [
        {"result": 1, "reason": "OK", "rawout": "mailbox removed"}]


def test_omit_empty_applies_to_failure_rows_too(tmp_path):
    act = load_one(tmp_path, "status", 'failure: [{result: 0, reason: "{errors}", rawout: "{messages}"}]\n      omit_empty: [rawout]')
    failed = {"status": 0, "errors": ["nope"], "messages": [], "data": None}
    assert to_cpanelresult("Demo", "act", act, failed)["cpanelresult"]["data"] == [{"result": 0, "reason": "nope"}]


def test_omit_empty_must_list_keys(tmp_path):
    path = tmp_path / "Demo.yaml"
    assert load_errors(tmp_path, "status", "omit_empty: rawout") == [
        f"{path}:8: Demo::act: output: omit_empty must be a list of keys"]


ARGS_ENTRY = """module: Demo
functions:
  act:
    mode: translate
    uapi: Demo::act
    args:
      name: filtername
      who: {to: account, default: "{account}"}
      password: {to: password, secret: true}
    set: {user: "{account}", fixed: "plain"}
    output:
      shape: status
      success: [{deleted: 1, filtername: "{arg.name}", missing: "{arg.nosuch}"}]
      failure: [{deleted: 0, filtername: "{arg.name}", reason: "{errors}"}]
"""


def test_account_placeholder_in_defaults_and_constants(tmp_path):
    path = tmp_path / "Demo.yaml"
    path.write_text(ARGS_ENTRY)
    act = load_table([path]).lookup("Demo", "act")
    implied = build_uapi_call(act, LegacyCall("Demo", "act", "bob", {"name": "coffee"}, ""), "bob")
    assert implied.args == [("account", "bob"), ("filtername", "coffee"), ("user", "bob"), ("fixed", "plain")]
    given = build_uapi_call(act, LegacyCall("Demo", "act", "bob", {"who": "me@example.com"}, ""), "bob")
    assert given.args == [("account", "me@example.com"), ("user", "bob"), ("fixed", "plain")]
    unknown = build_uapi_call(act, LegacyCall("Demo", "act", None, {}, ""), None)
    assert unknown.args == [("account", ""), ("user", ""), ("fixed", "plain")]


def test_rows_repeat_the_client_arguments(tmp_path):
    path = tmp_path / "Demo.yaml"
    path.write_text(ARGS_ENTRY)
    act = load_table([path]).lookup("Demo", "act")
    sent = {"name": "coffee", "password": "s3cret"}
    assert to_cpanelresult("Demo", "act", act, {"status": 1, "data": None}, sent)["cpanelresult"]["data"] == [
        {"deleted": 1, "filtername": "coffee", "missing": ""}]
    assert to_cpanelresult("Demo", "act", act, {"status": 0, "errors": ["no"]}, sent)["cpanelresult"]["data"] == [
        {"deleted": 0, "filtername": "coffee", "reason": "no"}]
    assert to_cpanelresult("Demo", "act", act, {"status": 1, "data": None})["cpanelresult"]["data"] == [
        {"deleted": 1, "filtername": "", "missing": ""}]


def test_rows_never_repeat_a_secret(tmp_path):
    path = tmp_path / "Demo.yaml"
    path.write_text(ARGS_ENTRY.replace('"{arg.nosuch}"', '"{arg.password}"'))
    with pytest.raises(SourceErrors) as caught:
        load_table([path])
    assert [str(e) for e in caught.value.errors] == [
        f"{path}:11: Demo::act: output rows must not repeat the secret argument 'password'"]


def test_values_may_drop_an_argument(tmp_path):
    path = tmp_path / "Demo.yaml"
    path.write_text("""module: Demo
functions:
  act:
    mode: translate
    uapi: Demo::act
    args:
      system: {to: type, values: {"no": user, "yes": ~}}
    output: {shape: list}
""")
    act = load_table([path]).lookup("Demo", "act")
    def sent(value):
        return build_uapi_call(act, LegacyCall("Demo", "act", "bob", {"system": value}, ""), "bob").args
    assert (sent("no"), sent("yes"), sent("other")) == ([("type", "user")], [], [("type", "other")])
    path.write_text(path.read_text().replace('"yes": ~', '"yes": [1]'))
    with pytest.raises(SourceErrors) as caught:
        load_table([path])
    assert [str(e) for e in caught.value.errors] == [
        f"{path}:7: Demo::act: args.system: values must map legacy values to UAPI values or ~"]
