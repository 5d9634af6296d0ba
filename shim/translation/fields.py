"""Named conversions of one field of a UAPI record into a field API 2 returned.

An output rule's `derive` names one of these per new key (`convert: megabytes`); mappings
hold no code. Each takes the UAPI value and returns the legacy value. Values of an
unexpected type are returned unchanged rather than failing the call: the record is still
useful to a client and the change shows in tests.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import quote

_MIB = 1024 * 1024

Converter = Callable[[Any], Any]


def megabytes(value: Any) -> Any:
    """Bytes → megabytes with two decimals, as text (API 2's `sizemeg`, Perl's sprintf)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return f"{value / _MIB:.2f}"


def count(value: Any) -> Any:
    """The number of items of a list (API 2's `usercount` beside a list of users)."""
    return len(value) if isinstance(value, (list, dict)) else 0 if value is None else value


def uri_escape(value: Any) -> Any:
    """Percent-encoding of everything but unreserved characters (Perl's uri_escape)."""
    return quote(value, safe="-_.~") if isinstance(value, str) else value


def text(value: Any) -> Any:
    """A number as text: API 2's Perl code handed many numbers back as strings."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return str(value)


def epoch(value: Any) -> Any:
    """An ISO 8601 time ("2024-04-20T03:12:45.000Z") → Unix seconds, as API 2 gave times."""
    if not isinstance(value, str):
        return value
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return int(parsed.timestamp())


def base64_text(value: Any) -> Any:
    """UAPI's base64 fields (DNS::parse_zone's dname_b64, data_b64) as the text API 2 gave;
    a list is decoded item by item. Octets that are not UTF-8 become U+FFFD rather than
    failing the call (parse_zone warns that zones may hold any bytes)."""
    if isinstance(value, list):
        return [base64_text(item) for item in value]
    if not isinstance(value, str):
        return value
    try:
        return base64.b64decode(value, validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return value


def base64_joined(value: Any) -> Any:
    """A list of base64 strings decoded and joined: a TXT record's character-strings as
    API 2's one `txtdata` text."""
    decoded = base64_text(value)
    if isinstance(decoded, list) and all(isinstance(part, str) for part in decoded):
        return "".join(decoded)
    return decoded  # a list holding numbers or nulls is not character-strings: unchanged


def one_based(value: Any) -> Any:
    """A 0-based index as API 2's 1-based line number (parse_zone line_index → Line)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return value + 1


CONVERTERS: dict[str, Converter] = {
    "base64": base64_text,
    "base64_joined": base64_joined,
    "one_based": one_based,
    "epoch": epoch,
    "megabytes": megabytes,
    "count": count,
    "uri_escape": uri_escape,
    "text": text,
}
