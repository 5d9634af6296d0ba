"""Contactus::isenabled through the real shim."""

from api2calls import Api2Calls


async def test_isenabled(stack):
    calls = Api2Calls(stack, "Contactus")
    assert await calls.whm("isenabled") == (200, calls.ok("isenabled", [{"enabled": 1}]))
    stack.state.faults.add("/json-api/uapi_cpanel", "invalid_json", times=1)
    status, document = await calls.whm("isenabled")
    assert (status, document) == (502, {"cpanelresult": {
        "apiversion": 2, "func": "isenabled", "module": "Contactus", "data": [],
        "event": {"result": 0, "reason": "upstream answered something that is not JSON"},
        "error": "upstream answered something that is not JSON"}})
