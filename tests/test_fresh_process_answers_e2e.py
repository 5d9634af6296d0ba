"""Answers the shim gives by itself or from UAPI reads, where cPanel 11.120's API 2 answer
depended on nothing a server keeps (issue 12): Email's filter page helpers, SourceIPCheck's
sample questions and account, UI::paginate_list, LangMods' search, list_available, getkey
and getprefix. Whole documents, through the real shim, on both ports.
"""

import pytest
from api2calls import Api2Calls, stack_with

from shim import fakecpanel
from shim.recipes.sourceipcheck import SAMPLE_QUESTIONS

HTTP_500 = "upstream answered HTTP 500"


def unknown_function(module, func):
    return {"cpanelresult": {"apiversion": 2, "error": f"Could not find function '{func}' in module '{module}'",
                             "func": func, "module": module}}


def died(module, func):
    return {"cpanelresult": {"apiversion": 2, "func": func, "module": module, "data": [],
                             "event": {"result": 0, "reason": HTTP_500}, "error": HTTP_500}}


async def test_filter_helpers_answer_as_a_fresh_process(stack):
    calls = Api2Calls(stack, "Email")
    for func, data in (("filtername", [{"filtername": None}]), ("filterrules", [None]), ("filteractions", [None])):
        # A loadfilter just before changes nothing: each json-api call is a new cPanel process.
        assert (await calls.whm("loadfilter", filtername="f1"))[0] == 200
        assert await calls.whm(func, filtername="f1") == (200, calls.ok(func, data))
        assert calls.last_uapi() == ("Variables", "get_user_information", {})
        assert await calls.cpanel(func) == (200, calls.ok(func, data))


def native_calls(stack):
    return [r for r in stack.state.requests if r.path.endswith("/json-api/cpanel")]


async def test_samplequestions_in_english_and_natively_in_another_locale(stack):
    calls, setlang = Api2Calls(stack, "SourceIPCheck"), Api2Calls(stack, "SetLang")
    expected = calls.ok("samplequestions", list(SAMPLE_QUESTIONS))
    assert await calls.whm("samplequestions") == (200, expected)
    assert calls.last_uapi() == ("Locale", "get_attributes", {})
    assert await calls.cpanel("samplequestions") == (200, expected)
    document = expected["cpanelresult"]["data"]
    assert len(document) == 28 and document[13] == "In what year (YYYY) did you graduate from high school?"
    assert native_calls(stack) == []
    assert await setlang.whm("setlocale", locale="ar") == (200, setlang.ok("setlocale", []))
    # Another locale's texts are cPanel's own: the call goes to native API 2 while it is served
    # (the fake's native API 2 has no SourceIPCheck, hence its unknown-function answer).
    assert await calls.cpanel("samplequestions") == (200, unknown_function("SourceIPCheck", "samplequestions"))
    [native] = native_calls(stack)
    assert native.query["cpanel_jsonapi_func"] == ["samplequestions"]
    stack.state.faults.add("/execute/Locale/get_attributes", "status:500", times=1)
    assert await calls.cpanel("samplequestions") == (502, died("SourceIPCheck", "samplequestions"))


async def test_inputs_left_to_native_api2_are_unanswerable_after_the_removal():
    state = fakecpanel.FakeState.demo()
    state.native_api2 = False
    async with stack_with({"upstream_api2": "absent"}, state=state) as stack:
        setlang = Api2Calls(stack, "SetLang")
        assert await setlang.whm("setlocale", locale="ar") == (200, setlang.ok("setlocale", []))
        for module, func, args in (("SourceIPCheck", "samplequestions", {}),
                                   ("LangMods", "getkey", {"lang": "perl", "key": "install"}),
                                   ("UI", "paginate_list", {"itemlist": "1:2", "itemsperpage": "inf"})):
            calls = Api2Calls(stack, module)
            assert await calls.whm(func, **args) == (200, unknown_function(module, func))
            assert await calls.cpanel(func, **args) == (200, unknown_function(module, func))
        assert native_calls(stack) == []


GETACCOUNT_CASES = [
    ({}, "user"),
    ({"account": "someone"}, "user"),                    # no @: always the cPanel user
    ({"account": "info@shop.test"}, "info@shop.test"),   # an addon domain
    ({"account": "x%40example.net"}, "x@example.net"),   # decoded once more, as cPanel did; parked
    ({"account": "a+b@example.com"}, "a b@example.com"),  # `+` is a space; the main domain
    ({"account": "info@blog.example.com"}, 0),          # a subdomain is not one of cPanel's DOMAINS
    ({"account": "info@Example.com"}, 0),               # compared exactly
    ({"account": "info@"}, 0),
    ({"account": "%FF@example.com"}, "\ufffd@example.com"),  # a byte that is not UTF-8: still valid JSON
]


async def test_getaccount(stack):
    calls = Api2Calls(stack, "SourceIPCheck")
    for args, account in GETACCOUNT_CASES:  # one stack for all: each case is one read-only call
        assert await calls.whm("getaccount", **args) == (200, calls.ok("getaccount", [{"account": account}])), args
        assert await calls.cpanel("getaccount", **args) == (200, calls.ok("getaccount", [{"account": account}])), args


async def test_getaccount_read_failing_is_a_died_call(stack):
    calls = Api2Calls(stack, "SourceIPCheck")
    stack.state.faults.add("/execute/DomainInfo/list_domains", "status:500", times=1)
    assert await calls.cpanel("getaccount", account="a@example.com") == (502, died("SourceIPCheck", "getaccount"))


