"""Passwd::change_password end to end: API 2's checks in its order, the old password checked by
a login as the account on the cPanel service, one WHM API 1 passwd (shim/recipes/passwd.py)."""

from __future__ import annotations

import base64
import logging

import pytest
from api2calls import Api2Calls, stack_with
from conftest import ROOT_AUTH

from shim import fakecpanel
from shim.fakecpanel.modules.features import disabled_features
from shim.fakecpanel.modules.twofactorauth import two_factor
from shim.fakecpanel.modules.variables import user_settings
from shim.fakecpanel.whm_api import passwd_failures

OLD = fakecpanel.USER_PASSWORD
NEW = "Luggage-54321!"
CHANGED = "Password changed for user “user”."


def failed(calls: Api2Calls, text: str) -> dict:
    return calls.failed("change_password", text,
                        [{"status": 0, "statustxt": text, "passwdoutput": None, "applist": [{"app": "none"}]}])


def not_found() -> dict:
    return {"cpanelresult": {"apiversion": 2, "error": "Could not find function 'change_password' in module 'Passwd'",
                             "func": "change_password", "module": "Passwd"}}


def paths(stack, since: int) -> list[str]:
    return [seen.path for seen in stack.state.requests[since:]]


async def test_change_password_checks_the_old_password_then_writes_once(stack, caplog):
    caplog.set_level(logging.DEBUG)
    calls = Api2Calls(stack, "Passwd")
    before = len(stack.state.requests)
    got = await calls.whm("change_password", oldpass=OLD, newpass=NEW, enablemysql="0", user="user")
    assert got == (200, calls.ok("change_password", [{
        "status": 1, "statustxt": CHANGED,
        "passwdoutput": "Password for “user” has been changed.\nFTP password change has been queued.\n",
        "applist": [{"app": "system"}, {"app": "ftp"}, {"app": "mail"}]}]))
    assert stack.state.accounts["user"].password == NEW
    login, write = stack.state.requests[-2], stack.state.requests[-1]
    # The login: a UAPI read on the cPanel service, the old password in its Basic header only.
    assert (login.service, login.path) == ("cpanel", "/execute/Variables/get_user_information")
    assert login.headers["authorization"] == "Basic " + base64.b64encode(f"user:{OLD}".encode()).decode()
    # The write: once, last, the new password in the POST body (not the URL); no MySQL update.
    assert write.path.endswith("/json-api/passwd") and write.method == "POST" and not write.query
    assert write.form == {"api.version": ["1"], "user": ["user"], "password": [NEW], "db_pass_update": ["0"]}
    assert sum(p.endswith("/json-api/passwd") for p in paths(stack, before)) == 1
    for seen in stack.state.requests[before:]:
        assert OLD not in seen.path + str(seen.query) and NEW not in seen.path + str(seen.query)
    assert OLD not in caplog.text and NEW not in caplog.text
    # The old password is no longer the account's: asking again is refused by the login.
    wrong = "The old password provided does not match the password for user “user”. Operation canceled."
    assert await calls.whm("change_password", oldpass=OLD, newpass="Another-98765?") == (200, failed(calls, wrong))
    assert stack.state.accounts["user"].password == NEW


async def test_change_password_wrong_old_password_writes_nothing(stack):
    calls = Api2Calls(stack, "Passwd")
    before = len(stack.state.requests)
    wrong = "The old password provided does not match the password for user “user”. Operation canceled."
    got = await calls.whm("change_password", oldpass="not-the-password", newpass=NEW, enablemysql="1",
                          enabledigest="1")
    assert got == (200, failed(calls, wrong))
    assert not any(p.endswith("/json-api/passwd") for p in paths(stack, before))
    assert stack.state.accounts["user"].password == OLD


async def test_change_password_sends_mysql_and_digest_choices(stack):
    calls = Api2Calls(stack, "Passwd")
    got = await calls.whm("change_password", oldpass=OLD, newpass=NEW, enablemysql="1", digestauth="0")
    assert got[1]["cpanelresult"]["data"][0]["applist"] == [{"app": "system"}, {"app": "ftp"}, {"app": "mail"},
                                                           {"app": "MySQL"}]
    assert stack.state.requests[-1].form == {"api.version": ["1"], "user": ["user"], "password": [NEW],
                                             "db_pass_update": ["1"], "digestauth": ["0"]}


@pytest.mark.parametrize("args, text", [
    ({"newpass": NEW}, '"oldpass" is a required argument.'),
    ({"oldpass": OLD}, '"newpass" is a required argument.'),
    ({"oldpass": OLD, "newpass": ""}, "You did not pass the “new_password” parameter in your request."),
    ({"oldpass": OLD, "newpass": "0"}, "You did not pass the “new_password” parameter in your request."),
    ({"oldpass": OLD, "newpass": "my-USER-pw-991"}, "Sorry, the password may not contain the username for security reasons."),
    ({"oldpass": "Same-pass-777", "newpass": "Same-pass-777"}, "You cannot reuse the old password."),
    ({"oldpass": OLD, "newpass": "Ab1!"}, "Sorry, passwords must be at least 5 characters for security reasons."),
    # Weak, and the old password wrong too: API 2 judged the strength first.
    ({"oldpass": "wrong-old-pw", "newpass": "abcdefgh"},
     "Sorry, the password you selected cannot be used because it is too weak and would be too easy to guess. "
     "Please select a password with strength rating of 65 or higher."),
    ({"oldpass": "", "newpass": NEW}, "You did not pass the “current_password” parameter in your request."),
])
async def test_change_password_refusals_in_api2_order(stack, args, text):
    calls = Api2Calls(stack, "Passwd")
    before = len(stack.state.requests)
    assert await calls.whm("change_password", **args) == (200, failed(calls, text))
    # Refused before any login (the cPanel service) or write.
    assert all(not (seen.service == "cpanel" or seen.path.endswith("/json-api/passwd"))
               for seen in stack.state.requests[before:])
    assert stack.state.accounts["user"].password == OLD


