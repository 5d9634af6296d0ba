"""WHM API functions the fake serves: uapi_cpanel, version, listaccts, accountsummary,
delete_domain, passwd, get_password_strength, myprivs, emailtrack_search, emailtrack_stats.

With `api.version=1` they answer WHM API 1 (`{"data":…,"metadata":{command,reason,result,
version}}`); without it, WHM API 0 (`{"version":…}`, `{"acct":[…],"status":1,…}`), as
WHM does. Unknown functions: API 1 `metadata.reason` "Unknown app (“X”) requested for
this version (1) of the API.", API 0 `{"error":"Unknown App Requested: X"}`.

uapi_cpanel decisions (assumed, no live server to check):
  * missing or unknown `cpanel.user`, and `cpanel.user=root`: HTTP 200,
    `{"data":{"uapi":null},"metadata":{…,"reason":"User parameter is invalid or was not
    supplied","result":0,…}}`;
  * missing `cpanel.module` / `cpanel.function`: the same envelope with reason
    "Missing parameter: cpanel.module" (or cpanel.function);
  * otherwise metadata.result is 1 even when the UAPI function fails: the failure is
    `data.uapi.status` 0. Arguments are every parameter except `cpanel.*` and
    `api.version`.
"""

from __future__ import annotations

import re
import time
from typing import Any

from aiohttp import web

from . import eximstats
from .cpanel_api import INVALID_USER_REASON, run_uapi
from .pipeline import Call
from .registry import Args
from .state import CpanelAccount
from .wire import json_response

_UAPI_CPANEL_PARAMS = ("cpanel.user", "cpanel.module", "cpanel.function", "api.version")


def _api1(call: Call) -> bool:
    return call.param("api.version") == "1"


def _metadata(command: str, reason: str = "OK", result: int = 1) -> dict[str, Any]:
    return {"command": command, "reason": reason, "result": result, "version": 1}


async def uapi_cpanel(call: Call, match: "re.Match[str]") -> web.Response:
    user = call.param("cpanel.user") or ""
    account = call.state.accounts.get(user)
    if account is None:
        return json_response({"data": {"uapi": None}, "metadata": _metadata("uapi_cpanel", INVALID_USER_REASON, 0)})
    for name in ("cpanel.module", "cpanel.function"):
        if not call.param(name):
            reason = f"Missing parameter: {name}"
            return json_response({"data": {"uapi": None}, "metadata": _metadata("uapi_cpanel", reason, 0)})
    module, func = call.param("cpanel.module") or "", call.param("cpanel.function") or ""
    args = Args({k: v for k, v in call.params.items() if k not in _UAPI_CPANEL_PARAMS})
    outcome = run_uapi(call, account, module, func, args)
    return json_response({"data": {"uapi": outcome.result()}, "metadata": _metadata("uapi_cpanel")})


async def version(call: Call, match: "re.Match[str]") -> web.Response:
    if _api1(call):
        return json_response({"data": {"version": call.state.version}, "metadata": _metadata("version")})
    return json_response({"version": call.state.version})


def _account_record(account: CpanelAccount) -> dict[str, Any]:
    used_mb = account.disk_used_bytes // (1024 * 1024)
    return {
        "disklimit": f"{account.disk_quota_mb}M" if account.disk_quota_mb else "unlimited",
        "diskused": f"{used_mb}M",
        "domain": account.domain,
        "email": account.email,
        "ip": account.ip,
        "maxftp": "unlimited",
        "owner": account.owner,
        "partition": "home",
        "plan": account.plan,
        "shell": "/bin/bash",
        "startdate": time.strftime("%y %b %d %H:%M", time.gmtime(account.start_epoch)),
        "suspended": int(account.suspended),
        "suspendreason": "not suspended" if not account.suspended else "suspended",
        "theme": "jupiter",
        "uid": account.uid,
        "unix_startdate": account.start_epoch,
        "user": account.user,
    }


async def listaccts(call: Call, match: "re.Match[str]") -> web.Response:
    records = [_account_record(a) for a in sorted(call.state.accounts.values(), key=lambda a: a.user)]
    search, searchtype = call.param("search"), call.param("searchtype") or "user"
    if search:
        try:
            pattern = re.compile(search)
        except re.error:
            pattern = re.compile(re.escape(search))
        records = [r for r in records if pattern.search(str(r.get(searchtype, "")))]
    if _api1(call):
        return json_response({"data": {"acct": records}, "metadata": _metadata("listaccts")})
    return json_response({"acct": records, "status": 1, "statusmsg": "Ok"})


