"""UI::paginate_list: a page helper computed from its own arguments only (cPanel 11.120
Cpanel/UI.pm), answered by the shim.

API 2 split `itemlist` at each `:` (empty fields kept, trailing empty ones dropped, as Perl's
split does), sorted the pieces by their numeric value (a piece that is not a number counts as
0; equal values keep their order), and answered one {item, selected} per piece: `item` the
piece as text, `selected` 1 when it is exactly the text of the page size, else 0. The page
size is Perl's int() of `itemsperpage`, or of `api2_paginate_size` when that int() is 0.

Perl's numbers are followed where they can be exactly: a value that is not a finite number
of at most 63 bits (`inf`, `nan`, a huge page size) is left to cPanel's own API 2 (NativeOnly:
passed through while the upstream serves it).
"""

from __future__ import annotations

import math
from typing import Any

from shim.translation.perlvalues import perl_number
from shim.translation.recipe import NativeOnly, RecipeCall

_IV_LIMIT = 2 ** 63


def perl_int(text: str) -> int:
    """Perl's int() of a string; NativeOnly where Perl would leave the integers (Inf, NaN, huge)."""
    value = perl_number(text)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NativeOnly(f"“{text}” is not a finite number")
        value = math.trunc(value)
    if not -_IV_LIMIT <= value < _IV_LIMIT:
        raise NativeOnly(f"“{text}” is outside the whole numbers the shim mimics")
    return value


def perl_split_colons(text: str) -> list[str]:
    """split(/:/, text) in Perl: empty fields kept, except the trailing ones."""
    pieces = text.split(":")
    while pieces and pieces[-1] == "":
        pieces.pop()
    return pieces


def paginate_list(call: RecipeCall) -> list[Any]:
    size = perl_int(call.arg("itemsperpage")) or perl_int(call.arg("api2_paginate_size"))
    items = perl_split_colons(call.arg("itemlist"))
    values = [perl_number(item) for item in items]
    if any(isinstance(v, float) and math.isnan(v) for v in values):
        raise NativeOnly("an item of `itemlist` reads as NaN, which Perl's numeric sort leaves unordered")
    order = sorted(range(len(items)), key=lambda i: values[i])
    return [{"item": items[i], "selected": 1 if items[i] == str(size) else 0} for i in order]
