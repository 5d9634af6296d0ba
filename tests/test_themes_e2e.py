"""Themes::get_available_themes through the real shim (UAPI Themes::list)."""

from api2calls import Api2Calls


async def test_every_theme_webmail_ones_included(stack):
    calls = Api2Calls(stack, "Themes")
    expected = calls.ok("get_available_themes", ["jupiter", "jupitermail", "paper_lantern"])
    assert await calls.whm("get_available_themes") == (200, expected)
    assert calls.last_uapi() == ("Themes", "list", {"show_mail_themes": ["1"]})
    assert await calls.cpanel("get_available_themes") == (200, expected)


async def test_an_upstream_failure_is_an_api2_failure(stack):
    calls = Api2Calls(stack, "Themes")
    stack.state.faults.add("/json-api/uapi_cpanel", "status:500", times=1)
    reason = "upstream answered HTTP 500"
    assert await calls.whm("get_available_themes") == (502, {"cpanelresult": {
        "apiversion": 2, "func": "get_available_themes", "module": "Themes", "data": [],
        "event": {"result": 0, "reason": reason}, "error": reason}})
