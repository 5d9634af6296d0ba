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
from dataclasses import dataclass, field

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from ..state import MIB, CpanelAccount
from ._regex import regex_arg

MODULE = "Email"
DEMO_MAILBOX = "info"
DEMO_MAILBOX_QUOTA_MB = 250
DEMO_MAILBOX_USED_BYTES = 12 * MIB
DEMO_FORWARD_FROM = "sales"
DEMO_FORWARD_TO = "boss@example.net"
DEMO_MX = "mail"
DEMO_MTIME = 1_700_000_000
MAIN_LOGIN = "Main Account"
DEMO_RESPONDER = "away"
DEMO_FILTER = "coffee"
DEMO_LIST = "news"
DEFAULT_QUOTA_MIB = 1024
MAX_QUOTA_MIB = 4096
CHARMAPS = ("iso-8859-1", "us-ascii", "utf-8", "windows-1252")
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
class AutoResponder:
    subject: str
    body: str
    sender: str
    interval: int = 8  # hours between replies to one sender
    is_html: int = 0
    charset: str = "utf-8"
    start: int = DEMO_MTIME
    stop: int = DEMO_MTIME + 14 * 86_400


@dataclass(slots=True)
class MailFilter:
    name: str
    rules: list[dict]  # {part, match, val, opt}
    actions: list[dict]  # {action, dest}
    enabled: bool = True


@dataclass(slots=True)
class MailingList:
    name: str
    domain: str
    admin: str
    diskused: int = 0

    @property
    def address(self) -> str:
        return f"{self.name}@{self.domain}"


@dataclass(slots=True)
class EmailState:
    mailboxes: dict[str, Mailbox] = field(default_factory=dict)  # address -> mailbox
    forwarders: list[tuple[str, str]] = field(default_factory=list)  # (address, destination)
    mx: dict[str, list[MxRecord]] = field(default_factory=dict)  # domain -> records
    always_accept: dict[str, str] = field(default_factory=dict)  # domain -> auto|local|secondary|remote
    default_address: dict[str, str] = field(default_factory=dict)  # domain -> destination of unrouted mail
    domain_forwarders: dict[str, str] = field(default_factory=dict)  # domain -> destination domain
    auto_responders: dict[str, AutoResponder] = field(default_factory=dict)  # address -> responder
    filters: dict[str, list[MailFilter]] = field(default_factory=dict)  # owner (account or address) -> filters
    lists: list[MailingList] = field(default_factory=list)
    list_delegates: dict[str, set[str]] = field(default_factory=dict)  # list address -> delegated addresses

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
        state.default_address[account.domain] = account.user
        state.auto_responders[f"{DEMO_RESPONDER}@{account.domain}"] = AutoResponder(
            "Out of office", "Back on Monday.", "Demo User"
        )
        state.filters[account.user] = [
            MailFilter(
                DEMO_FILTER,
                [{"part": "$header_subject:", "match": "contains", "val": "coffee", "opt": "or"}],
                [{"action": "save", "dest": "/dev/null"}],
            )
        ]
        state.lists.append(MailingList(DEMO_LIST, account.domain, f"admin@{account.domain}", 4096))
        state.list_delegates[f"{DEMO_LIST}@{account.domain}"] = {f"{DEMO_MAILBOX}@{account.domain}"}
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
    pattern = regex_arg(args)
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
    pattern = regex_arg(args)
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
    pattern = regex_arg(args)
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


@uapi_function(MODULE, "change_mx", samples=[
    {"domain": "example.com", "exchanger": "mx9.example.com", "oldexchanger": "mail.example.com", "priority": "5"},
    {"domain": "example.com", "exchanger": "mail.example.com", "oldexchanger": "mail.example.com", "priority": "10", "oldpriority": "0"},
])
def change_mx(ctx: UapiContext, args: Args) -> UapiOutcome:
    domain = _owned_domain(ctx.account, _required(args, "domain"))
    exchanger = _required(args, "exchanger").strip().lower().rstrip(".")
    old = _required(args, "oldexchanger").strip().lower().rstrip(".")
    priority = _priority(args, "priority")
    old_priority = _priority(args, "oldpriority") if args.get("oldpriority") else None
    state = email_state(ctx.account)
    found = [r for r in state.mx.get(domain, []) if r.exchanger == old and old_priority in (None, r.priority)]
    if not found:
        raise UapiError(f"The MX record “{old}” does not exist for “{domain}”.")
    found[0].exchanger, found[0].priority = exchanger, priority
    if args.get("alwaysaccept") == "1":
        state.always_accept[domain] = "local"
    return UapiOutcome.ok(_mx_answer(state, domain, 1, f"Changed entry: {domain}. IN MX {priority} {exchanger}."))


