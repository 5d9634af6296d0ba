"""UAPI AddonDomain (cPanel 11.137+): add, remove and list addon domains.

An addon domain is a domain parked on a subdomain of the primary domain (see
_domains.py). Behaviour follows the 11.137/11.138 UAPI description: addaddondomain
reuses an existing subdomain, a failed park removes the subdomain it created;
deladdondomain wants the subdomain in the underscore `label_rootdomain` form and keeps
the subdomain (saying so in `messages`) while other domains are still parked on it.
"""

from __future__ import annotations

from ..registry import Api2Outcome, Args, UapiContext, UapiError, UapiOutcome, api2_function, uapi_function
from . import _domains as d


@uapi_function(
    "AddonDomain",
    "addaddondomain",
    samples=[
        {"newdomain": "addon.test", "subdomain": "addon"},
        {"newdomain": "www.Second.test", "subdomain": "sec.ond", "dir": "sites/second", "disallowdot": "1"},
        {"newdomain": "third.test", "subdomain": "blog"},  # reuses the existing subdomain
    ],
)
def addaddondomain(ctx: UapiContext, args: Args) -> UapiOutcome:
    account, state = ctx.account, d.domains(ctx.account)
    domain = d.valid_domain(d.required(args.get("newdomain"), "newdomain"))
    label = d.valid_label(d.required(args.get("subdomain"), "subdomain"), d.flag(args.get("disallowdot")))
    if state.exists(domain):
        raise UapiError(f"The domain “{domain}” already exists on this account.")
    if state.main.endswith("." + domain):
        raise UapiError(f"The primary domain “{state.main}” may not be a subdomain of “{domain}”.")
    fqdn = f"{label}.{state.main}"
    if fqdn not in state.subdomains:
        d.add_subdomain(account, state, label, state.main, args.get("dir"))
    d.park(account, state, domain, fqdn)
    return UapiOutcome.ok({"domain": domain})


@uapi_function(
    "AddonDomain",
    "deladdondomain",
    samples=[{"domain": "shop.test", "subdomain": "shop_example.com"}],
)
def deladdondomain(ctx: UapiContext, args: Args) -> UapiOutcome:
    account, state = ctx.account, d.domains(ctx.account)
    domain = d.required(args.get("domain"), "domain").lower()
    key = d.required(args.get("subdomain"), "subdomain")
    target = state.parked.get(domain)
    if target is None:
        raise UapiError(f"“{domain}” is not an addon domain on this account.")
    sub = state.subdomains[target]
    if key != sub.domainkey:
        raise UapiError(f"The subdomain “{key}” does not correspond to the addon domain “{domain}”.")
    d.unpark(account, state, domain)
    if target in state.parked.values():
        return UapiOutcome.ok(messages=[f"The subdomain “{sub.fqdn}” remains because other domains are parked on it."])
    del state.subdomains[target]
    return UapiOutcome.ok()


@uapi_function(
    "AddonDomain",
    "listaddondomains",
    samples=[{}, {"regex": "shop", "return_https_redirect_status": "1"}, {"regex": "nomatch"}],
)
def listaddondomains(ctx: UapiContext, args: Args) -> UapiOutcome:
    account, state = ctx.account, d.domains(ctx.account)
    wanted = d.regex_filter(args.get("regex"))
    records = []
    for domain, sub in state.addons().items():
        if not wanted(domain):
            continue
        records.append({
            **d.doc_record(account, sub.dir),
            "domain": domain,
            "domainkey": sub.domainkey,
            "fullsubdomain": sub.fqdn,
            "rootdomain": sub.rootdomain,
            "status": d.NOT_REDIRECTED,
            "subdomain": sub.label,
            "web_subdomain_aliases": ["www"],
            **d.https_fields(args.get("return_https_redirect_status")),
        })
    return UapiOutcome.ok(records)


d.register_native("AddonDomain", {
    "addaddondomain": ("AddonDomain", "addaddondomain", False),
    "listaddondomains": ("AddonDomain", "listaddondomains", True),
})


@api2_function("AddonDomain", "deladdondomain")
def native_deladdondomain(ctx: UapiContext, args: Args) -> Api2Outcome:
    """cPanel 11.120's API 2 (Cpanel/AddonDomain.pm): unpark, then remove the subdomain, whose
    sentence (Cpanel/Sub.pm) is the reason; while other addon domains stay parked on the
    subdomain, the removal step fails (Cpanel/SubDomain.pm) after the unpark happened."""
    fqdn = (args.get("subdomain") or "").replace("_", ".", 1)
    outcome = ctx.call("AddonDomain", "deladdondomain", args)
    if not outcome.status:
        error = "\n".join(outcome.errors or [])
        return Api2Outcome([{"result": 0, "reason": error}], error=error)
    staying = sorted(domain for domain, target in d.domains(ctx.account).parked.items() if target == fqdn)
    if staying:
        plural = "s" if len(staying) > 1 else ""
        quoted = ", ".join(f"“{domain}”" for domain in staying)
        error = (f"The “{fqdn.split('.')[0]}” subdomain links to the following addon domain{plural}: {quoted}. "
                 f"You must remove the addon domain{plural} before you remove the subdomain.")
        return Api2Outcome([{"result": 0, "reason": error}], error=error)
    return Api2Outcome([{"result": 1, "reason": f"The subdomain “{fqdn}” has been removed."}])
