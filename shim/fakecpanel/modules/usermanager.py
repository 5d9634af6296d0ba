"""UAPI UserManager: create_user and list_users, over the account's mail, FTP and Web Disk logins.

What cPanel does (11.120 Cpanel/UserManager.pm, and the 11.125 description), and the fake too:
  * create_user makes a Subaccount `username@domain` (both lower-cased) and sets up each
    service asked for with the Subaccount's password: `services.email.*` (a mailbox),
    `services.ftp.*` (an FTP login) and `services.webdisk.*` (a Web Disk login with homedir,
    perms ro|rw default rw, private and enabledigest 0|1). A service that cannot be set up
    undoes the Subaccount. It answers the new Subaccount's record.
  * list_users lists the Subaccounts (with the services they own, whose settings come from
    the service logins themselves), every mail, FTP and Web Disk login not linked to one as
    a `service` record, and last the cPanel account itself (`type: cpanel`, `special: 1`).
    Without `flat=1`, service logins sharing a name are grouped: under the Subaccount of that
    name as `merge_candidates`, or under a `hypothetical` record.
  * A Web Disk service record carries services.webdisk {enabled, homedir (relative to home),
    enabledigest, private, perms} — what cPanel reads from the Web Disk passwd/shadow files.
Error texts: "The system failed to create the user: …" around the reason, and the reasons
for a missing mandatory field and a domain the account does not own, are cPanel's; the rest
are the fake's own. Keys cPanel would send as null (alternate_email, real_name, the
cPanel record's domain, an unlimited mail quota) are left out. Record order is the fake's
(cPanel's follows a Perl hash).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from ..state import CpanelAccount
from . import _domains as d
from .email import email_state
from .webdisk import PERMS, WebDiskAccount, webdisks

MODULE = "UserManager"
SERVICES = ("email", "ftp", "webdisk")


@dataclass(slots=True)
class Subaccount:
    username: str
    domain: str
    services: set[str] = field(default_factory=set)  # the service logins it owns

    @property
    def full_username(self) -> str:
        return f"{self.username}@{self.domain}"


def subaccounts(account: CpanelAccount) -> dict[str, Subaccount]:
    return account.module_state(MODULE, lambda acct: {})


def _flag(args: Args, name: str) -> int:
    value = args.get(name, "0")
    if value not in ("0", "1"):
        raise UapiError(f"The “{name}” parameter must be 0 or 1.")
    return int(value)


def _failed(reason: str) -> UapiError:
    return UapiError(f"The system failed to create the user: {reason}")


@uapi_function(
    MODULE,
    "create_user",
    samples=[
        {"username": "bob", "domain": "example.com", "password": "B0b-Secret-pw"},
        {"username": "dav", "domain": "example.com", "password": "D4v-Secret-pw", "services.webdisk.enabled": "1",
         "services.webdisk.homedir": "public_html/dav", "services.webdisk.perms": "ro",
         "services.webdisk.private": "1", "services.webdisk.enabledigest": "1"},
    ],
)
def create_user(ctx: UapiContext, args: Args) -> UapiOutcome:
    for name in ("username", "domain", "password"):
        if not args.get(name):
            raise _failed(f"The system could not create the user. You must provide the following mandatory field: {name}")
    username, domain, password = args["username"].lower(), args["domain"].lower(), args["password"]
    if not ctx.account.owns_domain(domain):
        raise _failed(f"You do not own the domain “{domain}”.")
    sub = Subaccount(username, domain)
    if sub.full_username in subaccounts(ctx.account):
        raise _failed(f"The user “{sub.full_username}” already exists.")
    wanted = {s for s in SERVICES if _flag(args, f"services.{s}.enabled")}
    webdisk = None
    if "webdisk" in wanted:
        perms = args.get("services.webdisk.perms", "rw")
        if perms not in PERMS:
            raise _failed(f"The “services.webdisk.perms” parameter must be “ro” or “rw”, not “{perms}”.")
        homedir = d.relative_dir(ctx.account, d.required(args.get("services.webdisk.homedir"),
                                                         "services.webdisk.homedir"), "")
        webdisk = WebDiskAccount(sub.full_username, homedir, perms, bool(_flag(args, "services.webdisk.private")),
                                 bool(_flag(args, "services.webdisk.enabledigest")), password)
        if webdisk.login in webdisks(ctx.account):
            raise _failed(f"The system failed to set up services for the user “{username}” at the domain "
                          f"“{domain}”: The user “{webdisk.login}” already exists.")
    steps = []
    if "email" in wanted:
        steps.append(("Email", "add_pop", Args.of(email=username, domain=domain, password=password,
                                                  quota=args.get("services.email.quota", "0"))))
    if "ftp" in wanted:
        steps.append(("Ftp", "add_ftp", Args.of(user=username, domain=domain, **{"pass": password},
                                                homedir=args.get("services.ftp.homedir", sub.full_username))))
    for module, func, step_args in steps:
        outcome = ctx.call(module, func, step_args)
        if outcome.status != 1:
            raise _failed(f"The system failed to set up services for the user “{username}” at the domain "
                          f"“{domain}”: {'; '.join(outcome.errors or [])}")
    if webdisk is not None:
        webdisks(ctx.account)[webdisk.login] = webdisk
    sub.services = wanted
    subaccounts(ctx.account)[sub.full_username] = sub
    return UapiOutcome.ok(_sub_record(ctx.account, sub, _service_logins(ctx.account)))


@uapi_function(MODULE, "list_users", samples=[{}, {"flat": "1"}])
def list_users(ctx: UapiContext, args: Args) -> UapiOutcome:
    flat = _flag(args, "flat")
    account = ctx.account
    subs = subaccounts(account)
    logins = _service_logins(account)
    unlinked: dict[str, list[dict]] = {}
    for (service, full_username), settings in sorted(logins.items(), key=lambda item: (item[0][1], item[0][0])):
        sub = subs.get(full_username)
        if sub is None or service not in sub.services:
            unlinked.setdefault(full_username, []).append(_service_record(full_username, service, settings))
    records: list[dict] = []
    merge_candidates: dict[str, list[dict]] = {}
    for full_username, group in unlinked.items():
        if flat or (len(group) == 1 and full_username not in subs):
            for record in group:
                record.update(sub_account_exists=int(full_username in subs), has_siblings=int(len(group) > 1))
            records.extend(group)
        elif full_username in subs:
            for record in group:
                record.update(parent_type="sub", sub_account_exists=1)
            merge_candidates[full_username] = group
        else:
            for record in group:
                record.update(parent_type="hypothetical", sub_account_exists=0, has_siblings=int(len(group) > 1))
            username, _, domain = full_username.partition("@")
            hypothetical = _record("hypothetical", username, domain)
            hypothetical["merge_candidates"] = group
            records.append(hypothetical)
    for full_username in sorted(subs):
        record = _sub_record(account, subs[full_username], logins)
        record["merge_candidates"] = merge_candidates.get(full_username, [])
        records.append(record)
    cpanel = _record("cpanel", account.user, "")
    cpanel.update(full_username=account.user, special=1, services={s: {"enabled": 1} for s in SERVICES})
    del cpanel["domain"]  # cPanel's is null
    records.append(cpanel)
    return UapiOutcome.ok(records)


def _service_logins(account: CpanelAccount) -> dict[tuple[str, str], dict]:
    """(service, full username) -> that login's service settings, as cPanel gathers them."""
    logins: dict[tuple[str, str], dict] = {}
    for address, box in email_state(account).mailboxes.items():
        logins[("email", address)] = {"enabled": 1, **({"quota": box.quota_mb} if box.quota_mb else {})}
    for login, ftp in account.ftp_accounts.items():
        if ftp.type == "sub":
            relative = ftp.homedir[len(account.home):].lstrip("/") if ftp.homedir.startswith(account.home) else ftp.homedir
            logins[("ftp", login)] = {"enabled": 1, "homedir": relative, "quota": ftp.quota_mb}
    for login, disk in webdisks(account).items():
        logins[("webdisk", login)] = {"enabled": 1, "homedir": disk.homedir, "enabledigest": int(disk.digest),
                                      "private": int(disk.private), "perms": disk.perms}
    return logins


