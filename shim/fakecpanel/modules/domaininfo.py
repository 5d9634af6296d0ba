"""UAPI DomainInfo::list_domains: the account's domains by kind, from the shared domain state.

The 11.125 description types `main_domain` as a list of names and the fake follows it
(the contract test checks); cPanel's documentation samples show one name as a string, so
readers (shim/recipes/zoneedit.py) take both.
"""

from __future__ import annotations

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
