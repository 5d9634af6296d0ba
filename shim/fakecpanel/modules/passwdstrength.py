"""UAPI module PasswdStrength: required password strengths (cPanel's defaults, assumed:
65 for every application except `virtual`, 50)."""

from __future__ import annotations

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function

PASSWORD_APPS = ("cpaddons", "createacct", "ftp", "htaccess", "list", "mysql", "passwd", "pop", "postgres", "sshkey",
                 "webdisk", "virtual")
REQUIRED_STRENGTH = 65
VIRTUAL_STRENGTH = 50


@uapi_function("PasswdStrength", "get_required_strength", samples=[{"app": "ftp"}, {"app": "virtual"}])
def get_required_strength(ctx: UapiContext, args: Args) -> UapiOutcome:
    app = args.get("app", "")
    if app not in PASSWORD_APPS:
        raise UapiError(f"“{app}” is not a valid application ({', '.join(PASSWORD_APPS)}).")
    return UapiOutcome.ok({"strength": VIRTUAL_STRENGTH if app == "virtual" else REQUIRED_STRENGTH})
