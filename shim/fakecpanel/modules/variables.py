"""UAPI Variables::get_user_information (the account's settings) and get_server_information
(the server's cpanel.config settings under their UAPI names), as cPanel reports them.

A subset of cPanel's keys, the ones the shim reads or clients commonly ask for (primary
domain, home directory, contact addresses and notification preferences among them);
`name` narrows the answer to the keys named (cPanel takes it repeated, `name-1`, ...).
Contact preferences live in `contact_state(account)`, so tests can change them.
get_server_information answers a subset of cPanel's keys (`server_settings(account)`, kept
per account here so a test can change one without touching the others); `name` narrows it,
and a name cPanel does not report is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from ..state import CpanelAccount
from .themes import ACCOUNT_THEME

NOTIFY_KEYS = (
    "notify_account_authn_link", "notify_account_login", "notify_account_login_for_known_netblock",
    "notify_autossl_expiry", "notify_autossl_expiry_coverage", "notify_autossl_renewal_coverage",
    "notify_autossl_renewal_coverage_reduced", "notify_autossl_renewal_uncovered_domains",
    "notify_bandwidth_limit", "notify_contact_address_change", "notify_disk_limit",
    "notify_password_change", "notify_ssl_expiry", "notify_twofactorauth_change",
)
_OFF_BY_DEFAULT = {"notify_account_login", "notify_account_login_for_known_netblock", "notify_autossl_expiry"}


@dataclass(slots=True)
class ContactState:
    second_email: str = ""
    pushbullet_access_token: str = ""
    notify: dict[str, int] = field(default_factory=lambda: {k: int(k not in _OFF_BY_DEFAULT) for k in NOTIFY_KEYS})


def contact_state(account: CpanelAccount) -> ContactState:
    return account.module_state("ContactInformation", lambda _: ContactState())


def user_settings(account: CpanelAccount) -> dict[str, Any]:
    """Settings of the account a test may change (cpuser keys): `demo_mode` (cPanel's DEMO)."""
    return account.module_state("UserSettings", lambda _: {"demo_mode": 0})


def _server_defaults(_: CpanelAccount) -> dict[str, Any]:
    return {"allow_reset_password": 1, "allow_reset_password_for_subaccounts": 0, "database_prefix_required": 1,
            "default_theme": ACCOUNT_THEME, "docroots_in_public_html_only": 0, "version": "3.4"}


def server_settings(account: CpanelAccount) -> dict[str, Any]:
    return account.module_state("ServerSettings", _server_defaults)


def _wanted(args: Args) -> list[str]:
    return [value for key in args if key == "name" or key.startswith("name-") for value in args.getlist(key)]


def user_information(account: CpanelAccount) -> dict[str, Any]:
    contact = contact_state(account)
    info: dict[str, Any] = {
        "user": account.user,
        "domain": account.domain,
        "domains": [account.domain, *sorted(account.other_domains)],
        "home": account.home,
        "ip": account.ip,
        "owner": account.owner,
        "plan": account.plan,
        "theme": ACCOUNT_THEME,
        "lang": "en",
        "locale": "en",
        "uid": account.uid,
        "gid": account.uid,
        "created": account.start_epoch,
        "pushbullet_access_token": contact.pushbullet_access_token,
        "bandwidth_limit": 0,
        "disk_block_limit": account.disk_quota_mb * 1024,
        "maximum_addon_domains": "unlimited",
        "maximum_databases": "unlimited",
        "maximum_ftp_accounts": "unlimited",
        "maximum_mail_accounts": "unlimited",
        "maximum_subdomains": "unlimited",
        "mailbox_format": "maildir",
        "shell": "/usr/local/cpanel/bin/noshell",
        "demo_mode": user_settings(account)["demo_mode"],
        **contact.notify,
    }
    # The description types both addresses as emails, so an unset one is left out.
    for key, value in (("contact_email", account.email), ("contact_email_2", contact.second_email)):
        if value:
            info[key] = value
    return dict(sorted(info.items()))


@uapi_function("Variables", "get_user_information", samples=[{}, {"name": "domain"}])
def get_user_information(ctx: UapiContext, args: Args) -> UapiOutcome:
    info = user_information(ctx.account)
    wanted = _wanted(args)
    if wanted:
        info = {key: value for key, value in info.items() if key in wanted}
    return UapiOutcome.ok(info)


@uapi_function("Variables", "get_server_information", samples=[{}, {"name": "allow_reset_password"}])
def get_server_information(ctx: UapiContext, args: Args) -> UapiOutcome:
    settings = server_settings(ctx.account)
    wanted = _wanted(args)
    unknown = [name for name in wanted if name not in settings]
    if unknown:
        raise UapiError(f"The following parameters are invalid: {', '.join(unknown)}")
    return UapiOutcome.ok({key: value for key, value in sorted(settings.items()) if not wanted or key in wanted})
