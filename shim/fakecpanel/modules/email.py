"""UAPI module Email, per account and stateful: mailboxes, forwarders, MX records.

Seed (`EmailState.demo`): mailboxes `info@example.com` (250 MB quota, 12 MB used) and
`sales@example.com` (unlimited, empty); forwarder `sales@example.com` → `boss@example.net`;
MX `mail.example.com` priority 0 for example.com. Mail domains are the account's primary
domain and its other (addon/parked) domains, primary first.

Behaviour follows the UAPI description (11.125) and cPanel's documented rules; where the
exact error text is unknown, the fake uses cPanel's usual wording (assumed):
  * mailbox functions take `email` as a username plus `domain` (default: the primary
    domain) or as a full address; a full address wins over `domain`.
  * quotas are whole megabytes; 0 or "unlimited" is unlimited; `cpanel` is no mailbox name.
  * add_forwarder: fwdopt fwd needs fwdemail (comma-separated list), fail takes failmsgs,
    blackhole discards, pipe needs pipefwd, system needs fwdsystem.
  * list_forwarders and get_disk_usage require their documented arguments.
  * MX priorities are whole numbers; add_mx/delete_mx/change_mx answer the checkmx
    object cPanel reports after changing a zone.
No password-strength rules are applied (a deliberate simplification, as in the Ftp fake).
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from ..state import MIB, CpanelAccount

MODULE = "Email"
DEMO_MAILBOX = "info"
DEMO_MAILBOX_QUOTA_MB = 250
DEMO_MAILBOX_USED_BYTES = 12 * MIB
DEMO_FORWARD_FROM = "sales"
DEMO_FORWARD_TO = "boss@example.net"
DEMO_MX = "mail"
DEMO_MTIME = 1_700_000_000
MAIN_LOGIN = "Main Account"
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_FWD_OPTS = ("fwd", "fail", "blackhole", "pipe", "system")


@dataclass(slots=True)
class Mailbox:
    user: str
    domain: str
    password: str
    quota_mb: int = 0  # 0 = unlimited
    used_bytes: int = 0
    mtime: int = DEMO_MTIME

    @property
    def address(self) -> str:
        return f"{self.user}@{self.domain}"


@dataclass(slots=True)
class MxRecord:
    exchanger: str
    priority: int


@dataclass(slots=True)
class EmailState:
    mailboxes: dict[str, Mailbox] = field(default_factory=dict)  # address -> mailbox
    forwarders: list[tuple[str, str]] = field(default_factory=list)  # (address, destination)
    mx: dict[str, list[MxRecord]] = field(default_factory=dict)  # domain -> records
    always_accept: dict[str, str] = field(default_factory=dict)  # domain -> auto|local|secondary|remote

    @classmethod
    def demo(cls, account: CpanelAccount) -> "EmailState":
        state = cls()
        for box in (
            Mailbox(DEMO_MAILBOX, account.domain, "info-pass", DEMO_MAILBOX_QUOTA_MB, DEMO_MAILBOX_USED_BYTES),
            Mailbox(DEMO_FORWARD_FROM, account.domain, "sales-pass"),
        ):
            state.mailboxes[box.address] = box
        state.forwarders.append((f"{DEMO_FORWARD_FROM}@{account.domain}", DEMO_FORWARD_TO))
        state.mx[account.domain] = [MxRecord(f"{DEMO_MX}.{account.domain}", 0)]
        return state


def email_state(account: CpanelAccount) -> EmailState:
    return account.module_state(MODULE, EmailState.demo)


# ---------------------------------------------------------------- helpers


def _required(args: Args, name: str) -> str:
    value = args.get(name, "")
    if not value:
        raise UapiError(f"You must specify the “{name}” parameter.")
    return value


def _mail_domains(account: CpanelAccount) -> list[str]:
    return [account.domain, *sorted(d for d in account.other_domains if d != account.domain)]


def _owned_domain(account: CpanelAccount, domain: str) -> str:
    domain = domain.strip().lower()
    if not account.owns_domain(domain):
        raise UapiError(f"The domain “{domain}” does not belong to this account.")
    return domain


def _address(account: CpanelAccount, args: Args) -> tuple[str, str]:
    """(username, domain) from `email` as a username plus `domain`, or a full address."""
    email = _required(args, "email").strip()
    user, at, domain = email.partition("@")
    if not at:
        domain = args.get("domain") or account.domain
    return user.lower(), _owned_domain(account, domain)


def _mailbox(account: CpanelAccount, args: Args) -> Mailbox:
    user, domain = _address(account, args)
    box = email_state(account).mailboxes.get(f"{user}@{domain}")
    if box is None:
        raise UapiError(f"The email account “{user}@{domain}” does not exist.")
    return box


def _quota(text: str | None) -> int:
    if text is None or text == "" or text == "0" or text.strip().lower() == "unlimited":
        return 0
    try:
        quota = int(float(text))
    except ValueError:
        raise UapiError("The quota must be a positive integer or “unlimited”.") from None
    if quota < 0:
        raise UapiError("The quota must be a positive integer or “unlimited”.")
    return quota


def _regex(args: Args) -> re.Pattern[str] | None:
    text = args.get("regex")
    if not text:
        return None
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error:
        raise UapiError(f"Invalid regular expression “{text}”.") from None


# ---------------------------------------------------------------- mailboxes


@uapi_function(
    MODULE,
    "add_pop",
    samples=[
        {"email": "new", "password": "n3w-Secret", "quota": "500", "domain": "example.com"},
        {"email": "other@example.com", "password": "x", "quota": "unlimited", "send_welcome_email": "1"},
    ],
)
def add_pop(ctx: UapiContext, args: Args) -> UapiOutcome:
    user, domain = _address(ctx.account, args)
    if not args.get("password") and not args.get("password_hash"):
        raise UapiError("You must specify a password.")
    if user == "cpanel":
        raise UapiError("You cannot use the name “cpanel” for an email account.")
    if not _LOCAL_PART.match(user) or user.startswith(".") or user.endswith(".") or ".." in user:
        raise UapiError(f"“{user}” is not a valid email account name.")
    quota = _quota(args.get("quota"))
    state = email_state(ctx.account)
    address = f"{user}@{domain}"
    if address in state.mailboxes:
        raise UapiError(f"The account “{address}” already exists.")
    state.mailboxes[address] = Mailbox(user, domain, args.get("password") or args["password_hash"], quota)
    # cPanel answers the new login in its `user+domain` form.
    return UapiOutcome.ok(f"{user}+{domain}")


@uapi_function(
    MODULE,
    "delete_pop",
    samples=[{"email": DEMO_MAILBOX, "domain": "example.com"}, {"email": f"{DEMO_MAILBOX}@example.com", "flags": "passwd"}],
)
def delete_pop(ctx: UapiContext, args: Args) -> UapiOutcome:
    box = _mailbox(ctx.account, args)
    del email_state(ctx.account).mailboxes[box.address]
    return UapiOutcome.ok()


@uapi_function(
    MODULE,
    "passwd_pop",
    samples=[{"email": DEMO_MAILBOX, "password": "n3w-Secret"}, {"email": f"{DEMO_MAILBOX}@example.com", "password": "x"}],
)
def passwd_pop(ctx: UapiContext, args: Args) -> UapiOutcome:
    password = _required(args, "password")
    box = _mailbox(ctx.account, args)
    box.password = password
    return UapiOutcome.ok()


@uapi_function(
    MODULE,
    "edit_pop_quota",
    samples=[{"email": DEMO_MAILBOX, "domain": "example.com", "quota": "100"}, {"email": DEMO_MAILBOX, "domain": "example.com", "quota": "unlimited"}],
)
def edit_pop_quota(ctx: UapiContext, args: Args) -> UapiOutcome:
    _required(args, "domain")
    box = _mailbox(ctx.account, args)
    box.quota_mb = _quota(args.get("quota"))
    return UapiOutcome.ok()


@uapi_function(MODULE, "list_pops", samples=[{}, {"regex": "info"}, {"skip_main": "1"}])
def list_pops(ctx: UapiContext, args: Args) -> UapiOutcome:
    pattern = _regex(args)
    records = []
    if args.get("skip_main", "0") in ("", "0"):
        records.append({"email": ctx.account.user, "login": MAIN_LOGIN, "suspended_incoming": 0, "suspended_login": 0})
    for address, box in sorted(email_state(ctx.account).mailboxes.items()):
        records.append({"email": address, "login": address, "suspended_incoming": 0, "suspended_login": 0})
    if pattern is not None:
        records = [r for r in records if pattern.search(r["email"])]
    return UapiOutcome.ok(records)


def _disk_record(box: Mailbox, args: Args) -> dict:
    quota = box.quota_mb * MIB
    used_mb = math.floor(box.used_bytes / MIB)
    percent_float = round(box.used_bytes / quota * 100, 2) if quota else 0
    percent = math.floor(percent_float)
    if quota:
        diskquota: int | str = box.quota_mb
    elif args.get("infinityimg"):
        diskquota = f'<img src="{args["infinityimg"]}" />'
    else:
        diskquota = args.get("infinitylang") or "unlimited"
    return {
        "_diskquota": quota,
        "_diskused": box.used_bytes,
        "diskquota": diskquota,
        "diskused": used_mb,
        "diskusedpercent": percent,
        "diskusedpercent20": min(100, math.floor(percent / 20 + 0.5) * 20),
        "diskusedpercent_float": percent_float,
        "domain": box.domain,
        "email": box.address,
        "has_suspended": 0,
        "hold_outgoing": 0,
        # The 11.125 description types the human-readable quota as MB or "None".
        "humandiskquota": box.quota_mb if quota else "None",
        "humandiskused": f"{used_mb} MB" if used_mb else f"{box.used_bytes} bytes",
        "login": box.address,
        "mtime": box.mtime,
        "suspended_incoming": 0,
        "suspended_login": 0,
        "suspended_outgoing": 0,
        "txtdiskquota": box.quota_mb if quota else "unlimited",
        "user": box.user,
    }


@uapi_function(
    MODULE,
    "list_pops_with_disk",
    samples=[{}, {"domain": "example.com"}, {"email": DEMO_MAILBOX, "domain": "example.com"}, {"regex": "sal", "infinitylang": "∞"}],
)
def list_pops_with_disk(ctx: UapiContext, args: Args) -> UapiOutcome:
    pattern = _regex(args)
    domain = args.get("domain")
    email = args.get("email")
    records = []
    for address, box in sorted(email_state(ctx.account).mailboxes.items()):
        if domain and box.domain != domain.lower():
            continue
        if email and email.lower() not in (box.user, box.address):
            continue
        if pattern is not None and not pattern.search(address):
            continue
        records.append(_disk_record(box, args))
    maximum = args.get("maxaccounts")
    if maximum and maximum.isdigit() and int(maximum) > 0:
        records = records[: int(maximum)]
    return UapiOutcome.ok(records)


@uapi_function(MODULE, "get_disk_usage", samples=[{"user": DEMO_MAILBOX, "domain": "example.com"}])
def get_disk_usage(ctx: UapiContext, args: Args) -> UapiOutcome:
    user, domain = _required(args, "user").lower(), _owned_domain(ctx.account, _required(args, "domain"))
    box = email_state(ctx.account).mailboxes.get(f"{user}@{domain}")
    if box is None:
        raise UapiError(f"The email account “{user}@{domain}” does not exist.")
    # Megabytes; the description says unlimited-quota mailboxes report 0.
    used = round(box.used_bytes / MIB, 2) if box.quota_mb else 0
    return UapiOutcome.ok({"diskused": used, "domain": domain, "login": box.address, "user": user})


@uapi_function(MODULE, "list_mail_domains", samples=[{}, {"select": "example.com"}])
def list_mail_domains(ctx: UapiContext, args: Args) -> UapiOutcome:
    selected = args.get("select")
    records = []
    for domain in _mail_domains(ctx.account):
        names = [domain, f"www.{domain}"] if args.get("add_www") == "1" else [domain]
        if args.get("include_wildcard") == "1":
            names.append(f"*.{domain}")
        for name in names:
            record: dict = {"domain": name}
            if selected:
                record["select"] = 1 if name == selected else 0
            records.append(record)
    return UapiOutcome.ok(records)


# ---------------------------------------------------------------- forwarders


def _forward_address(account: CpanelAccount, args: Args) -> tuple[str, str]:
    domain = _owned_domain(account, _required(args, "domain"))
    local, at, given_domain = _required(args, "email").strip().lower().partition("@")
    if at and given_domain != domain:
        raise UapiError(f"The address “{local}@{given_domain}” is not on the domain “{domain}”.")
    if not _LOCAL_PART.match(local):
        raise UapiError(f"“{local}” is not a valid email address.")
    return f"{local}@{domain}", domain


@uapi_function(
    MODULE,
    "add_forwarder",
    samples=[
        {"domain": "example.com", "email": "fwd@example.com", "fwdopt": "fwd", "fwdemail": "a@example.net,b@example.net"},
        {"domain": "example.com", "email": "nobody", "fwdopt": "fail", "failmsgs": "No such person"},
        {"domain": "example.com", "email": "spam", "fwdopt": "blackhole"},
    ],
)
def add_forwarder(ctx: UapiContext, args: Args) -> UapiOutcome:
    address, domain = _forward_address(ctx.account, args)
    option = _required(args, "fwdopt")
    if option not in _FWD_OPTS:
        raise UapiError(f"“{option}” is not a valid forwarding method ({', '.join(_FWD_OPTS)}).")
    if option == "fwd":
        destinations = [d.strip() for d in _required(args, "fwdemail").split(",") if d.strip()]
    elif option == "fail":
        destinations = [f":fail: {args.get('failmsgs') or 'No such person at this address'}"]
    elif option == "blackhole":
        destinations = [":blackhole:"]
    elif option == "pipe":
        destinations = [f"|{ctx.account.home}/{_required(args, 'pipefwd').lstrip('/')}"]
    else:
        destinations = [_required(args, "fwdsystem")]
    state = email_state(ctx.account)
    records = []
    for destination in destinations:
        if (address, destination) not in state.forwarders:
            state.forwarders.append((address, destination))
        records.append({"domain": domain, "email": address, "forward": destination})
    return UapiOutcome.ok(records)


@uapi_function(MODULE, "delete_forwarder", samples=[{"address": f"{DEMO_FORWARD_FROM}@example.com", "forwarder": DEMO_FORWARD_TO}])
def delete_forwarder(ctx: UapiContext, args: Args) -> UapiOutcome:
    address, forwarder = _required(args, "address").lower(), _required(args, "forwarder")
    state = email_state(ctx.account)
    if (address, forwarder) not in state.forwarders:
        raise UapiError(f"The forwarder “{address}” to “{forwarder}” does not exist.")
    state.forwarders.remove((address, forwarder))
    return UapiOutcome.ok()


@uapi_function(MODULE, "list_forwarders", samples=[{"domain": "example.com"}, {"domain": "example.com", "regex": "sales"}])
def list_forwarders(ctx: UapiContext, args: Args) -> UapiOutcome:
    domain = _owned_domain(ctx.account, _required(args, "domain"))
    pattern = _regex(args)
    records = []
    for address, destination in email_state(ctx.account).forwarders:
        if not address.endswith("@" + domain):
            continue
        if pattern is not None and not (pattern.search(address) or pattern.search(destination)):
            continue
        records.append({
            "dest": address,
            "forward": destination,
            "html_dest": address,
            "html_forward": destination,
            "uri_dest": address.replace("@", "%40"),
            "uri_forward": destination.replace("@", "%40"),
        })
    return UapiOutcome.ok(records)


# ---------------------------------------------------------------- MX records


def _priority(args: Args, name: str) -> int:
    text = _required(args, name)
    if not text.isdigit():
        raise UapiError(f"The “{name}” parameter must be a whole number, not “{text}”.")
    return int(text)


def _mx_answer(state: EmailState, domain: str, changed: int, statusmsg: str) -> dict:
    mode = state.always_accept.get(domain, "local")
    return {
        "checkmx": {
            "changed": changed,
            "detected": mode,
            "isprimary": 1 if mode == "local" else 0,
            "issecondary": 1 if mode == "secondary" else 0,
            "local": 1 if mode == "local" else 0,
            "mxcheck": mode,
            "remote": 1 if mode == "remote" else 0,
            "secondary": 1 if mode == "secondary" else 0,
            "warnings": [],
        },
        "results": statusmsg,
        "status": 1,
        "statusmsg": statusmsg,
    }


@uapi_function(
    MODULE,
    "add_mx",
    samples=[
        {"domain": "example.com", "exchanger": "mx2.example.com", "priority": "10"},
        {"domain": "example.com", "exchanger": "backup.example.net", "priority": "20", "alwaysaccept": "0"},
    ],
)
def add_mx(ctx: UapiContext, args: Args) -> UapiOutcome:
    domain = _owned_domain(ctx.account, _required(args, "domain"))
    exchanger = _required(args, "exchanger").strip().lower().rstrip(".")
    priority = _priority(args, "priority")
    state = email_state(ctx.account)
    records = state.mx.setdefault(domain, [])
    if any(r.exchanger == exchanger and r.priority == priority for r in records):
        raise UapiError(f"The MX record “{exchanger}” with priority “{priority}” already exists for “{domain}”.")
    records.append(MxRecord(exchanger, priority))
    if args.get("alwaysaccept") == "1":
        state.always_accept[domain] = "local"
    return UapiOutcome.ok(_mx_answer(state, domain, 1, f"Added entry: {domain}. IN MX {priority} {exchanger}."))


@uapi_function(MODULE, "delete_mx", samples=[{"domain": "example.com", "exchanger": "mail.example.com", "priority": "0"}])
def delete_mx(ctx: UapiContext, args: Args) -> UapiOutcome:
    domain = _owned_domain(ctx.account, _required(args, "domain"))
    exchanger = _required(args, "exchanger").strip().lower().rstrip(".")
    priority = _priority(args, "priority")
    state = email_state(ctx.account)
    records = state.mx.get(domain, [])
    found = [r for r in records if r.exchanger == exchanger and r.priority == priority]
    if not found:
        raise UapiError(f"The MX record “{exchanger}” with priority “{priority}” does not exist for “{domain}”.")
    records.remove(found[0])
    return UapiOutcome.ok(_mx_answer(state, domain, 1, f"Removed entry: {domain}. IN MX {priority} {exchanger}."))
