"""UAPI DNS::parse_zone and DNS::mass_edit_zone: one stateful zone per base domain.

A zone is a list of lines, as cPanel's zone file is: comments, control statements
(`$TTL`) and resource records, each at its 0-based `line_index`. parse_zone returns them
as the UAPI description documents (names and data base64-encoded; a name without a
trailing dot is relative to the zone). mass_edit_zone takes the zone's current SOA
serial and JSON-encoded `add`/`edit` items and `remove` line indexes; a stale serial is
refused, nothing is half-applied (every item is checked before any change), and each
successful edit increments the serial by one.

Simplifications (assumed, no live server): every record occupies one line here (cPanel
spreads the SOA over several lines); removed lines close up and added records go to the
end of the file; error texts are the fake's wording where cPanel's is not documented.

Demo seed (created on first use): one zone per base domain of the account (primary,
parked, addon), each with two comments, `$TTL 14400`, SOA (serial 2024042301), two NS,
an A record for the domain, `mail` A, `www` CNAME, MX 0 and an SPF TXT record.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from ..state import SERVER_IP, CpanelAccount
from . import _domains as d

MODULE_KEY = "DNS"
DEFAULT_TTL = 14400
FIRST_SERIAL = 2024042301
SOA_SERIAL_INDEX = 2  # SOA data: mname, rname, serial, refresh, retry, expire, minimum
# How many data strings each record type takes (TXT: one or more character-strings).
DATA_COUNTS = {"A": (1, 1), "AAAA": (1, 1), "CNAME": (1, 1), "NS": (1, 1), "PTR": (1, 1),
               "MX": (2, 2), "SRV": (4, 4), "CAA": (3, 3), "TXT": (1, 64)}


@dataclass(slots=True)
class Line:
    kind: str  # record, comment or control
    text: str = ""  # comment and control lines
    dname: str = ""
    ttl: int = DEFAULT_TTL
    record_type: str = ""
    data: list[str] = field(default_factory=list)

    def parsed(self, index: int) -> dict[str, Any]:
        if self.kind != "record":
            return {"line_index": index, "text_b64": _b64(self.text), "type": self.kind}
        return {"data_b64": [_b64(item) for item in self.data], "dname_b64": _b64(self.dname), "line_index": index,
                "record_type": self.record_type, "ttl": self.ttl, "type": "record"}


@dataclass(slots=True)
class Zone:
    lines: list[Line]

    @property
    def soa(self) -> Line:
        return next(line for line in self.lines if line.record_type == "SOA")

    @property
    def serial(self) -> int:
        return int(self.soa.data[SOA_SERIAL_INDEX])


def seed_zone(domain: str, hostname: str) -> Zone:
    apex = f"{domain}."
    return Zone([
        Line("comment", text=f"; cPanel first:11.120.0.5 Cpanel::ZoneFile::VERSION:1.3 hostname:{hostname}"),
        Line("comment", text=f"; Zone file for {domain}"),
        Line("control", text=f"$TTL {DEFAULT_TTL}"),
        Line("record", dname=apex, ttl=86400, record_type="SOA",
             data=[f"ns1.{domain}.", f"admin.{domain}.", str(FIRST_SERIAL), "3600", "1800", "1209600", "86400"]),
        Line("record", dname=apex, ttl=86400, record_type="NS", data=[f"ns1.{domain}."]),
        Line("record", dname=apex, ttl=86400, record_type="NS", data=[f"ns2.{domain}."]),
        Line("record", dname=apex, record_type="A", data=[SERVER_IP]),
        Line("record", dname="mail", record_type="A", data=[SERVER_IP]),
        Line("record", dname="www", record_type="CNAME", data=[apex]),
        Line("record", dname=apex, record_type="MX", data=["0", apex]),
        Line("record", dname=apex, record_type="TXT", data=["v=spf1 +a +mx ~all"]),
    ])


def zones(ctx: UapiContext) -> dict[str, Zone]:
    def seed(account: CpanelAccount) -> dict[str, Zone]:
        return {domain: seed_zone(domain, ctx.state.hostname) for domain in d.domains(account).base_domains()}

    return ctx.account.module_state(MODULE_KEY, seed)


def _zone(ctx: UapiContext, args: Args) -> tuple[str, Zone]:
    name = d.required(args.get("zone"), "zone").lower().rstrip(".")
    zone = zones(ctx).get(name)
    if zone is None:
        raise UapiError(f"You do not have a DNS zone named “{name}”.")
    return name, zone


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@uapi_function("DNS", "parse_zone", samples=[{"zone": "example.com"}, {"zone": "shop.test"}])
def parse_zone(ctx: UapiContext, args: Args) -> UapiOutcome:
    _, zone = _zone(ctx, args)
    return UapiOutcome.ok([line.parsed(index) for index, line in enumerate(zone.lines)])


ADD_SAMPLE = json.dumps({"dname": "_acme-challenge", "ttl": 300, "record_type": "TXT", "data": ["token"]})
EDIT_SAMPLE = json.dumps({"line_index": 7, "dname": "mail", "ttl": 300, "record_type": "A", "data": ["192.0.2.20"]})


@uapi_function("DNS", "mass_edit_zone", samples=[
    {"zone": "example.com", "serial": str(FIRST_SERIAL), "add": ADD_SAMPLE},
    {"zone": "example.com", "serial": str(FIRST_SERIAL), "edit": EDIT_SAMPLE, "remove": "10"},
])
def mass_edit_zone(ctx: UapiContext, args: Args) -> UapiOutcome:
    _, zone = _zone(ctx, args)
    serial = _integer(d.required(args.get("serial"), "serial"), "serial")
    if serial != zone.serial:
        raise UapiError(f"The given serial number ({serial}) does not match the DNS zone’s serial number "
                        f"({zone.serial}). Refresh your view of the DNS zone, then resubmit.")
    adds = [_record(item, "add", False) for item in args.getlist("add")]
    edits = [_record(item, "edit", True) for item in args.getlist("edit")]
    removes = [_integer(item, "remove") for item in args.getlist("remove")]
    if not (adds or edits or removes):
        raise UapiError("Give at least one “add”, “edit” or “remove” item.")
    for index in [*removes, *(edit[0] for edit in edits)]:
        if not 0 <= index < len(zone.lines) or zone.lines[index].kind != "record" or zone.lines[index].record_type == "SOA":
            raise UapiError(f"The zone has no editable record at line index {index}.")
    # Checked above: nothing below can fail, so the change applies whole or not at all.
    for index, line in edits:
        zone.lines[index] = line
    zone.lines = [line for index, line in enumerate(zone.lines) if index not in set(removes)]
    zone.lines.extend(line for _, line in adds)
    zone.soa.data[SOA_SERIAL_INDEX] = str(serial + 1)
    return UapiOutcome.ok({"new_serial": serial + 1})


def _integer(text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise UapiError(f"“{name}” must be a whole number, not “{text}”.") from None


def _record(text: str, name: str, edit: bool) -> tuple[int, Line]:
    try:
        item = json.loads(text)
    except ValueError:
        raise UapiError(f"Each “{name}” item must be a JSON object.") from None
    keys = ("dname", "ttl", "record_type", "data", *(("line_index",) if edit else ()))
    if not isinstance(item, dict) or any(key not in item for key in keys):
        raise UapiError(f"Each “{name}” item needs {', '.join(keys)}.")
    record_type, data, ttl = item["record_type"], item["data"], item["ttl"]
    if record_type not in DATA_COUNTS:
        raise UapiError(f"The record type “{record_type}” is not supported.")
    low, high = DATA_COUNTS[record_type]
    if not isinstance(data, list) or not low <= len(data) <= high or not all(isinstance(x, str) and x for x in data):
        raise UapiError(f"A “{record_type}” record needs {low} data value{'s' if low > 1 else ''}.")
    if not isinstance(item["dname"], str) or not item["dname"]:
        raise UapiError("Each record needs a name (“dname”).")
    if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 0:
        raise UapiError("“ttl” must be a whole number of seconds.")
    index = item.get("line_index", -1)
    if edit and (isinstance(index, bool) or not isinstance(index, int)):
        raise UapiError("“line_index” must be a whole number.")
    return index, Line("record", dname=item["dname"], ttl=ttl, record_type=record_type, data=list(data))