async def test_change_password_for_an_unknown_account_is_whms_answer(stack):
    # WHM refuses the account before API 2 runs: its answer even without the arguments.
    form = {"cpanel_jsonapi_user": "nosuch", "cpanel_jsonapi_apiversion": "2", "cpanel_jsonapi_module": "Passwd",
            "cpanel_jsonapi_func": "change_password", "newpass": NEW}
    reason = "User parameter is invalid or was not supplied"
    got = await stack.post_json(f"{stack.whm}/json-api/cpanel", data=form, headers=ROOT_AUTH)
    assert got == (200, {"cpanelresult": {"data": {"reason": reason, "result": "0"}, "type": "text", "error": reason}})
    assert not any(seen.path.endswith("/json-api/passwd") or seen.service == "cpanel" for seen in stack.state.requests)


async def test_change_password_account_state_refusals(stack):
    calls = Api2Calls(stack, "Passwd")
    account = stack.state.accounts["user"]
    disabled_features(account).add("password")
    assert await calls.whm("change_password", oldpass=OLD, newpass="ab") == (200, failed(calls, "This feature is not enabled."))
    disabled_features(account).clear()
    user_settings(account)["demo_mode"] = 1
    demo = "Sorry the password cannot be changed in this demo."
    assert await calls.whm("change_password", oldpass=OLD, newpass=NEW) == (200, failed(calls, demo))
    user_settings(account)["demo_mode"] = 0
    account.suspended = True
    suspended = ("Sorry, the user “user” is currently suspended. Changing the user’s password would unsuspend "
                 "the account.")
    assert await calls.whm("change_password", oldpass=OLD, newpass=NEW) == (200, failed(calls, suspended))
    account.suspended = False
    assert account.password == OLD


async def test_change_password_whm_failure_is_the_row_and_error(stack):
    calls = Api2Calls(stack, "Passwd")
    halted = "The “Passwd::ChangePasswd” hook halted the password change."
    passwd_failures(stack.state.accounts["user"]).append(halted)
    assert await calls.whm("change_password", oldpass=OLD, newpass=NEW) == (200, failed(calls, halted))
    assert stack.state.accounts["user"].password == OLD


async def test_change_password_two_factor_account_passes_through(stack):
    calls = Api2Calls(stack, "Passwd")
    two_factor(stack.state.accounts["user"])["is_enabled"] = 1
    before = len(stack.state.requests)
    # A login cannot prove the password of a 2FA account: native API 2 answers (the fake has none).
    assert await calls.whm("change_password", oldpass=OLD, newpass=NEW) == (200, not_found())
    assert paths(stack, before)[-1] == "/json-api/cpanel"
    assert not any(seen.service == "cpanel" for seen in stack.state.requests[before:])


async def test_change_password_on_the_cpanel_port_is_native_api2(stack):
    calls = Api2Calls(stack, "Passwd")
    before = len(stack.state.requests)
    assert await calls.cpanel("change_password", oldpass=OLD, newpass=NEW) == (200, not_found())
    assert paths(stack, before) == ["/json-api/cpanel"]  # passed through, untouched
    assert stack.state.accounts["user"].password == OLD


async def test_change_password_without_native_api2():
    state = fakecpanel.FakeState.demo()
    state.native_api2 = False
    async with stack_with({"upstream_api2": "absent"}, state=state) as stack:
        calls = Api2Calls(stack, "Passwd")
        got = await calls.whm("change_password", oldpass=OLD, newpass=NEW)
        assert got[1]["cpanelresult"]["data"][0]["statustxt"] == CHANGED
        before = len(stack.state.requests)
        # The cPanel port has no WHM API 1: cPanel's answer for a function it cannot run.
        assert await calls.cpanel("change_password", oldpass=NEW, newpass="Third-pass-2468!") == (200, not_found())
        assert paths(stack, before) == []
        two_factor(stack.state.accounts["user"])["is_enabled"] = 1
        assert await calls.whm("change_password", oldpass=NEW, newpass="Third-pass-2468!") == (200, not_found())
        assert not any(p.endswith("/json-api/cpanel") for p in paths(stack, before))
        assert stack.state.accounts["user"].password == NEW


def test_the_whm_listener_finds_the_cpanel_service():
    from shim.app import cpanel_service_of
    from shim.config import load_config

    both = load_config(None, {"whm_listen": "127.0.0.1:0", "whm_upstream": "https://cp.example:2087",
                              "cpanel_listen": "127.0.0.1:0", "cpanel_upstream": "https://10.0.0.9:2083"})
    assert str(cpanel_service_of(both, both.service("whm")).upstream) == "https://10.0.0.9:2083"
    # No cPanel listener: cPanel's own port beside WHM's, on the same host.
    for whm, cpanel in (("https://cp.example:2087", "https://cp.example:2083"),
                        ("http://127.0.0.1:2086", "http://127.0.0.1:2082")):
        alone = load_config(None, {"whm_listen": "127.0.0.1:0", "whm_upstream": whm})
        assert alone.service("cpanel") is None
        assert str(cpanel_service_of(alone, alone.service("whm")).upstream) == cpanel
