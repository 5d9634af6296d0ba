"""DBmap::status: whether database names carry the account prefix. cPanel 11.120
(Cpanel/DBmap.pm) answered [{prefix: cpanel.config's database_prefix value}]; UAPI
Variables::get_server_information reports the same value as `database_prefix_required`,
passed on as it comes.

DBmap::version: [{version}], the installed cPanel version from /usr/local/cpanel/version up
to its first `-` (e.g. "11.120.0.5"). No UAPI function reports it in 11.125–11.138, but WHM
API 1 `version` reads the same file (Cpanel::Version::Full), so this answers on the WHM port
only; on the cPanel port it is cPanel's answer for a function it cannot run.
"""

from __future__ import annotations

from typing import Any

from shim.translation.recipe import RecipeCall, whm_only


async def status(call: RecipeCall) -> list[Any]:
    settings = await call.uapi_data("Variables", "get_server_information", {"name": "database_prefix_required"},
                                    died=True)
    return [{"prefix": settings.get("database_prefix_required") if isinstance(settings, dict) else None}]


@whm_only
async def version(call: RecipeCall) -> list[Any]:
    data = await call.whm_data("version")
    installed = str(data.get("version", "")) if isinstance(data, dict) else ""
    return [{"version": installed.split("-", 1)[0]}]
