"""Output rules added for the MysqlFE/SSL family: bare success values, functions that died,
derived keys, the `keys` and `flags` shapes; their loader errors with file and line."""

from pathlib import Path

import pytest

from shim.translation import fields
from shim.translation.mapping import load_table
from shim.translation.translate import (
    lookup_failure,
    lookup_value,
    to_cpanelresult,
    with_arg,
)
from shim.translation.yamlsource import SourceErrors


def entry(tmp_path: Path, output: str):
    path = tmp_path / "T.yaml"
    path.write_text(f"module: T\nfunctions:\n  f:\n    mode: translate\n    uapi: U::f\n    output: {output}\n")
    return load_table([path]).lookup("T", "f")


def ok(data):
    return {"status": 1, "data": data, "errors": None, "messages": None, "metadata": {}}


def failed(*errors):
    return {"status": 0, "data": None, "errors": list(errors), "messages": None, "metadata": {}}


def test_bare_success_value_and_died_failure(tmp_path):
    rule = entry(tmp_path, "{shape: status, success: [1], on_failure: died}")
    assert to_cpanelresult("T", "f", rule, ok(None)) == {
        "cpanelresult": {"apiversion": 2, "func": "f", "module": "T", "data": [1], "event": {"result": 1}}}
    assert to_cpanelresult("T", "f", rule, failed("no", "way")) == {
        "cpanelresult": {"apiversion": 2, "func": "f", "module": "T",
                         "event": {"result": 0, "reason": "no\nway"}, "error": "no\nway"}}


def test_derive_convert_and_each_before_rename_and_only(tmp_path):
    rule = entry(tmp_path, """
      shape: list
      derive:
        mb: {from: bytes, convert: megabytes}
        n: {from: users, convert: count}
        pairs: {from: users, each: {user: "{item}", db: "{name}"}}
        copy: {from: name}
        said: {template: "{name} has {bytes} bytes"}
      rename: {name: db}
      only: [db, mb, n, pairs, copy, said]""")
    got = to_cpanelresult("T", "f", rule, ok([{"name": "a_b", "bytes": 3145728, "users": ["u1", "u2"], "x": 1}]))
    assert got["cpanelresult"]["data"] == [{"db": "a_b", "mb": "3.00", "n": 2, "copy": "a_b", "said": "a_b has 3145728 bytes",
                                            "pairs": [{"user": "u1", "db": "a_b"}, {"user": "u2", "db": "a_b"}]}]


def test_concat_joins_lists_in_order(tmp_path):
    rule = entry(tmp_path, "{shape: list, concat: [dirs, files]}")
    got = to_cpanelresult("T", "f", rule, ok({"files": [{"f": 1}], "dirs": [{"d": 1}, {"d": 2}], "x": [3]}))
    assert got["cpanelresult"]["data"] == [{"d": 1}, {"d": 2}, {"f": 1}]
    assert to_cpanelresult("T", "f", rule, ok({"dirs": None}))["cpanelresult"]["data"] == []


def test_keys_and_flags_shapes(tmp_path):
    keys = entry(tmp_path, "{shape: keys, key: host, value: note}")
    assert to_cpanelresult("T", "f", keys, ok({"a": "1", "b": ""}))["cpanelresult"]["data"] == [
        {"host": "a", "note": "1"}, {"host": "b", "note": ""}]
    assert to_cpanelresult("T", "f", keys, ok(["x", "y"]))["cpanelresult"]["data"] == [{"host": "x"}, {"host": "y"}]
    flags = entry(tmp_path, "{shape: flags}")
    assert to_cpanelresult("T", "f", flags, ok(["SELECT", "UPDATE"]))["cpanelresult"]["data"] == [{"SELECT": 1, "UPDATE": 1}]
    assert to_cpanelresult("T", "f", flags, ok(None))["cpanelresult"]["data"] == []


@pytest.mark.parametrize("value, expected", [(1572864, "1.50"), (0, "0.00"), ("x", "x"), (True, True)])
def test_megabytes(value, expected):
    assert fields.megabytes(value) == expected


