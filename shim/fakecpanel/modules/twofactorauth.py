"""UAPI TwoFactorAuth::get_user_configuration: whether the account uses two-factor
authentication (`two_factor(account)["is_enabled"]`, off in the seed) and the issuer."""

from __future__ import annotations

from typing import Any

from ..registry import Args, UapiContext, UapiOutcome, uapi_function
from ..state import CpanelAccount

ISSUER = "Example Hosting"


def two_factor(account: CpanelAccount) -> dict[str, Any]:
    return account.module_state("TwoFactorAuth", lambda _: {"is_enabled": 0})


@uapi_function("TwoFactorAuth", "get_user_configuration", samples=[{}])
def get_user_configuration(ctx: UapiContext, args: Args) -> UapiOutcome:
    return UapiOutcome.ok({"is_enabled": int(two_factor(ctx.account)["is_enabled"]), "issuer": ISSUER})
