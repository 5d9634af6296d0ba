"""Email: the answers API 2 built on top of several UAPI calls (cPanel 11.120 Cpanel/Email.pm).

checkmaindiscard: [{status: 1}] when every domain's default address discards mail
(`:fail:`, `:blackhole:` or `/dev/null` in it), else [{status: 0}];
listpopswithimage: listpops without the main account, then one more record for the main
account whose `login` is the interface's image tag (theme-dependent path) and `email` the
cPanel user name; set_email_signing, getabsbrowsedir and listfilters: below.
"""

from __future__ import annotations

import re
from typing import Any

from shim.recipes._files import home_file_text
from shim.translation.recipe import Api2Failure, RecipeCall

_DISCARDS = re.compile(r"/dev/null|:fail:|:blackhole:")
_BOOL_TRUE = {"1", "yes", "on", "true"}


# filtername / filterrules / filteractions: page-render helpers that read back the filter an
# earlier loadfilter stored in the same cPanel process (Email.pm keeps it in a file-level
# variable). cpsrvd runs every json-api call in a new cPanel process (Cpanel/XML.pm
# cpanel_exec_fast), where nothing was stored yet, so API 2 always answered the same:
# [{filtername: null}], and the undefined rules or actions as [null]. (A server with the
# Receive Mail role disabled refused them instead; the shim answers as a mail server does.)


def filtername(call: RecipeCall) -> list[Any]:
    return [{"filtername": None}]


def filterrules(call: RecipeCall) -> list[Any]:
    return [None]


def filteractions(call: RecipeCall) -> list[Any]:
    return [None]


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


def mail_dir(home: str, dir_: str, account: str) -> str:
    """cPanel's mail-folder path for `dir_` (cPanel 11.120 maildirfixup, in words): the base is
    `mail`, or `mail/DOMAIN/USER` for a mail account `USER@DOMAIN` (slashes removed, repeated
    dots squeezed in the domain); a leading base or home prefix of `dir_` is dropped, `..` is
    removed, and the result is HOME/BASE/DIR with `//` collapsed and a final `/` dropped."""
    base = "mail"
    if "@" in account:
        user, _, domain = account.partition("@")
        domain = re.sub(r"\.+", ".", domain.replace("/", ""))
        base = f"mail/{domain}/{user.replace('/', '')}"
    if dir_.startswith(base):
        dir_ = dir_[len(base):]
    for prefix in (f"{home}/{base}", home):
        if dir_.startswith(prefix):
            dir_ = dir_[len(prefix):]
            break
    path = re.sub(r"//+", "/", f"{home}/{base}/{dir_.replace('..', '')}")
    return path[:-1] if path.endswith("/") else path


async def getabsbrowsedir(call: RecipeCall) -> list[Any]:
    """[{absdir}]: the absolute path of mail folder `dir` of `account` (the cPanel account's
    own mail when absent). API 2 then resolved symbolic links on the server's disk, which
    cannot be seen from here: mail folders are plain directories on a standard server."""
    info = await call.uapi_data("Variables", "get_user_information", {"name": "home"})
    home = str(info.get("home", "")) if isinstance(info, dict) else ""
    return [{"absdir": mail_dir(home, call.arg("dir"), call.arg("account"))}]


_SEVEN_PLUSES = re.compile(r"\+{7}")


async def listfilters(call: RecipeCall) -> list[Any]:
    """The legacy ~/.filter file (cPanel 11.120 Cpanel/Email.pm): each non-empty line is
    `<filter>+++++++<destination>` (no destination: /dev/null); one row {filter, dest, nicedest}
    per distinct pair, sorted by destination then filter, leaving out empty filters and those
    starting with "@"; nicedest is "Discard" for /dev/null, else the destination. A missing
    file gives no rows. Read here with UAPI Fileman."""
    content = await home_file_text(call, ".filter") or ""
    pairs: set[tuple[str, str]] = set()
    for line in content.split("\n"):
        if line == "":
            continue
        fields = _SEVEN_PLUSES.split(line)
        while len(fields) > 1 and fields[-1] == "":  # Perl's split drops trailing empty fields
            fields.pop()
        dest = fields[1] if len(fields) > 1 and fields[1] != "" else "/dev/null"
        pairs.add((dest, fields[0]))
    return [{"filter": rule, "dest": dest, "nicedest": "Discard" if dest == "/dev/null" else dest}
            for dest, rule in sorted(pairs) if rule != "" and not rule.startswith("@")]
