"""UAPI SubDomain::addsubdomain (in 11.125's description): create `domain.rootdomain`; and
SubDomain::changedocroot (cPanel 11.136.0.25+): point a subdomain or addon domain at
another existing directory.

addsubdomain: `domain` is the label, `rootdomain` a domain the account owns; `dir` is
relative to home and defaults to public_html/<label>; disallowdot=1 strips dots from the
label. changedocroot: `domain` is the full name, `docroot` a directory relative to home that
must already exist (the Fileman tree) and, when the server restricts document roots to
public_html (Variables' docroots_in_public_html_only), lie under public_html/; it answers
{documentroot}. Error texts are the fake's own wording.

Servers older than 11.136.0.25 answered API 2 SubDomain::changedocroot themselves: the fake
answers it from the same state as cPanel 11.120 did (Cpanel/SubDomain.pm): the directory is
created (mode 0755) when missing, and the one row is {result, reason, dir, reldir}, reason
null on success.
"""

from __future__ import annotations

from ..registry import Api2Outcome, Args, UapiContext, UapiError, UapiOutcome, api2_function, uapi_function
from . import _domains as d
from .fileman import Node, file_tree
from .variables import server_settings


@uapi_function(
    "SubDomain",
    "addsubdomain",
    samples=[
        {"domain": "news", "rootdomain": "example.com"},
        {"domain": "a.b", "rootdomain": "example.net", "dir": "/public_html/ab", "disallowdot": "1", "canoff": "0"},
    ],
)
def addsubdomain(ctx: UapiContext, args: Args) -> UapiOutcome:
    state = d.domains(ctx.account)
    label = d.valid_label(d.required(args.get("domain"), "domain"), d.flag(args.get("disallowdot")))
    rootdomain = d.required(args.get("rootdomain"), "rootdomain").lower()
    d.add_subdomain(ctx.account, state, label, rootdomain, args.get("dir"))
    return UapiOutcome.ok()


@uapi_function(
    "SubDomain",
    "changedocroot",
    samples=[{"domain": "blog.example.com", "docroot": "public_html/images"},
             {"domain": "shop.test", "docroot": "/home/user/public_html"}],
)
def changedocroot(ctx: UapiContext, args: Args) -> UapiOutcome:
    account, state = ctx.account, d.domains(ctx.account)
    domain = d.required(args.get("domain"), "domain").lower()
    docroot = d.required(args.get("docroot"), "docroot")
    target = state.parked[domain] if domain in state.parked else domain  # an addon: its subdomain
    if target is None or domain == state.main:
        raise UapiError(f"“{domain}” is not a subdomain or an addon domain; its document root cannot change here.")
    sub = state.subdomains.get(target)
    if sub is None:
        raise UapiError(f"The domain “{domain}” does not belong to this account.")
    relative = d.relative_dir(account, docroot, "")
    if server_settings(account).get("docroots_in_public_html_only") and not relative.startswith("public_html/"):
        raise UapiError(f"The document root “{docroot}” must lie under public_html/ on this server.")
    full = f"{account.home}/{relative}" if relative else account.home
    if file_tree(account).nodes.get(full, Node("file")).type != "dir":
        raise UapiError(f"The directory “{full}” does not exist.")
    sub.dir = relative
    return UapiOutcome.ok({"documentroot": full})


_RESERVED = {".cpanel", ".trash", "etc", "mail", "ssl", "tmp", "logs", ".spamassassin", ".htpasswds", "var",
             "cgi-bin", ".ssh", "perl5"}


def _failed(text: str, directory: str | None = None, relative: str | None = None) -> Api2Outcome:
    return Api2Outcome([{"result": 0, "reason": text, "dir": directory, "reldir": relative}], error=text)


@api2_function("SubDomain", "changedocroot")
def native_changedocroot(ctx: UapiContext, args: Args) -> Api2Outcome:
    account = ctx.account
    label, rootdomain, wanted = args.get("subdomain", ""), args.get("rootdomain", ""), args.get("dir", "")
    if not label or not rootdomain:
        return _failed("You must specify a main domain.")
    if label == "www":
        return _failed("You cannot create the “www” subdomain, because the system adds the “www” subdomain "
                       "to all newly-created domains.")
    if wanted in ("", "0"):
        return _failed("You must specify a new document root.")
    relative = d.relative_dir(account, wanted, "")
    full = f"{account.home}/{relative}" if relative else account.home
    if server_settings(account).get("docroots_in_public_html_only"):
        if relative != "public_html" and not relative.startswith("public_html/"):
            relative = f"public_html/{relative}".rstrip("/")
            full = f"{account.home}/{relative}"
    elif not relative or relative in _RESERVED:
        return _failed(f"The system reserves the “{full}” document root. You must specify a document root that "
                       "the system does not reserve.")
    tree, parts = file_tree(account), relative.split("/")
    for depth in range(1, len(parts) + 1):
        tree.nodes.setdefault(f"{account.home}/{'/'.join(parts[:depth])}", Node("dir", mode="0755"))
    domain = f"{label.strip().lower().removeprefix('www.').rstrip('.')}.{rootdomain}"
    outcome = ctx.call("SubDomain", "changedocroot", Args.of(domain=domain, docroot=relative))
    if not outcome.status:
        return _failed("\n".join(outcome.errors or []), full, relative)
    return Api2Outcome([{"result": 1, "reason": None, "dir": full, "reldir": relative}])
