"""`each` templates filled by a plan (one lookup per key) give what the replaces in turn give."""

from __future__ import annotations

import pytest

from shim.translation import reshape
from shim.translation.mapping import DeriveRule

RULE = DeriveRule("userlist", "users", each={"user": "{item}", "db": "{database}", "kind": "mysql"})
RECORDS = [
    {"database": "db1", "users": ["u1", "u2"]},
    {"database": "db{item}", "users": ["u1"]},  # a value holding a placeholder of a later pair
    {"database": "db1", "users": ["{database}", 7, None, True]},  # items holding placeholders, not texts
    {"item": "field", "database": "db1", "users": ["u1"]},  # a field named like the item
    {"users": ["u1"]},  # the placeholder's field missing: the text stays
    {"database": ["not", "text"], "users": ["u1"]},  # a field that is no text is no placeholder
    {"database": 3.5, "users": "not a list"},
]


@pytest.mark.parametrize("record", RECORDS, ids=range(len(RECORDS)))
def test_plan_equals_the_replaces_in_turn(record, monkeypatch):
    planned = reshape.derived((RULE,), record, None)
    monkeypatch.setattr(reshape, "each_plan", lambda template: None)
    assert planned == reshape.derived((RULE,), record, None)


def test_templates_with_more_than_whole_placeholders_take_the_general_path():
    assert reshape.each_plan({"user": "{item}", "db": "{database}"}) is not None
    assert reshape.each_plan({"user": "u-{item}"}) is None
    assert reshape.each_plan({"user": "{arg.user}"}) is None
    assert reshape.each_plan("{item}") is None
