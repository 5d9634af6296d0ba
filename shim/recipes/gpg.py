"""Gpg: key counts from UAPI GPG's key lists (cPanel 11.120 Cpanel/Gpg.pm).

API 2 counted the keys it parsed from gpg's listing and answered [{count}]; UAPI lists the
same keys one record each. When the listing could not be made, API 2 set its error and
still answered [{count: 0}].
"""

from __future__ import annotations

from typing import Any

from shim.translation.recipe import Api2Failure, RecipeCall, errors_of


async def _count(call: RecipeCall, func: str) -> list[Any]:
    result = await call.uapi("GPG", func)
    if str(result.get("status")) != "1":
        raise Api2Failure(errors_of(result), [{"count": 0}])
    return [{"count": len(result.get("data") or [])}]


async def number_of_public_keys(call: RecipeCall) -> list[Any]:
    return await _count(call, "list_public_keys")


async def number_of_private_keys(call: RecipeCall) -> list[Any]:
    return await _count(call, "list_secret_keys")
