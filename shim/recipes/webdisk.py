"""WebDisk::addwebdisk, listwebdisks and setstatus over UAPI UserManager (cPanel 11.120 Cpanel/WebDisk.pm,
Cpanel/UserManager.pm).

A Web Disk login is `user@domain` in the account's etc/webdav passwd and shadow files.
UAPI has no WebDisk function that creates or lists them, but UserManager does both: its
list_users gathers every Web Disk login from those files (through the very API 2 listing
below) as services.webdisk {enabled, homedir (relative to home), enabledigest, private,
perms}, and create_user with services.webdisk.* creates one through the same code. The
difference a client can see: the login is created as a Subaccount, so it also appears in
cPanel's User Manager (where API 2 made an unlinked "service account"); deleting it with
delwebdisk works the same.

listwebdisks rows, sorted by login: {login, domain, user, homedir (absolute), reldir
(homedir without the home directory), private (0/1: the directory is not world-readable),
sslport "2078", mainport "2077" (strings), hasdigest (1/0: the shadow line has a digest
hash), perms (ro|rw)}. Only logins on the account's own domains are listed; `regex` keeps
the logins it matches, case-insensitively (an invalid one answers no rows and no error:
cPanel filed that error under another module's name). Behind cPanel's proxy subdomains
(webdisk.<domain> reached through proxysubdomains) API 2 put the proxy's domain and ports in
the row instead; a client talking to the shim is not proxied that way, so the direct ports
are answered.
"""

from __future__ import annotations

import re
from typing import Any

from shim.recipes.ui import perl_int
from shim.translation.perlvalues import perl_true
from shim.translation.recipe import Api2Failure, NoRoute, RecipeCall

SSL_PORT, MAIN_PORT = "2078", "2077"  # cpdavd's ports, as API 2 sent them (strings)
_NOT_IN_LOGIN = re.compile(r"[@+\r\n\s\t]")


def _webdisk_of(record: Any) -> dict[str, Any] | None:
    """The Web Disk settings of a UserManager record that is a Web Disk login, else None."""
    services = record.get("services") if isinstance(record, dict) else None
    webdisk = services.get("webdisk") if isinstance(services, dict) else None
    if record.get("type") not in ("sub", "service") or not isinstance(webdisk, dict) or not webdisk.get("enabled"):
        return None
    return webdisk


async def listwebdisks(call: RecipeCall) -> list[Any]:
    if perl_true(call.args.get("check_primary_domain")):
        # It then listed the logins on domains the account no longer has, which UserManager
        # (reading through the same listing, with the account's domains) never returns.
        raise NoRoute("WebDisk::listwebdisks with check_primary_domain lists logins no UAPI call returns")
    pattern = None
    if call.arg("regex"):
        try:
            pattern = re.compile(call.arg("regex"), re.IGNORECASE)
        except re.error:
            return []
    users = await call.uapi_data("UserManager", "list_users", {"flat": 1}, died=True) or []
    info = await call.uapi_data("Variables", "get_user_information", {"name": "home"}, died=True) or {}
    home = str(info.get("home", "")).rstrip("/") if isinstance(info, dict) else ""
    if call.arg("home_dir") and call.arg("home_dir").rstrip("/") != home:
        raise NoRoute("WebDisk::listwebdisks with another home_dir reads files no UAPI call reads")
    rows = []
    for record in users if isinstance(users, list) else []:
        webdisk = _webdisk_of(record)
        if webdisk is None:
            continue
        user, domain = str(record.get("username", "")), str(record.get("domain", ""))
        login = f"{user}@{domain}"
        if pattern is not None and not pattern.search(login):
            continue
        reldir = str(webdisk.get("homedir", "")).strip("/")
        rows.append({
            "login": login, "domain": domain, "user": user,
            "homedir": f"{home}/{reldir}" if reldir else home, "reldir": reldir,
            "private": webdisk.get("private"), "sslport": SSL_PORT, "mainport": MAIN_PORT,
            "hasdigest": webdisk.get("enabledigest"), "perms": "ro" if webdisk.get("perms") == "ro" else "rw",
        })
    return sorted(rows, key=lambda row: row["login"].encode())


async def addwebdisk(call: RecipeCall) -> list[Any]:
    """One row {user, domain, login, enabledigest (1/0), perms}; the checks API 2 made before
    writing anything are made here with its texts, the rest is UserManager's."""
    user = _NOT_IN_LOGIN.sub("", call.arg("user"))
    domain = _NOT_IN_LOGIN.sub("", call.arg("domain"))
    password, password_hash = call.arg("password"), call.arg("password_hash")
    digest = call.args["digestauth"] if "digestauth" in call.args else call.args.get("enabledigest")
    if not user:
        raise Api2Failure("No username provided for web disk account creation.")
    if bool(password) == bool(password_hash):
        raise Api2Failure("You must provide a password or a password hash to create a Web Disk account.")
    if not call.arg("homedir"):
        raise Api2Failure("No home directory provided for Web Disk account creation.")
    perms = call.arg("perms") or "rw"
    if perms not in ("rw", "ro"):
        raise Api2Failure("The only legal values for perms are “rw” and “ro”.")
    if password_hash:
        raise Api2Failure("api2shim cannot create a Web Disk account from a password hash: UAPI "
                          "UserManager::create_user takes the password itself.")
    login = f"{user}@{domain}"
    existing = await call.uapi_data("UserManager", "list_users", {"flat": 1}, died=True) or []
    for record in existing if isinstance(existing, list) else []:
        if _webdisk_of(record) is not None and f"{record.get('username')}@{record.get('domain')}" == login:
            raise Api2Failure(f"The user “{login}” already exists.")
    await call.uapi_data("UserManager", "create_user", {
        "username": user, "domain": domain, "password": password,
        "services.webdisk.enabled": 1, "services.webdisk.homedir": call.arg("homedir"),
        "services.webdisk.perms": perms, "services.webdisk.private": perl_true(call.args.get("private")),
        "services.webdisk.enabledigest": perl_true(digest),
    }, secret=("password",))
    return [{"user": user, "domain": domain, "login": login, "enabledigest": 1 if perl_true(digest) else 0,
             "perms": perms}]


async def setstatus(call: RecipeCall) -> list[Any]:
    """[{private: int(on)}]: API 2 made the login's Web Disk directory private (0700) when `on`
    was "1", public (0755) otherwise, and answered that row whether or not the login existed.
    UAPI WebDisk::set_homedir with the login's own directory and `private` does the same chmod;
    its failure (which API 2 could not have) is answered as the error."""
    on = call.arg("on") or "0"
    row = [{"private": perl_int(on)}]
    login = call.arg("login")
    if not login:
        return row
    users = await call.uapi_data("UserManager", "list_users", {"flat": 1}, died=True) or []
    for record in users if isinstance(users, list) else []:
        webdisk = _webdisk_of(record)
        if webdisk is not None and f"{record.get('username')}@{record.get('domain')}" == login:
            await call.uapi_data("WebDisk", "set_homedir", {
                "user": login, "homedir": str(webdisk.get("homedir", "")), "private": 1 if on == "1" else 0})
            break
    return row
