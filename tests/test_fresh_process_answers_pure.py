"""The pure pieces behind the shim's own answers (shim/recipes/ui.py, langmods.py,
sourceipcheck.py): Perl's numbers and split, the Security Policy account, LangMods' tables.
Expected values were checked against Perl 5.36 (cPanel 11.120's Perl) by hand."""

import math

import pytest

from shim.recipes.langmods import key_of, prefix_of
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
