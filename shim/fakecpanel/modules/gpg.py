"""UAPI GPG::list_public_keys and list_secret_keys, per account.

Demo seed: one key pair (public and secret parts) for "Demo User <admin@example.com>";
tests add keys to `gpg_state(account)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from ..state import CpanelAccount

CREATED = 1_700_000_000
GPG_BROKEN = "The system failed to run “gpg”."  # the fake's wording


@dataclass(slots=True)
class GpgState:
    public: list[dict[str, Any]] = field(default_factory=list)
    secret: list[dict[str, Any]] = field(default_factory=list)
    broken: bool = False  # True: every listing fails, as when gpg cannot be run


def _key(kind: str, key_id: str, user_id: str) -> dict[str, Any]:
    # The 11.125 description types the public list's times as text and the secret one's as numbers.
    created, expires = (str(CREATED), "0") if kind == "pub" else (CREATED, 0)
    return {"algorithm": "RSA", "bits": 2048, "created": created, "expires": expires, "id": key_id, "type": kind,
            "user_id": user_id}


def _seed(account: CpanelAccount) -> GpgState:
    user_id = f"Demo User <admin@{account.domain}>"
    return GpgState(public=[_key("pub", "A1B2C3D4E5F60718", user_id)], secret=[_key("sec", "A1B2C3D4E5F60718", user_id)])


def gpg_state(account: CpanelAccount) -> GpgState:
    state = account.module_state("GPG", _seed)
    if state.broken:
        raise UapiError(GPG_BROKEN)
    return state


@uapi_function("GPG", "list_public_keys", samples=[{}])
def list_public_keys(ctx: UapiContext, args: Args) -> UapiOutcome:
    return UapiOutcome.ok([dict(key) for key in gpg_state(ctx.account).public])


@uapi_function("GPG", "list_secret_keys", samples=[{}])
def list_secret_keys(ctx: UapiContext, args: Args) -> UapiOutcome:
    return UapiOutcome.ok([dict(key) for key in gpg_state(ctx.account).secret])
