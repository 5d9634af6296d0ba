"""Postgres: the user lists API 2 built from cPanel's database map, from UAPI Postgresql's
lists of users and databases (cPanel 11.120 Cpanel/Postgres.pm).

listusers: one {user, dblist} row per user, sorted by name, `dblist` holding one {user, db}
per database the user is granted on; listusersindb: one {user, db} per user of `db`;
userexists: [{userexists: "1" | "0"}] (API 2 passed on the admin tool's text). Database and
user names are full (prefixed) names, as API 2 took and answered them. When the PostgreSQL
server cannot be read, the API 2 functions died.
"""

from __future__ import annotations

from typing import Any

from shim.translation.recipe import RecipeCall


async def _grants(call: RecipeCall) -> dict[str, list[str]]:
    """database -> its users, from Postgresql::list_databases."""
    databases = await call.uapi_data("Postgresql", "list_databases", died=True) or []
    return {str(record.get("database")): sorted(str(u) for u in record.get("users") or [])
            for record in databases if isinstance(record, dict)}


async def _users(call: RecipeCall) -> list[str]:
    return sorted(str(user) for user in await call.uapi_data("Postgresql", "list_users", died=True) or [])


async def listusers(call: RecipeCall) -> list[Any]:
    users = await _users(call)
    grants = await _grants(call)
    return [{"user": user, "dblist": [{"user": user, "db": db} for db in sorted(grants) if user in grants[db]]}
            for user in users]


async def listusersindb(call: RecipeCall) -> list[Any]:
    db = call.args.get("db")
    return [{"user": user, "db": db} for user in (await _grants(call)).get(db or "", [])]


async def userexists(call: RecipeCall) -> list[Any]:
    return [{"userexists": "1" if call.arg("user") in await _users(call) else "0"}]
