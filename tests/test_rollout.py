"""Rollout without sockets: the shadow comparison's rules, and `check`/`coverage` on per-function modes."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import run_cli

from shim.translation.compare import ABSENT, Difference, differences

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess:
    return run_cli(*args)


def doc(**result):
    return {"cpanelresult": {"apiversion": 2, "func": "listftp", "module": "Ftp", "event": {"result": 1}, **result}}


def test_key_order_is_no_difference_and_every_other_leaf_is():
    native = doc(data=[{"user": "a", "homedir": "/h", "diskused": 1}])
    reordered = {"cpanelresult": {"module": "Ftp", "data": [{"diskused": 1, "homedir": "/h", "user": "a"}],
                                  "event": {"result": 1}, "func": "listftp", "apiversion": 2}}
    assert differences(native, reordered) == []
    other = doc(data=[{"user": "a", "homedir": "/x", "diskused": "1"}, {"user": "b"}], error="no")
    assert differences(native, other) == [
        Difference("data.0.homedir", "/h", "/x"),
        Difference("data.0.diskused", 1, "1"),
        Difference("data.1", ABSENT, {"user": "b"}),
        Difference("error", ABSENT, "no"),
    ]


def test_numbers_as_text_and_volatile_paths_are_what_the_entry_allows():
    native = doc(data=[{"diskused": 1, "mtime": 100, "ok": True}, {"diskused": 2.5, "mtime": 101, "ok": True}])
    translated = doc(data=[{"diskused": "1", "mtime": 200, "ok": 1}, {"diskused": "2.50", "mtime": 300, "ok": True}])
    assert differences(native, translated, numbers_as_text=True, ignore={"data.*.mtime"}) == [
        Difference("data.0.ok", True, 1),  # JSON's true is not 1, even where numbers may be text
    ]
    assert [d.path for d in differences(native, translated)] == [
        "data.0.diskused", "data.0.mtime", "data.0.ok", "data.1.diskused", "data.1.mtime"]


def test_check_prints_the_modes_the_config_changes(tmp_path):
    config = tmp_path / "shim.yaml"
    config.write_text('functions:\n  "Ftp::*": shadow\n  "Ftp::listftpsessions": translate\n'
                      '  "Email::addpop": passthrough\n  "Email::listpopswithdisk": {mode: canary, percent: 10}\n')
    result = run("check", "--config", str(config))
    assert (result.returncode, result.stderr) == (0, "")
    entries = result.stdout.splitlines()[0]
    assert result.stdout == f"""{entries}
modes set by the config (4 functions differ from the table):
  Email::addpop            passthrough  (table: translate; {config}:4)
  Email::listpopswithdisk  canary 10%   (table: translate; {config}:5)
  Ftp::listftp             shadow       (table: translate; {config}:2)
  Ftp::listftpwithdisk     shadow       (table: translate; {config}:2)
"""
    coverage = run("coverage", "--config", str(config), "--module", "Ftp")
    assert coverage.stdout.endswith(f"""modes set by the config (2 functions differ from the table):
  Ftp::listftp          shadow  (table: translate; {config}:2)
  Ftp::listftpwithdisk  shadow  (table: translate; {config}:2)
