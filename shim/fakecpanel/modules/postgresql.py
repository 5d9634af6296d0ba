"""UAPI module Postgresql: list_databases and list_users, per account.

Demo seed for each account: database `<user>_pg` (2 MiB) used by `<user>_pguser`, and
`<user>_idle`, a user granted on no database.
Tests stop the server with `postgres_data(account).running = False`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from ..state import CpanelAccount

SEED_DB_BYTES = 2 * 1024 * 1024
POSTGRES_DOWN = "The system failed to connect to the PostgreSQL server: the server is not running."


@dataclass(slots=True)
class PostgresData:
    databases: dict[str, int] = field(default_factory=dict)  # name -> disk usage in bytes
    users: dict[str, set[str]] = field(default_factory=dict)  # database -> users
    accounts: set[str] = field(default_factory=set)  # every database user, granted or not
    running: bool = True


def _seed(account: CpanelAccount) -> PostgresData:
    db = f"{account.user}_pg"
    return PostgresData(databases={db: SEED_DB_BYTES}, users={db: {f"{account.user}_pguser"}},
                        accounts={f"{account.user}_pguser", f"{account.user}_idle"})


def postgres_data(account: CpanelAccount) -> PostgresData:
    return account.module_state("Postgresql", _seed)


@uapi_function("Postgresql", "list_databases", samples=[{}])
def list_databases(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = postgres_data(ctx.account)
    if not data.running:
        raise UapiError(POSTGRES_DOWN)
    return UapiOutcome.ok([
        {"database": name, "disk_usage": size, "users": sorted(data.users.get(name, ()))}
        for name, size in sorted(data.databases.items())
    ])


@uapi_function("Postgresql", "list_users", samples=[{}])
def list_users(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = postgres_data(ctx.account)
    if not data.running:
        raise UapiError(POSTGRES_DOWN)
    return UapiOutcome.ok(sorted(data.accounts | {user for users in data.users.values() for user in users}))
