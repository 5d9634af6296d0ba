"""Passwd::change_password (cPanel 11.120 Cpanel/Passwd.pm, Cpanel/ChangePasswd.pm).

API 2 changed the account's own password after checking `oldpass`; no UAPI function of
11.125 changes it. Here, on the WHM port: the checks API 2 made, in its order, each by a
read or by the shim itself, then one WHM API 1 `passwd` (which runs the same cPanel code
as root, without the old password). The old password is checked by a login as the account
with it on the cPanel service (HTTP Basic, one UAPI read): a refused login is a wrong
password.

API 2's order: both `oldpass` and `newpass` given; the account has the `password` feature;
not a demo account; the new password (not empty, not containing the user name, not the old
one, at least 5 characters); the account not suspended; its strength at least the `passwd`
requirement; `oldpass` not empty; then cPanel's admin checked the old password and wrote.

One row {status, statustxt, passwdoutput, applist}. A failure: status 0, the text also as
`error`, passwdoutput null and applist [{app: none}]. Success: WHM's reason ("Password
changed for user “USER”."), the change's log as passwdoutput and one {app} per service
changed.

Not answered here: the cPanel port (no WHM API 1 there: native API 2 while the upstream
serves it), and an account with two-factor authentication, whose password a plain login
cannot prove (the same). Side effects that differ from API 2 (WHM's passwd is root acting):
cPanel sends the account no password-change notice, and does not clear a forced password
change. The wrong-old-password text is the one cPanel's translation catalogue holds for
it; the admin program that says it is not in the public source.
"""

from __future__ import annotations

import re
from typing import Any

from shim.translation.perlvalues import perl_true
from shim.translation.recipe import Api2Died, Api2Failure, NativeOnly, RecipeCall, whm_only

# cPanel 11.120's texts, in the plain form its API answers carry.
REQUIRED = '"{name}" is a required argument.'
NO_FEATURE = "This feature is not enabled."
DEMO = "Sorry the password cannot be changed in this demo."
NOT_PASSED = "You did not pass the “{name}” parameter in your request."
HAS_USERNAME = "Sorry, the password may not contain the username for security reasons."
REUSED = "You cannot reuse the old password."
TOO_SHORT = "Sorry, passwords must be at least 5 characters for security reasons."
SUSPENDED = "Sorry, the user “{user}” is currently suspended. Changing the user’s password would unsuspend the account."
TOO_WEAK = ("Sorry, the password you selected cannot be used because it is too weak and would be too easy to guess. "
            "Please select a password with strength rating of {strength} or higher.")
WRONG_OLD = "The old password provided does not match the password for user “{user}”. Operation canceled."
MIN_LENGTH = 5
STRENGTH_APP = "passwd"  # the requirement cPanel applies to an account's own password
_SECRETS = ("password",)


@whm_only
async def change_password(call: RecipeCall) -> list[Any]:
    if not call.has_whm:
        raise NativeOnly("Passwd::change_password needs WHM API 1 passwd, which only the WHM port reaches")
    # Read first (the answer waits for API 2's order): cpsrvd checks who asks before any
    # function runs, so an unknown account gets WHM's invalid-user answer whatever the arguments.
    feature = await call.uapi("Features", "has_feature", {"name": "password"})
    for name in ("oldpass", "newpass"):
        if name not in call.args:
            _fail(REQUIRED.format(name=name))
    old, new, user = call.args["oldpass"], call.args["newpass"], call.user or ""
    if str(feature.get("status")) != "1":
        _fail(NO_FEATURE)
    info = await call.uapi_data("Variables", "get_user_information", {"name": "demo_mode"}, died=True)
    if isinstance(info, dict) and perl_true(info.get("demo_mode")):
        _fail(DEMO)
    _check_new_password(new, old, user)
    summary = await call.whm_data("accountsummary", {"user": user})
    accounts = summary.get("acct") if isinstance(summary, dict) else None
    if isinstance(accounts, list) and accounts and isinstance(accounts[0], dict) and perl_true(accounts[0].get("suspended")):
        _fail(SUSPENDED.format(user=user))
    strength = await call.whm_data("get_password_strength", {"password": new}, secret=_SECRETS)
    required = await call.uapi_data("PasswdStrength", "get_required_strength", {"app": STRENGTH_APP}, died=True)
    needed = _number(required)
    if needed > _number(strength):
        _fail(TOO_WEAK.format(strength=needed))
    if not perl_true(old):
        _fail(NOT_PASSED.format(name="current_password"))
    two_factor = await call.uapi_data("TwoFactorAuth", "get_user_configuration", died=True)
    if isinstance(two_factor, dict) and perl_true(two_factor.get("is_enabled")):
        raise NativeOnly("the account uses two-factor authentication: a login cannot check its old password")
    if not await call.password_accepted(old):
        _fail(WRONG_OLD.format(user=user))
    # The one write, never retried. API 2 updated the MySQL password only when asked
    # (`enablemysql`); WHM's passwd does unless told not to. Digest authentication: the
    # client's own argument when given (both read `digestauth` before `enabledigest`).
    form: dict[str, Any] = {"user": user, "password": new, "db_pass_update": perl_true(call.arg("enablemysql"))}
    for name in ("digestauth", "enabledigest"):
        if name in call.args:
            form[name] = call.args[name]
    document = await call.whm("passwd", form, secret=_SECRETS)
    metadata, data = document["metadata"], document.get("data")
    output = metadata.get("output")
    raw = output.get("raw") if isinstance(output, dict) else None
    apps = data.get("app") if isinstance(data, dict) else None
    reason = str(metadata.get("reason") or "")
    row = {"status": 1 if str(metadata.get("result")) == "1" else 0, "statustxt": reason,
           "passwdoutput": raw if raw else None,
           "applist": [{"app": str(app)} for app in apps] if isinstance(apps, list) and apps else [{"app": "none"}]}
    if not row["status"]:
        raise Api2Failure(reason, [row])
    return [row]


def _check_new_password(new: str, old: str, user: str) -> None:
    """cPanel's own rules for a new password, in its order (the account exists: the call runs as it)."""
    if not perl_true(new):
        _fail(NOT_PASSED.format(name="new_password"))
    if user and re.search(re.escape(user), new, re.IGNORECASE):
        _fail(HAS_USERNAME)
    if perl_true(old) and new == old:
        _fail(REUSED)
    # Perl's length of the form value as cPanel reads it: bytes, not characters (assumed).
    if len(new.encode()) < MIN_LENGTH:
        _fail(TOO_SHORT)


def _fail(text: str) -> None:
    raise Api2Failure(text, [{"status": 0, "statustxt": text, "passwdoutput": None, "applist": [{"app": "none"}]}])


def _number(data: Any) -> int:
    """The integer `strength` of a strength answer (cPanel compares them as integers)."""
    value = data.get("strength") if isinstance(data, dict) else None
    try:
        return int(str(value).strip() or 0)
    except ValueError:
        raise Api2Died(f"cPanel answered a password strength that is not a number: {str(value)[:40]!r}") from None
