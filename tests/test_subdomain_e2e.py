"""SubDomain::addsubdomain through the real shim (no version gate: UAPI has had it for long)."""

from api2calls import Api2Calls


async def test_addsubdomain_creates_a_subdomain_and_refuses_a_duplicate(stack):
    calls = Api2Calls(stack, "SubDomain")
    got = await calls.whm("addsubdomain", domain="news", rootdomain="example.com", dir="/public_html/news",
                          disallowdot="1", canoff="yes")
    assert got == (200, calls.status_ok("addsubdomain"))
    assert calls.last_uapi() == ("SubDomain", "addsubdomain", {
        "domain": ["news"], "rootdomain": ["example.com"], "dir": ["/public_html/news"],
        "disallowdot": ["1"], "canoff": ["1"]})
    lookup = Api2Calls(stack, "DomainLookup")
    assert await lookup.uapi("DomainLookup", "getdocroot", domain="news.example.com") == [
        {"docroot": "/home/user/public_html/news", "reldocroot": "public_html/news"}]
    again = await calls.cpanel("addsubdomain", domain="news", rootdomain="example.com")
    assert again == (200, calls.failed("addsubdomain", "The subdomain “news.example.com” already exists."))


async def test_addsubdomain_on_a_foreign_domain_fails(stack):
    calls = Api2Calls(stack, "SubDomain")
    got = await calls.whm("addsubdomain", domain="x", rootdomain="other.example")
    assert got == (200, calls.failed("addsubdomain", "The domain “other.example” does not belong to this account."))
