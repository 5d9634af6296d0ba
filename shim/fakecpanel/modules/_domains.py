"""The account's web domains, shared by the fake's AddonDomain, Park, SubDomain,
DomainLookup and ZoneEdit modules (a helper: `load_all` skips files starting with `_`).

cPanel's model, kept here: the primary domain serves `public_html`; a subdomain is
`label.rootdomain` with its own document root; a parked domain (alias) is parked on the
primary domain or on a subdomain, and one parked on a subdomain is what cPanel calls an
addon domain. Addon and parked domains are mirrored into `CpanelAccount.other_domains`,
which the FTP module uses for `owns_domain`.

A server profile can disable the Web Server role, and cPanel then refuses these
functions: set `domains(account).role_disabled = True` and every domain function of that
account fails with ROLE_DISABLED (the fake's wording).

Demo seed (the demo account `user` only, created on first use): subdomain
`blog.example.com` (public_html/blog), addon domain `shop.test` on subdomain
`shop.example.com` (public_html/shop) and parked domain `example.net`.
Error texts are the fake's own wording where cPanel's is not documented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial

from ..registry import Api2Outcome, Args, UapiContext, UapiError, api2_function
from ..state import USER, CpanelAccount

MODULE_KEY = "Domains"
PUBLIC_HTML = "public_html"
NOT_REDIRECTED = "not redirected"
ROLE_DISABLED = "This function requires the “Web Server” role, which this server has disabled."

_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$")


@dataclass(slots=True)
class Subdomain:
    label: str
    rootdomain: str
    dir: str  # relative to the home directory

    @property
    def fqdn(self) -> str:
        return f"{self.label}.{self.rootdomain}"

    @property
    def domainkey(self) -> str:
        """cPanel's underscore form (`label_rootdomain`), the key of the userdata file."""
        return f"{self.label}_{self.rootdomain}"


@dataclass(slots=True)
class Domains:
    main: str
    subdomains: dict[str, Subdomain] = field(default_factory=dict)  # fqdn -> subdomain
    parked: dict[str, str | None] = field(default_factory=dict)  # domain -> subdomain fqdn (None = primary)
    role_disabled: bool = False

    def addons(self) -> dict[str, Subdomain]:
        return {d: self.subdomains[t] for d, t in sorted(self.parked.items()) if t is not None}

    def aliases(self) -> list[str]:
        return sorted(d for d, t in self.parked.items() if t is None)

    def base_domains(self) -> list[str]:
        return sorted([self.main, *self.parked])

    def docroot(self, domain: str) -> str | None:
        """The document root relative to home, or None for a domain the account lacks."""
        if domain == self.main or self.parked.get(domain, "") is None:
            return PUBLIC_HTML
        if domain in self.parked:
            return self.subdomains[self.parked[domain]].dir
        if domain in self.subdomains:
            return self.subdomains[domain].dir
        return None

    def exists(self, domain: str) -> bool:
        return domain == self.main or domain in self.parked or domain in self.subdomains


def domains(account: CpanelAccount) -> Domains:
    """The account's domains; raises ROLE_DISABLED when the Web Server role is off."""
    state = account.module_state(MODULE_KEY, _seed)
    if state.role_disabled:
        raise UapiError(ROLE_DISABLED)
    return state


def _seed(account: CpanelAccount) -> Domains:
    state = Domains(main=account.domain)
    if account.user == USER:
        for label, directory in (("blog", "public_html/blog"), ("shop", "public_html/shop")):
            sub = Subdomain(label, account.domain, directory)
            state.subdomains[sub.fqdn] = sub
        park(account, state, "shop.test", f"shop.{account.domain}")
        park(account, state, "example.net", None)
    return state


def park(account: CpanelAccount, state: Domains, domain: str, target: str | None) -> None:
    state.parked[domain] = target
    if domain not in account.other_domains:
        account.other_domains.append(domain)


def unpark(account: CpanelAccount, state: Domains, domain: str) -> None:
    state.parked.pop(domain, None)
    if domain in account.other_domains:
        account.other_domains.remove(domain)


