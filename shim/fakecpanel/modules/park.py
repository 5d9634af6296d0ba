"""UAPI Park (cPanel 11.137+): park, unpark and list domains parked on the primary domain.

Following the 11.137/11.138 UAPI description: park lowercases the domain and drops a
leading `www.`; without `topdomain` it parks on the primary domain, with it on the
subdomain `topdomain.<primary>` (disallowdot strips dots from topdomain only); unpark's
optional `subdomain` is the underscore `label_rootdomain` form.
"""

from __future__ import annotations

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from . import _domains as d


@uapi_function("Park", "listparkeddomains", samples=[{}, {"regex": "net$", "return_https_redirect_status": "1"}])
def listparkeddomains(ctx: UapiContext, args: Args) -> UapiOutcome:
    account, state = ctx.account, d.domains(ctx.account)
    wanted = d.regex_filter(args.get("regex"))
    records = [
        {
            **d.doc_record(account, d.PUBLIC_HTML),
            "domain": domain,
            "status": d.NOT_REDIRECTED,
            "web_subdomain_aliases": ["www"],
            **d.https_fields(args.get("return_https_redirect_status")),
        }
        for domain in state.aliases()
        if wanted(domain)
    ]
    return UapiOutcome.ok(records)


@uapi_function(
    "Park",
    "park",
    samples=[{"domain": "alias.test"}, {"domain": "WWW.Other-Alias.test", "topdomain": "blog", "force": "1"}],
)
def park(ctx: UapiContext, args: Args) -> UapiOutcome:
    account, state = ctx.account, d.domains(ctx.account)
    domain = d.valid_domain(d.required(args.get("domain"), "domain"))
    if state.exists(domain):
        raise UapiError(f"The domain “{domain}” already exists on this account.")
    target = None
    if args.get("topdomain"):
        topdomain = args["topdomain"].replace(".", "") if d.flag(args.get("disallowdot")) else args["topdomain"].rstrip(".")
        target = f"{topdomain.lower()}.{state.main}"
        if target not in state.subdomains:
            raise UapiError(f"The subdomain “{target}” does not exist.")
    d.park(account, state, domain, target)
    return UapiOutcome.ok()


@uapi_function("Park", "unpark", samples=[{"domain": "example.net"}, {"domain": "shop.test", "subdomain": "shop_example.com"}])
def unpark(ctx: UapiContext, args: Args) -> UapiOutcome:
    account, state = ctx.account, d.domains(ctx.account)
    domain = d.required(args.get("domain"), "domain").lower()
    if domain not in state.parked:
        raise UapiError(f"The domain “{domain}” is not parked on this account.")
    target = state.parked[domain]
    key = args.get("subdomain")
    if key and (target is None or state.subdomains[target].domainkey != key):
        raise UapiError(f"The domain “{domain}” is not parked on the subdomain “{key}”.")
    d.unpark(account, state, domain)
    return UapiOutcome.ok()


d.register_native("Park", {
    "listaddondomains": ("AddonDomain", "listaddondomains", True),
    "listparkeddomains": ("Park", "listparkeddomains", True),
    "park": ("Park", "park", False),
    "unpark": ("Park", "unpark", False),
})
