"""FSTest::dirisempty: API 2 recorded its result in a page variable (CPVAR) for the cPanel
page rendering it and always returned nothing (cPanel 11.120 Cpanel/FSTest.pm), so every
json-api caller got an empty list; the shim answers the same without a call."""

from __future__ import annotations

from typing import Any

from shim.translation.recipe import RecipeCall


def dirisempty(call: RecipeCall) -> list[Any]:
    return []