def _mx_listing(state: EmailState, domain: str) -> dict:
    mode = state.always_accept.get(domain, "local")
    records = sorted(state.mx.get(domain, []), key=lambda r: (r.priority, r.exchanger))
    entries = [
        {"domain": domain, "entrycount": n, "mx": r.exchanger, "priority": r.priority, "row": "odd" if n % 2 else "even"}
        for n, r in enumerate(records, start=1)
    ]
    return {
        "alwaysaccept": 1 if mode == "local" else 0,
        "detected": mode,
        "domain": domain,
        "entries": entries,
        "local": 1 if mode == "local" else 0,
        "mx": records[0].exchanger if records else domain,
        "mxcheck": mode,
        "remote": 1 if mode == "remote" else 0,
        "secondary": 1 if mode == "secondary" else 0,
        "status": 1,
        "statusmsg": "Fetched MX List",
    }


@uapi_function(MODULE, "list_mxs", samples=[{}, {"domain": "example.com"}])
def list_mxs(ctx: UapiContext, args: Args) -> UapiOutcome:
    state = email_state(ctx.account)
    domains = [_owned_domain(ctx.account, args["domain"])] if args.get("domain") else _mail_domains(ctx.account)
    return UapiOutcome.ok([_mx_listing(state, d) for d in domains])


_MX_MODES = ("auto", "local", "secondary", "remote")


@uapi_function(MODULE, "set_always_accept", samples=[
    {"domain": "example.com", "alwaysaccept": "remote"}, {"domain": "example.com", "mxcheck": "auto"},
])
def set_always_accept(ctx: UapiContext, args: Args) -> UapiOutcome:
    domain = _owned_domain(ctx.account, _required(args, "domain"))
    mode = args.get("mxcheck") or args.get("alwaysaccept") or ""
    if mode not in _MX_MODES:
        raise UapiError(f"“{mode}” is not a valid mail exchanger type ({', '.join(_MX_MODES)}).")
    state = email_state(ctx.account)
    state.always_accept[domain] = mode
    detected = "local" if mode == "auto" else mode
    answer = _mx_answer(state, domain, 1, f"Set the mail exchanger type of “{domain}” to “{mode}”.")
    answer["checkmx"].update(detected=detected, mxcheck=mode)
    flags = {"local": 1 if detected == "local" else 0, "remote": 1 if detected == "remote" else 0,
             "secondary": 1 if detected == "secondary" else 0}
    return UapiOutcome.ok({**answer, **flags, "detected": detected, "mxcheck": mode})


# ---------------------------------------------------------------- account-wide settings and small lists


@uapi_function(MODULE, "account_name", samples=[{"account": "info@example.com"}, {"account": "info@example.com", "display": "1"}])
def account_name(ctx: UapiContext, args: Args) -> UapiOutcome:
    account = args.get("account", "")
    if account:
        return UapiOutcome.ok(account)
    # cPanel's words for the account-wide mailbox in its interface.
    return UapiOutcome.ok("All Mail On Your Account" if args.get("display") else ctx.account.user)


@uapi_function(MODULE, "fetch_charmaps", samples=[{}])
def fetch_charmaps(ctx: UapiContext, args: Args) -> UapiOutcome:
    return UapiOutcome.ok([{"map": name} for name in CHARMAPS])


@uapi_function(MODULE, "get_default_email_quota", samples=[{}])
def get_default_email_quota(ctx: UapiContext, args: Args) -> UapiOutcome:
    return UapiOutcome.ok(DEFAULT_QUOTA_MIB * MIB)


