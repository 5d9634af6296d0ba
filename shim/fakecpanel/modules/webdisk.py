"""UAPI WebDisk (the four functions in 11.125's description), per account and stateful.

Web Disk logins are `name@domain`; `user` must be the full login. The fake checks
what cPanel's documentation states: destroy (delete_user), perms (ro|rw, set_permissions)
and a password (set_password) are required. destroy=1 also forgets the home directory's
files (the fake has none, so only the flag is recorded). Error texts are the fake's own.

Demo seed (account `user`): `webdisk@example.com`, home public_html/webdav, rw.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from ..state import USER, USER_DOMAIN, CpanelAccount
from . import _domains as d

WEBDISK_LOGIN = f"webdisk@{USER_DOMAIN}"
PERMS = ("ro", "rw")


@dataclass(slots=True)
class WebDiskAccount:
    login: str
    homedir: str  # relative to the home directory
    perms: str = "rw"
    private: bool = False
    digest: bool = False
    password: str = ""


def webdisks(account: CpanelAccount) -> dict[str, WebDiskAccount]:
    def seed(acct: CpanelAccount) -> dict[str, WebDiskAccount]:
        if acct.user != USER:
            return {}
        return {WEBDISK_LOGIN: WebDiskAccount(WEBDISK_LOGIN, "public_html/webdav", password="webdiskpass")}

    return account.module_state("WebDisk", seed)


def _existing(ctx: UapiContext, args: Args) -> WebDiskAccount:
    login = d.required(args.get("user"), "user")
    found = webdisks(ctx.account).get(login.lower())
    if found is None:
        raise UapiError(f"The Web Disk account “{login}” does not exist.")
    return found


def _zero_one(args: Args, name: str, *, required: bool = False) -> bool:
    value = args.get(name)
    if value is None and not required:
        return False
    if value not in ("0", "1"):
        raise UapiError(f"The “{name}” parameter must be 0 or 1.")
    return value == "1"


@uapi_function("WebDisk", "delete_user", samples=[{"user": WEBDISK_LOGIN, "destroy": "0"}, {"user": WEBDISK_LOGIN, "destroy": "1"}])
def delete_user(ctx: UapiContext, args: Args) -> UapiOutcome:
    _zero_one(args, "destroy", required=True)
    found = _existing(ctx, args)
    del webdisks(ctx.account)[found.login]
    return UapiOutcome.ok()


@uapi_function(
    "WebDisk",
    "set_password",
    samples=[{"user": WEBDISK_LOGIN, "password": "n3w-Secret"}, {"user": WEBDISK_LOGIN, "password": "x", "enabledigest": "1"}],
)
def set_password(ctx: UapiContext, args: Args) -> UapiOutcome:
    password = d.required(args.get("password"), "password")
    digest = _zero_one(args, "enabledigest")
    found = _existing(ctx, args)
    found.password, found.digest = password, digest
    return UapiOutcome.ok()


@uapi_function(
    "WebDisk",
    "set_homedir",
    samples=[{"user": WEBDISK_LOGIN, "homedir": "public_html/dav2"}, {"user": WEBDISK_LOGIN, "homedir": "dav", "private": "1"}],
)
def set_homedir(ctx: UapiContext, args: Args) -> UapiOutcome:
    homedir = d.relative_dir(ctx.account, d.required(args.get("homedir"), "homedir"), "")
    private = _zero_one(args, "private")
    found = _existing(ctx, args)
    found.homedir, found.private = homedir, private
    return UapiOutcome.ok()


@uapi_function("WebDisk", "set_permissions", samples=[{"user": WEBDISK_LOGIN, "perms": "ro"}])
def set_permissions(ctx: UapiContext, args: Args) -> UapiOutcome:
    perms = d.required(args.get("perms"), "perms")
    if perms not in PERMS:
        raise UapiError(f"The “perms” parameter must be “ro” or “rw”, not “{perms}”.")
    found = _existing(ctx, args)
    found.perms = perms
    return UapiOutcome.ok()
