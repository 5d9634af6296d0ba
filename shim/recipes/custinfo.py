"""CustInfo::contactemails from UAPI Variables (cPanel 11.120 Cpanel/CustInfo.pm,
CustInfo/Impl.pm and CustInfo/Model.pm).

API 2 answered the account's string contact fields in cPanel's order, one row each:
{enabled: 1, type: "string", value (HTML-escaped, "" when unset), name, descp}. The two
address descriptions mention password-reset confirmations when the server lets cPanel
users reset their password (cpanel.config resetpass, reported by
Variables::get_server_information as allow_reset_password). The values come from
Variables::get_user_information (contact_email, contact_email_2, pushbullet_access_token).
Only the cPanel account's own fields are answered: `username` naming a mail account (whose
fields cPanel keeps elsewhere) is refused.
"""

from __future__ import annotations

from html import escape
from typing import Any

from shim.translation.recipe import Api2Failure, RecipeCall

_RESET = " and password reset confirmations"
# (field, key in get_user_information, description with {reset} where the reset note goes)
FIELDS = (
    ("email", "contact_email", "Enter an email address to receive account notifications{reset}."),
    ("second_email", "contact_email_2", "Enter a second email address to receive account notifications{reset}."),
    ("pushbullet_access_token", "pushbullet_access_token", "An access token for Pushbullet."),
)


def html_escape(text: str) -> str:
    """cPanel's HTML escaping: & < > " and ' (as &#39;)."""
    return escape(text, quote=True).replace("&#x27;", "&#39;")


async def contactemails(call: RecipeCall) -> list[Any]:
    username = call.arg("username")
    if username and username != call.user:
        raise Api2Failure(f"The shim answers the contact information of the cPanel account “{call.user}” only.")
    info = await call.uapi_data("Variables", "get_user_information",
                                [("name", key) for _, key, _ in FIELDS], died=True)
    server = await call.uapi_data("Variables", "get_server_information", {"name": "allow_reset_password"}, died=True)
    reset = _RESET if isinstance(server, dict) and str(server.get("allow_reset_password") or "0") not in ("", "0") else ""
    info = info if isinstance(info, dict) else {}
    return [{"enabled": 1, "type": "string", "value": html_escape(str(info.get(key) or "")), "name": name,
             "descp": descp.format(reset=reset)} for name, key, descp in FIELDS]
