"""Branding::applist through the real shim (UAPI Branding::get_available_applications)."""

from api2calls import Api2Calls

HTTP_500 = "upstream answered HTTP 500"


async def test_applist_is_the_catalogue_groups(stack):
    calls = Api2Calls(stack, "Branding")
    groups = (await calls.uapi("Branding", "get_available_applications"))["groups"]
    assert [group["group"] for group in groups] == ["email", "files"]
    assert await calls.whm("applist") == (200, calls.ok("applist", groups))
    assert calls.last_uapi() == ("Branding", "get_available_applications", {})
    assert await calls.cpanel("applist") == (200, calls.ok("applist", groups))
    stack.state.faults.add("/execute/Branding/get_available_applications", "status:500", times=1)
    assert await calls.cpanel("applist") == (502, {"cpanelresult": {
        "apiversion": 2, "func": "applist", "module": "Branding", "data": [],
        "event": {"result": 0, "reason": HTTP_500}, "error": HTTP_500}})
