"""MysqlFE: the answers API 2 built from cPanel's database map, from one UAPI Mysql list each.

cPanel 11.120 (Cpanel/MysqlFE.pm) read the same map UAPI Mysql::list_databases and
list_users report: a database's users, every user, whether a user exists. A failed read
dies (event.result 0 with UAPI's error), as the table's other MysqlFE lists do.
"""

from __future__ import annotations

import re
from typing import Any

from shim.recipes._files import home_file_text
from shim.translation.fields import uri_escape
from shim.translation.recipe import Api2Died, RecipeCall


async def _users_of(call: RecipeCall, db: str) -> list[str]:
    """The users granted on database `db` (its full name, as API 2 took it), sorted."""
    databases = await call.uapi_data("Mysql", "list_databases", died=True) or []
    for record in databases:
        if isinstance(record, dict) and record.get("database") == db:
            return sorted(str(user) for user in record.get("users") or [])
    return []


async def _all_users(call: RecipeCall) -> list[str]:
    users = await call.uapi_data("Mysql", "list_users", died=True) or []
    return sorted(str(record.get("user")) for record in users if isinstance(record, dict))


async def listusersindb(call: RecipeCall) -> list[Any]:
    """One {user, db} row per user of the database `db` (none when it has no users or does not exist)."""
    db = call.args.get("db")
    return [{"user": user, "db": db} for user in await _users_of(call, db or "")]


async def getdbusers(call: RecipeCall) -> list[Any]:
    """The sorted user names of database `db`, or of the whole account without `db` (a list of strings)."""
    if "db" in call.args:
        return await _users_of(call, call.args["db"])
    return await _all_users(call)


async def dbuserexists(call: RecipeCall) -> list[Any]:
    """[1] when the database user `dbuser` (its full name) exists, else [0]."""
    return [1 if call.args.get("dbuser", "") in await _all_users(call) else 0]


async def gethosts(call: RecipeCall) -> list[Any]:
    """The account's remote MySQL hosts as sorted bare names (cPanel 11.120 MysqlFE.pm)."""
    return await _remote_hosts(call)


async def listhosts(call: RecipeCall) -> list[Any]:
    """The same hosts as gethosts, each as {host, uri_host} (uri_host percent-encoded):
    cPanel 11.120 built both from one host list with the same hosts left out."""
    return [{"host": host, "uri_host": uri_escape(host)} for host in await _remote_hosts(call)]


async def _remote_hosts(call: RecipeCall) -> list[str]:
    """Every host of the grant list but `localhost`, the server's hostname and the account's
    primary domain, which API 2 left out, sorted. Hosts from Mysql::get_host_notes, the
    hostname from StatsBar::get_stats, the primary domain from
    Variables::get_user_information. A failed read is answered with its error and no
    hosts (API 2 returned the empty list beside the error; it did not die)."""
    notes = await call.uapi_data("Mysql", "get_host_notes")
    stats = await call.uapi_data("StatsBar", "get_stats", {"display": "hostname"})
    info = await call.uapi_data("Variables", "get_user_information", {"name": "domain"})
    hidden = {"localhost"}
    hidden.update(str(row.get("value")) for row in stats or [] if isinstance(row, dict) and row.get("id") == "hostname")
    if isinstance(info, dict) and info.get("domain"):
        hidden.add(str(info["domain"]))
    return sorted(host for host in (notes or {}) if host not in hidden)


async def listdbs(call: RecipeCall) -> list[Any]:
    """Every database (sorted) whose name matches `regex` case-insensitively, when given:
    {db, size (bytes), sizemeg ("1.50"), usercount, userlist: [{user, db}]} (MysqlFE.pm)."""
    pattern = None
    if call.arg("regex"):
        try:
            pattern = re.compile(call.arg("regex"), re.IGNORECASE)
        except re.error:
            pattern = re.compile(re.escape(call.arg("regex")), re.IGNORECASE)
    rows = []
    for record in await call.uapi_data("Mysql", "list_databases", died=True) or []:
        if not isinstance(record, dict):
            continue
        db = str(record.get("database", ""))
        if pattern is not None and not pattern.search(db):
            continue
        size = record.get("disk_usage") or 0
        users = [str(user) for user in record.get("users") or []]
        rows.append({"db": db, "size": size, "sizemeg": f"{float(size) / (1024 * 1024):.2f}", "usercount": len(users),
                     "userlist": [{"user": user, "db": db} for user in users]})
    return sorted(rows, key=lambda row: row["db"])


# cPanel 11.120 (Cpanel/Mysql/Privs.pm): the privileges a database user may be granted. Every
# server version gets these; 5.1.6 and later add EVENT and TRIGGER. API 2 answered them as bare
# strings, sorted (Perl's string order), from the cpmysql admin tool (Cpanel/MysqlFE.pm).
_GRANTABLE = ("ALTER ROUTINE", "ALTER", "CREATE ROUTINE", "CREATE TEMPORARY TABLES", "CREATE VIEW", "CREATE",
              "DELETE", "DROP", "EXECUTE", "INDEX", "INSERT", "LOCK TABLES", "REFERENCES", "SELECT", "SHOW VIEW",
              "UPDATE")
_GRANTABLE_SINCE_5_1_6 = ("EVENT", "TRIGGER")
_SERVER_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")


async def getmysqlprivileges(call: RecipeCall) -> list[Any]:
    """The grantable privileges for the server's version (UAPI Mysql::get_server_information)."""
    info = await call.uapi_data("Mysql", "get_server_information", died=True)
    found = _SERVER_VERSION.match(str(info.get("version", ""))) if isinstance(info, dict) else None
    if found is None:
        raise Api2Died("The MySQL server reported no version the grantable privileges can be told from.")
    major, minor, patch = (int(part) for part in found.groups())
    privileges = list(_GRANTABLE)
    if (major, minor, patch) >= (5, 1, 6):
        privileges += _GRANTABLE_SINCE_5_1_6
    return sorted(privileges)


_MYCNF_COMMENT = re.compile(r"^\s*[#;]")
_MYCNF_QUOTES = re.compile(r"\A\s*[\"']|[\"']\s*\Z")


async def has_mycnf_for_cpuser(call: RecipeCall) -> list[Any]:
    """[{has_mycnf_for_cpuser: 1|0}]: whether ~/.my.cnf names the account itself as `user`
    (cPanel 11.120 Cpanel/MysqlUtils/MyCnf/Basic.pm). cPanel read the file as `name = value`
    lines (comments `#`/`;` and empty lines skipped, names not trimmed, the last one winning)
    and dropped one pair of quotes around the value; a missing file or an empty value is 0.
    Here the file is read with UAPI Fileman (list_files, then get_file_content)."""
    content = await home_file_text(call, ".my.cnf")
    user = None
    if content is not None:
        settings: dict[str, str | None] = {}
        for line in re.split(r"\r?\n", content):
            if line == "" or _MYCNF_COMMENT.match(line):
                continue
            name, *value = re.split(r"\s*=\s*", line, maxsplit=1)
            settings[name] = value[0] if value else None
        if settings.get("user"):
            user = _MYCNF_QUOTES.sub("", settings["user"] or "")
    return [{"has_mycnf_for_cpuser": 1 if user and user == call.user else 0}]
