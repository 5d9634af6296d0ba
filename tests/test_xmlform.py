"""The XML form of API 2 documents (pure): cPanel's layout byte for byte, escaping, and any
row data surviving a real XML parser and simplexml's view."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xmlview import cpanel_view, parse, simplexml_view

from shim.translation import envelopes
from shim.translation.recognise import ApiPath, api2_path
from shim.translation.xmlform import element_name, render

SETTINGS = settings(max_examples=int(os.environ.get("API2SHIM_EXAMPLES", "120")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def test_the_layout_of_xml_simple():
    document = envelopes.success("Email", "listpops", [
        {"login": "a@example.com", "id": 7, "email": "a@example.com", "name": "first", "quota": None,
         "shared": [], "aliases": ["x", "y"], "disk": {"used": 1.5, "limit": 250.0}, "flags": {},
         "note": "", "on": True, "off": False},
        {"count": 2, "domains": {"b.example": {"ip": "192.0.2.2"}, "a.example": {"ip": "192.0.2.1", "name": "own"}}},
        [["p", "q"], []],
        None,
    ])
    assert render(document).decode() == """\
<?xml version="1.0" ?>
<cpanelresult>
  <apiversion>2</apiversion>
  <data>
    <name>first</name>
    <aliases>x</aliases>
    <aliases>y</aliases>
    <disk>
      <limit>250</limit>
      <used>1.5</used>
    </disk>
    <email>a@example.com</email>
    <flags></flags>
    <id>7</id>
    <login>a@example.com</login>
    <note></note>
    <off>0</off>
    <on>1</on>
    <quota></quota>
  </data>
  <data>
    <count>2</count>
    <domains>
      <name>own</name>
      <ip>192.0.2.1</ip>
    </domains>
    <domains>
      <name>b.example</name>
      <ip>192.0.2.2</ip>
    </domains>
  </data>
  <data>
    <anon>
      <anon>p</anon>
      <anon>q</anon>
    </anon>
    <anon>
    </anon>
  </data>
  <data></data>
  <event>
    <result>1</result>
  </event>
  <func>listpops</func>
  <module>Email</module>
</cpanelresult>
"""


def test_the_shims_own_error_documents():
    assert render(envelopes.access_denied()) == b"""\
<?xml version="1.0" ?>
<cpanelresult>
  <apiversion>2</apiversion>
  <data>
    <reason>Access denied</reason>
    <result>0</result>
  </data>
  <error>Access denied</error>
  <type>text</type>
</cpanelresult>
"""
    assert render(envelopes.function_not_found("Ftp", "nosuch")) == b"""\
<?xml version="1.0" ?>
<cpanelresult>
  <apiversion>2</apiversion>
  <error>Could not find function 'nosuch' in module 'Ftp'</error>
  <func>nosuch</func>
  <module>Ftp</module>