@uapi_function(MODULE, "get_default_email_quota_mib", samples=[{}])
def get_default_email_quota_mib(ctx: UapiContext, args: Args) -> UapiOutcome:
    return UapiOutcome.ok(DEFAULT_QUOTA_MIB)


@uapi_function(MODULE, "get_max_email_quota", samples=[{}])
def get_max_email_quota(ctx: UapiContext, args: Args) -> UapiOutcome:
    return UapiOutcome.ok(MAX_QUOTA_MIB * MIB)


@uapi_function(MODULE, "get_max_email_quota_mib", samples=[{}])
def get_max_email_quota_mib(ctx: UapiContext, args: Args) -> UapiOutcome:
    return UapiOutcome.ok(MAX_QUOTA_MIB)


@uapi_function(MODULE, "list_system_filter_info", samples=[{}])
def list_system_filter_info(ctx: UapiContext, args: Args) -> UapiOutcome:
    return UapiOutcome.ok({"filter_info": f"{ctx.account.home}/etc/{ctx.account.domain}/filter"})


def _backup_domains(ctx: UapiContext) -> UapiOutcome:
    """Domains whose forwarders or filters can be backed up: every mail domain."""
    return UapiOutcome.ok([{"domain": d} for d in _mail_domains(ctx.account)])


@uapi_function(MODULE, "list_forwarders_backups", samples=[{}])
def list_forwarders_backups(ctx: UapiContext, args: Args) -> UapiOutcome:
    return _backup_domains(ctx)


@uapi_function(MODULE, "list_filters_backups", samples=[{}])
def list_filters_backups(ctx: UapiContext, args: Args) -> UapiOutcome:
    return _backup_domains(ctx)


@uapi_function(MODULE, "list_default_address", samples=[{"user": "user"}, {"user": "user", "domain": "example.com"}])
def list_default_address(ctx: UapiContext, args: Args) -> UapiOutcome:
    if _required(args, "user") != ctx.account.user:
        raise UapiError(f"The user “{args['user']}” is not this account.")
    state = email_state(ctx.account)
    domains = [_owned_domain(ctx.account, args["domain"])] if args.get("domain") else _mail_domains(ctx.account)
    return UapiOutcome.ok([{"defaultaddress": state.default_address.get(d, ctx.account.user), "domain": d} for d in domains])


@uapi_function(MODULE, "set_default_address", samples=[
    {"domain": "example.com", "fwdopt": "fwd", "fwdemail": "catchall@example.net"},
    {"fwdopt": "fail", "failmsgs": "No such person"},
    {"domain": "example.com", "fwdopt": "blackhole"},
])
def set_default_address(ctx: UapiContext, args: Args) -> UapiOutcome:
    domain = _owned_domain(ctx.account, args.get("domain") or ctx.account.domain)
    option = _required(args, "fwdopt")
    if option == "fwd":
        dest = _required(args, "fwdemail")
    elif option == "fail":
        dest = f":fail: {args.get('failmsgs') or 'No such person at this address'}"
    elif option == "blackhole":
        dest = ":blackhole:"
    elif option == "pipe":
        dest = f"|{ctx.account.home}/{_required(args, 'pipefwd').lstrip('/')}"
    elif option == "system":
        dest = _required(args, "fwdsystem")
    else:
        raise UapiError(f"“{option}” is not a valid forwarding method ({', '.join(_FWD_OPTS)}).")
    email_state(ctx.account).default_address[domain] = dest
    return UapiOutcome.ok([{"dest": dest, "domain": domain}])


@uapi_function(MODULE, "add_domain_forwarder", samples=[{"domain": "example.com", "destdomain": "example.net"}])
def add_domain_forwarder(ctx: UapiContext, args: Args) -> UapiOutcome:
    domain = _owned_domain(ctx.account, _required(args, "domain"))
    destination = _required(args, "destdomain").strip().lower()
    if destination == domain:
        raise UapiError(f"The domain “{domain}” cannot forward to itself.")
    email_state(ctx.account).domain_forwarders[domain] = destination
    return UapiOutcome.ok(f"All mail for “{domain}” now goes to “{destination}”.", messages=None)