""")


def test_check_names_bad_function_names_and_impossible_modes_with_file_and_line(tmp_path):
    config = tmp_path / "shim.yaml"
    (tmp_path / "Ftp.yaml").write_text("module: Ftp\nfunctions:\n  listftp: {mode: translate, uapi: Ftp::list_ftp, "
                                       "output: {shape: list}}\n  addftp: {mode: translate, uapi: Ftp::add_ftp, "
                                       "output: {shape: status}}\n  passwd: {mode: passthrough, reason: not yet}\n")
    config.write_text('mappings: [Ftp.yaml]\npartial_mappings: true\nfunctions:\n  "Fpt::*": translate\n'
                      '  "Ftp::lisftp": shadow\n  "Ftp::addftp": shadow\n  "Ftp::passwd": canary\n'
                      '  "Ftp::setquota": {mode: canary, percent: 5}\n  "Ftp::listftp": shadow\n')
    result = run("check", "--config", str(config))
    assert result.returncode == 1 and result.stdout == ""
    # A rule that is malformed stops the config before its names are looked up in the table.
    assert result.stderr == (f"error: {config}:7: functions: Ftp::passwd: canary needs percent, the share of "
                             "calls translated (more than 0, at most 100), not None\n")
    config.write_text(config.read_text().replace('"Ftp::passwd": canary', '"Ftp::passwd": translate'))
    assert run("check", "--config", str(config)).stderr == (
        f"error: {config}:4: functions: no API 2 module named Fpt (did you mean Ftp?)\n"
        f"error: {config}:5: functions: no API 2 function Ftp::lisftp (did you mean listftp?)\n"
        f"error: {config}:6: functions: Ftp::addftp: cannot shadow: the table does not mark it read_only, and a "
        "write would run twice (canary moves a share of the calls instead)\n"
        f"error: {config}:7: functions: Ftp::passwd: cannot translate: the table has no translation for it (not yet)\n"
        f"error: {config}:8: functions: Ftp::setquota: cannot canary: the table has no translation for it\n"
        f"error: {config}:9: functions: Ftp::listftp: cannot shadow: the table does not mark it read_only, and a "
        "write would run twice (canary moves a share of the calls instead)\n")


def test_check_refuses_a_malformed_rule_an_empty_config_and_a_smaller_table(tmp_path):
    config = tmp_path / "shim.yaml"
    config.write_text('functions:\n  "Ftp::listftp": {mode: canary}\n  "Ftp::passwd": {mode: shadow, percent: 5}\n'
                      '  Ftp: translate\nshadow:\n  max_concurrent: 0\n')
    assert run("check", "--config", str(config)).stderr == (
        f"error: {config}:2: functions: Ftp::listftp: canary needs percent, the share of calls translated "
        "(more than 0, at most 100), not None\n"
        f"error: {config}:3: functions: Ftp::passwd: percent is only for canary\n"
        f"error: {config}:4: functions: 'Ftp' is not \"Module::function\" or \"Module::*\"\n"
        f"error: {config}:6: shadow.max_concurrent must be a positive whole number, not 0\n")
    config.write_text("")
    assert run("check", "--config", str(config)).stderr == f"error: {config}:1: the config file is empty\n"
    ftp = ROOT / "mappings" / "Ftp.yaml"
    smaller = run("check", "--mappings", str(ftp))
    assert smaller.returncode == 1 and smaller.stderr.startswith(
        f"error: {ftp}:0: mappings: 7 entries, fewer than the shipped table's ")
    assert run("check", "--mappings", str(ftp), "--partial-mappings").stdout == "ok: 7 mapping entries\n"


def test_the_mismatch_store_keeps_values_redacted_and_is_bounded():
    from shim.observability.rollout_report import ShadowLedger

    ledger = ShadowLedger(keep_mismatches=2)
    key = "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----"
    for number in range(3):
        ledger.compared("SSL::listkeys", [
            Difference("data.0.password", "hunter2", "hunter3"),
            Difference("data.0.text", key, "x" * 300),
            Difference(f"data.{number}.friendly_name", "a", "b"),
        ], when=1000.0 + number, request_id=f"r{number}", secret={"friendly_name"})
    assert list(ledger.mismatches) == [
        {"time": 1000.0 + n, "id": f"r{n}", "function": "SSL::listkeys", "differences": [
            {"path": "data.0.password", "native": "********", "translated": "********"},
            {"path": "data.0.text", "native": "********", "translated": "x" * 200 + "…"},
            {"path": f"data.{n}.friendly_name", "native": "********", "translated": "********"},
        ]} for n in (1, 2)]
    assert ledger.functions["SSL::listkeys"].as_json() == {
        "agree": 0, "differ": 3, "error": 0, "skipped": 0, "first": 1000.0, "last": 1002.0, "noise": [],
        "paths": {"data.*.password": 3, "data.*.text": 3, "data.*.friendly_name": 3}}


def test_without_native_api2_nothing_can_be_shadowed_or_canaried(tmp_path):
    config = tmp_path / "shim.yaml"
    config.write_text('upstream_api2: absent\nfunctions:\n  "Ftp::listftp": shadow\n'
                      '  "Ftp::*": {mode: canary, percent: 5}\n  "Ftp::passwd": translate\n')
    result = run("check", "--config", str(config))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: {config}:3: functions: Ftp::listftp: cannot shadow with upstream_api2: absent "
        "(there is no native API 2 answer)\n"
        f"error: {config}:4: functions: Ftp::*: cannot canary with upstream_api2: absent "
        "(there is no native API 2 answer)\n")
