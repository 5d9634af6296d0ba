"""ZoneEdit: the answers a YAML rule cannot give — several zones read, a read before a
write, the zone admin's reply with UAPI's new serial, records rebuilt as cPanel's own zone
parser listed them (see the notes above fetchzone_records below).

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
import re
from typing import Any

from shim.translation.perlvalues import perl_true
from shim.translation.recipe import Api2Failure, RecipeCall, errors_of

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


# The zone admin's reply to a write that succeeded (cPanel 11.120, Cpanel/Admin/Modules/
# Cpanel/zone.pm ADD / EDIT / DELETE): status 1, statusmsg = what dnsadmin printed while
# saving and reloading the zone, newserial = the SOA serial written. A single server with
# BIND prints nothing there (the zone's reload is queued: Cpanel/NameServer/Local/
# cPanel.pm), so the text is empty; DNS clusters print their own lines, which no UAPI
# call reports.
RELOADED = ""
DEFAULT_TTL = 14400  # cPanel's fallback when a zone has no $TTL line
NO_NAME = "Invalid DNS record: No name provided."
# ADD and DELETE's refusals (zone.pm): the record types an account may add or remove.
CHANGEABLE = frozenset({"A", "AAAA", "CAA", "CNAME", "NS", "SRV", "TXT"})
NOT_ADDABLE = "You may only add A, AAAA, CAA, CNAME, NS, SRV or TXT records."
NOT_REMOVABLE = "You may only delete A, AAAA, CAA, CNAME, NS, SRV or TXT records."
NO_DELETE_LINE = "You must specify a valid line when you call DELETE: {line}"

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


async def _read(call: RecipeCall, zone: str) -> list[dict[str, Any]]:
    """The zone's parsed lines (DNS::parse_zone); a failed read is the answer (Api2Failure
    carrying the zone admin's failure row, which API 2 answered without an error)."""
    parsed = await call.uapi("DNS", "parse_zone", {"zone": zone})
    if str(parsed.get("status")) != "1":
        raise _Refused(errors_of(parsed))
    return [r for r in parsed.get("data") or [] if isinstance(r, dict)]


class _Refused(Exception):
    """The zone admin refused: its {status: 0, statusmsg} row, no cpanelresult.error."""


def _serial(records: list[dict[str, Any]]) -> str | None:
    soa = next((r for r in records if r.get("record_type") == "SOA"), None)
    return None if soa is None else _text((soa.get("data_b64") or [""] * 3)[SOA_SERIAL])


async def _write(call: RecipeCall, zone: str, serial: str, change: dict[str, Any]) -> list[Any]:
    """One mass_edit_zone write (never retried): the zone admin's reply row, with the new serial."""
    args = {"zone": zone, "serial": serial}
    args.update({key: json.dumps(value, separators=(",", ":")) if isinstance(value, dict) else str(value)
                 for key, value in change.items()})
    result = await call.uapi("DNS", "mass_edit_zone", args)
    if str(result.get("status")) != "1":
        return _mutation(0, errors_of(result))
    data = result.get("data")
    serial = data.get("new_serial") if isinstance(data, dict) else None
    return [{"result": {"status": 1, "statusmsg": RELOADED, "newserial": "" if serial is None else str(serial)}}]


def _zone_ttl(records: list[dict[str, Any]]) -> int:
    """The zone's `$TTL`, which cPanel gave a record added without a ttl."""
    for record in records:
        if record.get("type") == "control":
            words = _text(record.get("text_b64", "")).split()
            if len(words) == 2 and words[0].upper() == "$TTL" and words[1].isdigit():
                return int(words[1])
    return DEFAULT_TTL


async def add_zone_record(call: RecipeCall) -> list[Any]:
    """cPanel 11.120 (Cpanel/ZoneEdit.pm, zone.pm ADD): no `name` is the wrapper's own error
    ([] with cpanelresult.error); the zone admin's refusals and reply are one row. Here: one
    DNS::parse_zone read (serial, $TTL), then one mass_edit_zone write — never retried."""
    if not call.arg("name") or call.arg("name") == "0":  # Perl's false: absent, empty or "0"
        raise Api2Failure(NO_NAME)
    try:
        return await _add(call)
    except _Refused as refused:
        return _mutation(0, str(refused))


