"""NVData::get / set through the real shim: UAPI Personalization over a JSON request body."""

import orjson
from api2calls import Api2Calls

from shim.fakecpanel.modules.personalization import nvdata


def sent_json(stack):
    """The JSON body of the last request the fake received (and that it was sent as JSON)."""
    seen = stack.state.requests[-1]
    assert seen.headers["content-type"] == "application/json"
    return seen.path.rsplit("/", 1)[-1], orjson.loads(seen.body)


async def test_set_then_get_on_both_ports(stack):
    calls = Api2Calls(stack, "NVData")
    got = await calls.whm("set", names="theme|zero|absent|", theme="<dark>", zero="0")
    assert got == (200, calls.ok("set", [{"set": "theme"}, {"set": "zero"}]))
    assert sent_json(stack) == ("uapi_cpanel", {
        "api.version": 1, "cpanel.user": "user", "cpanel.module": "Personalization", "cpanel.function": "set",
        "personalization": {"theme": "<dark>", "zero": ""}})
    assert nvdata(stack.state.accounts["user"]) == {"lang": "en", "theme": "<dark>", "zero": ""}
    # setmissing: every name is set, a missing one to "".
    assert await calls.cpanel("set", names="gone", setmissing="0") == (200, calls.ok("set", [{"set": "gone"}]))
    assert sent_json(stack) == ("set", {"personalization": {"gone": ""}})

    assert await calls.cpanel("get", names="lang|theme|never|lang") == (200, calls.ok("get", [
        {"name": "lang", "value": "en"}, {"name": "theme", "value": "<dark>"}, {"name": "never", "value": None},
        {"name": "lang", "value": "en"}]))
    assert sent_json(stack) == ("get", {"names": ["lang", "theme", "never"]})
    assert await calls.whm("get", names="theme|never|zero", default="x", html_encode="1") == (200, calls.ok("get", [
        {"name": "theme", "value": "&lt;dark&gt;"}, {"name": "never", "value": "x"}, {"name": "zero", "value": "x"}]))
    assert await calls.whm("get", names="never|theme", encoded="1") == (200, calls.ok("get", [
        {"name": "never", "value": ""}, {"name": "theme", "value": "&lt;dark&gt;"}]))
    # Nothing to read or write: API 2 answered no rows, and nothing goes upstream.
    before = len(stack.state.requests)
    assert await calls.cpanel("get", names="") == (200, calls.ok("get", []))
    assert await calls.cpanel("set", names="a|b") == (200, calls.ok("set", []))
    assert len(stack.state.requests) == before


async def test_personalization_refusals_are_answered(stack):
    calls = Api2Calls(stack, "NVData")
    long_name = "n" * 129
    assert await calls.cpanel("set", names=long_name, **{long_name: "v"}) == (200, calls.failed("set", (
        f"Name {long_name} is invalid. Names can only be 128 characters."), []))
    assert await calls.cpanel("get", names=long_name) == (200, {"cpanelresult": {
        "apiversion": 2, "func": "get", "module": "NVData", "event": {  # it died: no data
            "result": 0, "reason": f"Name {long_name} is invalid. Names can only be 128 characters."},
        "error": f"Name {long_name} is invalid. Names can only be 128 characters."}})
