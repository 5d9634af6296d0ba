"""UAPI DomainInfo::list_domains and domains_data: the account's domains by kind, and their
vhosts, from the shared domain state.

The 11.125 description types `main_domain` as a list of names and the fake follows it
(the contract test checks); cPanel's documentation samples show one name as a string, so
readers (shim/recipes/zoneedit.py) take both. domains_data answers the `list` format
(one flat list of vhost records, with the keys the shim reads) and the `hash` one; only
`list` is checked against the description, whose `hash` schema (a oneOf whose second branch
has no type) no object can satisfy.
"""

from __future__ import annotations

from typing import Any

from ..registry import Args, UapiContext, UapiOutcome, uapi_function
from . import _domains as d


@uapi_function("DomainInfo", "list_domains", samples=[{}])
def list_domains(ctx: UapiContext, args: Args) -> UapiOutcome:
    state = d.domains(ctx.account)
    return UapiOutcome.ok({
        "addon_domains": sorted(state.addons()),
        "main_domain": [state.main],
        "parked_domains": state.aliases(),
        "sub_domains": sorted(state.subdomains),
    })


def _vhost(ctx: UapiContext, domain: str, docroot: str, kind: str) -> dict[str, Any]:
    account = ctx.account
    return {
        "documentroot": f"{account.home}/{docroot}",
        "domain": domain,
        "group": account.user,
        "hascgi": 1,
        "homedir": account.home,
        "ip": account.ip,
        "owner": account.owner,
        "serveradmin": f"webmaster@{domain}",
        "serveralias": f"www.{domain}",
        "servername": domain,
        "type": kind,
        "usecanonicalname": "Off",
        "user": account.user,
        "userdirprotect": 1,
    }


@uapi_function("DomainInfo", "domains_data", samples=[{"format": "list"}])
def domains_data(ctx: UapiContext, args: Args) -> UapiOutcome:
    state = d.domains(ctx.account)
    main = _vhost(ctx, state.main, d.PUBLIC_HTML, "main_domain")
    addons = [_vhost(ctx, name, sub.dir, "addon_domain") for name, sub in state.addons().items()]
    subs = [_vhost(ctx, name, sub.dir, "sub_domain") for name, sub in sorted(state.subdomains.items())]
    if args.get("format") == "list":
        return UapiOutcome.ok([main, *addons, *subs])
    return UapiOutcome.ok({"addon_domains": addons, "main_domain": main, "parked_domains": state.aliases(),
                           "sub_domains": subs})
