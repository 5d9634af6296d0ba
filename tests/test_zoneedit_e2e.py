"""ZoneEdit::resetzone through the real shim on both sides of the 11.137 gate; the record
functions pass through untouched."""

import pytest

from api2calls import Api2Calls, stack_for_upstream

RESET = [{"result": {"checkmx": {"detected": "local", "isprimary": 1, "issecondary": 0, "local": 1,
                                 "mxcheck": "auto", "remote": 0}, "status": 1, "statusmsg": "Zone Reset"}}]


async def test_resetzone_copies_the_rebuild_reply_and_fails_for_foreign_zones(stack):
    calls = Api2Calls(stack, "ZoneEdit")
    assert await calls.whm("resetzone", domain="example.com") == (200, calls.ok("resetzone", RESET))
    assert calls.last_uapi() == ("ZoneEdit", "resetzone", {"domain": ["example.com"]})
    assert await calls.cpanel("resetzone", domain="other.example") == (
        200, calls.failed("resetzone", "You do not have a DNS zone for the domain “other.example”."))


@pytest.mark.parametrize("version, path", [("11.120", "/json-api/cpanel"), ("11.138", "/json-api/uapi_cpanel")])
async def test_resetzone_version_gate(version, path):
    async with stack_for_upstream(version) as stack:
        calls = Api2Calls(stack, "ZoneEdit")
        assert await calls.whm("resetzone", domain="shop.test") == (200, calls.ok("resetzone", RESET))
        assert stack.state.requests[-1].path == path


async def test_record_functions_pass_through(stack):
    calls = Api2Calls(stack, "ZoneEdit")
    got = await calls.whm("fetchzone_records", domain="example.com", type="A")
    # The fake has no native API 2 ZoneEdit::fetchzone_records: its own answer proves
    # the call reached upstream as API 2, unchanged.
    assert got == (200, {"cpanelresult": {"apiversion": 2, "func": "fetchzone_records", "module": "ZoneEdit",
                                          "error": "Could not find function 'fetchzone_records' in module 'ZoneEdit'"}})
    seen = stack.state.requests[-1]
    assert seen.path == "/json-api/cpanel"
    assert (seen.form["cpanel_jsonapi_func"], seen.form["domain"], seen.form["type"]) == (
        ["fetchzone_records"], ["example.com"], ["A"])
