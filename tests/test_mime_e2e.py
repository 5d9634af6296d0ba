"""Mime through the real shim: system=no/user=no become UAPI's type, `ext` is added back."""

from api2calls import Api2Calls

USER_MIME = [{"extension": "demo", "origin": "user", "type": "application/x-demo", "ext": "demo"}]
USER_HANDLERS = [{"extension": "cgi-demo", "handler": "cgi-script", "origin": "user", "ext": "cgi-demo"}]


def with_ext(records):
    return [{**r, "ext": r["extension"]} for r in records]


async def test_listmime_kinds(stack):
    calls = Api2Calls(stack, "Mime")
    assert await calls.whm("listmime", system="no") == (200, calls.ok("listmime", USER_MIME))
    assert calls.last_uapi() == ("Mime", "list_mime", {"type": ["user"]})
    system = with_ext(await calls.uapi("Mime", "list_mime", type="system"))
    assert await calls.whm("listmime", user="no", system="yes") == (200, calls.ok("listmime", system))
    # Neither said no: no type goes upstream and both kinds come back, system first.
    assert await calls.whm("listmime", system="yes") == (200, calls.ok("listmime", system + USER_MIME))
    assert calls.last_uapi()[2] == {}


def died(func, reason):
    """cPanel's wrapper dereferenced UAPI's missing data and died: event.result 0, no data."""
    return {"cpanelresult": {"apiversion": 2, "func": func, "module": "Mime",
                             "event": {"result": 0, "reason": reason}, "error": reason}}


async def test_listmime_failure(stack):
    calls = Api2Calls(stack, "Mime")
    assert await calls.cpanel("listmime", type="both") == (
        200, died("listmime", "The “type” parameter must be “system” or “user”, not “both”."))


async def test_listhandlers(stack):
    calls = Api2Calls(stack, "Mime")
    assert await calls.cpanel("listhandlers", system="no") == (200, calls.ok("listhandlers", USER_HANDLERS))
    system = with_ext(await calls.uapi("Mime", "list_handlers", type="system"))
    assert system and await calls.cpanel("listhandlers", user="0") == (200, calls.ok("listhandlers", system))
    assert await calls.cpanel("listhandlers", type="nobody") == (
        200, died("listhandlers", "The “type” parameter must be “system” or “user”, not “nobody”."))


async def test_listredirects(stack):
    calls = Api2Calls(stack, "Mime")
    expected = await calls.uapi("Mime", "list_redirects", regex="old")
    assert expected and await calls.whm("listredirects", regex="old") == (200, calls.ok("listredirects", expected))
    assert await calls.whm("listredirects", regex="(") == (
        200, calls.failed("listredirects", "Invalid regular expression “(”.", rows=[]))


async def test_list_hotlinks(stack):
    calls = Api2Calls(stack, "Mime")
    assert await calls.cpanel("list_hotlinks") == (200, calls.ok("list_hotlinks", [{
        "allow_null": 1, "extensions": "jpg,png", "redirect_url": "", "state": "enabled",
        "urls": ["http://example.com", "http://www.example.com"]}]))
    stack.state.faults.add("/execute/Mime/list_hotlinks", "status:500", times=1)
    status, document = await calls.cpanel("list_hotlinks")
    assert (status, document) == (502, {"cpanelresult": {
        "apiversion": 2, "func": "list_hotlinks", "module": "Mime", "data": [],
        "event": {"result": 0, "reason": "upstream answered HTTP 500"}, "error": "upstream answered HTTP 500"}})


async def test_redirectname_and_redirecturlname(stack):
    calls = Api2Calls(stack, "Mime")
    assert await calls.whm("redirectname", domain=".*") == (
        200, calls.ok("redirectname", [{"domain": "** All Public Domains **", "url": ""}]))
    assert calls.last_uapi() == ("Mime", "redirect_info", {"domain": [".*"]})
    assert await calls.whm("redirectname", domain="nosuch.example") == (
        200, calls.failed("redirectname", "The domain “nosuch.example” does not belong to this account.", rows=[None]))
    assert await calls.whm("redirecturlname", url="https://example.net/new") == (
        200, calls.ok("redirecturlname", [{"domain": "", "url": "https://example.net/new"}]))
    assert await calls.whm("redirecturlname") == (
        200, calls.failed("redirecturlname", "You must specify a domain or a URL.", rows=[None]))