async def delete_domain(call: Call, match: "re.Match[str]") -> web.Response:
    """WHM API 1 delete_domain, for subdomains (what the shim's SubDomain::delsubdomain uses).

    Assumed wording (no live server checked): success reason "OK"; a name no account has as
    a subdomain fails with "The domain “NAME” does not exist."."""
    from .modules import _domains

    name = (call.param("domain") or "").lower().rstrip(".")
    for account in call.state.accounts.values():
        state = _domains.domains(account)
        if name in state.subdomains and name not in state.parked.values():
            del state.subdomains[name]
            return json_response({"data": {}, "metadata": _metadata("delete_domain")})
    reason = f"The domain “{name}” does not exist."
    return json_response({"metadata": _metadata("delete_domain", reason, 0)})


async def accountsummary(call: Call, match: "re.Match[str]") -> web.Response:
    """WHM API 1 accountsummary: `{"acct": [record]}` of one account (listaccts' record).
    Assumed wording (no live server checked): an unknown user fails "Account does not exist."."""
    account = call.state.accounts.get(call.param("user") or "")
    if account is None:
        return json_response({"metadata": _metadata("accountsummary", "Account does not exist.", 0)})
    return json_response({"data": {"acct": [_account_record(account)]}, "metadata": _metadata("accountsummary")})


def password_strength(password: str) -> int:
    """The fake's own strength score, 0-100 (NOT cPanel's algorithm, which also consults a
    dictionary): 4 points per character per kind of character used (lower, upper, digit,
    other). "12345luggage" scores 88, "abcdef" 24."""
    kinds = sum(any(test(c) for c in password) for test in (str.islower, str.isupper, str.isdigit,
                                                              lambda c: not c.isalnum()))
    return min(100, 4 * len(password) * kinds)


async def get_password_strength(call: Call, match: "re.Match[str]") -> web.Response:
    """WHM API 1 get_password_strength (cPanel 11.120 Whostmgr/API/1/Accounts.pm): `{"strength": N}`;
    without `password`, cPanel's "password parameter was not passed"."""
    password = call.param("password")
    if password is None:
        return json_response({"metadata": _metadata("get_password_strength", "password parameter was not passed", 0)})
    return json_response({"data": {"strength": password_strength(password)}, "metadata": _metadata("get_password_strength")})


async def passwd(call: Call, match: "re.Match[str]") -> web.Response:
    """WHM API 1 passwd: the account's new password, checked as cPanel 11.120 checks it as root
    (Whostmgr/API/1/Sys.pm, Cpanel/ChangePasswd.pm; texts are cPanel's): required `user` and
    `password`, then the password's own rules, a suspended account, the `passwd` strength.
    Success: `data.app` the services changed (system, ftp, mail, MySQL unless
    `db_pass_update=0`), reason "Password changed for user “USER”.", and `output.raw` the
    change's log (assumed text). `passwd_failures(account)` scripts a failure reason for the
    next call (a hook that halts it, say)."""
    from .modules.passwdstrength import REQUIRED_STRENGTH

    user, password = call.param("user"), call.param("password")
    if user is None:
        return _passwd_failed("No user name supplied: “user” is a required argument.")
    if password is None:
        return _passwd_failed("No password supplied: “password” is a required argument.")
    account = call.state.accounts.get(user)
    if account is None:
        return _passwd_failed(f"Sorry, the user “{user}” does not exist.")
    if not password:
        return _passwd_failed("You did not pass the “new_password” parameter in your request.")
    if user.lower() in password.lower():
        return _passwd_failed("Sorry, the password may not contain the username for security reasons.")
    if len(password.encode()) < 5:
        return _passwd_failed("Sorry, passwords must be at least 5 characters for security reasons.")
    if account.suspended:
        return _passwd_failed(f"Sorry, the user “{user}” is currently suspended. "
                              "Changing the user’s password would unsuspend the account.")
    if password_strength(password) < REQUIRED_STRENGTH:
        return _passwd_failed("Sorry, the password you selected cannot be used because it is too weak and would be "
                              f"too easy to guess. Please select a password with strength rating of {REQUIRED_STRENGTH} "
                              "or higher.")
    if passwd_failures(account):
        return _passwd_failed(passwd_failures(account).pop(0))
    account.password = password
    apps = ["system", "ftp", "mail"] + (["MySQL"] if call.param("db_pass_update") != "0" else [])
    metadata = {**_metadata("passwd", f"Password changed for user “{user}”."),
                "output": {"raw": f"Password for “{user}” has been changed.\nFTP password change has been queued.\n"}}
    return json_response({"data": {"app": apps}, "metadata": metadata})


