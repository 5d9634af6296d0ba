"""AddonDomain through the real shim: each translated function succeeds and fails, and the
11.137 version gate sends older upstreams the untouched API 2 call."""

import pytest
from api2calls import Api2Calls, stack_for_upstream

# cPanel 11.120's confirmation: the park step's (Cpanel/AddonDomain.pm → Cpanel/ParkAdmin.pm).
PARKED = "Domain was successfully parked."
SHOP = {"basedir": "public_html/shop", "dir": "/home/user/public_html/shop", "domain": "shop.test",
        "domainkey": "shop_example.com", "fullsubdomain": "shop.example.com", "reldir": "home:public_html/shop",
        "rootdomain": "example.com", "status": "not redirected", "subdomain": "shop", "web_subdomain_aliases": ["www"]}


async def test_addaddondomain_creates_and_lists_then_refuses_a_duplicate(stack):
    calls = Api2Calls(stack, "AddonDomain")
    got = await calls.whm("addaddondomain", newdomain="new.test", subdomain="new", dir="public_html/new",
                          disallowdot="yes", ftp_is_optional="1", do_ssl_setup="0")
    assert got == (200, calls.ok("addaddondomain", [{"result": 1, "reason": PARKED}]))
    # yes/no became 1/0; the two API 2-only switches stayed behind.
    assert calls.last_uapi() == ("AddonDomain", "addaddondomain", {
        "newdomain": ["new.test"], "subdomain": ["new"], "dir": ["public_html/new"], "disallowdot": ["1"]})
    listed = await calls.cpanel("listaddondomains", regex="new")
    assert listed == (200, calls.ok("listaddondomains", [{
        "basedir": "public_html/new", "dir": "/home/user/public_html/new", "domain": "new.test",
        "domainkey": "new_example.com", "fullsubdomain": "new.example.com", "reldir": "home:public_html/new",
        "rootdomain": "example.com", "status": "not redirected", "subdomain": "new", "web_subdomain_aliases": ["www"]}]))
    again = await calls.whm("addaddondomain", newdomain="new.test", subdomain="other")
    assert again == (200, calls.failed("addaddondomain", "The domain “new.test” already exists on this account."))


async def test_deladdondomain_takes_the_dotted_or_underscore_subdomain(stack):
    calls = Api2Calls(stack, "AddonDomain")
    # The dotted name is turned into cPanel's underscore key.
    assert await calls.whm("deladdondomain", domain="shop.test", subdomain="shop.example.com") == (
        200, calls.status_ok("deladdondomain"))
    assert calls.last_uapi()[2] == {"domain": ["shop.test"], "subdomain": ["shop_example.com"]}
    assert await calls.uapi("AddonDomain", "listaddondomains") == []
    gone = await calls.cpanel("deladdondomain", domain="shop.test", subdomain="shop_example.com")
    assert gone == (200, calls.failed("deladdondomain", "“shop.test” is not an addon domain on this account."))


async def test_listaddondomains_copies_the_records_and_reports_a_bad_regex(stack):
    calls = Api2Calls(stack, "AddonDomain")
    got = await calls.whm("listaddondomains", return_https_redirect_status="1")
    expected = [{**SHOP, "can_https_redirect": 1, "is_https_redirecting": 0}]
    assert got == (200, calls.ok("listaddondomains", expected))
    assert expected == await calls.uapi("AddonDomain", "listaddondomains", return_https_redirect_status="1")
    bad = await calls.whm("listaddondomains", regex="(")
    assert bad == (200, calls.failed("listaddondomains", "Invalid regular expression “(”."))


@pytest.mark.parametrize("version, path", [
    ("11.120", "/json-api/cpanel"),           # older: API 2 passes through untouched
    ("11.136.0.25", "/json-api/cpanel"),
    ("11.137", "/json-api/uapi_cpanel"),       # 11.137+: translated
    ("11.138.0.19", "/json-api/uapi_cpanel"),
])
async def test_version_gate_on_both_sides(version, path):
    async with stack_for_upstream(version) as stack:
        calls = Api2Calls(stack, "AddonDomain")
        assert await calls.whm("listaddondomains") == (200, calls.ok("listaddondomains", [SHOP]))
        assert await calls.whm("addaddondomain", newdomain="gate.test", subdomain="gate") == (
            200, calls.ok("addaddondomain", [{"result": 1, "reason": PARKED}]))
        failed = await calls.whm("addaddondomain", newdomain="gate.test", subdomain="gate")
        assert failed == (200, calls.failed("addaddondomain", "The domain “gate.test” already exists on this account."))
        seen = stack.state.requests[-1]
        assert seen.path == path
        if path == "/json-api/cpanel":
            assert seen.form["cpanel_jsonapi_apiversion"] == ["2"] and seen.form["newdomain"] == ["gate.test"]