@uapi_function(MODULE, "list_domain_forwarders", samples=[{}, {"domain": "example.com"}])
def list_domain_forwarders(ctx: UapiContext, args: Args) -> UapiOutcome:
    wanted = args.get("domain")
    records = [
        {"dest": domain, "forward": destination}
        for domain, destination in sorted(email_state(ctx.account).domain_forwarders.items())
        if not wanted or domain == wanted.lower()
    ]
    return UapiOutcome.ok(records)


@uapi_function(MODULE, "list_lists", samples=[{}, {"domain": "example.com", "regex": "new"}])
def list_lists(ctx: UapiContext, args: Args) -> UapiOutcome:
    pattern = regex_arg(args)
    wanted = args.get("domain")
    records = [
        {
            "accesstype": "public",
            "advertised": 1,
            "archive_private": 0,
            "desthost": mailing_list.domain,
            "diskused": mailing_list.diskused,
            "humandiskused": f"{mailing_list.diskused // 1024} KB",
            "list": mailing_list.address,
            "listadmin": mailing_list.admin,
            "listid": f"{mailing_list.name}_{mailing_list.domain}",
            "subscribe_policy": 1,
        }
        for mailing_list in email_state(ctx.account).lists
        if (not wanted or mailing_list.domain == wanted.lower())
        and (pattern is None or pattern.search(mailing_list.address))
    ]
    return UapiOutcome.ok(records)


@uapi_function(MODULE, "has_delegated_mailman_lists", samples=[
    {"delegate": f"{DEMO_MAILBOX}@example.com"}, {"delegate": f"{DEMO_FORWARD_FROM}@example.com"}, {"delegate": "user"}])
def has_delegated_mailman_lists(ctx: UapiContext, args: Args) -> UapiOutcome:
    """1 when a mailing list names `delegate` as an administrator; cPanel's texts."""
    delegate = args.get("delegate", "")
    if not delegate:
        raise UapiError("The “delegate” parameter is required.")
    if delegate == ctx.account.user:
        return UapiOutcome.ok(0)
    _, _, domain = delegate.partition("@")
    if not domain:
        raise UapiError("The “delegate” parameter must be in email address format.")
    if domain not in _mail_domains(ctx.account):
        raise UapiError(f"“{domain}” is not a domain that you control.")
    delegated = any(delegate in names for names in email_state(ctx.account).list_delegates.values())
    return UapiOutcome.ok(int(delegated))


# ---------------------------------------------------------------- auto-responders


def _responder_address(ctx: UapiContext, args: Args) -> str:
    address = _required(args, "email").strip().lower()
    if "@" not in address:
        raise UapiError(f"“{address}” is not a full email address.")
    return address


@uapi_function(MODULE, "list_auto_responders", samples=[{"domain": "example.com"}, {"domain": "example.com", "regex": "away"}])
def list_auto_responders(ctx: UapiContext, args: Args) -> UapiOutcome:
    domain = _owned_domain(ctx.account, _required(args, "domain"))
    pattern = regex_arg(args)
    records = [
        {"email": address, "subject": responder.subject}
        for address, responder in sorted(email_state(ctx.account).auto_responders.items())
        if address.endswith("@" + domain) and (pattern is None or pattern.search(address))
    ]
    return UapiOutcome.ok(records)


@uapi_function(MODULE, "get_auto_responder", samples=[{"email": f"{DEMO_RESPONDER}@example.com"}])
def get_auto_responder(ctx: UapiContext, args: Args) -> UapiOutcome:
    address = _responder_address(ctx, args)
    responder = email_state(ctx.account).auto_responders.get(address)
    if responder is None:
        raise UapiError(f"The auto-responder for “{address}” does not exist.")
    return UapiOutcome.ok({
        "body": responder.body,
        "charset": args.get("temp_charset") or responder.charset,
        "from": responder.sender,
        "interval": responder.interval,
        "is_html": responder.is_html,
        "start": responder.start,
        "stop": responder.stop,
        "subject": responder.subject,
    })


# ---------------------------------------------------------------- filters

_FILTER_PARTS = ("$header_from:", "$header_subject:", "$header_to:", "$reply_address:", "$message_body",
                 "$message_headers", "foranyaddress $h_to:,$h_cc:,$h_bcc:", "not delivered", "error_message")
