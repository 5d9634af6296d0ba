"""UAPI DomainLookup (cPanel 11.137+): base domains and document roots.

Base domains are the primary, addon and parked domains (not subdomains), sorted.
getdocroot answers public_html for a domain the account lacks, as the UAPI description
says, and fails only for text that is not a domain name.
"""

from __future__ import annotations

from ..registry import Args, UapiContext, UapiOutcome, uapi_function
from . import _domains as d


def _docroot_record(ctx: UapiContext, domain: str) -> dict[str, str]:
    directory = d.domains(ctx.account).docroot(domain) or d.PUBLIC_HTML
    return {"docroot": f"{ctx.account.home}/{directory}", "reldocroot": directory}


@uapi_function("DomainLookup", "countbasedomains", samples=[{}])
def countbasedomains(ctx: UapiContext, args: Args) -> UapiOutcome:
    return UapiOutcome.ok([{"count": len(d.domains(ctx.account).base_domains())}])


@uapi_function("DomainLookup", "getbasedomains", samples=[{}, {"return_temporary_domain": "1"}])
def getbasedomains(ctx: UapiContext, args: Args) -> UapiOutcome:
    return UapiOutcome.ok([{"domain": domain} for domain in d.domains(ctx.account).base_domains()])


@uapi_function("DomainLookup", "getdocroot", samples=[{}, {"domain": "shop.test"}, {"domain": "Unknown.test"}])
def getdocroot(ctx: UapiContext, args: Args) -> UapiOutcome:
    domain = d.valid_domain(args["domain"]) if args.get("domain") else ctx.account.domain
    return UapiOutcome.ok([_docroot_record(ctx, domain)])


@uapi_function("DomainLookup", "getdocroots", samples=[{}])
def getdocroots(ctx: UapiContext, args: Args) -> UapiOutcome:
    state = d.domains(ctx.account)
    names = sorted([*state.base_domains(), *state.subdomains])
    return UapiOutcome.ok([{"domain": name, **_docroot_record(ctx, name)} for name in names])


d.register_native("DomainLookup", {name: ("DomainLookup", name, True) for name in (
    "countbasedomains", "getbasedomains", "getdocroot", "getdocroots")})
