"""DenyIp::listdenyips (cPanel 11.120 Cpanel/DenyIp.pm, Cpanel/IP/*.pm): the addresses denied
in public_html/.htaccess, read here with UAPI Fileman (list_files to see whether the file
exists — a missing file gave no rows — then get_file_content).

API 2 read the file line by line. Lines inside a <Limit ...> block (from a line holding
"<limit" to one holding "</limit", case-insensitively) and comment lines are skipped; on the
others the first word after "deny from" is the entry (a false word such as "0" is skipped).
One row per entry, {ip, start, end, range}:
  * a plain address: kept only when it is a valid IPv4 or IPv6 address (cPanel's own rules:
    no leading zeros, first IPv4 octet not 0), with start = end = range = the text itself;
  * a partial IPv4 address ending in "." ("10.1."): the missing octets become 0 ("10.1.0.0")
    and that one address is start and end;
  * a CIDR ("192.0.2.9/24", "2001:db8::/32"): start is the address as written (not the
    network's first address), end the last address of the block;
  * an address with a dotted netmask ("192.0.2.0/255.255.255.0"): cPanel turned the mask into
    a bare prefix length and then failed to read that as a range, so start and end are null
    and range is "-".
IPv4 addresses come out dotted; IPv6 ones in full (eight groups of four lower-case hex
digits), as cPanel printed them. An entry cPanel could not read as a range also has null
start and end.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from shim.recipes._files import file_text
from shim.translation.recipe import Api2Died, RecipeCall

_DENY = re.compile(r"^\s*deny\s+from\s+(\S+)", re.IGNORECASE)
_COMMENT = re.compile(r"^\s*#")
_HEX_GROUP = re.compile(r"[0-9a-fA-F]{1,4}\Z")


async def listdenyips(call: RecipeCall) -> list[Any]:
    return denied(await file_text(call, "public_html", ".htaccess") or "")


def denied(content: str) -> list[dict[str, Any]]:
    rows = []
    in_limit = False
    for line in content.splitlines(keepends=True):
        if "<limit" in line.lower():
            in_limit = True
        if not in_limit and not _COMMENT.match(line):
            found = _DENY.match(line.rstrip("\n"))
            if found and found.group(1).replace("\r", "") not in ("", "0"):
                row = _row(found.group(1).replace("\r", ""))
                if row is not None:
                    rows.append(row)
                continue
        if "</limit" in line.lower():
            in_limit = False
    return rows


def _row(text: str) -> dict[str, Any] | None:
    if "/" in text or text.endswith("."):
        if "/" in text:
            mask = text.split("/")[1]
            span = _span(_mask_bits(mask) if "." in mask else text)
        else:
            octets = text[:-1].split(".")
            while octets and octets[-1] == "":  # Perl's split drops trailing empty fields
                octets.pop()
            span = _span(".".join(octets + ["0"] * (4 - len(octets))))
        start, end = span if span else (None, None)
        return {"ip": text, "start": start, "end": end, "range": f"{start or ''}-{end or ''}"}
    if not _valid_ip(text):
        return None
    return {"ip": text, "start": text, "end": text, "range": text}


def _mask_bits(mask: str) -> str:
    """cPanel's netmask → prefix length, as the bare number it then tried to read as a range."""
    if mask == "0.0.0.0":
        return "0"
    parts = (mask.split(".") + ["0", "0", "0", "0"])[:4]
    number = 0
    for part in parts:
        digits = re.match(r"\s*(\d*)", part).group(1)
        number = number * 256 + (int(digits) if digits else 0)
    if number == 0:
        raise Api2Died(f"The netmask “{mask}” in public_html/.htaccess cannot be read (cPanel's own reader never ends on it).")
    bits = 32
    while number % 2 == 0:
        number >>= 1
        bits -= 1
    return str(bits)


def _span(text: str) -> tuple[str, str] | None:
    """cPanel's start and end address of an address or CIDR text; None when it is neither."""
    if "/" in text:
        address, prefix = text.split("/")[:2]
        if not prefix.isdigit() or not prefix.isascii():
            return None
        bits = int(prefix)
        if ":" in address:
            if not (_valid_ipv6(address) and 0 < bits <= 128):
                return None
            first = _ipv6_number(address)
        else:
            if not (_valid_ipv4(address) and 0 < bits <= 32):
                return None
            first = int(ipaddress.IPv4Address(address)) | 0xFFFF << 32
            bits += 96
        last = (first >> (128 - bits) << (128 - bits)) | ((1 << (128 - bits)) - 1)
        if first != last and first >= last:
            first, last = last, first
        return _human(first), _human(last)
    if ":" in text:
        return (_human(_ipv6_number(text)),) * 2 if _valid_ipv6(text) else None
    return (text, text) if _valid_ipv4(text) else None


def _ipv6_number(text: str) -> int:
    try:
        return int(ipaddress.IPv6Address(text))
    except ValueError:  # valid by cPanel's rules but not Python's: cPanel read it as all zeros
        return 0


def _human(number: int) -> str:
    """IPv4-mapped addresses as dotted IPv4, others in full hex groups (cPanel's printing)."""
    if number >> 32 == 0xFFFF:
        return str(ipaddress.IPv4Address(number & 0xFFFFFFFF))
    return ipaddress.IPv6Address(number).exploded


def _valid_ip(text: str) -> bool:
    return _valid_ipv6(text) if ":" in text else _valid_ipv4(text)


def _valid_ipv4(text: str) -> bool:
    octets = text.split(".")
    if len(octets) != 4:
        return False
    for index, octet in enumerate(octets):
        if not octet or not octet.isdigit() or not octet.isascii() or int(octet) > 255:
            return False
        if (octet[0] == "0" and len(octet) > 1) or (index == 0 and int(octet) == 0):
            return False
    return True


def _valid_ipv6(text: str) -> bool:
    if not text:
        return False
    if (text[0] == ":" and text[1:2] != ":") or (text[-1] == ":" and text[-2:-1] != ":"):
        return False
    groups = text.split(":")
    if groups and groups[0] == "":
        groups.pop(0)
    if groups and groups[-1] == "":
        groups.pop()
    most = 8
    if groups and "." in groups[-1]:
        if not _valid_ipv4(groups.pop()):
            return False
        most -= 2
    compressed = False
    for group in groups:
        if group == "":
            if compressed:
                return False
            compressed = True
        elif not _HEX_GROUP.match(group):
            return False
    if compressed:
        return 0 < len(groups) <= most
    return len(groups) == most
