"""Mapping-format features added for ZoneEdit (read-before-write lookups by fixed values,
JSON-valued UAPI arguments, per-kind derivation, DNS names, filters, wrap, failure_error),
tested as pure functions, with the loader's exact error texts."""

import base64
import json
from pathlib import Path

import pytest

from shim.translation import fields
from shim.translation.arguments import TransformError
from shim.translation.mapping import load_table
from shim.translation.recognise import LegacyCall
from shim.translation.translate import (
    build_uapi_call,
    lookup_call,
    lookup_value,
    to_cpanelresult,
)
from shim.translation.yamlsource import SourceErrors


def b64(text):
    return base64.b64encode(text.encode()).decode()


def ok(data):
    return {"status": 1, "data": data, "errors": None, "messages": None, "metadata": {}}


def failed(*errors):
    return {"status": 0, "data": None, "errors": list(errors), "messages": None, "metadata": {}}


def load(tmp_path: Path, body: str):
    path = tmp_path / "Z.yaml"
    path.write_text("module: Z\nfunctions:\n  f:\n    mode: translate\n    uapi: U::f\n" + body)
    return load_table([path]).lookup("Z", "f")


def load_errors(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "Z.yaml"
    path.write_text("module: Z\nfunctions:\n  f:\n    mode: translate\n    uapi: U::f\n" + body)
    with pytest.raises(SourceErrors) as caught:
        load_table([path])
    return [str(e).replace(f"{path}:", "") for e in caught.value.errors]


def call(**args):
    return LegacyCall(module="Z", func="f", args=args, user="user", cpsess="")


def test_converters():
    assert fields.base64_text(b64("www")) == "www"
    assert fields.base64_text([b64("a"), b64("b")]) == ["a", "b"]
    assert fields.base64_text("not base64!") == "not base64!"
    assert fields.base64_joined([b64("v=spf1 "), b64("-all")]) == "v=spf1 -all"
    assert (fields.one_based(0), fields.one_based("x"), fields.one_based(True)) == (1, "x", True)


def test_the_where_value_is_what_picks_the_record(tmp_path):
    entry = load(tmp_path, """    lookup: {uapi: R::read, where: {record_type: SOA}, take: serial, to: serial, missing: m}
    output: {shape: status}
""")
    # Every record has the field taken; only `where` tells the SOA from the records before and after it.
    zone = ok([{"record_type": "NS", "serial": "ns"}, {"record_type": "SOA", "serial": "2024042301"},
               {"record_type": "A", "serial": "a"}])
    assert lookup_value(entry.lookup, zone, {}) == "2024042301"
    assert lookup_value(entry.lookup, ok([{"record_type": "NS", "serial": "ns"}]), {}) is None


def test_a_zero_or_negative_timeout_in_an_entry_is_refused(tmp_path):
    for value in ("0", "-1", "true", "x"):
        assert load_errors(tmp_path, f"    timeout: {value}\n    output: {{shape: status}}\n") == [
            "6: Z::f: timeout must be a positive number of seconds"]
    assert load(tmp_path, "    timeout: 0.5\n    output: {shape: status}\n").timeout == 0.5


def test_lookup_by_fixed_values_with_read_args_path_and_convert(tmp_path):
    entry = load(tmp_path, """    lookup:
      uapi: R::read
      args: {zone: domain}
      where: {record_type: SOA}
      take: data_b64.2
      convert: base64
      to: serial
      missing: "no SOA in {arg.domain}"
    output: {shape: status}
""")
    rule = entry.lookup
    read = lookup_call(rule, {"domain": "example.com", "other": "x"})
    assert (read.module, read.func, read.args) == ("R", "read", [("zone", "example.com")])
    zone = ok([{"type": "comment", "text_b64": b64("; x")},
               {"type": "record", "record_type": "SOA", "data_b64": [b64("ns1."), b64("a."), b64("2024042301")]}])
    assert lookup_value(rule, zone, {"domain": "example.com"}) == "2024042301"
    assert lookup_value(rule, ok([{"record_type": "SOA", "data_b64": [b64("ns1.")]}]), {}) is None


JSON_ARGS = """    json_args:
      add:
        choose: type
        missing: "Invalid record type “{arg.type}”."
        cases:
          A: {dname: "{arg.name}", ttl: {arg: ttl, type: integer, default: 14400}, record_type: A, data: ["{arg.address}"]}
          MX: {dname: "{arg.name}", ttl: {arg: ttl, type: integer, default: 14400}, record_type: MX,
               data: ["{arg.preference}", "{arg.exchange}"]}
      remove:
        template: {arg: [line, Line], transform: zero_based, type: integer}
    extra_args: drop
    output: {shape: status}
"""


def test_json_args_choose_a_case_and_type_their_values(tmp_path):
    entry = load(tmp_path, JSON_ARGS)
    uapi = build_uapi_call(entry, call(type="MX", name="mx", preference="5", exchange="mail.test.", line="3"), "user")
    args = dict(uapi.args)
    assert json.loads(args["add"]) == {"dname": "mx", "ttl": 14400, "record_type": "MX", "data": ["5", "mail.test."]}
    assert args["remove"] == "2"
    assert json.loads(dict(build_uapi_call(entry, call(type="A", name="a", ttl="60", address="192.0.2.1", Line="9"),
                                           "user").args)["add"])["ttl"] == 60
    with pytest.raises(TransformError, match="^Invalid record type “SPF”.$"):
        build_uapi_call(entry, call(type="SPF", line="1"), "user")
    with pytest.raises(TransformError, match="^“ttl” must be a whole number, not “soon”.$"):
        build_uapi_call(entry, call(type="A", ttl="soon", line="1"), "user")
    with pytest.raises(TransformError, match="^The “line” parameter is required.$"):
        build_uapi_call(entry, call(type="A"), "user")
    with pytest.raises(TransformError, match="^expected a line number of 1 or more, not '0'$"):
        build_uapi_call(entry, call(type="A", line="0"), "user")


RECORDS = """    output:
      shape: list
      derive:
        Line: {from: line_index, convert: one_based}
        name: {from: dname_b64, convert: base64, qualify: domain}
      derive_by:
        key: record_type
        cases:
          A: {address: {from: data_b64.0, convert: base64}}
          CNAME: {cname: {from: data_b64.0, convert: base64, qualify: domain, strip_dot: true}}
          TXT: {txtdata: {from: data_b64, convert: base64_joined}}
      rename: {record_type: type}
      only: [Line, name, type, address, cname, txtdata]
      defaults: {record: null}
      filter: {name: name, type: type, Line: line}
"""


def zone():
    return ok([
        {"type": "comment", "line_index": 0, "text_b64": b64("; zone")},
        {"type": "record", "line_index": 1, "record_type": "A", "dname_b64": b64("example.com."), "data_b64": [b64("192.0.2.1")]},
        {"type": "record", "line_index": 2, "record_type": "CNAME", "dname_b64": b64("www"), "data_b64": [b64("example.com.")]},
        {"type": "record", "line_index": 3, "record_type": "TXT", "dname_b64": b64("_acme"), "data_b64": [b64("ab"), b64("cd")]},
    ])


def test_records_decoded_per_kind_qualified_and_filtered(tmp_path):
    entry = load(tmp_path, RECORDS)
    got = to_cpanelresult("Z", "f", entry, zone(), {"domain": "example.com"})
    assert got["cpanelresult"]["data"] == [
        {"record": None, "Line": 1, "name": None, "type": "comment"},  # no case for comments here
        {"record": None, "Line": 2, "name": "example.com.", "type": "A", "address": "192.0.2.1"},
        {"record": None, "Line": 3, "name": "www.example.com.", "type": "CNAME", "cname": "example.com"},
        {"record": None, "Line": 4, "name": "_acme.example.com.", "type": "TXT", "txtdata": "abcd"},
    ]
    picked = to_cpanelresult("Z", "f", entry, zone(), {"domain": "example.com", "type": "TXT|CNAME", "name": "www.example.com."})
    assert [r["Line"] for r in picked["cpanelresult"]["data"]] == [3]
    assert to_cpanelresult("Z", "f", entry, zone(), {"domain": "example.com", "line": "2,4"})["cpanelresult"]["data"][0]["Line"] == 2


def test_wrap_and_failure_without_error(tmp_path):
    entry = load(tmp_path, """    output:
      shape: list
      only: [n]
      wrap: {key: record, add: {status: 1}}
      failure: [{result: {status: 0, statusmsg: "{errors}"}}]
      failure_error: false
""")
    assert to_cpanelresult("Z", "f", entry, ok([{"n": 1, "x": 2}]))["cpanelresult"]["data"] == [{"status": 1, "record": [{"n": 1}]}]
    assert to_cpanelresult("Z", "f", entry, failed("no zone")) == {"cpanelresult": {
        "apiversion": 2, "func": "f", "module": "Z", "event": {"result": 1},
        "data": [{"result": {"status": 0, "statusmsg": "no zone"}}]}}


def test_loader_errors_of_the_new_rules(tmp_path):
    assert load_errors(tmp_path, """    json_args:
      add: {template: {arg: 5}}
      edit: {choose: type}
      remove: {choose: "bad name", cases: {A: x}, missing: m}
      "x y": {template: 1}
    lookup: {uapi: R::read, where: {record_type: SOA}, take: serial, to: serial, missing: m, convert: nope}
    output:
      shape: list
      derive_by: {key: record_type}
      filter: {name: 3}
      wrap: {add: {}}
      failure_error: maybe
      derive: {n: {from: x, qualify: "a b"}}
""") == [
        "18: Z::f: output: derive.n: qualify names the API 2 argument holding the zone; strip_dot is true or false",
        "14: Z::f: output: derive_by needs 'key' (a record field) and 'cases' (its values → derive rules)",
        "15: Z::f: output: filter must map record keys to API 2 argument names",
        "16: Z::f: output: wrap needs 'key' (where the records go) and optional 'add' constants",
        "17: Z::f: output: failure_error must be true or false",
        "11: Z::f: lookup: unknown converter 'nope' (known: base64, base64_joined, count, epoch, megabytes, one_based, text, uri_escape)",
        "7: Z::f: json_args.add: a value rule takes arg (a name or list of names), transform "
        "(account_prefix, bool01, domainkey, integer, lower, pipes_to_commas, zero_based), type (text, integer) and default",
        "8: Z::f: json_args.edit: give a template, or choose and cases",
        "9: Z::f: json_args.remove: choose must name the API 2 argument that picks the case",
        "10: Z::f: json_args name 'x y' is not [A-Za-z0-9_]+",
    ]


def test_with_adds_keys_to_every_case_and_omit_null_drops_null_keys(tmp_path):
    entry = load(tmp_path, """    json_args:
      edit:
        choose: type
        missing: "no {arg.type}"
        cases: {A: {data: ["{arg.address}"]}}
        with: {line_index: {arg: Line, transform: zero_based, type: integer}}
    output:
      shape: list
      derive: {ttl: {from: ttl, convert: text}}
      omit_null: [ttl]
""")
    assert json.loads(dict(build_uapi_call(entry, call(type="A", address="192.0.2.1", Line="5"), "user").args)["edit"]) == {
        "data": ["192.0.2.1"], "line_index": 4}
    assert to_cpanelresult("Z", "f", entry, ok([{"ttl": 60}, {"n": 1}]))["cpanelresult"]["data"] == [{"ttl": "60"}, {"n": 1}]
    assert load_errors(tmp_path, """    json_args:
      edit: {choose: type, missing: m, cases: {A: [1]}, with: {x: 1}}
    output: {shape: list, omit_null: name}
""") == ["8: Z::f: output: omit_null must be a list of keys",
         "7: Z::f: json_args.edit: 'with' adds keys to cases that are mappings"]
