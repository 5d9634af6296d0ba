"""Locale::get_locale_name: a locale's name from UAPI Locale::list_locales (cPanel 11.120
Cpanel/Locale.pm).

API 2 answered [{name}] for the locale tag `locale` (the account's own locale when absent):
the locale's name, or the tag itself when cPanel knows no such locale. Names are in
English, the language of the interface the API 2 call ran in by default.
"""

from __future__ import annotations

from typing import Any

from shim.translation.recipe import RecipeCall


async def get_locale_name(call: RecipeCall) -> list[Any]:
    tag = call.arg("locale")
    if not tag:
        attributes = await call.uapi_data("Locale", "get_attributes", died=True)
        tag = str(attributes.get("locale", "")) if isinstance(attributes, dict) else ""
    for record in await call.uapi_data("Locale", "list_locales", died=True) or []:
        if isinstance(record, dict) and record.get("locale") == tag:
            return [{"name": record.get("name")}]
    return [{"name": tag}]