async def test_paginate_list(stack):
    calls = Api2Calls(stack, "UI")
    rows = [{"item": "", "selected": 0}, {"item": "abc", "selected": 0}, {"item": "5", "selected": 0},
            {"item": "10", "selected": 1}, {"item": "25", "selected": 0}, {"item": "2.5e1", "selected": 0}]
    # As Perl's sort { $a <=> $b }: numeric, equal values (25 and 2.5e1, "" and abc) kept in order.
    assert await calls.whm("paginate_list", itemlist=":25:10:abc:2.5e1:5::", itemsperpage="10.9") == (
        200, calls.ok("paginate_list", rows))
    sized = [{"item": "20", "selected": 1}, {"item": "50", "selected": 0}]
    assert await calls.cpanel("paginate_list", itemlist="50:20", itemsperpage="x", api2_paginate_size="20") == (
        200, calls.ok("paginate_list", sized))
    assert await calls.cpanel("paginate_list") == (200, calls.ok("paginate_list", []))
    assert native_calls(stack) == []
    # Perl's int("inf") is Inf, which the shim does not mimic: native API 2 answers it.
    assert await calls.cpanel("paginate_list", itemlist="1:2", itemsperpage="inf") == (
        200, unknown_function("UI", "paginate_list"))
    assert len(native_calls(stack)) == 1


LANGMODS_CASES = [
    ("search", {"lang": "perl", "mod": "JSON"}, []),
    ("list_available", {"lang": "ruby"}, []),
    ("getkey", {"lang": "perl", "key": "names"}, [{"key": "Perl Module(s)"}]),
    ("getkey", {"lang": "php-pecl", "key": "name"}, [{"key": "PHP PECL"}]),
    ("getkey", {"lang": "cobol", "key": "name"}, [{"key": None}]),
    ("getkey", {"lang": "ruby", "key": "colour"}, [{"key": None}]),
    ("getprefix", {"lang": "perl"}, [{"status": 1, "prefix": "/home/user/perl"}]),
    ("getprefix", {"lang": "ruby"}, [{"status": 1, "prefix": "/home/user/ruby/gems"}]),
    ("getprefix", {"lang": "php-pear"}, [{"status": 1, "prefix": "/home/user/php"}]),
    ("getprefix", {}, [{"status": 0, "prefix": "Provide a language."}]),
    ("getprefix", {"lang": "cobol"}, [{"status": 0, "prefix": "Sorry cobol does not support the action getprefix"}]),
]


async def test_langmods_answers(stack):
    calls = Api2Calls(stack, "LangMods")
    for func, args, data in LANGMODS_CASES:  # one stack for all: each case is one read-only call
        assert await calls.whm(func, **args) == (200, calls.ok(func, data)), (func, args)
        assert await calls.cpanel(func, **args) == (200, calls.ok(func, data)), (func, args)


async def test_langmods_getkey_of_an_action_is_left_to_native_api2(stack):
    calls = Api2Calls(stack, "LangMods")
    assert await calls.whm("getkey", lang="perl", key="install") == (200, unknown_function("LangMods", "getkey"))
    [native] = native_calls(stack)
    assert (native.form["cpanel_jsonapi_func"], native.form["key"]) == (["getkey"], ["install"])


async def test_csvimport_later_steps_find_nothing_loaded(stack):
    calls = Api2Calls(stack, "CSVImport")
    for func in ("columnchoices", "data"):
        assert await calls.whm(func, type="fwd") == (200, calls.ok(func, []))
        assert await calls.cpanel(func) == (200, calls.ok(func, []))
    for func, error in (("configimport", "No data file specified, loaddata or processdata must be called first."),
                        ("fetchimportdata", "Could not fetch import data.")):
        assert await calls.whm(func, type="email", domain="example.com") == (200, calls.failed(func, error, rows=[]))
        assert await calls.cpanel(func) == (200, calls.failed(func, error, rows=[]))
    assert await calls.cpanel("isenabled") == (200, unknown_function("CSVImport", "isenabled"))
    assert not [r for r in stack.state.requests if r.path.endswith("/json-api/cpanel")]


async def test_numf_in_english_and_natively_otherwise(stack):
    calls, setlang = Api2Calls(stack, "Locale"), Api2Calls(stack, "SetLang")
    for args, formatted in (({"number": "1234567.891"}, "1,234,567.891"),
                            ({"number": "1234.005", "max_decimal_places": "2"}, "1,234.01"),
                            ({"number": "05"}, "05"),
                            ({}, None)):
        assert await calls.whm("numf", **args) == (200, calls.ok("numf", [{"numf": formatted}])), args
        assert calls.last_uapi() == ("Locale", "get_attributes", {})
        assert await calls.cpanel("numf", **args) == (200, calls.ok("numf", [{"numf": formatted}])), args
    assert native_calls(stack) == []
    # A negative number (11.120 printed -1234.5 as "-.5") is cPanel's own to answer.
    await calls.cpanel("numf", number="-1234.5")
    assert len(native_calls(stack)) == 1
    assert await setlang.whm("setlocale", locale="fr") == (200, setlang.ok("setlocale", []))
    await calls.whm("numf", number="1234.5")
    assert [r.form.get("number") for r in native_calls(stack)] == [None, ["1234.5"]]
