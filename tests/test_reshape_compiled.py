"""Compiled record rules give the record the interpreted rules give, key order included.

For every shipped entry that reshapes records, and a few hand-made rules that the compiler
must leave interpreted, records are made from the names the rule itself uses (kept keys,
renamed keys, derive sources, record kinds) with values of every JSON type, placeholder
texts, base64, and missing keys, from a fixed seed. Both ways are compared as JSON bytes,
so a key out of order fails as surely as a wrong value.
"""

from __future__ import annotations

import random

import orjson
import pytest

from shim.translation.mapping import DeriveRule, OutputRule, load_table
from shim.translation.reshape import compile_record_rules, reshape_record

RECORDS_PER_RULE = 150
VALUES = [
    "plain", "", "{user}", "{item}", "a{b", "dGV4dA==", "bm90IGI2NA", "www", "@", "host.example.com.",
    "2024-04-20T03:12:45.000Z", 0, 1, 7, -3, 1048576 * 3 + 17, 2.5, True, False, None,
    [], ["u1", "u2"], ["{database}", 3, None], ["dGV4dA==", "d3d3"], {"nested": "x"},
]


def _names(rule: OutputRule) -> list[str]:
    names = set(rule.only or ()) | set(rule.rename or {}) | set((rule.rename or {}).values())
    names |= set(rule.omit_null) | set(rule.defaults or {}) | {"extra", "item", "database", "user"}
    rules = list(rule.derive)
    if rule.derive_by is not None:
        names.add(rule.derive_by[0])
        rules += [derive for case in rule.derive_by[1].values() for derive in case]
    for derive in rules:
        names.add(derive.key)
        names.add(derive.source.split(".")[0])
    return sorted(name for name in names if name)


def _records(rule: OutputRule, seed: str) -> list[object]:
    rng = random.Random(seed)
    names = _names(rule)
    kinds = list(rule.derive_by[1]) + ["OTHER", 1] if rule.derive_by is not None else []
    records: list[object] = [{}, "not a record", None, 3]
    for _ in range(RECORDS_PER_RULE):
        keys = [name for name in names if rng.random() < 0.7]
        rng.shuffle(keys)  # a record's own key order decides the interpreted result's order
        record = {key: rng.choice(VALUES) for key in keys}
        if kinds and rng.random() < 0.9:
            record[rule.derive_by[0]] = rng.choice(kinds)
        records.append(record)
    return records


def _shipped_rules() -> list[tuple[str, OutputRule]]:
    table = load_table()
    return [(entry.name, entry.output) for entry in table.entries.values() if entry.output.reshapes_records]


def _assert_same(rule: OutputRule, seed: str) -> None:
    compiled = compile_record_rules(rule)
    for record in _records(rule, seed):
        for args in (None, {"domain": "example.com", "user": "u1"}, {"domain": "example.com."}):
            try:
                want = orjson.dumps(reshape_record(rule, record, args))
            except Exception as exc:  # a converter's failure must be the same failure
                with pytest.raises(type(exc)):
                    compiled(record, args)
                continue
            assert orjson.dumps(compiled(record, args)) == want, (record, args)


@pytest.mark.parametrize("name,rule", _shipped_rules(), ids=lambda value: value if isinstance(value, str) else "")
def test_every_shipped_rule_compiles_to_what_it_means(name, rule):
    assert rule.reshape is not None
    _assert_same(rule, name)


def test_the_shipped_list_rules_are_compiled_not_interpreted():
    # The cheap path must actually be taken where the table's big lists are.
    table = load_table()
    for name in (("MysqlFE", "listusers"), ("MysqlFE", "getalldbsinfo"), ("Postgres", "listdbs"), ("Mime", "listmime")):
        assert hasattr(table.lookup(*name).output.reshape, "source"), name


HAND_MADE = {
    # Two sources renamed onto one kept key: where a record has both, its own order decides.
    "rename collision": OutputRule("list", rename={"database": "db"}, only=("db", "size")),
    "rename swap": OutputRule("list", rename={"a": "b", "b": "a"}, only=("a", "b")),
    "derived key renamed": OutputRule(
        "list", derive=(DeriveRule("sizemeg", "size"),), rename={"sizemeg": "mb"}, only=("mb", "size")
    ),
    "a derived and a plain source onto one kept key": OutputRule(
        "list", derive=(DeriveRule("mb", "size"),), rename={"user": "mb"}, only=("mb", "user")
    ),
    "derived twice, last wins": OutputRule(
        "list", derive=(DeriveRule("x", "user"), DeriveRule("x", "database")), only=("x",)
    ),
    "template with placeholders": OutputRule(
        "list", derive=(DeriveRule("label", "", template="{user} on {database}"),), only=("label", "user")
    ),
    "each, not whole placeholders": OutputRule(
        "list", derive=(DeriveRule("rows", "extra", each={"u": "u-{item}"}),), only=("rows",)
    ),
    "each over a dotted source": OutputRule(
        "list", derive=(DeriveRule("rows", "extra.0", each={"u": "{item}", "d": "{database}", "k": "x"}),)
    ),
    "no only: derive, rename, omit_null, defaults, add": OutputRule(
        "list", derive=(DeriveRule("item", "user"),), rename={"user": "login"}, omit_null=frozenset({"login"}),
        defaults={"database": "none", "z": 1}, add={"extra": "added"},
    ),
    "only with omit_null and defaults": OutputRule(
        "list", derive=(DeriveRule("user", "database"),), only=("user", "database", "extra"),
        omit_null=frozenset({"user", "extra"}), defaults={"extra": "d"},
    ),
}


@pytest.mark.parametrize("name", HAND_MADE)
def test_hand_made_rules_give_what_they_mean(name):
    _assert_same(HAND_MADE[name], name)


def test_rules_the_generator_does_not_reproduce_stay_interpreted():
    assert not hasattr(HAND_MADE["template with placeholders"].reshape, "source")
    assert not hasattr(HAND_MADE["each, not whole placeholders"].reshape, "source")
    assert not hasattr(OutputRule("list", derive=(DeriveRule("a", "x"), DeriveRule("b", "y")), rename={"a": "c", "b": "c"},
                                  only=("c",)).reshape, "source")
    assert hasattr(HAND_MADE["rename collision"].reshape, "source")
    assert hasattr(HAND_MADE["derived key renamed"].reshape, "source")
