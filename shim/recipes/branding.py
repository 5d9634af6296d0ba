"""Branding::preloadconf: API 2 only warmed cPanel's cache of the interface's icon
configuration and returned nothing (cPanel 11.120 Cpanel/Branding.pm); the shim answers the
same empty list without a call."""

from __future__ import annotations

from typing import Any

from shim.translation.recipe import RecipeCall


def preloadconf(call: RecipeCall) -> list[Any]:
    return []
