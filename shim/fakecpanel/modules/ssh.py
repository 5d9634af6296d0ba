"""SSH: UAPI SSH::get_port, and API 2 SSH::listkeys (API 2 only: UAPI has no equivalent).

The key list is per-account module state with one seeded key pair.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..registry import (
    Api2Outcome,
    Args,
    UapiContext,
    UapiOutcome,
    api2_function,
    uapi_function,
)
from ..state import CpanelAccount

SSH_PORT = 22
_KEY_TIME = 1_700_000_000


@dataclass(slots=True)
class SshKey:
    name: str
    public: str
    authorized: bool


def _keys(account: CpanelAccount) -> list[SshKey]:
    return account.module_state(
        "SSH",
        lambda acct: [SshKey("id_rsa", f"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDemo {acct.user}@{acct.domain}", True)],
    )


@uapi_function("SSH", "get_port", samples=[{}])
def get_port(ctx: UapiContext, args: Args) -> UapiOutcome:
    return UapiOutcome.ok({"port": SSH_PORT})


@api2_function("SSH", "listkeys")
def api2_listkeys(ctx: UapiContext, args: Args) -> Api2Outcome:
    with_text = args.get("keys", "0") not in ("", "0")
    rows = []
    for key in _keys(ctx.account):
        row = {
            "authaction": "Deauthorize" if key.authorized else "Authorize",
            "authstatus": "authorized" if key.authorized else "not authorized",
            "ctime": _KEY_TIME,
            "file": f"{ctx.account.home}/.ssh/{key.name}.pub",
            "haspub": 1,
            "mtime": _KEY_TIME,
            "name": key.name,
        }
        if with_text:
            row["key"] = key.public
        rows.append(row)
    return Api2Outcome(rows)
