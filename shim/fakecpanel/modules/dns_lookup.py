"""UAPI DNS::lookup: cPanel runs `host NAME` and answers its output lines.

Names are looked up in the account's own zones (modules/dns.py): an A record gives
"NAME has address IP", AAAA "NAME has IPv6 address IP", CNAME "NAME is an alias for
TARGET." (followed), MX "NAME mail is handled by PRIORITY TARGET.". A name in no zone is
`host`'s NXDOMAIN failure, which cPanel turns into an error; texts of the failures are
cPanel's (Cpanel/Net.pm).
"""

from __future__ import annotations

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from .dns import zones

_MAX_ALIASES = 8


def _records(ctx: UapiContext, name: str) -> list[tuple[str, list[str]]]:
    for zone_name, zone in zones(ctx).items():
        if name != zone_name and not name.endswith("." + zone_name):
            continue
        found = []
        for line in zone.lines:
            if line.kind != "record":
                continue
            owner = line.dname if line.dname.endswith(".") else f"{line.dname}.{zone_name}."
            if owner.rstrip(".") == name:
                found.append((line.record_type, line.data))
        return found
    return []


@uapi_function("DNS", "lookup", samples=[{"domain": "example.com"}, {"domain": "www.example.com"}])
def lookup(ctx: UapiContext, args: Args) -> UapiOutcome:
    name = args.get("domain", "").strip().lower().rstrip(".")
    if not name or "." not in name or not all(part for part in name.split(".")):
        raise UapiError("You must specify a valid domain.")
    lines: list[str] = []
    for _ in range(_MAX_ALIASES):
        records = _records(ctx, name)
        alias = next((data[0].rstrip(".") for kind, data in records if kind == "CNAME"), None)
        if alias is None:
            break
        lines.append(f"{name} is an alias for {alias}.")
        name = alias
    records = _records(ctx, name)
    lines += [f"{name} has address {data[0]}" for kind, data in records if kind == "A"]
    lines += [f"{name} has IPv6 address {data[0]}" for kind, data in records if kind == "AAAA"]
    lines += [f"{name} mail is handled by {data[0]} {data[1]}" for kind, data in records if kind == "MX"]
    if not lines:
        raise UapiError("The system was unable to track the domain that you entered. "
                        f"“Host {name} not found: 3(NXDOMAIN)”.")
    return UapiOutcome.ok(lines)
