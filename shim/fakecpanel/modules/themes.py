"""UAPI Themes::list: the server's cPanel themes, as cPanel's code builds the list.

The server's themes are sorted; names ending in `mail` (webmail themes) are left out
unless show_mail_themes=1, and the account's own theme is added when it is missing.
"""

from __future__ import annotations

from ..registry import Args, UapiContext, UapiOutcome, uapi_function

SERVER_THEMES = ("jupiter", "jupitermail", "paper_lantern")
ACCOUNT_THEME = "jupiter"


@uapi_function("Themes", "list", samples=[{}, {"show_mail_themes": "1"}])
def list_themes(ctx: UapiContext, args: Args) -> UapiOutcome:
    themes = sorted(SERVER_THEMES)
    if args.get("show_mail_themes", "0") in ("", "0"):
        themes = [theme for theme in themes if not theme.endswith("mail")]
    if ACCOUNT_THEME not in themes:
        themes.append(ACCOUNT_THEME)
    return UapiOutcome.ok(themes)
