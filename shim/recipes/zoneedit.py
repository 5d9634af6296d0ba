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
from typing import Any

from shim.translation.recipe import RecipeCall

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
