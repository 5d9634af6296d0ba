"""DnsLookup::name2ip through the real shim: a recipe over UAPI DNS::lookup's `host` lines."""

from api2calls import Api2Calls


def resolved(domain, ip):
    return [{"ip": ip, "domain": domain, "status": 1, "statusmsg": "Resolved"}]


def unresolved(domain):
    return [{"ip": None, "domain": domain, "status": 0, "statusmsg": "Could not resolve"}]


async def test_name2ip_takes_the_first_ipv4_address(stack):
    calls = Api2Calls(stack, "DnsLookup")
    assert await calls.whm("name2ip", domain="example.com") == (200, calls.ok("name2ip", resolved("example.com", "192.0.2.10")))
    assert calls.last_uapi() == ("DNS", "lookup", {"domain": ["example.com"]})
    # An alias is followed, as `host` does; the row keeps the name asked for.
    assert await calls.cpanel("name2ip", domain="www.example.com") == (
        200, calls.ok("name2ip", resolved("www.example.com", "192.0.2.10")))


async def test_what_does_not_resolve_is_a_row_not_an_error(stack):
    calls = Api2Calls(stack, "DnsLookup")
    assert await calls.whm("name2ip", domain="nowhere.example.com") == (
        200, calls.ok("name2ip", unresolved("nowhere.example.com")))
    assert await calls.cpanel("name2ip", domain="not a name") == (200, calls.ok("name2ip", unresolved("not a name")))
    assert await calls.cpanel("name2ip") == (200, calls.ok("name2ip", unresolved(None)))
