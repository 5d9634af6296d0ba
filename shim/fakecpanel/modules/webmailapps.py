"""UAPI module WebmailApps: Roundcube only (cPanel's default webmail), paths as cPanel lists them."""

from __future__ import annotations

from ..registry import Args, UapiContext, UapiOutcome, uapi_function


@uapi_function("WebmailApps", "list_webmail_apps", samples=[{}, {"theme": "jupiter"}])
def list_webmail_apps(ctx: UapiContext, args: Args) -> UapiOutcome:
    theme = args.get("theme") or "jupiter"
    return UapiOutcome.ok([{
        "displayname": "Roundcube",
        "icon": f"/webmail/{theme}/images/roundcube_logo.png",
        "id": "roundcube",
        "url": "/3rdparty/roundcube/index.php",
    }])
