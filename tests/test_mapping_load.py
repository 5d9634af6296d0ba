"""The mapping loader: strict validation with file and line, and the compiled form."""

from pathlib import Path

import pytest

from shim.translation.mapping import load_table
from shim.translation.yamlsource import SourceErrors


def write(tmp_path: Path, text: str, name: str = "Test.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def load_errors(*paths: Path) -> list[str]:
    with pytest.raises(SourceErrors) as caught:
        load_table(list(paths))
    return [str(e) for e in caught.value.errors]


def test_shipped_tables_load():
    table = load_table()
    assert table.lookup("Ftp", "passwd").uapi_func == "passwd"


def test_typo_in_entry_key_names_file_and_line(tmp_path):
    path = write(tmp_path, """module: Ftp
functions:
  passwd:
    mode: translate
    uapi: Ftp::passwd
    ouptut: {shape: status}
""")
    assert load_errors(path) == [
        f"{path}:6: unknown key 'ouptut' in Ftp::passwd (allowed: args, confidence, drop, extra_args, json_args, lookup, mode, notes, output, reason, set, since, sources, timeout, uapi)",
        f"{path}:3: Ftp::passwd: a translate entry needs 'output'",
    ]


def test_unknown_transform_and_bad_names(tmp_path):
    path = write(tmp_path, """module: Ftp
functions:
  pass-wd:
    mode: translate
  setquota:
    mode: translate
    uapi: Ftp::set quota
    args:
      quota: {to: quota, transform: megabytes}
    output: {shape: status}
""")
    assert load_errors(path) == [
        f"{path}:3: function name 'pass-wd' is not [A-Za-z0-9_]+",
        f"{path}:7: Ftp::setquota: uapi must be Module::function, not 'Ftp::set quota'",
        f"{path}:9: Ftp::setquota: args.quota: unknown transform 'megabytes' (known: account_prefix, bool01, domainkey, integer, lower, pipes_to_commas, zero_based)",
    ]


def test_duplicate_keys_and_entries(tmp_path):
    first = write(tmp_path, """module: Ftp
functions:
  listftp:
    mode: passthrough
    reason: one
    reason: two
""", "a.yaml")
    second = write(tmp_path, """module: Ftp
functions:
  passwd: {mode: reject, reason: gone}
""", "b.yaml")
    third = write(tmp_path, """module: Ftp
functions:
  passwd: {mode: reject, reason: again}
""", "c.yaml")
    assert load_errors(first, second, third) == [
        f"{first}:6: duplicate key 'reason'",
        f"{third}:3: duplicate entry Ftp::passwd (first at {second}:3)",
    ]


def test_passthrough_needs_a_reason_and_modes_are_closed(tmp_path):
    path = write(tmp_path, """module: Park
functions:
  park: {mode: passthrough}
  unpark: {mode: forward, reason: x}
""")
    assert load_errors(path) == [
        f"{path}:3: Park::park: a passthrough entry says why in 'reason'",
        f"{path}:4: Park::unpark: mode must be one of translate, passthrough, reject, not 'forward'",
    ]


def test_invalid_yaml_reports_line(tmp_path):
    path = write(tmp_path, "module: Ftp\nfunctions:\n  passwd: [unclosed\n")
    errors = load_errors(path)
    assert len(errors) == 1 and errors[0].startswith(f"{path}:4: invalid YAML")


def test_version_gate_turns_newer_functions_into_passthrough(tmp_path):
    path = write(tmp_path, """module: Park
functions:
  park:
    mode: translate
    uapi: Park::park
    since: "11.137"
    output: {shape: status}
""")
    old = load_table([path], upstream_version="11.120")
    new = load_table([path], upstream_version="11.138")
    unknown = load_table([path])
    entry = old.lookup("Park", "park")
    assert (old.mode_for(entry), new.mode_for(entry), unknown.mode_for(entry)) == ("passthrough", "translate", "translate")
    assert old.mode_for(None) == "passthrough"
    assert load_table([path], default_mode="reject").mode_for(None) == "reject"
