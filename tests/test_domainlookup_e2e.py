"""DomainLookup through the real shim: each translated function succeeds and fails; the
11.137 gate sends older upstreams the untouched API 2 call."""

import pytest
from api2calls import Api2Calls, stack_for_upstream
from conftest import ROOT_AUTH

from shim.fakecpanel.modules._domains import ROLE_DISABLED, domains

BASE = [{"domain": "example.com"}, {"domain": "example.net"}, {"domain": "shop.test"}]


async def test_getbasedomains_and_countbasedomains(stack):
    calls = Api2Calls(stack, "DomainLookup")
    assert await calls.whm("getbasedomains") == (200, calls.ok("getbasedomains", BASE))
    assert await calls.cpanel("countbasedomains") == (200, calls.ok("countbasedomains", [{"count": 3}]))


async def test_getdocroot_for_known_unknown_and_bad_domains(stack):
    calls = Api2Calls(stack, "DomainLookup")
    assert await calls.whm("getdocroot", domain="shop.test") == (200, calls.ok("getdocroot", [
        {"docroot": "/home/user/public_html/shop", "reldocroot": "public_html/shop"}]))
    # An unknown domain answers public_html, as API 2 did.
    assert await calls.cpanel("getdocroot", domain="unknown.test") == (200, calls.ok("getdocroot", [
        {"docroot": "/home/user/public_html", "reldocroot": "public_html"}]))
    assert await calls.whm("getdocroot", domain="not a domain") == (
        200, calls.failed("getdocroot", "“not a domain” is not a valid domain."))


async def test_getdocroots(stack):
    calls = Api2Calls(stack, "DomainLookup")
    got = await calls.whm("getdocroots")
    assert got == (200, calls.ok("getdocroots", await calls.uapi("DomainLookup", "getdocroots")))
    assert {"docroot": "/home/user/public_html/blog", "domain": "blog.example.com",
            "reldocroot": "public_html/blog"} in got[1]["cpanelresult"]["data"]


@pytest.mark.parametrize("func", ["getbasedomains", "countbasedomains", "getdocroots", "getdocroot"])
async def test_list_functions_fail_when_the_web_server_role_is_off(stack, func):
    calls = Api2Calls(stack, "DomainLookup")
    domains(stack.state.accounts["user"]).role_disabled = True
    assert await calls.whm(func) == (200, calls.failed(func, ROLE_DISABLED))


async def test_an_upstream_error_page_is_a_bad_gateway(stack):
    calls = Api2Calls(stack, "DomainLookup")
    stack.state.faults.add("/execute/DomainLookup/getdocroots", "status:500", times=1)
    status, document = await calls.cpanel("getdocroots")
    assert (status, document) == (502, {"cpanelresult": {
        "apiversion": 2, "func": "getdocroots", "module": "DomainLookup", "data": [],
        "event": {"result": 0, "reason": "upstream answered HTTP 500"}, "error": "upstream answered HTTP 500"}})


@pytest.mark.parametrize("version, path", [("11.120", "/json-api/cpanel"), ("11.137.0.1", "/json-api/uapi_cpanel")])
async def test_version_gate_on_both_sides(version, path):
    async with stack_for_upstream(version) as stack:
        calls = Api2Calls(stack, "DomainLookup")
        assert await calls.whm("getbasedomains") == (200, calls.ok("getbasedomains", BASE))
        assert stack.state.requests[-1].path == path


async def test_getmaindomain_is_the_primary_domain(stack):
    calls = Api2Calls(stack, "DomainLookup")
    assert await calls.whm("getmaindomain") == (200, calls.ok("getmaindomain", [{"main_domain": "example.com"}]))
    assert calls.last_uapi() == ("Variables", "get_user_information", {"name": ["domain"]})
    other = Api2Calls(stack, "DomainLookup")
    status, document = await stack.post_json(f"{stack.whm}/json-api/cpanel", headers=ROOT_AUTH, data={
        "cpanel_jsonapi_user": "other", "cpanel_jsonapi_apiversion": "2",
        "cpanel_jsonapi_module": "DomainLookup", "cpanel_jsonapi_func": "getmaindomain"})
    assert (status, document) == (200, other.ok("getmaindomain", [{"main_domain": "other.example"}]))
