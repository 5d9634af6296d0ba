"""UAPI module Backup: list_backups, per account.

cPanel answers the account's full backups in its home directory as a list of ISO 8601
times ("2014-12-02T00:00:00.000Z", per the UAPI documentation's example), with their
number in `metadata.cnt`. Demo seed for every account: two completed backups.
"""

from __future__ import annotations

from ..registry import Args, UapiContext, UapiOutcome, uapi_function
from ..state import CpanelAccount

SEED_BACKUPS = ("2024-04-20T03:12:45.000Z", "2024-04-27T03:10:02.000Z")


def backups(account: CpanelAccount) -> list[str]:
    return account.module_state("Backup", lambda acct: list(SEED_BACKUPS))


@uapi_function("Backup", "list_backups", samples=[{}])
def list_backups(ctx: UapiContext, args: Args) -> UapiOutcome:
    found = sorted(backups(ctx.account))
    return UapiOutcome.ok(found, cnt=len(found), transformed=1)
