"""UAPI ZoneEdit::resetzone (cPanel 11.137+): rebuild a zone from the server's template.

The fake keeps no zone contents; it checks that the domain is one of the account's base
domains (each has its own zone) and answers the rebuild's reply inside `data`, as the
UAPI description documents (`[{result: {status, statusmsg, checkmx}}]`).
"""

from __future__ import annotations

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from . import _domains as d

ZONE_RESET = "Zone Reset"


@uapi_function("ZoneEdit", "resetzone", samples=[{"domain": "example.com"}, {"domain": "shop.test"}])
def resetzone(ctx: UapiContext, args: Args) -> UapiOutcome:
    domain = d.required(args.get("domain"), "domain").lower()
    if domain not in d.domains(ctx.account).base_domains():
        raise UapiError(f"You do not have a DNS zone for the domain “{domain}”.")
    checkmx = {"detected": "local", "isprimary": 1, "issecondary": 0, "local": 1, "mxcheck": "auto", "remote": 0}
    return UapiOutcome.ok([{"result": {"checkmx": checkmx, "status": 1, "statusmsg": ZONE_RESET}}])


d.register_native("ZoneEdit", {"resetzone": ("ZoneEdit", "resetzone", True)})