def _record(kind: str, username: str, domain: str) -> dict:
    full_username = f"{username}@{domain}" if domain else username
    digest = hashlib.sha256(f"{kind}:{full_username}".encode()).hexdigest().upper()
    return {
        "can_delete": int(kind != "cpanel"), "can_set_password": 0, "can_set_quota": 0, "dismissed": 0,
        "has_expired_invite": 0, "has_invite": 0, "has_siblings": 0, "special": 0, "sub_account_exists": 0,
        "synced_password": 0, "domain": domain, "full_username": full_username,
        "guid": f"{username.upper()}:{domain.upper()}:5F5E1000:{digest}", "issues": [], "merge_candidates": [],
        "dismissed_merge_candidates": [], "services": {s: {"enabled": 0} for s in SERVICES}, "type": kind,
        "username": username,
    }


def _service_record(full_username: str, service: str, settings: dict) -> dict:
    username, _, domain = full_username.partition("@")
    record = _record("service", username, domain)
    record.update(can_set_password=1, can_set_quota=1)
    record["services"][service] = dict(settings)
    return record


def _sub_record(account: CpanelAccount, sub: Subaccount, logins: dict[tuple[str, str], dict]) -> dict:
    record = _record("sub", sub.username, sub.domain)
    record.update(can_set_password=1, synced_password=1)
    for service in sorted(sub.services):
        settings = logins.get((service, sub.full_username))
        if settings is not None:
            record["services"][service] = dict(settings)
    return record
