"""How Perl reads the values cPanel's API 2 code compared, sorted and tested for truth.

API 2 was Perl: a form value is a string that Perl reads as a number when compared
numerically, as text when compared as text, and as true unless it is empty or "0". Answers
the shim builds in place of API 2 follow the same readings, so they live here once.
"""

from __future__ import annotations

import math
import re
from typing import Any

# Perl's reading of a string as a number: leading white space, a sign, then a decimal number
# with an optional exponent, or Inf / Infinity / NaN; whatever follows is ignored; no number is 0.
# (ASCII digits only: Perl reads no other digit as a number.)
_PERL_NUMBER = re.compile(r"[ \t\n\r\f\v]*([+-]?)(?:(infinity|inf|nan)|([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?)",
                          re.IGNORECASE)


def perl_number(text: str) -> int | float:
    """The numeric value Perl gives `text` (an exact int for a plain whole number)."""
    match = _PERL_NUMBER.match(text)
    if match is None:
        return 0
    sign, special, digits, exponent = match.groups()
    if special:
        value = math.nan if special.lower() == "nan" else math.inf
        return -value if sign == "-" else value
    if exponent is None and "." not in digits:
        whole = int(digits)
        return -whole if sign == "-" else whole
    return float(f"{sign}{digits}{exponent or ''}")


def perl_true(value: Any) -> bool:
    """Perl's truth of a scalar: false for undef, "", "0" and the number 0."""
    if value is None or value == "" or value == "0":
        return False
    if isinstance(value, (bool, int, float)):
        return bool(value)
    return True


def perl_text(value: Any) -> str:
    """A JSON value as Perl's string operators see it (undef as "", numbers as Perl prints them)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # JSON booleans arrive in Perl as objects printing 1 and 0
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return "%.15g" % value  # Perl prints an NV with %.15g
    return ""  # a nested array or hash: compared as a reference name, never a record's text


def perl_numeric(value: Any) -> int | float:
    """A JSON value as Perl's numeric operators see it."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    return perl_number(value) if isinstance(value, str) else 0
