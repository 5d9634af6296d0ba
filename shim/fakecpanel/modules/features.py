"""UAPI Features::has_feature: status 1 when the account has the feature; a feature the
account lacks is status 0 with cPanel's message "The feature “NAME” exists but is not
enabled." (every name exists here). `disabled_features(account)` is the set a test turns off.
"""

from __future__ import annotations

from ..registry import Args, UapiContext, UapiOutcome, uapi_function
from ..state import CpanelAccount


def disabled_features(account: CpanelAccount) -> set[str]:
    return account.module_state("Features", lambda _: set())


@uapi_function("Features", "has_feature", samples=[{"name": "password"}])
def has_feature(ctx: UapiContext, args: Args) -> UapiOutcome:
    name = args.get("name", "")
    if name in disabled_features(ctx.account):
        return UapiOutcome(messages=[f"The feature “{name}” exists but is not enabled."], status=0)
    return UapiOutcome.ok(None)