_FILTER_MATCHES = ("is", "matches", "contains", "does not contain", "begins", "does not begin", "ends",
                   "does not end", "does not match", "is above", "is not above", "is below", "is not below")
_FILTER_ACTIONS = ("deliver", "fail", "finish", "save", "pipe")


def _filter_owner(ctx: UapiContext, args: Args, *, required: bool = True) -> str:
    """Filters belong to the cPanel account (its name) or to one mailbox (its address)."""
    owner = (_required(args, "account") if required else args.get("account") or ctx.account.user).strip().lower()
    if owner != ctx.account.user and owner not in email_state(ctx.account).mailboxes:
        raise UapiError(f"The account “{owner}” does not exist.")
    return owner


def _find_filter(ctx: UapiContext, args: Args) -> tuple[list[MailFilter], MailFilter]:
    owner = _filter_owner(ctx, args)
    name = _required(args, "filtername")
    filters = email_state(ctx.account).filters.setdefault(owner, [])
    for mail_filter in filters:
        if mail_filter.name == name:
            return filters, mail_filter
    raise UapiError(f"The filter “{name}” does not exist.")


def _filter_record(mail_filter: MailFilter) -> dict:
    return {
        "actions": [{"action": a["action"], "dest": a["dest"]} for a in mail_filter.actions],
        "enabled": 1 if mail_filter.enabled else 0,
        "filtername": mail_filter.name,
        "rules": [dict(r) for r in mail_filter.rules],
        "unescaped": True,
    }


@uapi_function(MODULE, "list_filters", samples=[{}, {"account": "user"}])
def list_filters(ctx: UapiContext, args: Args) -> UapiOutcome:
    owner = _filter_owner(ctx, args, required=False)
    return UapiOutcome.ok([_filter_record(f) for f in email_state(ctx.account).filters.get(owner, [])])


@uapi_function(MODULE, "get_filter", samples=[{"account": "user", "filtername": DEMO_FILTER}])
def get_filter(ctx: UapiContext, args: Args) -> UapiOutcome:
    _, mail_filter = _find_filter(ctx, args)
    return UapiOutcome.ok({
        "actions": [{**a, "number": n} for n, a in enumerate(mail_filter.actions, start=1)],
        "filtername": mail_filter.name,
        "metadata": {"transformed": 1},
        "rules": [{**r, "number": n} for n, r in enumerate(mail_filter.rules, start=1)],
    })


@uapi_function(MODULE, "delete_filter", samples=[{"account": "user", "filtername": DEMO_FILTER}])
def delete_filter(ctx: UapiContext, args: Args) -> UapiOutcome:
    filters, mail_filter = _find_filter(ctx, args)
    filters.remove(mail_filter)
    # cPanel's API 2 deletefilter reads the name back from this answer.
    return UapiOutcome.ok({"filtername": mail_filter.name})


def _set_enabled(ctx: UapiContext, args: Args, enabled: bool) -> UapiOutcome:
    _, mail_filter = _find_filter(ctx, args)
    updated = 1 if mail_filter.enabled != enabled else 0
    mail_filter.enabled = enabled
    return UapiOutcome.ok({"filtername": mail_filter.name, "updated": updated})


@uapi_function(MODULE, "disable_filter", samples=[{"account": "user", "filtername": DEMO_FILTER}])
def disable_filter(ctx: UapiContext, args: Args) -> UapiOutcome:
    return _set_enabled(ctx, args, False)


@uapi_function(MODULE, "enable_filter", samples=[{"account": "user", "filtername": DEMO_FILTER}])
def enable_filter(ctx: UapiContext, args: Args) -> UapiOutcome:
    return _set_enabled(ctx, args, True)


def _numbered(args: Args, prefix: str) -> dict[int, str]:
    return {int(k[len(prefix):]): args[k] for k in args if k.startswith(prefix) and k[len(prefix):].isdigit()}


