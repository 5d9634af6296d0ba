"""SubDomain::addsubdomain through the real shim (no version gate: UAPI has had it for long)."""

from api2calls import Api2Calls


async def test_addsubdomain_creates_a_subdomain_and_refuses_a_duplicate(stack):
    calls = Api2Calls(stack, "SubDomain")
    got = await calls.whm("addsubdomain", domain="news", rootdomain="example.com", dir="/public_html/news",
                          disallowdot="1", canoff="yes")
    # cPanel's confirmation sentence (Cpanel/Sub.pm), not "OK".
    assert got == (200, calls.ok("addsubdomain", [{"result": 1, "reason": "The subdomain “news.example.com” has been added."}]))
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


async def test_listsubdomains_and_delsubdomain(stack):
    calls = Api2Calls(stack, "SubDomain")
    def record(label):
        return {"domain": f"{label}.example.com", "reldir": f"home:public_html/{label}", "basedir": f"public_html/{label}",
                "dir": f"/home/user/public_html/{label}", "status": "not redirected",
                "domainkey": f"{label}_example.com", "subdomain": label, "rootdomain": "example.com",
                "web_subdomain_aliases": ["www"]}
    assert await calls.cpanel("listsubdomains") == (200, calls.ok("listsubdomains", [record("blog"), record("shop")]))
    assert await calls.whm("listsubdomains", regex="BLO") == (200, calls.ok("listsubdomains", [record("blog")]))
    assert await calls.whm("delsubdomain", domain="blog_example.com") == (200, calls.ok("delsubdomain", [
        {"result": 1, "reason": "The subdomain “blog.example.com” has been removed."}]))
    assert stack.state.requests[-1].path == "/json-api/delete_domain"
    gone = "The domain “blog.example.com” does not exist."
    assert await calls.whm("delsubdomain", domain="blog.example.com") == (200, calls.failed("delsubdomain", gone))
    # No WHM credentials on the cPanel port: while the upstream serves API 2 the call goes to it
    # untouched, so a client that works today keeps working (tests/test_flows_no_api2_e2e.py: after the removal).
    before = len(stack.state.requests)
    # (The fake's native API 2 has no SubDomain::delsubdomain: its unknown-function answer comes back.)
    assert await calls.cpanel("delsubdomain", domain="shop_example.com") == (200, {"cpanelresult": {
        "apiversion": 2, "error": "Could not find function 'delsubdomain' in module 'SubDomain'",
        "func": "delsubdomain", "module": "SubDomain"}})
    assert [seen.path for seen in stack.state.requests[before:]] == ["/json-api/cpanel"]
