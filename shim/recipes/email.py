"""Email: the answers API 2 built on top of the mailbox and default-address lists
(cPanel 11.120 Cpanel/Email.pm).

checkmaindiscard: [{status: 1}] when every domain's default address discards mail
(`:fail:`, `:blackhole:` or `/dev/null` in it), else [{status: 0}];
listpopswithimage: listpops without the main account, then one more record for the main
account whose `login` is the interface's image tag (theme-dependent path) and `email` the
cPanel user name.
"""

from __future__ import annotations

import re
from typing import Any

from shim.translation.recipe import Api2Failure, RecipeCall

_DISCARDS = re.compile(r"/dev/null|:fail:|:blackhole:")
_BOOL_TRUE = {"1", "yes", "on", "true"}


async def checkmaindiscard(call: RecipeCall) -> list[Any]:
    records = await call.uapi_data("Email", "list_default_address", {"user": call.user})
    discards = all(_DISCARDS.search(str(r.get("defaultaddress", ""))) for r in records or [] if isinstance(r, dict))
    return [{"status": 1 if discards else 0}]


async def listpopswithimage(call: RecipeCall) -> list[Any]:
    args: dict[str, Any] = {"skip_main": 1}
    if "regex" in call.args:
        args["regex"] = call.args["regex"]
    if "no_validate" in call.args:
        args["no_validate"] = 1 if call.args["no_validate"].lower() in _BOOL_TRUE else 0
    result = await call.uapi("Email", "list_pops", args)
    if str(result.get("status")) != "1":
        # As listpops: no records, UAPI's errors as the error.
        raise Api2Failure("\n".join(result.get("errors") or []))
    info = await call.uapi_data("Variables", "get_user_information", {"name": "theme"})
    theme = info.get("theme", "") if isinstance(info, dict) else ""
    records = list(result.get("data") or [])
    records.append({"login": f'<img src="/frontend/{theme}/images/mainacct.jpg">', "email": call.user})
    return records
