"""Output row features: plain-string failure rows and `omit_empty` (pure, plus loader errors)."""

from pathlib import Path

import pytest

from shim.mapping import load_table
from shim.translate import to_cpanelresult
from shim.yamlsource import SourceErrors

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


def test_success_rows_must_be_records(tmp_path):
    path = tmp_path / "Demo.yaml"
    assert load_errors(tmp_path, "status", 'success: ["OK"]') == [
        f"{path}:8: Demo::act: output: success must be a list of rows"]
    assert load_errors(tmp_path, "status", "failure: [1]") == [
        f"{path}:8: Demo::act: output: failure must be a list of rows or strings"]


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
