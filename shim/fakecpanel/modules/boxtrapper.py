"""UAPI BoxTrapper::get_status: whether BoxTrapper filters a mail account's mail (1 or 0).

The cPanel account itself is named by its user name, mail accounts by address. Texts for
an unknown account are cPanel's (Cpanel/BoxTrapper.pm). Demo seed: BoxTrapper is on for
info@example.com; `boxtrapper_state(account).enabled` holds the accounts it is on for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from ..state import CpanelAccount
from .email import DEMO_MAILBOX, email_state


@dataclass(slots=True)
class BoxTrapperState:
    enabled: set[str] = field(default_factory=set)


def boxtrapper_state(account: CpanelAccount) -> BoxTrapperState:
    return account.module_state("BoxTrapper", lambda a: BoxTrapperState({f"{DEMO_MAILBOX}@{a.domain}"}))


@uapi_function("BoxTrapper", "get_status", samples=[{"email": "info@example.com"}, {"email": "user"}])
def get_status(ctx: UapiContext, args: Args) -> UapiOutcome:
    email = args.get("email", "")
    if not email:
        raise UapiError("You must specify the “email” parameter.")
    if email != ctx.account.user and email not in email_state(ctx.account).mailboxes:
        raise UapiError(f"The system failed to locate the home directory for the email account, {email}.")
    return UapiOutcome.ok(int(email in boxtrapper_state(ctx.account).enabled))
