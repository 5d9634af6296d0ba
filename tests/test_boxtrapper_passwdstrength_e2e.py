"""BoxTrapper::accountmanagelist and PasswdStrength::appstrengths through the real shim:
recipes of several UAPI reads each."""

from api2calls import Api2Calls

from shim.fakecpanel.modules.boxtrapper import boxtrapper_state


def row(account, enabled, bg):
    return {"account": account, "accounturi": account.replace("@", "%40"),
            "status": "Enabled" if enabled else "Disabled", "enabled": enabled, "bg": bg}


async def test_accountmanagelist_lists_every_account_with_its_state(stack):
    calls = Api2Calls(stack, "BoxTrapper")
    assert await calls.whm("accountmanagelist") == (200, calls.ok("accountmanagelist", [
        row("info@example.com", 1, "even"), row("sales@example.com", 0, "odd"), row("user", 0, "even")]))
    assert calls.last_uapi() == ("BoxTrapper", "get_status", {"email": ["user"]})
    boxtrapper_state(stack.state.accounts["user"]).enabled.add("user")
    # The row classes alternate over the rows shown.
    assert await calls.cpanel("accountmanagelist", regex="^(S|u)") == (200, calls.ok("accountmanagelist", [
        row("sales@example.com", 0, "even"), row("user", 1, "odd")]))
    assert await calls.cpanel("accountmanagelist", regex="(") == (
        200, calls.failed("accountmanagelist", "Invalid regex", rows=[]))


async def test_appstrengths_lists_each_application_with_a_requirement(stack):
    calls = Api2Calls(stack, "PasswdStrength")
    expected = [{"app": "htaccess", "strength": 0}] + [
        {"app": app, "strength": 50 if app == "virtual" else 65}
        for app in ("cpaddons", "createacct", "ftp", "list", "mysql", "passwd", "postgres", "sshkey", "virtual")]
    assert await calls.whm("appstrengths") == (200, calls.ok("appstrengths", expected))
    assert calls.last_uapi() == ("PasswdStrength", "get_required_strength", {"app": ["virtual"]})
    stack.state.faults.add("/execute/PasswdStrength/get_required_strength", "status:500", times=1)
    reason = "upstream answered HTTP 500"
    assert await calls.cpanel("appstrengths") == (502, {"cpanelresult": {
        "apiversion": 2, "func": "appstrengths", "module": "PasswdStrength", "data": [],
        "event": {"result": 0, "reason": reason}, "error": reason}})