def test_epoch():
    assert fields.epoch("2024-04-20T03:12:45.000Z") == 1713582765
    assert (fields.epoch("2024-04-20"), fields.epoch("soon"), fields.epoch(5)) == (1713571200, "soon", 5)


def test_uri_escape_and_count():
    assert fields.uri_escape("10.0.0.0/8 %") == "10.0.0.0%2F8%20%25"
    assert (fields.count(["a"]), fields.count(None), fields.count({"a": 1})) == (1, 0, 1)


def test_loader_errors_name_file_and_line(tmp_path):
    path = tmp_path / "T.yaml"
    path.write_text("""module: T
functions:
  f:
    mode: translate
    uapi: U::f
    output:
      shape: keys
      value: 3
      on_failure: explode
      derive:
        a: {from: x, convert: nope}
        b: {from: x, convert: count, each: {k: v}}
        c: 5
        d: {template: "{x}", from: y}
  g:
    mode: translate
    uapi: U::g
    output: {shape: list, value: v, failure: [{result: 0}], on_failure: died}
""")
    with pytest.raises(SourceErrors) as caught:
        load_table([path])
    assert [str(e) for e in caught.value.errors] == [
        f"{path}:7: T::f: output: a keys shape needs 'key'",
        f"{path}:8: T::f: output: value must be a key name",
        f"{path}:11: T::f: output: derive.a: unknown converter 'nope' (known: base64, base64_joined, count, epoch, megabytes, one_based, text, uri_escape)",
        f"{path}:12: T::f: output: derive.b: give either convert or each, not both",
        f"{path}:13: T::f: output: derive.c: expected a mapping with 'from' or 'template'",
        f"{path}:14: T::f: output: derive.d: a template is one text and stands alone",
        f"{path}:9: T::f: output: on_failure must be one of rows, died, not 'explode'",
        f"{path}:18: T::g: output: 'value' is only for the keys shape",
        f"{path}:18: T::g: output: a function that died answers no failure rows",
    ]


def lookup_entry(tmp_path: Path):
    path = tmp_path / "L.yaml"
    path.write_text("""module: L
functions:
  f:
    mode: translate
    uapi: U::f
    lookup: {uapi: U::list, match: {name: host}, take: id, to: key_id, missing: "none for {arg.host}"}
    output: {shape: status}
""")
    return load_table([path]).lookup("L", "f")


def test_lookup_takes_the_matching_record_or_explains(tmp_path):
    rule = lookup_entry(tmp_path).lookup
    listed = ok([{"name": "a", "id": "1"}, {"name": "b", "id": 2}])
    assert (lookup_value(rule, listed, {"host": "b"}), lookup_value(rule, listed, {"host": "c"})) == ("2", None)
    assert lookup_failure(rule, listed, {"host": "c"})["errors"] == ["none for c"]
    assert lookup_failure(rule, failed("down"), {"host": "c"}) == failed("down")
    from shim.translation.translate import UapiCall
    call = with_arg(UapiCall("U", "f", [("key_id", "x"), ("a", "1")], frozenset()), "key_id", "2")
    assert call.args == [("a", "1"), ("key_id", "2")]


def test_lookup_loader_errors(tmp_path):
    path = tmp_path / "L.yaml"
    path.write_text("""module: L
functions:
  f:
    mode: translate
    uapi: U::f
    lookup: {uapi: nope, match: {name: 3}, take: id, missing: x, extra: 1}
    output: {shape: status}
  g:
    mode: passthrough
    reason: old
    lookup: {}
""")
    with pytest.raises(SourceErrors) as caught:
        load_table([path])
    assert [str(e) for e in caught.value.errors] == [
        f"{path}:6: unknown key 'extra' in L::f: lookup (allowed: args, convert, match, missing, take, to, uapi, where)",
        f"{path}:6: L::f: lookup: uapi must be Module::function, not 'nope'",
        f"{path}:6: L::f: lookup: match must map record fields to API 2 argument names",
        f"{path}:6: L::f: lookup: to must be given as text",
        f"{path}:11: L::g: lookup is only for translate entries",
    ]
