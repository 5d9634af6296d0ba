"""AddonDomain through the real shim: each translated function succeeds and fails, and the
11.137 version gate sends older upstreams the untouched API 2 call."""

import pytest
from api2calls import Api2Calls, stack_for_upstream, stack_with

from shim.fakecpanel import FakeState

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


# cPanel 11.120's confirmation: the subdomain removal's (Cpanel/AddonDomain.pm → Cpanel/Sub.pm).
SHOP_REMOVED = "The subdomain “shop.example.com” has been removed."


async def test_deladdondomain_takes_the_dotted_or_underscore_subdomain(stack):
    calls = Api2Calls(stack, "AddonDomain")
    # The dotted name is turned into cPanel's underscore key; the sentence names the subdomain.
    assert await calls.whm("deladdondomain", domain="shop.test", subdomain="shop.example.com") == (
        200, calls.ok("deladdondomain", [{"result": 1, "reason": SHOP_REMOVED}]))
    assert calls.last_uapi() == ("AddonDomain", "deladdondomain",
                                 {"domain": ["shop.test"], "subdomain": ["shop_example.com"]})
    assert await calls.uapi("AddonDomain", "listaddondomains") == []
    gone = await calls.cpanel("deladdondomain", domain="shop.test", subdomain="shop_example.com")
    assert gone == (200, calls.failed("deladdondomain", "“shop.test” is not an addon domain on this account."))


async def test_deladdondomain_on_the_cpanel_port_names_the_subdomain_of_the_key(stack):
    calls = Api2Calls(stack, "AddonDomain")
    assert await calls.cpanel("deladdondomain", domain="shop.test", subdomain="shop_example.com") == (
        200, calls.ok("deladdondomain", [{"result": 1, "reason": SHOP_REMOVED}]))
    writes = [seen for seen in stack.state.requests if seen.path.endswith("/deladdondomain")]
    assert len(writes) == 1


async def test_deladdondomain_leaves_a_shared_subdomain_to_native_api2(stack):
    """Another addon domain parked on the same subdomain: API 2's answer there is not in the
    11.120 sources the shim can rebuild, so the call reaches cPanel's own API 2, untouched."""
    calls = Api2Calls(stack, "AddonDomain")
    await calls.uapi("AddonDomain", "addaddondomain", newdomain="more.test", subdomain="shop")
    text = ("The “shop” subdomain links to the following addon domain: “more.test”. "
            "You must remove the addon domain before you remove the subdomain.")
    got = await calls.whm("deladdondomain", domain="shop.test", subdomain="shop_example.com")
    assert got == (200, calls.failed("deladdondomain", text))
    assert stack.state.requests[-1].path == "/json-api/cpanel"
    assert not any(seen.form.get("cpanel.function") == ["deladdondomain"] for seen in stack.state.requests)


async def test_deladdondomain_with_a_shared_subdomain_has_no_route_without_native_api2():
    state = FakeState.demo()
    state.native_api2 = False
    async with stack_with({"upstream_api2": "absent"}, state=state) as stack:
        calls = Api2Calls(stack, "AddonDomain")
        await calls.uapi("AddonDomain", "addaddondomain", newdomain="more.test", subdomain="shop")
        status, document = await calls.whm("deladdondomain", domain="shop.test", subdomain="shop_example.com")
        assert (status, document) == (200, {"cpanelresult": {
            "apiversion": 2, "error": "Could not find function 'deladdondomain' in module 'AddonDomain'",
            "func": "deladdondomain", "module": "AddonDomain"}})
        assert await calls.uapi("AddonDomain", "listaddondomains") != []  # nothing removed


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
        removed = await calls.whm("deladdondomain", domain="gate.test", subdomain="gate_example.com")
        assert removed == (200, calls.ok("deladdondomain", [
            {"result": 1, "reason": "The subdomain “gate.example.com” has been removed."}]))
        assert stack.state.requests[-1].path == path
