"""UAPI EmailAuth::enable_dkim and disable_dkim: DKIM signing per domain of the account.

Each answers one {domain, status, msg} record per domain given (`domain`, repeated as
`domain-1`, `domain-2`...); a domain the account lacks is a record with status 0. Texts
are the fake's wording. `emailauth_state(account).dkim` holds the signing domains.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from ..state import CpanelAccount


@dataclass(slots=True)
class EmailAuthState:
    dkim: set[str] = field(default_factory=set)


def emailauth_state(account: CpanelAccount) -> EmailAuthState:
    return account.module_state("EmailAuth", lambda _: EmailAuthState())


def _domains(args: Args) -> list[str]:
    names = [value for key in args if key == "domain" or key.startswith("domain-") for value in args.getlist(key)]
    if not names:
        raise UapiError("You must specify the “domain” parameter.")
    return names


def _switch(ctx: UapiContext, args: Args, on: bool) -> UapiOutcome:
    state = emailauth_state(ctx.account)
    records = []
    for domain in _domains(args):
        if not ctx.account.owns_domain(domain):
            records.append({"domain": domain, "msg": f"You do not own the domain “{domain}”.", "status": 0})
            continue
        (state.dkim.add if on else state.dkim.discard)(domain)
        records.append({"domain": domain, "msg": "DKIM enabled." if on else "DKIM disabled.", "status": 1})
    return UapiOutcome.ok(records)


@uapi_function("EmailAuth", "enable_dkim", samples=[{"domain": "example.com"}])
def enable_dkim(ctx: UapiContext, args: Args) -> UapiOutcome:
    return _switch(ctx, args, True)


@uapi_function("EmailAuth", "disable_dkim", samples=[{"domain": "example.com"}])
def disable_dkim(ctx: UapiContext, args: Args) -> UapiOutcome:
    return _switch(ctx, args, False)
