"""DBmap::status: whether database names carry the account prefix (cPanel 11.120
Cpanel/DBmap.pm answered [{prefix: the server's database_prefix setting, 1 or 0}]).

UAPI Mysql::get_restrictions reports the same setting through its `prefix`: the account's
prefix (`user_`) when prefixing is on, null when it is off.
"""

from __future__ import annotations

from typing import Any

from shim.translation.recipe import RecipeCall


async def status(call: RecipeCall) -> list[Any]:
    restrictions = await call.uapi_data("Mysql", "get_restrictions", died=True)
    prefix = restrictions.get("prefix") if isinstance(restrictions, dict) else None
    return [{"prefix": 1 if prefix else 0}]
