"""ZoneEdit: the answers that read more than one zone.

fetchzones (cPanel 11.120: Cpanel/ZoneEdit.pm api2_fetchzones → the zone admin's
RAWFETCHALL → Cpanel::UserZones) answered one row `{status: 1, statusmsg: "Zones fetched",
zones: {NAME: [zone-file lines]}}`. NAME runs over every domain of the account and each
parent of it with at least two labels (blog.example.com → example.com); a name with no
zone of its own has []. The lines here are rebuilt from UAPI DNS::parse_zone (comments and
`$TTL` as written; records as `name TTL IN TYPE data`): the same records, but the
whitespace of the file on disk is not UAPI's to report.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from shim.translation.recipe import RecipeCall, errors_of

ZONES_FETCHED = "Zones fetched"
# Record types whose data items are character-strings, quoted in a zone file.
_QUOTED = frozenset({"TXT", "SPF"})


async def fetchzones(call: RecipeCall) -> list[Any]:
    listed = await call.uapi_data("DomainInfo", "list_domains", died=True) or {}
    names: set[str] = set()
    for domain in _domains(listed):
        names.add(domain)
        labels = domain.split(".")
        while len(labels) > 2:  # each parent, down to two labels (never the bare TLD)
            labels = labels[1:]
            names.add(".".join(labels))
    zones: dict[str, list[str]] = {}
    for name in sorted(names):
        result = await call.uapi("DNS", "parse_zone", {"zone": name})
        records = result.get("data") if str(result.get("status")) == "1" else None
        zones[name] = [_line(record) for record in records or [] if isinstance(record, dict)]
    return [{"status": 1, "statusmsg": ZONES_FETCHED, "zones": zones}]


def _domains(listed: Any) -> list[str]:
    found: list[str] = []
    if not isinstance(listed, dict):
        return found
    for key in ("main_domain", "addon_domains", "parked_domains", "sub_domains"):
        value = listed.get(key)
        # The 11.125 description types main_domain as a list; cPanel's samples send one name.
        for name in [value] if isinstance(value, str) else value or []:
            if isinstance(name, str) and name:
                found.append(name.lower().rstrip("."))
    return found


def _text(b64: Any) -> str:
    try:
        return base64.b64decode(str(b64)).decode("utf-8", errors="replace")
    except ValueError:
        return ""


def _line(record: dict[str, Any]) -> str:
    if record.get("type") != "record":
        return _text(record.get("text_b64", ""))
    kind = str(record.get("record_type", ""))
    data = [_text(item) for item in record.get("data_b64") or []]
    if kind in _QUOTED:
        data = ['"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"' for item in data]
    return "\t".join([_text(record.get("dname_b64", "")), str(record.get("ttl", "")), "IN", kind, " ".join(data)])


# API 2's argument names for each record type's data, in zone-file order.
_DATA_FIELDS = {
    "A": ("address",), "AAAA": ("address",), "CNAME": ("cname",), "TXT": ("txtdata",), "SPF": ("txtdata",),
    "MX": ("preference", "exchange"), "NS": ("nsdname",), "PTR": ("ptrdname",),
    "SRV": ("priority", "weight", "port", "target"), "CAA": ("flag", "tag", "value"),
}
SOA_SERIAL = 2  # the serial's place in an SOA record's data
NO_LINE = "You must specify a valid line when you call EDIT."
NO_RECORD = "Failed to fetch record on line: {line}"
NOT_EDITABLE = "You may only edit A, AAAA, CAA, CNAME, SRV or TXT records."


def _mutation(status: int, message: str) -> list[Any]:
    """The zone admin's reply as API 2 wrapped it; a failure stays inside the row (no error)."""
    return [{"result": {"status": status, "statusmsg": message}}]


async def edit_zone_record(call: RecipeCall) -> list[Any]:
    """cPanel 11.120 (zone admin EDIT, Whostmgr::DNS::edit_zone_record) read the record at
    `Line` (or `line`) and changed only the fields given: the type defaults to the record's,
    and every other key keeps its value. Here: one DNS::parse_zone read (the record and the
    zone's serial), the merge, then one mass_edit_zone write — never retried."""
    try:
        line = abs(int(call.arg("Line") or call.arg("line") or "0"))
    except ValueError:
        line = 0
    if line <= 0:
        return _mutation(0, NO_LINE)
    zone = call.arg("domain")
    parsed = await call.uapi("DNS", "parse_zone", {"zone": zone})
    if str(parsed.get("status")) != "1":
        return _mutation(0, errors_of(parsed))
    records = [r for r in parsed.get("data") or [] if isinstance(r, dict)]
    old = next((r for r in records if r.get("line_index") == line - 1), None)
    soa = next((r for r in records if r.get("record_type") == "SOA"), None)
    if old is None or soa is None:
        return _mutation(0, NO_RECORD.format(line=line))
    if old.get("type") != "record" or old.get("record_type") == "SOA":
        # A comment, $TTL or SOA line: cPanel's zone admin refused to edit it.
        return _mutation(0, NOT_EDITABLE)
    old_type = str(old.get("record_type", ""))
    kind = call.arg("type") or old_type
    fields = _DATA_FIELDS.get(kind)
    if fields is None:
        return _mutation(0, f"Invalid DNS record type: “{kind}”.")
    old_data = [_text(item) for item in old.get("data_b64") or []] if kind == old_type else []
    data = [call.args[name] if name in call.args else (old_data[i] if i < len(old_data) else "")
            for i, name in enumerate(fields)]
    try:
        ttl = int(call.arg("ttl") or old.get("ttl") or 14400)
    except ValueError:
        return _mutation(0, f"“ttl” must be a whole number, not “{call.arg('ttl')}”.")
    edit = {"line_index": line - 1, "dname": call.arg("name") or _text(old.get("dname_b64", "")), "ttl": ttl,
            "record_type": kind, "data": data}
    serial = _text((soa.get("data_b64") or [""] * 3)[SOA_SERIAL])
    result = await call.uapi("DNS", "mass_edit_zone", {"zone": zone, "serial": serial,
                                                        "edit": json.dumps(edit, separators=(",", ":"))})
    if str(result.get("status")) != "1":
        return _mutation(0, errors_of(result))
    return _mutation(1, "OK")
