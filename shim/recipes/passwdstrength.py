"""PasswdStrength::appstrengths from UAPI PasswdStrength::get_required_strength, one call per
application (cPanel 11.120 Cpanel/PasswdStrength.pm and PasswdStrength/Check.pm).

API 2 answered a first row {app: htaccess, strength: 0}, then one {app, strength} for each
application whose required strength differs from the base requirement. That base is the
requirement of no application, which cPanel's check answers as 0 without reading any
setting, so every application with a requirement is listed. API 2 walked its application
table in Perl's hash order; here the names are sorted.
"""

from __future__ import annotations

from typing import Any

from shim.translation.recipe import RecipeCall

# cPanel 11.120's application table (Cpanel/PasswdStrength/Constants.pm), names only.
APPLICATIONS = ("cpaddons", "createacct", "ftp", "list", "mysql", "passwd", "postgres", "sshkey", "virtual")
BASE_STRENGTH = 0


async def appstrengths(call: RecipeCall) -> list[Any]:
    rows: list[Any] = [{"app": "htaccess", "strength": 0}]
    for app in APPLICATIONS:
        data = await call.uapi_data("PasswdStrength", "get_required_strength", {"app": app})
        value = str(data.get("strength", 0)) if isinstance(data, dict) else "0"
        strength = int(value) if value.isdigit() else 0
        if strength != BASE_STRENGTH:
            rows.append({"app": app, "strength": strength})
    return rows
