"""Park through the real shim: each translated function succeeds and fails; the 11.137
gate sends older upstreams the untouched API 2 call."""

import pytest
from api2calls import Api2Calls, stack_for_upstream

# cPanel 11.120's confirmation (Cpanel/ParkAdmin.pm), on the translated and native sides alike.
PARKED = "Domain was successfully parked."


def parked(calls, func):
    return calls.ok(func, [{"result": 1, "reason": PARKED}])


ALIAS = {"basedir": "public_html", "dir": "/home/user/public_html", "domain": "example.net",
         "reldir": "home:public_html", "status": "not redirected", "web_subdomain_aliases": ["www"]}


async def test_listparkeddomains_copies_records_and_reports_a_bad_regex(stack):
    calls = Api2Calls(stack, "Park")
    assert await calls.whm("listparkeddomains") == (200, calls.ok("listparkeddomains", [ALIAS]))
    assert [ALIAS] == await calls.uapi("Park", "listparkeddomains")
    assert await calls.cpanel("listparkeddomains", regex="[") == (
        200, calls.failed("listparkeddomains", "Invalid regular expression “[”."))


async def test_park_lists_and_refuses_an_existing_domain(stack):
    calls = Api2Calls(stack, "Park")
    assert await calls.whm("park", domain="www.Alias.test", disallowdot="no") == (200, parked(calls, "park"))
    assert calls.last_uapi() == ("Park", "park", {"domain": ["www.Alias.test"], "disallowdot": ["0"]})
    listed = await calls.cpanel("listparkeddomains", regex="alias")
    assert listed == (200, calls.ok("listparkeddomains", [{**ALIAS, "domain": "alias.test"}]))
    assert await calls.whm("park", domain="example.net") == (
        200, calls.failed("park", "The domain “example.net” already exists on this account."))


async def test_park_on_a_subdomain_is_an_addon_domain(stack):
    calls = Api2Calls(stack, "Park")
    assert await calls.whm("park", domain="blog.test", topdomain="blog") == (200, parked(calls, "park"))
    listed = await calls.whm("listaddondomains", regex="blog")
    assert listed[1]["cpanelresult"]["data"][0]["domainkey"] == "blog_example.com"
    assert listed == (200, calls.ok("listaddondomains", await calls.uapi("AddonDomain", "listaddondomains", regex="blog")))
    assert await calls.whm("park", domain="x.test", topdomain="nosuch") == (
        200, calls.failed("park", "The subdomain “nosuch.example.com” does not exist."))


async def test_unpark_converts_the_dotted_subdomain_and_fails_for_unknown_domains(stack):
    calls = Api2Calls(stack, "Park")
    # The API 2 docs example passes the dotted name; UAPI wants the underscore key.
    assert await calls.whm("unpark", domain="shop.test", subdomain="shop.example.com") == (200, calls.status_ok("unpark"))
    assert calls.last_uapi() == ("Park", "unpark", {"domain": ["shop.test"], "subdomain": ["shop_example.com"]})
    assert await calls.cpanel("unpark", domain="example.net") == (200, calls.status_ok("unpark"))
    assert await calls.uapi("Park", "listparkeddomains") == []
    assert await calls.whm("unpark", domain="example.net") == (
        200, calls.failed("unpark", "The domain “example.net” is not parked on this account."))


async def test_listaddondomains_failure(stack):
    calls = Api2Calls(stack, "Park")
    assert await calls.whm("listaddondomains", regex="(") == (
        200, calls.failed("listaddondomains", "Invalid regular expression “(”."))


@pytest.mark.parametrize("version, path", [("11.134", "/json-api/cpanel"), ("11.138", "/json-api/uapi_cpanel")])
async def test_version_gate_on_both_sides(version, path):
    async with stack_for_upstream(version) as stack:
        calls = Api2Calls(stack, "Park")
        assert await calls.whm("park", domain="gate.test") == (200, parked(calls, "park"))
        assert stack.state.requests[-1].path == path
        assert await calls.whm("unpark", domain="gate.test") == (200, calls.status_ok("unpark"))
        assert await calls.whm("unpark", domain="gate.test") == (
            200, calls.failed("unpark", "The domain “gate.test” is not parked on this account."))
        assert stack.state.requests[-1].path == path