def passwd_failures(account: CpanelAccount) -> list[str]:
    return account.module_state("passwd", lambda _: [])


def _passwd_failed(reason: str) -> web.Response:
    return json_response({"data": None, "metadata": _metadata("passwd", reason, 0)})


async def unknown(call: Call, match: "re.Match[str]") -> web.Response:
    name = match.group(1)
    if _api1(call):
        reason = f"Unknown app (“{name}”) requested for this version (1) of the API."
        return json_response({"metadata": _metadata(name, reason, 0)})
    return json_response({"error": f"Unknown App Requested: {name}"})


# Some of WHM's privilege names, listed by myprivs with 1 or 0 beside `all` (root's).
_ACLS = ("all", "create-acct", "edit-account", "kill-acct", "list-accts", "mailcheck", "suspend-acct")


def _privileges(call: Call) -> frozenset[str]:
    whm_user = call.state.whm_users.get(call.principal.user)
    return whm_user.acls if whm_user is not None else frozenset()


async def myprivs(call: Call, match: "re.Match[str]") -> web.Response:
    """The caller's WHM privileges (cPanel 11.120 Whostmgr/API/1/ACLS.pm): one object."""
    acls = _privileges(call)
    privileges = {name: int(name in acls or "all" in acls) for name in sorted(set(_ACLS) | acls)}
    return json_response({"data": {"privileges": [privileges]}, "metadata": _metadata("myprivs")})


def _emailtrack(call: Call, command: str) -> web.Response:
    """Whostmgr/API/1/Exim.pm's search/stats over Whostmgr/EmailTrack.pm: the caller's view of
    the delivery log (eximstats.py), with api.chunk read as that module reads it. The fake
    reads no api.filter or api.sort (nothing here sends them)."""
    form = {name: values[0] for name, values in call.params.items() if values and not name.startswith("api.")}
    remote, user = call.principal.user, form.get("user") or ""
    root = "all" in _privileges(call)
    owner = call.state.accounts[user].owner if user in call.state.accounts else None
    if user and user != remote and not root and owner != remote:
        # Exim.pm's _do_func sets result, reason and overflowed from a two-value list: no overflowed.
        return json_response({"metadata": {**_metadata(command, f"Access Denied to Account {user}", 0),
                                           "overflowed": None}})
    restriction: eximstats.Restriction = user or None
    if not root:
        owned = [a.user for a in call.state.accounts.values() if a.owner == remote]
        restriction = owned if remote in owned else [*owned, remote]
    chunk = call.param("api.chunk.enable") not in (None, "", "0")
    if chunk:
        size = eximstats.perl_int(call.param("api.chunk.size") or "10") or 10
        start = eximstats.perl_int(call.param("api.chunk.start") or "1") or 1
        form["startIndex"], form["results"] = str(start - 1), str(size)
    if call.state.mail_log_error is not None:
        reason = f"Error from delivery reporter: {call.state.mail_log_error}"
        return json_response({"metadata": {**_metadata(command, reason, 0), "overflowed": None}})
    metadata = _metadata(command)
    if command == "emailtrack_search":
        records, total, overflowed = eximstats.search(call.state.mail_log, form, restriction)
    else:
        records, total, overflowed = [eximstats.stats(call.state.mail_log, form, restriction)], 1, None
    metadata["overflowed"] = 1 if overflowed else 0
    if chunk and call.param("api.chunk.verbose") not in (None, "", "0"):
        metadata["chunk"] = {"start": eximstats.perl_int(form["startIndex"]) + 1,
                             "size": eximstats.perl_int(form["results"]), "records": total or 0}
    return json_response({"data": {"records": records}, "metadata": metadata})


async def emailtrack_search(call: Call, match: "re.Match[str]") -> web.Response:
    return _emailtrack(call, "emailtrack_search")


async def emailtrack_stats(call: Call, match: "re.Match[str]") -> web.Response:
    return _emailtrack(call, "emailtrack_stats")