@uapi_function(MODULE, "store_filter", samples=[
    {"filtername": "spam", "part1": "$header_subject:", "match1": "contains", "val1": "viagra", "opt1": "or",
     "action1": "save", "dest1": "/dev/null"},
    {"account": "info@example.com", "filtername": "boss", "part1": "$header_from:", "match1": "is",
     "val1": "boss@example.net", "action1": "deliver", "dest1": "info@example.com"},
])
def store_filter(ctx: UapiContext, args: Args) -> UapiOutcome:
    owner = _filter_owner(ctx, args, required=False)
    name = _required(args, "filtername")
    parts, matches, values, opts = (_numbered(args, p) for p in ("part", "match", "val", "opt"))
    actions, dests = _numbered(args, "action"), _numbered(args, "dest")
    if not parts or not actions:
        raise UapiError("A filter needs at least one rule and one action.")
    rules = []
    for n in sorted(parts):
        if parts[n] not in _FILTER_PARTS or matches.get(n) not in _FILTER_MATCHES:
            raise UapiError(f"Rule {n} of the filter “{name}” is not valid.")
        rules.append({"part": parts[n], "match": matches[n], "val": values.get(n, ""), "opt": opts.get(n, "or")})
    steps = []
    for n in sorted(actions):
        if actions[n] not in _FILTER_ACTIONS:
            raise UapiError(f"“{actions[n]}” is not a valid filter action.")
        steps.append({"action": actions[n], "dest": dests.get(n, "")})
    filters = email_state(ctx.account).filters.setdefault(owner, [])
    replaced = args.get("oldfiltername") or name
    filters[:] = [f for f in filters if f.name != replaced]
    filters.append(MailFilter(name, rules, steps))
    # The description types `account` as an address; the account-wide owner is shown as
    # its primary-domain address (assumed).
    return UapiOutcome.ok({"account": owner if "@" in owner else f"{owner}@{ctx.account.domain}"})


@uapi_function(MODULE, "reorder_filters", samples=[{"mailbox": "user", "filter1": DEMO_FILTER}])
def reorder_filters(ctx: UapiContext, args: Args) -> UapiOutcome:
    owner = _filter_owner(ctx, Args.of(account=_required(args, "mailbox")))
    order = [name for _, name in sorted(_numbered(args, "filter").items())]
    filters = email_state(ctx.account).filters.setdefault(owner, [])
    known = {f.name: f for f in filters}
    if sorted(order) != sorted(known):
        raise UapiError("The new order must name every filter of the mailbox exactly once.")
    filters[:] = [known[name] for name in order]
    return UapiOutcome.ok()


@uapi_function(MODULE, "trace_filter", samples=[{"msg": "Subject: coffee\n\nhello"}, {"msg": "hi", "account": "user"}])
def trace_filter(ctx: UapiContext, args: Args) -> UapiOutcome:
    message = _required(args, "msg")
    owner = _filter_owner(ctx, args, required=False)
    lines = []
    for mail_filter in email_state(ctx.account).filters.get(owner, []):
        hit = any(rule["val"].lower() in message.lower() for rule in mail_filter.rules)
        lines.append(f"Filter “{mail_filter.name}”: {'matched' if hit else 'no match'}")
    return UapiOutcome.ok({"trace": "\n".join(lines) or "No filters."})


# ---------------------------------------------------------------- mailbox browsing


@uapi_function(MODULE, "browse_mailbox", samples=[{}, {"account": "info@example.com"}, {"dir": "mail", "showdotfiles": "1"}])
def browse_mailbox(ctx: UapiContext, args: Args) -> UapiOutcome:
    account = args.get("account", "")
    base = f"{ctx.account.home}/mail"
    if account:
        user, _, domain = account.lower().partition("@")
        if f"{user}@{domain}" not in email_state(ctx.account).mailboxes:
            raise UapiError(f"The email account “{account}” does not exist.")
        base = f"{base}/{domain}/{user}"
    boxes = ["cur", "new", "tmp"] + ([".Sent", ".Trash"] if args.get("showdotfiles") == "1" else [])
    records = [{
        "depth": 1, "file": box, "fullpath": f"{base}/{box}", "isleaf": 1, "ismailbox": 1, "mtime": DEMO_MTIME,
        "path": base, "relpath": f"{base[len(ctx.account.home) + 1:]}/{box}", "type": "dir",
    } for box in boxes]
    return UapiOutcome.ok(records)
