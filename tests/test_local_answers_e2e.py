"""API 2 functions the shim answers itself (`local:` entries), through the real shim.

Each still makes the account check read before answering (docs/recipes.md); the rows are
cPanel 11.120's (StatsBar's counters, Rand, LangMods::langlist, Branding::preloadconf,
FSTest::dirisempty, SubDomain's reserved labels and label pattern).
"""

import re

import pytest
from api2calls import Api2Calls
from conftest import ROOT_AUTH

from shim.recipes.ui import perl_int


async def test_row_counters_start_afresh_on_every_call(stack):
    calls = Api2Calls(stack, "StatsBar")
    for _ in range(2):
        assert await calls.whm("rowcounter", rowcounter="rows") == (200, calls.ok("rowcounter", [{"rowtype": "even"}]))
    assert await calls.cpanel("getrowcounter", rowcounter="rows") == (
        200, calls.ok("getrowcounter", [{"name": "rows", "value": 0}]))
    assert await calls.whm("setrowcounter", rowcounter="rows", rowcountervalue="7 apples") == (
        200, calls.ok("setrowcounter", [{"name": "rows", "value": 7}]))
    # Perl's int() reads an exponent and drops the fraction: "1e2" is 100, "-2.9" is -2.
    assert await calls.whm("setrowcounter", rowcounter="rows", rowcountervalue="1e2") == (
        200, calls.ok("setrowcounter", [{"name": "rows", "value": 100}]))
    assert await calls.cpanel("setrowcounter", rowcounter="rows", rowcountervalue="-2.9") == (
        200, calls.ok("setrowcounter", [{"name": "rows", "value": -2}]))
    assert await calls.cpanel("setrowcounter") == (200, calls.ok("setrowcounter", [{"name": None, "value": 0}]))


async def test_getranddata(stack):
    calls = Api2Calls(stack, "Rand")
    status, document = await calls.whm("getranddata")
    [row] = document["cpanelresult"]["data"]
    assert status == 200 and re.fullmatch(r"[0-9A-Za-z_]{16}", row["random"])
    assert document == calls.ok("getranddata", [row])
    status, document = await calls.cpanel("getranddata", length="40")
    assert re.fullmatch(r"[0-9A-Za-z_]{40}", document["cpanelresult"]["data"][0]["random"])
    assert await calls.cpanel("getranddata", length="5000") == (200, calls.failed(
        "getranddata", "The length must be a whole number from 1 to 4096.", rows=[]))


@pytest.mark.parametrize("module, func, data", [
    ("LangMods", "langlist", [{"lang": "perl", "name": "Perl Module"},
                              {"lang": "php-pear", "name": "PHP Extensions and Applications Package"},
                              {"lang": "php-pecl", "name": "PHP PECL"}, {"lang": "ruby", "name": "Ruby Gem"}]),
    ("Branding", "preloadconf", []),
    ("FSTest", "dirisempty", []),
    ("SubDomain", "getreservedsubdomains", ["www", "_wildcard_", "wildcard_safe"]),
    ("SubDomain", "validregex", [r"^\*$|^(?:\*\.)?[\da-zA-Z](?:[-\da-zA-Z]*[\da-zA-Z])?"
                                 r"(?:\.[\da-zA-Z](?:[-\da-zA-Z]*[\da-zA-Z])?)*$"]),
])
async def test_fixed_answers_on_both_ports(stack, module, func, data):
    calls = Api2Calls(stack, module)
    assert await calls.whm(func, dir="/home/user/tmp") == (200, calls.ok(func, data))
    assert calls.last_uapi() == ("Variables", "get_user_information", {})
    assert await calls.cpanel(func) == (200, calls.ok(func, data))


async def test_an_unknown_account_is_refused_before_a_local_answer(stack):
    reason = "User parameter is invalid or was not supplied"
    assert await stack.post_json(f"{stack.whm}/json-api/cpanel", headers=ROOT_AUTH, data={
        "cpanel_jsonapi_user": "nosuch", "cpanel_jsonapi_apiversion": "2",
        "cpanel_jsonapi_module": "Rand", "cpanel_jsonapi_func": "getranddata"}) == (200, {"cpanelresult": {
            "data": {"reason": reason, "result": "0"}, "type": "text", "error": reason}})


@pytest.mark.parametrize("text, value", [("7", 7), (" 12abc", 12), ("-3", -3), ("+4", 4), ("abc", 0), ("", 0)])
def test_perl_int_takes_the_leading_whole_number(text, value):
    assert perl_int(text) == value