async def _add(call: RecipeCall) -> list[Any]:
    kind = call.arg("type")
    if kind not in CHANGEABLE:
        raise _Refused(NOT_ADDABLE)
    if call.arg("ttl") and not call.arg("ttl").isdigit():
        raise _Refused(f"“ttl” must be a whole number, not “{call.arg('ttl')}”.")
    zone = call.arg("domain")
    records = await _read(call, zone)
    serial = _serial(records)
    if serial is None:
        raise _Refused(f"The DNS zone “{zone}” has no SOA record.")
    ttl = int(call.arg("ttl")) if call.arg("ttl") else _zone_ttl(records)
    data = [call.args[name] for name in _DATA_FIELDS[kind] if name in call.args]
    record = {"dname": call.arg("name"), "ttl": ttl, "record_type": kind, "data": data}
    return await _write(call, zone, serial, {"add": record})


async def remove_zone_record(call: RecipeCall) -> list[Any]:
    """cPanel 11.120 (zone.pm DELETE): `line` (or `Line`), 1-based; only A, AAAA, CAA, CNAME,
    NS, SRV and TXT records are removed. One DNS::parse_zone read (the record at that line
    and the serial), then one mass_edit_zone write — never retried."""
    line = _line_number(call.arg("line")) or _line_number(call.arg("Line"))
    if not line:
        return _mutation(0, NO_DELETE_LINE.format(line=""))
    zone = call.arg("domain")
    try:
        records = await _read(call, zone)
    except _Refused as refused:
        return _mutation(0, str(refused))
    old = next((r for r in records if r.get("line_index") == line - 1), None)
    serial = _serial(records)
    if old is None or old.get("type") != "record" or old.get("record_type") not in CHANGEABLE or serial is None:
        return _mutation(0, NOT_REMOVABLE)
    return await _write(call, zone, serial, {"remove": line - 1})


def _line_number(text: str) -> int:
    """Perl's `abs int`: the leading integer of the text, made positive; 0 when there is none."""
    digits = re.match(r"\s*[-+]?(\d+)", text or "")
    return int(digits.group(1)) if digits else 0


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
    return await _write(call, zone, serial, {"edit": edit})


# ---------------------------------------------------------------- fetchzone, fetchzone_records
# cPanel 11.120 built these from its zone parser (Cpanel/Net/DNS/ZoneFile/LDNS.pm over
# Cpanel/ZoneFile/Parse.pm, the parser UAPI DNS::parse_zone reports): every item has `Line`
# (1-based) and, from the API 2 wrapper, `line` (= Line) and `record` (address, cname or
# txtdata; null otherwise). Comments are {type: ":RAW", raw}; a `$TTL` line is
# {type: "$TTL", ttl}; `$ORIGIN` lines are left out; records have class IN, the fully
# qualified lower-case `name` and their type's own keys. The SOA alone also has `Lines`: how
# many lines it spans, up to the next item (blank lines are not reported by parse_zone, so
# blank lines right after an SOA are counted in). TXT records add `char_str_list` (their
# character-strings) and `unencoded` 1; CAA adds `value_legacy` (RFC 3597 generic form).
_RECORD_KEYS = {
    "A": ("address",), "AAAA": ("address",), "CNAME": ("cname",), "NS": ("nsdname",), "PTR": ("ptrdname",),
    "MX": ("preference", "exchange"), "SRV": ("priority", "weight", "port", "target"),
    "SOA": ("mname", "rname", "serial", "refresh", "retry", "expire", "minimum"), "CAA": ("flag", "tag", "value"),
}
# Keys holding a domain name: lower-cased, without the final dot (the parser's own rules).
_NAME_KEYS = frozenset({"cname", "nsdname", "ptrdname", "exchange", "target", "mname", "rname"})
# fetchzone_records' filters (cPanel's KEYMAP): argument → the record key it compares.
_FILTERS = {"line": "Line", "ttl": "ttl", "name": "name", "class": "class", "address": "address", "type": "type",
            "txtdata": "txtdata", "preference": "preference", "exchange": "exchange"}
