"""The pure pieces behind the shim's own answers (shim/recipes/ui.py, langmods.py,
sourceipcheck.py): Perl's numbers and split, the Security Policy account, LangMods' tables.
Expected values were checked against Perl 5.36 (cPanel 11.120's Perl) by hand."""

import math

import pytest

from shim.recipes.langmods import key_of, prefix_of
from shim.recipes.locale import en_numf
from shim.recipes.sourceipcheck import SAMPLE_QUESTIONS, account_for, form_decoded
from shim.recipes.ui import perl_int, perl_number, perl_split_colons
from shim.translation.recipe import NativeOnly


@pytest.mark.parametrize("text, value", [
    ("7", 7), (" 12abc", 12), ("-3.5", -3.5), ("+4", 4), (".5", 0.5), ("1e2", 100.0), ("1e", 1), ("1.", 1.0),
    ("0x10", 0), ("1_000", 1), ("abc", 0), ("", 0), ("\t\n 9", 9), ("- 1", 0),
])
def test_perl_number(text, value):
    assert perl_number(text) == value


def test_perl_number_specials():
    assert perl_number("Inf") == math.inf and perl_number("-infinity") == -math.inf
    assert math.isnan(perl_number("nan"))


@pytest.mark.parametrize("text, value", [("10.9", 10), ("-3.5", -3), ("1e2", 100), ("x", 0), ("", 0),
                                         ("9223372036854775807", 2 ** 63 - 1)])
def test_perl_int(text, value):
    assert perl_int(text) == value


@pytest.mark.parametrize("text", ["inf", "NaN", "9223372036854775808", "1e30"])
def test_perl_int_outside_the_mimicked_range_has_no_route(text):
    with pytest.raises(NativeOnly):
        perl_int(text)


@pytest.mark.parametrize("text, pieces", [
    ("", []), ("a", ["a"]), (":a", ["", "a"]), ("a::b", ["a", "", "b"]), ("a:b::", ["a", "b"]), ("::", []),
])
def test_perl_split_colons(text, pieces):
    assert perl_split_colons(text) == pieces


DOMAINS = frozenset({"example.com", "shop.test"})


@pytest.mark.parametrize("requested, account", [
    (None, "user"), ("", "user"), ("bob", "user"), ("bob@example.com", "bob@example.com"),
    ("a@b@example.com", 0), ("bob@EXAMPLE.com", 0), ("bob@", 0), ("@shop.test", "@shop.test"),
])
def test_account_for(requested, account):
    assert account_for(requested, "user", DOMAINS) == account


def test_form_decoded_is_a_second_url_decoding():
    assert form_decoded("a+b%40c%2Bd") == "a b@c+d"
    assert form_decoded("%zz") == "%zz"
    assert form_decoded("%FF%40") == "\ufffd@"


def test_sample_questions_are_cpanels_28_with_two_repeated():
    assert len(SAMPLE_QUESTIONS) == 28 and len(set(SAMPLE_QUESTIONS)) == 26


@pytest.mark.parametrize("lang, key, value", [
    ("perl", "name", "Perl Module"), ("php-pear", "names", "PHP Extension(s) and Application(s)"),
    ("ruby", "nothing", None), ("", "name", None), ("cobol", "install", None),
])
def test_key_of(lang, key, value):
    assert key_of(lang, key) == value


@pytest.mark.parametrize("lang, key", [("perl", "getarchname"), ("php-pecl", "package_info"), ("ruby", "_rungem")])
def test_key_of_an_action_has_no_route(lang, key):
    with pytest.raises(NativeOnly):
        key_of(lang, key)


def test_prefix_of():
    assert prefix_of("php-pecl", "/home/u") == {"status": 1, "prefix": "/home/u/php"}
    assert prefix_of("", "/home/u") == {"status": 0, "prefix": "Provide a language."}
    assert prefix_of("Perl", "/home/u") == {"status": 0, "prefix": "Sorry Perl does not support the action getprefix"}


# (number, max_decimal_places or None, what cPanel 11.120's en formatter answered: checked with Perl 5.36)
NUMF_EN = [
    ("1234567.891", None, "1,234,567.891"), ("5", None, "5"), ("05", None, "05"), ("", None, ""),
    ("123", None, "123"), ("000", None, "0"), ("0.1234567", None, "0.123457"), ("2.5", "0", "2"), ("3.5", "0", "4"),
    ("1234.005", "2", "1,234.01"), ("1e3", None, "1,000"), ("abc", None, "0"), ("12abc", None, "12"),
    ("10000000000", None, "10,000,000,000"), ("99.9999999", None, "100"), ("1.5", "-1", "1.5"),
    ("1.23456789", "20", "1.23456789"), ("0.0000001", None, "0"), ("0.0000015", None, "0.000002"),
    (" 7", None, "7"), ("+12", None, "12"), ("1234.5", "x", "1,234"), ("1234.5", "", "1,234"), ("-0", None, "0"),
    (".5", None, "0.5"), ("5.", None, "5"), ("１２", None, "0"),
]


@pytest.mark.parametrize("number, places, formatted", NUMF_EN)
def test_en_numf(number, places, formatted):
    assert en_numf(number, places) == formatted


@pytest.mark.parametrize("number", ["-1234.5", "-0.0", "10000000001.5", "inf", "nan", "1e400"])
def test_en_numf_leaves_other_paths_to_native_api2(number):
    with pytest.raises(NativeOnly):
        en_numf(number, None)
