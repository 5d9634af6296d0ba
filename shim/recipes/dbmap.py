"""DBmap::status: whether database names carry the account prefix. cPanel 11.120
(Cpanel/DBmap.pm) answered [{prefix: cpanel.config's database_prefix value}]; UAPI
Variables::get_server_information reports the same value as `database_prefix_required`,
passed on as it comes.
"""

from __future__ import annotations

from typing import Any

from shim.translation.recipe import RecipeCall


async def status(call: RecipeCall) -> list[Any]:
    settings = await call.uapi_data("Variables", "get_server_information", {"name": "database_prefix_required"},
                                    died=True)
    return [{"prefix": settings.get("database_prefix_required") if isinstance(settings, dict) else None}]
