"""DnsLookup::name2ip from UAPI DNS::lookup (cPanel 11.120 Cpanel/DnsLookup.pm, Cpanel/Net.pm).

API 2 resolved `domain` with the server's resolver and answered one row {ip (the first IPv4
address, null when none), domain (as given), status (1 | 0), statusmsg ("Resolved" |
"Could not resolve")}, never an error. UAPI DNS::lookup runs `host` and answers its lines;
the first "... has address A.B.C.D" line is the address (aliases followed by `host`). A
failed lookup, whatever the reason, is API 2's unresolved row. Differences: `host` asks DNS
only (no /etc/hosts), and UAPI needs the account's nettools feature.
"""

from __future__ import annotations

import re
from typing import Any

from shim.translation.recipe import RecipeCall

_ADDRESS = re.compile(r"\shas address (\d{1,3}(?:\.\d{1,3}){3})\s*$")


async def name2ip(call: RecipeCall) -> list[Any]:
    domain = call.args.get("domain")
    ip = None
    if domain:
        result = await call.uapi("DNS", "lookup", {"domain": domain})
        if str(result.get("status")) == "1":
            for line in result.get("data") or []:
                match = _ADDRESS.search(str(line))
                if match:
                    ip = match.group(1)
                    break
    return [{"ip": ip, "domain": domain, "status": 1 if ip else 0,
             "statusmsg": "Resolved" if ip else "Could not resolve"}]
