"""UAPI module Mysql, per account and stateful (databases, users, grants, remote hosts).

Behaviour follows the UAPI documentation: database and user names must carry the
account's prefix (`user_`), so the fake models a server with prefixing on; privileges are
MySQL's names, "ALL PRIVILEGES" standing for all of them; set_privileges_on_database
replaces the set and creates the grant; get_host_notes answers {host: note}.
Error texts are assumed (no live server): short sentences in cPanel's style, names in
“curly quotes”.

Demo seed for `user`: database `user_wp` (1.5 MiB) used by `user_wpuser` with ALL
PRIVILEGES, an empty database `user_shop`, and remote hosts `localhost` and
`203.0.113.0/24` (note "office"); a local MariaDB 10.6.18 server. Tests stop the server with
`mysql_data(account).running = False`.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from ..state import CpanelAccount

ALL_PRIVILEGES = "ALL PRIVILEGES"
PRIVILEGES = (
    "ALTER", "ALTER ROUTINE", "CREATE", "CREATE ROUTINE", "CREATE TEMPORARY TABLES", "CREATE VIEW",
    "DELETE", "DROP", "EVENT", "EXECUTE", "INDEX", "INSERT", "LOCK TABLES", "REFERENCES", "SELECT",
    "SHOW VIEW", "TRIGGER", "UPDATE",
)
MAX_DB_NAME = 64
MAX_USER_NAME = 32  # MySQL 5.7+, prefix included
SEED_DB_BYTES = 1_572_864
MYSQL_DOWN = "The system failed to connect to the MySQL server: the server is not running."
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_HOST = re.compile(r"^[A-Za-z0-9%_.:-]+$")


@dataclass(slots=True)
class MysqlData:
    databases: dict[str, int] = field(default_factory=dict)  # name -> disk usage in bytes
    users: dict[str, str] = field(default_factory=dict)  # name -> password
    grants: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (user, db) -> privileges
    hosts: dict[str, str] = field(default_factory=dict)  # host -> note
    server_version: str = "10.6.18-MariaDB"  # what get_server_information reports
    running: bool = True  # False: every call fails as when the MySQL server is down


def _seed(account: CpanelAccount) -> MysqlData:
    data = MysqlData()
    wp, wpuser = f"{account.user}_wp", f"{account.user}_wpuser"
    data.databases = {wp: SEED_DB_BYTES, f"{account.user}_shop": 0}
    data.users = {wpuser: "wp-Secret-1"}
    data.grants = {(wpuser, wp): {ALL_PRIVILEGES}}
    data.hosts = {"localhost": "", "203.0.113.0/24": "office"}
    return data


def mysql_data(account: CpanelAccount) -> MysqlData:
    data = account.module_state("Mysql", _seed)
    if not data.running:
        raise UapiError(MYSQL_DOWN)
    return data


def _required(args: Args, name: str) -> str:
    value = args.get(name, "")
    if not value:
        raise UapiError(f"You must specify the “{name}” parameter.")
    return value


def _prefixed(account: CpanelAccount, name: str, limit: int) -> str:
    prefix = f"{account.user}_"
    if not name.startswith(prefix):
        raise UapiError(f"The name “{name}” must begin with the account’s prefix “{prefix}”.")
    if not _NAME.match(name) or len(name) > limit:
        raise UapiError(f"“{name}” is not a valid name: use at most {limit} letters, digits, hyphens and underscores.")
    return name


def _database(data: MysqlData, name: str) -> str:
    if name not in data.databases:
        raise UapiError(f"The database “{name}” does not exist.")
    return name


def _user(data: MysqlData, name: str) -> str:
    if name not in data.users:
        raise UapiError(f"The user “{name}” does not exist.")
    return name


def _privileges(text: str) -> set[str]:
    names = {p.strip().upper() for p in text.split(",") if p.strip()}
    if ALL_PRIVILEGES in names or set(PRIVILEGES) <= names:
        return {ALL_PRIVILEGES}
    for name in sorted(names):
        if name not in PRIVILEGES:
            raise UapiError(f"“{name}” is not a valid MySQL privilege.")
    return names


@uapi_function("Mysql", "get_server_information", samples=[{}])
def get_server_information(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = mysql_data(ctx.account)
    return UapiOutcome.ok({"host": "localhost", "is_remote": 0, "version": data.server_version})


@uapi_function("Mysql", "create_database", samples=[{"name": "user_newdb"}])
def create_database(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = mysql_data(ctx.account)
    name = _prefixed(ctx.account, _required(args, "name"), MAX_DB_NAME)
    if name in data.databases:
        raise UapiError(f"The database “{name}” already exists.")
    data.databases[name] = 0
    return UapiOutcome.ok()


@uapi_function("Mysql", "delete_database", samples=[{"name": "user_shop"}])
def delete_database(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = mysql_data(ctx.account)
    name = _database(data, _required(args, "name"))
    del data.databases[name]
    data.grants = {key: value for key, value in data.grants.items() if key[1] != name}
    return UapiOutcome.ok()


@uapi_function("Mysql", "create_user", samples=[{"name": "user_new", "password": "N3w-pass-word"}])
def create_user(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = mysql_data(ctx.account)
    name = _prefixed(ctx.account, _required(args, "name"), MAX_USER_NAME)
    password = _required(args, "password")
    if name in data.users:
        raise UapiError(f"The user “{name}” already exists.")
    data.users[name] = password
    return UapiOutcome.ok()


@uapi_function("Mysql", "delete_user", samples=[{"name": "user_wpuser"}])
def delete_user(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = mysql_data(ctx.account)
    name = _user(data, _required(args, "name"))
    del data.users[name]
    data.grants = {key: value for key, value in data.grants.items() if key[0] != name}
    return UapiOutcome.ok()


@uapi_function("Mysql", "set_password", samples=[{"user": "user_wpuser", "password": "An0ther-pass"}])
def set_password(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = mysql_data(ctx.account)
    user = _user(data, _required(args, "user"))
    data.users[user] = _required(args, "password")
    return UapiOutcome.ok({"failures": []})


@uapi_function(
    "Mysql",
    "set_privileges_on_database",
    samples=[{"user": "user_wpuser", "database": "user_shop", "privileges": "SELECT,UPDATE"}],
)
def set_privileges_on_database(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = mysql_data(ctx.account)
    user = _user(data, _required(args, "user"))
    database = _database(data, _required(args, "database"))
    data.grants[(user, database)] = _privileges(args.get("privileges", ""))
    return UapiOutcome.ok()


@uapi_function("Mysql", "get_privileges_on_database", samples=[{"user": "user_wpuser", "database": "user_wp"}])
def get_privileges_on_database(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = mysql_data(ctx.account)
    user = _user(data, _required(args, "user"))
    database = _database(data, _required(args, "database"))
    return UapiOutcome.ok(sorted(data.grants.get((user, database), set())))


@uapi_function("Mysql", "revoke_access_to_database", samples=[{"user": "user_wpuser", "database": "user_wp"}])
def revoke_access_to_database(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = mysql_data(ctx.account)
    user = _user(data, _required(args, "user"))
    database = _database(data, _required(args, "database"))
    data.grants.pop((user, database), None)
    return UapiOutcome.ok()


@uapi_function("Mysql", "list_databases", samples=[{}])
def list_databases(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = mysql_data(ctx.account)
    records = [
        {"database": name, "disk_usage": size, "users": sorted(u for (u, d) in data.grants if d == name)}
        for name, size in sorted(data.databases.items())
    ]
    return UapiOutcome.ok(records)


@uapi_function("Mysql", "list_users", samples=[{}])
def list_users(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = mysql_data(ctx.account)
    prefix = f"{ctx.account.user}_"
    records = [
        {
            "databases": sorted(d for (u, d) in data.grants if u == name),
            "shortuser": name[len(prefix):] if name.startswith(prefix) else name,
            "user": name,
        }
        for name in sorted(data.users)
    ]
    return UapiOutcome.ok(records)


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_network(host, strict=False)
        return True
    except ValueError:
        return bool(_HOST.match(host))


@uapi_function("Mysql", "add_host", samples=[{"host": "198.51.100.7"}])
def add_host(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = mysql_data(ctx.account)
    host = _required(args, "host")
    if not _valid_host(host):
        raise UapiError(f"“{host}” is not a valid MySQL host.")
    data.hosts.setdefault(host, "")
    return UapiOutcome.ok()


@uapi_function("Mysql", "delete_host", samples=[{"host": "203.0.113.0/24"}])
def delete_host(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = mysql_data(ctx.account)
    host = _required(args, "host")
    if host not in data.hosts:
        raise UapiError(f"The host “{host}” is not authorized to access MySQL.")
    del data.hosts[host]
    return UapiOutcome.ok()


@uapi_function("Mysql", "get_host_notes", samples=[{}])
def get_host_notes(ctx: UapiContext, args: Args) -> UapiOutcome:
    return UapiOutcome.ok(dict(sorted(mysql_data(ctx.account).hosts.items())))
