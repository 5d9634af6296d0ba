"""Locale::get_locale_name: a locale's name from UAPI Locale::list_locales (cPanel 11.120
Cpanel/Locale.pm).

API 2 answered [{name}] for the locale tag `locale` (the account's own locale when absent):
the locale's name, or the tag itself when cPanel knows no such locale. Names are in
English, the language of the interface the API 2 call ran in by default.

Locale::numf: [{numf}], `number` formatted by the account's locale (cPanel 11.120's CLDR
decimal formatter, Cpanel/CPAN/Locales.pm get_formatted_decimal). The shim formats for `en`,
cPanel's only English locale, and for the numbers whose path through that formatter it
follows exactly (finite, from 0 to 10,000,000,000); anything else is left to cPanel's own API 2
(NativeOnly). In words, for `en`: a value of at most two ASCII digits (or none) is answered as
given; otherwise Perl's numeric value is printed with `max_decimal_places` decimals (Perl's
int(), sign dropped, at most 14; 6 when absent), trailing zeros of the decimals and a bare `.`
are dropped, and the whole part is grouped by three with `,`. No `number` at all: null.
"""

from __future__ import annotations

import math
import re
from typing import Any

from shim.recipes.ui import perl_int, perl_number
from shim.translation.recipe import NativeOnly, RecipeCall

ENGLISH = "en"
DEFAULT_DECIMALS = 6  # printf's own default, which cPanel's formatter keeps
MAX_DECIMALS = 14
LARGEST_FOLLOWED = 10_000_000_000  # above it cPanel's formatter works on the text instead
_AS_GIVEN = re.compile(r"[0-9]{0,2}")


async def get_locale_name(call: RecipeCall) -> list[Any]:
    tag = call.arg("locale")
    if not tag:
        attributes = await call.uapi_data("Locale", "get_attributes", died=True)
        tag = str(attributes.get("locale", "")) if isinstance(attributes, dict) else ""
    for record in await call.uapi_data("Locale", "list_locales", died=True) or []:
        if isinstance(record, dict) and record.get("locale") == tag:
            return [{"name": record.get("name")}]
    return [{"name": tag}]


def en_numf(number: str, max_decimal_places: str | None) -> str:
    """cPanel 11.120's `en` formatting of `number`; NativeOnly outside the numbers it follows."""
    if _AS_GIVEN.fullmatch(number):
        return number
    value = perl_number(number)
    if isinstance(value, float) and not math.isfinite(value) or not 0 <= value <= LARGEST_FOLLOWED:
        raise NativeOnly(f"Locale::numf of “{number}” takes a path of cPanel's formatter the shim does not follow")
    places = DEFAULT_DECIMALS if max_decimal_places is None else min(abs(perl_int(max_decimal_places)), MAX_DECIMALS)
    text = "%.*f" % (places, value)
    if text.startswith("-"):  # -0.0: cPanel's formatter mishandles signs; leave it to cPanel
        raise NativeOnly(f"Locale::numf of “{number}” prints a sign")
    whole, _, decimals = text.partition(".")
    decimals = decimals.rstrip("0")
    return f"{int(whole):,}" + (f".{decimals}" if decimals else "")


async def numf(call: RecipeCall) -> list[Any]:
    attributes = await call.uapi_data("Locale", "get_attributes", died=True)
    if "number" not in call.args:
        return [{"numf": None}]
    locale = str(attributes.get("locale", "")) if isinstance(attributes, dict) else ""
    if locale != ENGLISH:
        raise NativeOnly(f"Locale::numf formats for the account's locale “{locale}”; the shim formats for en only")
    return [{"numf": en_numf(call.args["number"], call.args.get("max_decimal_places"))}]
