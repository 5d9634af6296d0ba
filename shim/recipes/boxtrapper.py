"""BoxTrapper::accountmanagelist from UAPI Email::list_pops and one BoxTrapper::get_status per
account (cPanel 11.120 Cpanel/BoxTrapper.pm).

API 2 listed the cPanel account and every mail account, sorted, kept those matching `regex`
(case-insensitive), and answered for each {account, accounturi (percent-encoded),
status ("Enabled" | "Disabled"), enabled (1 | 0), bg ("even" | "odd", alternating from the
first row shown)}. Texts are the English interface's.
"""

from __future__ import annotations

import re
from typing import Any

from shim.translation.fields import uri_escape
from shim.translation.recipe import Api2Failure, RecipeCall


async def accountmanagelist(call: RecipeCall) -> list[Any]:
    pattern = None
    if call.arg("regex"):
        try:
            pattern = re.compile(call.arg("regex"), re.IGNORECASE)
        except re.error:
            raise Api2Failure("Invalid regex") from None
    pops = await call.uapi_data("Email", "list_pops", {"skip_main": 1}) or []
    accounts = sorted([str(call.user), *(str(r.get("email")) for r in pops if isinstance(r, dict))])
    rows: list[Any] = []
    for account in accounts:
        if pattern is not None and not pattern.search(account):
            continue
        enabled = 1 if str(await call.uapi_data("BoxTrapper", "get_status", {"email": account})) == "1" else 0
        rows.append({"account": account, "accounturi": uri_escape(account),
                     "status": "Enabled" if enabled else "Disabled", "enabled": enabled,
                     "bg": "even" if len(rows) % 2 == 0 else "odd"})
    return rows