</cpanelresult>
"""
    # `data: []` of a call that could not run writes no <data> at all (XML::Simple's empty list).
    assert simplexml_view(render(envelopes.call_failed("Ftp", "passwd", "upstream is unavailable"))) == {
        "apiversion": "2", "error": "upstream is unavailable", "func": "passwd", "module": "Ftp",
        "event": {"reason": "upstream is unavailable", "result": "0"}}


def test_escaping_keeps_every_character_xml_can_hold():
    hostile = 'a & b < c > d "e" \'f\' ]]> <html> &amp; \r\n\t tab é ✓ 𝄞 \x85 \u2028'
    body = render(envelopes.success("M", "f", [{"text": hostile}]))
    assert b"<html>" not in body  # the xmlapi PHP class gives up on any answer containing "<html>"
    assert parse(body).find("data/text").text == hostile
    assert simplexml_view(body)["data"]["text"] == hostile


def test_characters_xml_cannot_hold_become_replacement_characters():
    body = render(envelopes.success("M", "f", [{"text": "nul\x00 bell\x07 esc\x1b \ufffe \uffff lone\ud800"}]))
    assert parse(body).find("data/text").text == "nul\ufffd bell\ufffd esc\ufffd \ufffd \ufffd lone\ufffd"


@pytest.mark.parametrize("key, name", [
    ("email", "email"), ("_diskquota", "_diskquota"), ("a.b-c", "a.b-c"), ("ümlaut", "ümlaut"),
    ("1st", "_1st"), ("two words", "two_words"), ("-x", "_-x"), ("ns:key", "ns_key"), ("", "_"),
    ("a\x00b", "a_b"), ("192.0.2.1", "_192.0.2.1"),
])
def test_keys_that_are_no_xml_name(key, name):
    assert element_name(key) == name
    body = render(envelopes.success("M", "f", [{key: "v"}]))
    assert parse(body).find(f"data/{name}").text == "v"


@pytest.mark.parametrize("raw, expected", [
    ("/json-api/cpanel", ApiPath("", "/json-api/cpanel", False)),
    ("/xml-api/cpanel", ApiPath("", "/xml-api/cpanel", True)),
    ("/cpsess0123456789/xml-api/cpanel", ApiPath("/cpsess0123456789", "/xml-api/cpanel", True)),
    ("//xml-api//cpanel/", ApiPath("", "/xml-api/cpanel", True)),
    ("/xml-api/listaccts", None),
    ("/xml-api/cpanel/extra", None),
    ("/execute/Ftp/list_ftp", None),
])
def test_which_paths_are_answered_in_xml(raw, expected):
    assert api2_path(raw) == expected


# --- any row data through a real parser -----------------------------------------------

# Element names as API 2 keys are (letters, digits, _ . -), and any text for values.
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
keys = st.builds(str.__add__, st.sampled_from(_LETTERS), st.text(_LETTERS + "0123456789.-", max_size=10))
text = st.text(max_size=30)  # every code point but surrogates, controls included
# XML 1.0 cannot carry these: the writer sends U+FFFD instead.
_NOT_XML = {*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF}


def as_xml_can_hold(value: str) -> str:
    return "".join("\ufffd" if ord(c) in _NOT_XML else c for c in value)


rows = st.lists(st.dictionaries(keys, text | st.lists(text, min_size=2, max_size=3)
                                | st.dictionaries(keys, text, min_size=1, max_size=3), max_size=6), max_size=4)


def read_row(element: ET.Element) -> dict[str, object]:
    """A <data> element back as the row it was written from (the reader a client writes)."""
    row: dict[str, object] = {}
    for child in element:
        value = {c.tag: c.text or "" for c in child} if len(child) else child.text or ""
        if child.tag in row:
            previous = row[child.tag]
            row[child.tag] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            row[child.tag] = value
    return row


@SETTINGS
@given(rows)
def test_any_row_data_round_trips_through_a_real_xml_parser(data):
    # Rows whose values are all hashes are folded (tables); keep one plain value per row.
    data = [dict(row, plain="x") for row in data]
    body = render(envelopes.success("Mod", "func", data))
    expected = [{k: as_xml_can_hold(v) if isinstance(v, str)
                 else [as_xml_can_hold(i) for i in v] if isinstance(v, list)
                 else {ik: as_xml_can_hold(iv) for ik, iv in v.items()}
                 for k, v in row.items()} for row in data]
    assert [read_row(e) for e in parse(body).findall("data")] == expected


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=15,
)


@SETTINGS
@given(st.lists(json_values, max_size=4), st.text(max_size=20))
def test_simplexml_sees_what_it_saw_from_cpanel(data, error):
    document = envelopes.function_failure("Mod", "func", data, as_xml_can_hold(error))
    clean = {"cpanelresult": _held(document["cpanelresult"])}
    assert simplexml_view(render(document)) == cpanel_view(clean)


def _held(value):
    if isinstance(value, str):
        return as_xml_can_hold(value)
    if isinstance(value, list):
        return [_held(v) for v in value]
    if isinstance(value, dict):
        return {k: _held(v) for k, v in value.items()}
    return value
