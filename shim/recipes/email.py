"""Email: the answers API 2 built on top of several UAPI calls (cPanel 11.120 Cpanel/Email.pm).

checkmaindiscard: [{status: 1}] when every domain's default address discards mail
(`:fail:`, `:blackhole:` or `/dev/null` in it), else [{status: 0}];
listpopswithimage: listpops without the main account, then one more record for the main
account whose `login` is the interface's image tag (theme-dependent path) and `email` the
cPanel user name; set_email_signing: below.
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


_DKIM_ON = re.compile(r"^(?:[1y]|yes|on)$", re.IGNORECASE)
_DKIM_OFF = re.compile(r"^(?:[0n]|no|off)$", re.IGNORECASE)


async def set_email_signing(call: RecipeCall) -> list[Any]:
    """DKIM signing of the primary domain on or off: API 2 answered the flat list
    [1, "DKIM signing enabled" | "DKIM signing disabled"], or [0, why] for a missing or
    unrecognised `dkim`, and set no error. The switch is UAPI EmailAuth::enable_dkim or
    disable_dkim for the primary domain (Variables::get_user_information), made once; API 2
    ignored the admin tool's outcome, the shim answers a refused switch as [0, UAPI's text].
    API 2's first check (the mail server lacks DKIM support) has no UAPI counterpart: every
    supported cPanel's Exim signs with DKIM."""
    if "dkim" not in call.args:
        return [0, "No 'dkim' argument provided"]
    value = call.args["dkim"]
    if _DKIM_ON.match(value):
        func, done = "enable_dkim", "DKIM signing enabled"
    elif _DKIM_OFF.match(value):
        func, done = "disable_dkim", "DKIM signing disabled"
    else:
        return [0, f"Unrecognized value dkim='{value}': use 0 or 1"]
    info = await call.uapi_data("Variables", "get_user_information", {"name": "domain"})
    domain = info.get("domain") if isinstance(info, dict) else None
    result = await call.uapi("EmailAuth", func, {"domain": domain})
    if str(result.get("status")) != "1":
        return [0, "\n".join(str(e) for e in result.get("errors") or [])]
    refused = [r for r in result.get("data") or [] if isinstance(r, dict) and str(r.get("status")) != "1"]
    if refused:
        return [0, str(refused[0].get("msg", ""))]
    return [1, done]