ZONE_SERIALIZED = "Zone Serialized"


def _perl_split(text: str) -> list[str]:
    """Perl's split on | or ,: trailing empty fields are dropped."""
    parts = re.split(r"[|,]", text)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def _qualified(name: str, zone: str) -> str:
    return name if name.endswith(".") else f"{name}.{zone}."


def _api2_item(item: dict[str, Any], following: dict[str, Any] | None, zone: str) -> dict[str, Any] | None:
    line = int(item.get("line_index", 0)) + 1
    kind = item.get("type")
    if kind == "comment":
        return {"Line": line, "type": ":RAW", "raw": _text(item.get("text_b64", ""))}
    if kind == "control":
        words = _text(item.get("text_b64", "")).split()
        if words and words[0].upper() == "$ORIGIN":
            return None
        if len(words) == 2 and words[0].upper() == "$TTL":
            return {"Line": line, "type": "$TTL", "ttl": words[1]}
        return {"Line": line}
    rtype = str(item.get("record_type", ""))
    data = [_text(value) for value in item.get("data_b64") or []]
    out: dict[str, Any] = {"Line": line}
    if rtype == "SOA":
        out["Lines"] = int(following["line_index"]) - int(item.get("line_index", 0)) if following else 1
    out.update({"class": "IN", "type": rtype, "name": _qualified(_text(item.get("dname_b64", "")), zone).lower(),
                "ttl": str(item.get("ttl", ""))})
    if rtype in ("TXT", "SPF"):
        out.update({"txtdata": "".join(data), "char_str_list": data, "unencoded": 1})
    for key, value in zip(_RECORD_KEYS.get(rtype, ()), data):
        out[key] = value.rstrip(".").lower() if key in _NAME_KEYS else value
    if rtype == "CAA" and len(data) == 3:
        flag, tag, value = data
        rdata = bytes([int(flag) & 0xFF, len(tag.encode())]) + tag.encode() + value.encode()
        out["value_legacy"] = f"\\# {len(rdata)} {rdata.hex().upper()}"
    return out


async def _fetch(call: RecipeCall) -> dict[str, Any]:
    """The zone admin FETCH's reply as API 2's _fetchzone shaped it: filtered records."""
    zone = call.arg("domain").lower().rstrip(".")
    parsed = await call.uapi("DNS", "parse_zone", {"zone": call.arg("domain")})
    if str(parsed.get("status")) != "1":
        raise _Refused(errors_of(parsed))
    items = [r for r in parsed.get("data") or [] if isinstance(r, dict)]
    records = []
    for index, item in enumerate(items):
        record = _api2_item(item, items[index + 1] if index + 1 < len(items) else None, zone)
        if record is not None:
            record["record"] = next((record[k] for k in ("address", "cname", "txtdata") if perl_true(record.get(k))), None)
            record["line"] = record["Line"]
            records.append(record)
    soa = next((r for r in records if r.get("type") == "SOA"), None)
    for arg, key in _FILTERS.items():
        if arg in call.args:
            wanted = set(_perl_split(call.args[arg]))
            records = [r for r in records if key in r and str(r[key]) in wanted]
    return {"status": 1, "statusmsg": ZONE_SERIALIZED, "serialnum": None if soa is None else soa.get("serial"),
            "record": records}


async def fetchzone(call: RecipeCall) -> list[Any]:
    """[FETCH's reply]: a zone the account cannot read is {status: 0, statusmsg} (no error)."""
    try:
        return [await _fetch(call)]
    except _Refused as refused:
        return [{"status": 0, "statusmsg": str(refused)}]


async def fetchzone_records(call: RecipeCall) -> list[Any]:
    """FETCH's records, or [] when the zone could not be read (no error: `record || []`)."""
    try:
        return (await _fetch(call))["record"]
    except _Refused:
        return []
