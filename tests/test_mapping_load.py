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
        f"{path}:6: unknown key 'ouptut' in Ftp::passwd (allowed: args, confidence, drop, extra_args, json_args, local, lookup, mode, notes, output, read_only, reason, recipe, set, shadow, since, sources, timeout, uapi)",
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


def test_read_only_mark_is_a_boolean_on_entries_that_call(tmp_path):
    path = write(tmp_path, """module: Ftp
functions:
  listftp:
    mode: translate
    uapi: Ftp::list_ftp
    read_only: yes please
    output: {shape: list}
  stat:
    mode: reject
    reason: gone
    read_only: true
""")
    assert load_errors(path) == [
        f"{path}:6: Ftp::listftp: read_only must be true or false",
        f"{path}:11: Ftp::stat: read_only is for functions that are called; a reject entry calls nothing",
    ]
    path.write_text("""module: Ftp
functions:
  listftp: {mode: translate, uapi: Ftp::list_ftp, read_only: true, output: {shape: list}}
  stat: {mode: passthrough, reason: gone}
""")
    table = load_table([path])
    assert (table.lookup("Ftp", "listftp").read_only, table.lookup("Ftp", "stat").read_only) == (True, False)


# UAPI functions whose name says they change something: a read-only mark on an entry
# calling one is a mistake (the mark lets the shim call the function a second time).
_WRITE_VERBS = ("add", "set", "delete", "create", "remove", "install", "upload", "generate", "store",
                "edit", "change", "enable", "disable", "reorder", "passwd", "park", "unpark", "mass", "reset",
                "save", "revoke", "update", "suspend", "unsuspend", "send", "import", "restore")


def test_shipped_read_only_marks_never_name_a_write():
    table = load_table()
    marked = [e for e in table.entries.values() if e.read_only]
    assert len(marked) >= 75
    writes = [e.name for e in marked if e.uapi_func.split("_")[0].lower() in _WRITE_VERBS
              or (e.lookup is not None and e.lookup.uapi_func.split("_")[0].lower() in _WRITE_VERBS)]
    assert writes == []
    unmarked = {e.name for e in table.entries.values() if e.mode == "translate" and not e.read_only}
    assert {"Ftp::passwd", "Email::addpop", "SSL::genkey", "ZoneEdit::add_zone_record", "Fileman::savefile"} <= unmarked