def valid_domain(text: str) -> str:
    """cPanel lowercases a new domain and drops a leading `www.` before validating it."""
    domain = text.strip().lower().rstrip(".")
    if domain.startswith("www."):
        domain = domain[4:]
    if not _DOMAIN.match(domain):
        raise UapiError(f"“{text}” is not a valid domain.")
    return domain


def valid_label(text: str, disallowdot: bool) -> str:
    label = text.strip().lower()
    if disallowdot:
        label = label.replace(".", "")
    label = label.rstrip(".")
    if "*" in label:
        raise UapiError("You cannot create a wildcard subdomain.")
    if not label or not all(_LABEL.match(part) for part in label.split(".")):
        raise UapiError(f"“{text}” is not a valid subdomain label.")
    return label


def relative_dir(account: CpanelAccount, text: str | None, default: str) -> str:
    """A document root relative to home: `..` removed, slashes collapsed, home prefix dropped."""
    if not text:
        return default
    directory = text.replace("..", "")
    if directory.startswith(account.home + "/"):
        directory = directory[len(account.home) + 1:]
    return re.sub(r"/+", "/", directory).strip("/") or default


def required(value: str | None, name: str) -> str:
    if not value:
        raise UapiError(f"You must specify the “{name}” parameter.")
    return value


def regex_filter(pattern: str | None):
    if not pattern:
        return lambda name: True
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error:
        raise UapiError(f"Invalid regular expression “{pattern}”.") from None
    return lambda name: compiled.search(name) is not None


def add_subdomain(account: CpanelAccount, state: Domains, label: str, rootdomain: str, directory: str | None) -> Subdomain:
    if rootdomain != state.main and rootdomain not in state.parked:
        raise UapiError(f"The domain “{rootdomain}” does not belong to this account.")
    sub = Subdomain(label, rootdomain, relative_dir(account, directory, f"{PUBLIC_HTML}/{label}"))
    if sub.fqdn in state.subdomains or state.exists(sub.fqdn):
        raise UapiError(f"The subdomain “{sub.fqdn}” already exists.")
    state.subdomains[sub.fqdn] = sub
    return sub


def doc_record(account: CpanelAccount, directory: str) -> dict[str, str]:
    return {"dir": f"{account.home}/{directory}", "basedir": directory, "reldir": f"home:{directory}"}


def https_fields(args_value: str | None) -> dict[str, int]:
    """The HTTPS-redirect fields, only when the caller asked (return_https_redirect_status=1)."""
    return {"can_https_redirect": 1, "is_https_redirecting": 0} if args_value == "1" else {}


def flag(value: str | None) -> bool:
    return value not in (None, "", "0")


# ---------------------------------------------------------------- native API 2
# Servers older than 11.137 answered these API 2 functions themselves (the shim passes
# them through there); the fake answers them from the same state, records unchanged and
# actions as one {result, reason} row, so pass-through is testable end to end.


def _native(ctx: UapiContext, args: Args, *, module: str, func: str, records: bool, reason: str) -> Api2Outcome:
    outcome = ctx.call(module, func, args)
    error = "\n".join(outcome.errors or []) if not outcome.status else None
    if records:
        return Api2Outcome(outcome.data if error is None else [], error=error)
    row = {"result": 1, "reason": reason} if error is None else {"result": 0, "reason": error}
    return Api2Outcome([row], error=error)


# cPanel 11.120's confirmation on success (Cpanel/ParkAdmin.pm), where API 2 gave one.
PARKED = "Domain was successfully parked."
_SUCCESS_REASONS = {("Park", "park"): PARKED, ("AddonDomain", "addaddondomain"): PARKED}


def register_native(module: str, functions: dict[str, tuple[str, str, bool]]) -> None:
    """API 2 name -> (UAPI module, UAPI function, answers records?)."""
    for api2_name, (uapi_module, uapi_func, records) in functions.items():
        reason = _SUCCESS_REASONS.get((module, api2_name), "OK")
        api2_function(module, api2_name)(partial(_native, module=uapi_module, func=uapi_func, records=records,
                                                 reason=reason))
