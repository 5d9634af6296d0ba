"""UAPI module Ftp, per account and stateful, plus the native API 2 Ftp functions.

Behaviour follows cPanel 11.x as documented and as observed (messages included):
  * `user` may be `name@domain`; sending a domain as well is an error; without a domain
    the account's primary domain is used. Sub-account logins are `name@domain`.
  * add_ftp strips whitespace, and dots unless disallowdot=0; quota is whole MB, 0 or
    "unlimited" = unlimited; the default home directory is `<home>/<name>@<domain>`
    (what cPanel's code does, whatever the docs' wording).
  * set_quota truncates the quota like Perl's int() (non-numbers become 0 = unlimited);
    kill=1 removes the quota and never fails, even for a missing account.
  * delete_ftp/set_quota look up sub-accounts (`name@domain`) only, so the main,
    anonymous (`ftp`) and log (`<user>_logs`) logins cannot be deleted or given a quota;
    passwd also accepts the main login (`user`, or `user@<primary domain>`).
No password-strength rules are applied (a deliberate simplification).

The API 2 functions are thin wrappers over the UAPI ones, as in cPanel 11.120: list
functions return the UAPI records unchanged, actions answer one `{result, reason}` row.
"""

from __future__ import annotations

import math
import re
from functools import partial

from ..registry import (
    Api2Outcome,
    Args,
    UapiContext,
    UapiError,
    UapiOutcome,
    api2_function,
    uapi_function,
)
from ..state import FTP_SUB_LOGIN, MIB, CpanelAccount, FtpAccount

_USERNAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")
_MAX_USERNAME = 64
_PERL_NUMBER = re.compile(r"^\s*(\d+)")


# ---------------------------------------------------------------- helpers


def _split_user(account: CpanelAccount, user: str, domain: str | None) -> tuple[str, str]:
    if "@" in user:
        if domain:
            raise UapiError("You may not specify a domain both in the user field and in the domain field.")
        user, _, domain = user.partition("@")
    return user, domain or account.domain


def _required_user(args: Args) -> str:
    user = args.get("user", "")
    if not user:
        raise UapiError("You must specify a user name.")
    return user


def _sub_account(account: CpanelAccount, name: str, domain: str) -> FtpAccount | None:
    found = account.ftp_accounts.get(f"{name}@{domain}")
    return found if found is not None and found.type == "sub" else None


def _types_filter(args: Args):
    include = {t for t in args.get("include_acct_types", "").split("|") if t}
    skip = {t for t in args.get("skip_acct_types", "").split("|") if t}
    return lambda ftp: (not include or ftp.type in include) and ftp.type not in skip


def _perl_int(text: str) -> int:
    match = _PERL_NUMBER.match(text)
    return int(match.group(1)) if match else 0


def _mb(value_bytes: float) -> str:
    return f"{value_bytes / MIB:.2f}"


def _human_size(value_bytes: int) -> str:
    """Rounded whole units, as cPanel's list_ftp_with_disk shows them ("2 MB", "477 MB")."""
    for unit, size in (("GB", 1024**3), ("MB", MIB), ("KB", 1024)):
        if value_bytes >= size:
            return f"{math.floor(value_bytes / size + 0.5)} {unit}"
    return f"{value_bytes} bytes"


def _reldir(account: CpanelAccount, directory: str) -> str:
    if directory == account.home or directory.startswith(account.home + "/"):
        directory = directory[len(account.home):]
    return directory.replace("..", "").lstrip("/")


def _disk_record(account: CpanelAccount, ftp: FtpAccount, dirhtml: str | None) -> dict:
    if ftp.type in ("main", "logaccess"):
        # The main and log logins report the cPanel account's own disk usage and quota.
        used, quota = account.disk_used_bytes, account.disk_quota_mb * MIB
    else:
        used, quota = ftp.used_bytes, ftp.quota_mb * MIB
    percent = math.ceil(used / quota * 100) if quota else 0
    megquota = _mb(quota)
    if "@" in ftp.login or ftp.type in ("main", "logaccess"):
        serverlogin = ftp.login
    else:
        serverlogin = f"{ftp.login}@{account.domain}"
    reldir = _reldir(account, ftp.homedir)
    htmldir = None
    if dirhtml:
        under_home = ftp.homedir == account.home or ftp.homedir.startswith(account.home + "/")
        htmldir = f"{dirhtml}/{reldir}" if under_home else ftp.homedir
    return {
        "_diskquota": megquota,
        "_diskused": _mb(used),
        "accttype": ftp.type,
        "deleteable": 0 if ftp.type == "anonymous" else 1,
        "dir": ftp.homedir,
        "diskquota": megquota if quota else "unlimited",
        "diskused": _mb(used),
        "diskusedpercent": percent,
        "diskusedpercent20": min(100, math.floor(percent / 20 + 0.5) * 20),
        "htmldir": htmldir,
        "humandiskquota": _human_size(quota) if quota else "None",
        "humandiskused": _human_size(used),
        "login": ftp.login,
        "reldir": reldir,
        "serverlogin": serverlogin,
        "type": ftp.type,
        "user": ftp.login,
    }


# ---------------------------------------------------------------- UAPI


@uapi_function("Ftp", "list_ftp", samples=[{}, {"include_acct_types": "main|sub"}, {"skip_acct_types": "sub"}])
def list_ftp(ctx: UapiContext, args: Args) -> UapiOutcome:
    wanted = _types_filter(args)
    records = [
        {"homedir": ftp.homedir, "type": ftp.type, "user": ftp.login}
        for ftp in ctx.account.ftp_accounts.values()
        if wanted(ftp)
    ]
    return UapiOutcome.ok(records, transformed=1)


@uapi_function(
    "Ftp",
    "list_ftp_with_disk",
    samples=[{}, {"include_acct_types": "sub"}, {"skip_acct_types": "anonymous|logaccess", "dirhtml": "/files"}],
)
def list_ftp_with_disk(ctx: UapiContext, args: Args) -> UapiOutcome:
    wanted = _types_filter(args)
    pattern = None
    if args.get("regex"):
        try:
            pattern = re.compile(args["regex"], re.IGNORECASE)
        except re.error:
            raise UapiError(f"Invalid regular expression “{args['regex']}”.") from None
    records = [
        _disk_record(ctx.account, ftp, args.get("dirhtml"))
        for login, ftp in sorted(ctx.account.ftp_accounts.items())
        if wanted(ftp) and (pattern is None or pattern.search(login))
    ]
    return UapiOutcome.ok(records, transformed=1)


@uapi_function("Ftp", "list_sessions", samples=[{}])
def list_sessions(ctx: UapiContext, args: Args) -> UapiOutcome:
    records = [
        {
            "cmdline": s.cmdline,
            "file": s.file,
            "host": s.host,
            "login": s.login,
            "pid": s.pid,
            "status": s.status,
            "user": s.user,
        }
        for s in sorted(ctx.account.ftp_sessions, key=lambda s: str(s.pid))
    ]
    return UapiOutcome.ok(records, transformed=1)


@uapi_function("Ftp", "kill_session", samples=[{}, {"login": "6735"}, {"login": "all"}])
def kill_session(ctx: UapiContext, args: Args) -> UapiOutcome:
    login = args.get("login") or "all"
    sessions = ctx.account.ftp_sessions
    if login == "all":
        sessions.clear()
    elif login.isdigit():
        sessions[:] = [s for s in sessions if str(s.pid) != login]
    return UapiOutcome.ok()


@uapi_function(
    "Ftp",
    "add_ftp",
    samples=[
        {"user": "newftp", "pass": "n3w-Secret"},
        {"user": "q.a", "pass_hash": "$6$salt$hash", "quota": "20", "homedir": "public_html/qa", "domain": "example.com"},
        {"user": "dotted.name@example.com", "pass": "x", "disallowdot": "0", "quota": "unlimited"},
    ],
)
def add_ftp(ctx: UapiContext, args: Args) -> UapiOutcome:
    password, password_hash = args.get("pass", ""), args.get("pass_hash", "")
    if bool(password) == bool(password_hash):
        raise UapiError("add_ftp: You must specify either a password or a password hash.")
    user = _required_user(args)
    quota_text = args.get("quota", "")
    if not quota_text or quota_text == "0" or "unlimited" in quota_text.lower():
        quota = 0
    elif quota_text.isdigit():
        quota = int(quota_text)
    else:
        raise UapiError("The quota must be a number or “unlimited”.")
    name, domain = _split_user(ctx.account, user, args.get("domain"))
    name = re.sub(r"\s", "", name)
    if args.get("disallowdot", "1") != "0":
        name = name.replace(".", "")
    if not name or len(name) > _MAX_USERNAME or not _USERNAME.match(name):
        raise UapiError(f"The username “{name}” is not valid.")
    if not ctx.account.owns_domain(domain):
        raise UapiError(f"The domain “{domain}” does not belong to this account.")
    login = f"{name}@{domain}"
    if login in ctx.account.ftp_accounts:
        raise UapiError(f"The FTP account “{login}” already exists.")
    homedir = args.get("homedir")
    relative = login if homedir is None else homedir.replace("..", "")
    relative = re.sub(r"/+", "/", relative).strip("/")
    absolute = f"{ctx.account.home}/{relative}" if relative else ctx.account.home
    ctx.account.add_ftp(
        FtpAccount(login, "sub", absolute, password=password or None, password_hash=password_hash or None, quota_mb=quota)
    )
    return UapiOutcome.ok()


@uapi_function(
    "Ftp",
    "delete_ftp",
    samples=[{"user": FTP_SUB_LOGIN}, {"user": "ftpuser", "domain": "example.com", "destroy": "1"}],
)
def delete_ftp(ctx: UapiContext, args: Args) -> UapiOutcome:
    name, domain = _split_user(ctx.account, _required_user(args), args.get("domain"))
    ftp = _sub_account(ctx.account, name, domain)
    if ftp is None:
        raise UapiError(f"The FTP account “{name}” cannot be removed because it does not exist.")
    del ctx.account.ftp_accounts[ftp.login]
    ctx.account.ftp_sessions[:] = [s for s in ctx.account.ftp_sessions if s.user != ftp.login]
    return UapiOutcome.ok()


@uapi_function(
    "Ftp",
    "passwd",
    samples=[{"user": FTP_SUB_LOGIN, "pass": "n3w-Secret"}, {"user": "ftpuser", "pass": "x", "domain": "example.com"}],
)
def passwd(ctx: UapiContext, args: Args) -> UapiOutcome:
    password = args.get("pass", "")
    if not password:
        raise UapiError("You must specify a password.")
    name, domain = _split_user(ctx.account, _required_user(args), args.get("domain"))
    name = name.replace("/", "")
    ftp = _sub_account(ctx.account, name, domain)
    if ftp is None and (name, domain) == (ctx.account.user, ctx.account.domain):
        # cPanel's FTP password store treats a login without a domain as being at the
        # primary domain, so the main login answers to `user` (the docs' own example).
        ftp = ctx.account.ftp_accounts.get(name)
    if ftp is None:
        raise UapiError(f"The FTP account “{name}@{domain}” does not exist.")
    ftp.password, ftp.password_hash = password, None
    return UapiOutcome.ok()


@uapi_function(
    "Ftp",
    "set_quota",
    samples=[
        {"user": FTP_SUB_LOGIN, "quota": "100"},
        {"user": "ftpuser", "domain": "example.com", "quota": "0"},
        {"user": "nosuch", "kill": "1"},
    ],
)
def set_quota(ctx: UapiContext, args: Args) -> UapiOutcome:
    name, domain = _split_user(ctx.account, _required_user(args), args.get("domain"))
    name = name.replace("/", "")
    quota = _perl_int(args.get("quota", ""))
    kill = args.get("kill", "0") not in ("", "0")
    ftp = _sub_account(ctx.account, name, domain)
    if ftp is None:
        if kill:
            return UapiOutcome.ok()
        raise UapiError(f"The FTP account “{name}” at domain “{domain}” does not exist.")
    ftp.quota_mb = 0 if kill else quota
    return UapiOutcome.ok()


@uapi_function("Ftp", "ftp_exists", samples=[{"user": FTP_SUB_LOGIN}, {"user": "ftpuser", "domain": "example.com"}])
def ftp_exists(ctx: UapiContext, args: Args) -> UapiOutcome:
    name, domain = _split_user(ctx.account, _required_user(args), args.get("domain"))
    if _sub_account(ctx.account, name, domain) is None:
        raise UapiError(f"The FTP account “{name}” at domain “{domain}” does not exist.")
    return UapiOutcome.ok()


@uapi_function("Ftp", "get_quota", samples=[{"account": FTP_SUB_LOGIN}])
def get_quota(ctx: UapiContext, args: Args) -> UapiOutcome:
    account = args.get("account", "")
    if not account:
        raise UapiError("You must specify an account.")
    name, domain = _split_user(ctx.account, account, args.get("domain"))
    ftp = _sub_account(ctx.account, name, domain)
    if ftp is None:
        raise UapiError(f"The FTP account “{name}” at domain “{domain}” does not exist.")
    return UapiOutcome.ok(str(ftp.quota_mb) if ftp.quota_mb else "unlimited")


# ---------------------------------------------------------------- native API 2


def _records(ctx: UapiContext, args: Args, *, func: str) -> Api2Outcome:
    outcome = ctx.call("Ftp", func, args)
    if outcome.status:
        return Api2Outcome(outcome.data)
    return Api2Outcome([], error="\n".join(outcome.errors or []))


def _action(ctx: UapiContext, args: Args, *, func: str, failure_reason: str | None) -> Api2Outcome:
    outcome = ctx.call("Ftp", func, args)
    if outcome.status:
        return Api2Outcome([{"result": 1, "reason": "OK"}])
    error = "\n".join(outcome.errors or [])
    reason = error if failure_reason is None else failure_reason
    return Api2Outcome([{"result": 0, "reason": reason}], error=error)


# API 2 name -> UAPI function whose records it returns unchanged.
_API2_LISTS = {"listftp": "list_ftp", "listftpwithdisk": "list_ftp_with_disk", "listftpsessions": "list_sessions"}
# API 2 name -> (UAPI function, reason of a failure row; None = the error text).
# API 2 addftp left the reason empty on failure; the text is only in the error buffer.
_API2_ACTIONS = {
    "addftp": ("add_ftp", ""),
    "delftp": ("delete_ftp", None),
    "passwd": ("passwd", None),
    "setquota": ("set_quota", None),
}

for _api2_name, _uapi_name in _API2_LISTS.items():
    api2_function("Ftp", _api2_name)(partial(_records, func=_uapi_name))
for _api2_name, (_uapi_name, _failure_reason) in _API2_ACTIONS.items():
    api2_function("Ftp", _api2_name)(partial(_action, func=_uapi_name, failure_reason=_failure_reason))
