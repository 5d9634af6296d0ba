"""Every translated MysqlFE function through the real shim: success and failure, whole documents."""

import logging

import pytest
from api2calls import Api2Calls

from shim.fakecpanel.modules.fileman import Node, file_tree
from shim.fakecpanel.modules.mysql import MYSQL_DOWN, mysql_data
from shim.fakecpanel.modules.variables import server_settings

MODULE = "MysqlFE"
SECRET = "Sup3r-secret-pw"


def ok(func, data):
    return {"cpanelresult": {"apiversion": 2, "func": func, "data": data, "event": {"result": 1}, "module": MODULE}}


def died(func, reason):
    """The function threw: cPanel 11.120's API 2 runner (Api2/Exec.pm) kept no data."""
    return {"cpanelresult": {"apiversion": 2, "func": func, "module": MODULE,
                             "event": {"result": 0, "reason": reason}, "error": reason}}


def failed_null(func, error):
    """cPanel 11.120's _simple_api2_db_operation: the error set, undef returned — data [null],
    event.result 1 (changedbuserpassword, setdbuserprivileges, revokedbuserprivileges)."""
    return {"cpanelresult": {"apiversion": 2, "func": func, "data": [None], "event": {"result": 1},
                             "module": MODULE, "error": error}}


async def api2_whm(stack, func, **args):
    return await Api2Calls(stack, MODULE).whm(func, **args)


async def api2_cpanel(stack, func, **args):
    return await Api2Calls(stack, MODULE).cpanel(func, **args)


async def test_createdb_adds_the_account_prefix_on_both_ports(stack):
    assert await api2_whm(stack, "createdb", db="blog") == (200, ok("createdb", [1]))
    assert await api2_cpanel(stack, "createdb", db="user_shop2") == (200, ok("createdb", [1]))
    names = [r["database"] for r in await stack.uapi_data("Mysql", "list_databases")]
    assert names == ["user_blog", "user_shop", "user_shop2", "user_wp"]
    assert stack.state.requests_to("uapi_cpanel")[0].form["name"] == ["user_blog"]
    assert await api2_whm(stack, "createdb", db="blog") == (200, died("createdb", "The database “user_blog” already exists."))


async def test_deletedb(stack):
    assert await api2_cpanel(stack, "deletedb", db="shop") == (200, ok("deletedb", [1]))
    assert await api2_cpanel(stack, "deletedb", db="shop") == (200, died("deletedb", "The database “user_shop” does not exist."))


async def test_createdbuser_keeps_the_password_secret(stack, caplog):
    caplog.set_level(logging.DEBUG)
    assert await api2_whm(stack, "createdbuser", dbuser="bob", password=SECRET) == (200, ok("createdbuser", [1]))
    assert stack.state.requests[-1].form["password"] == [SECRET]
    assert await api2_whm(stack, "createdbuser", dbuser="user_bob", password=SECRET) == (
        200, died("createdbuser", "The user “user_bob” already exists."))
    assert SECRET not in caplog.text


async def test_deletedbuser(stack):
    assert await api2_whm(stack, "deletedbuser", dbuser="wpuser") == (200, ok("deletedbuser", [1]))
    assert await stack.uapi_data("Mysql", "list_users") == []
    assert await api2_whm(stack, "deletedbuser", dbuser="wpuser") == (
        200, died("deletedbuser", "The user “user_wpuser” does not exist."))


async def test_changedbuserpassword(stack):
    assert await api2_cpanel(stack, "changedbuserpassword", dbuser="wpuser", password=SECRET) == (
        200, ok("changedbuserpassword", [1]))
    seen = stack.state.requests[-1]
    assert (seen.path, seen.query, seen.form) == ("/execute/Mysql/set_password", {},
                                                  {"user": ["user_wpuser"], "password": [SECRET]})
    assert await api2_cpanel(stack, "changedbuserpassword", dbuser="ghost", password=SECRET) == (
        200, failed_null("changedbuserpassword", "The user “user_ghost” does not exist."))


async def test_setdbuserprivileges_then_userdbprivs_and_getdbuserprivileges(stack):
    got = await api2_whm(stack, "setdbuserprivileges", db="shop", dbuser="wpuser", privileges="SELECT,UPDATE")
    assert got == (200, ok("setdbuserprivileges", [1]))
    assert await api2_whm(stack, "getdbuserprivileges", db="shop", dbuser="wpuser") == (
        200, ok("getdbuserprivileges", ["SELECT", "UPDATE"]))
    # The docs send dbuser, cPanel's code read user: both work.
    assert await api2_whm(stack, "userdbprivs", db="user_shop", dbuser="user_wpuser") == (
        200, ok("userdbprivs", [{"SELECT": 1, "UPDATE": 1}]))
    assert await api2_cpanel(stack, "userdbprivs", db="wp", user="wpuser") == (
        200, ok("userdbprivs", [{"ALL PRIVILEGES": 1}]))


async def test_privilege_failures(stack):
    # cPanel 11.120 (MysqlFE.pm): the error set, undef returned — data [null], event.result 1, no death.
    bad = "“FLY” is not a valid MySQL privilege."
    assert await api2_whm(stack, "setdbuserprivileges", db="shop", dbuser="wpuser", privileges="SELECT,FLY") == (
        200, failed_null("setdbuserprivileges", bad))
    assert await api2_whm(stack, "getdbuserprivileges", db="nosuch", dbuser="wpuser") == (
        200, died("getdbuserprivileges", "The database “user_nosuch” does not exist."))
    assert await api2_whm(stack, "userdbprivs", db="wp", user="ghost") == (
        200, died("userdbprivs", "The user “user_ghost” does not exist."))


async def test_revokedbuserprivileges(stack):
    assert await api2_cpanel(stack, "revokedbuserprivileges", db="wp", dbuser="wpuser") == (
        200, ok("revokedbuserprivileges", [1]))
    assert await stack.uapi_data("Mysql", "get_privileges_on_database", database="user_wp", user="user_wpuser") == []
    assert await api2_cpanel(stack, "revokedbuserprivileges", db="wp", dbuser="ghost") == (
        200, failed_null("revokedbuserprivileges", "The user “user_ghost” does not exist."))


async def test_authorizehost_listhosts_deauthorizehost(stack):
    assert await api2_whm(stack, "authorizehost", host="198.51.100.%") == (200, ok("authorizehost", [1]))
    assert await api2_whm(stack, "listhosts") == (200, ok("listhosts", [
        {"host": "198.51.100.%", "uri_host": "198.51.100.%25"},
        {"host": "203.0.113.0/24", "uri_host": "203.0.113.0%2F24"},
    ]))
    assert await api2_whm(stack, "authorizehost", host="bad host!") == (
        200, died("authorizehost", "“bad host!” is not a valid MySQL host."))
    assert await api2_whm(stack, "deauthorizehost", host="198.51.100.%") == (200, ok("deauthorizehost", [1]))
    assert await api2_whm(stack, "deauthorizehost", host="198.51.100.%") == (
        200, died("deauthorizehost", "The host “198.51.100.%” is not authorized to access MySQL."))


async def test_listdbs_and_its_legacy_records(stack):
    wp = {"db": "user_wp", "size": 1572864, "sizemeg": "1.50", "usercount": 1,
          "userlist": [{"user": "user_wpuser", "db": "user_wp"}]}
    shop = {"db": "user_shop", "size": 0, "sizemeg": "0.00", "usercount": 0, "userlist": []}
    assert await api2_whm(stack, "listdbs") == (200, ok("listdbs", [shop, wp]))
    # cPanel 11.120 kept only the names matching `regex`, case-insensitively (MysqlFE.pm api2_listdbs).
    assert await api2_whm(stack, "listdbs", regex="WP$") == (200, ok("listdbs", [wp]))
    assert "regex" not in stack.state.requests[-1].form


@pytest.mark.parametrize("func, expected", [
    ("listdbsbackup", [{"db": "user_shop"}, {"db": "user_wp"}]),
    ("getalldbsinfo", [{"db": "user_shop", "size": 0, "dbusers": []},
                       {"db": "user_wp", "size": 1572864, "dbusers": ["user_wpuser"]}]),
    ("listusers", [{"user": "user_wpuser", "shortuser": "wpuser", "dblist": [{"user": "user_wpuser", "db": "user_wp"}]}]),
    ("getalldbusersanddbs", [{"dbuser": "user_wpuser", "dbs": ["user_wp"]}]),
])
async def test_list_functions(stack, func, expected):
    assert await api2_cpanel(stack, func) == (200, ok(func, expected))


@pytest.mark.parametrize("func, uapi_func", [
    ("listdbs", "list_databases"), ("listdbsbackup", "list_databases"), ("getalldbsinfo", "list_databases"),
    ("listusers", "list_users"), ("getalldbusersanddbs", "list_users"),
])
async def test_list_functions_die_when_uapi_fails(stack, func, uapi_func):
    mysql_data(stack.state.accounts["user"]).running = False
    assert await api2_cpanel(stack, func) == (200, died(func, MYSQL_DOWN))
    assert stack.state.requests[-1].path == f"/execute/Mysql/{uapi_func}"


async def test_cookie_sessions_send_names_as_given(stack):
    # No credentials name the account on a cookie session: the name goes upstream unchanged.
    login = await stack.http.post(f"{stack.cpanel}/login", data={"user": "user", "pass": "userpass"}, allow_redirects=False)
    cookie = login.cookies["cpsession"].value
    token = login.headers["Location"].strip("/")
    url = f"{stack.cpanel}/{token}/json-api/cpanel"
    query = {"cpanel_jsonapi_module": MODULE, "cpanel_jsonapi_func": "createdb", "db": "blog"}
    got = await stack.get_json(url, params=query, headers={"Cookie": f"cpsession={cookie}"})
    assert got == (200, died("createdb", "The name “blog” must begin with the account’s prefix “user_”."))


# Recipes (shim/recipes/mysqlfe.py): one Mysql list call, filtered as API 2's map reader did.
async def test_listusersindb_getdbusers_dbuserexists(stack):
    assert await api2_cpanel(stack, "createdbuser", dbuser="user_bob", password=SECRET) == (200, ok("createdbuser", [1]))
    assert await api2_cpanel(stack, "setdbuserprivileges", db="user_wp", dbuser="user_bob", privileges="SELECT") == (
        200, ok("setdbuserprivileges", [1]))
    assert await api2_whm(stack, "listusersindb", db="user_wp") == (200, ok("listusersindb", [
        {"user": "user_bob", "db": "user_wp"}, {"user": "user_wpuser", "db": "user_wp"}]))
    assert await api2_whm(stack, "listusersindb", db="user_shop") == (200, ok("listusersindb", []))
    assert await api2_cpanel(stack, "getdbusers", db="user_wp") == (200, ok("getdbusers", ["user_bob", "user_wpuser"]))
    assert await api2_cpanel(stack, "getdbusers", db="user_nosuch") == (200, ok("getdbusers", []))
    assert await api2_cpanel(stack, "getdbusers") == (200, ok("getdbusers", ["user_bob", "user_wpuser"]))
    assert await api2_whm(stack, "dbuserexists", dbuser="user_bob") == (200, ok("dbuserexists", [1]))
    assert await api2_whm(stack, "dbuserexists", dbuser="bob") == (200, ok("dbuserexists", [0]))
    assert stack.state.requests[-1].form["cpanel.function"] == ["list_users"]


@pytest.mark.parametrize("func", ["listusersindb", "getdbusers", "dbuserexists"])
async def test_recipe_lists_die_when_uapi_fails(stack, func):
    mysql_data(stack.state.accounts["user"]).running = False
    assert await api2_cpanel(stack, func, db="user_wp", dbuser="user_wpuser") == (200, died(func, MYSQL_DOWN))


# cPanel 11.120 (MysqlFE.pm _listhosts) left out localhost, the server's hostname and the
# primary domain from both lists, and answered a failed read as [] with the error.
async def test_gethosts_and_listhosts_leave_out_the_hosts_cpanel_hid(stack):
    data = mysql_data(stack.state.accounts["user"])
    data.hosts.update({"server.example.com": "", "example.com": "", "198.51.100.7": "backup"})
    assert await api2_whm(stack, "gethosts") == (200, ok("gethosts", ["198.51.100.7", "203.0.113.0/24"]))
    assert await api2_whm(stack, "listhosts") == (200, ok("listhosts", [
        {"host": "198.51.100.7", "uri_host": "198.51.100.7"},
        {"host": "203.0.113.0/24", "uri_host": "203.0.113.0%2F24"}]))
    data.running = False
    for func in ("gethosts", "listhosts"):
        assert await api2_cpanel(stack, func) == (200, {"cpanelresult": {
            "apiversion": 2, "func": func, "module": MODULE, "event": {"result": 1}, "data": [],
            "error": MYSQL_DOWN}})


async def test_dbmap_status_is_the_prefix_setting(stack):
    calls = Api2Calls(stack, "DBmap")
    assert await calls.whm("status") == (200, calls.ok("status", [{"prefix": 1}]))
    assert calls.last_uapi() == ("Variables", "get_server_information", {"name": ["database_prefix_required"]})
    server_settings(stack.state.accounts["user"])["database_prefix_required"] = 0
    assert await calls.cpanel("status") == (200, calls.ok("status", [{"prefix": 0}]))
    reason = "upstream answered HTTP 500"
    stack.state.faults.add("/execute/Variables/get_server_information", "status:500", times=1)
    assert await calls.cpanel("status") == (502, {"cpanelresult": {
        "apiversion": 2, "func": "status", "module": "DBmap", "data": [],
        "event": {"result": 0, "reason": reason}, "error": reason}})


async def test_dbmap_version_is_whm_api_1_version_on_the_whm_port_only(stack):
    calls = Api2Calls(stack, "DBmap")
    assert await calls.whm("version") == (200, calls.ok("version", [{"version": "11.120.0.5"}]))
    assert stack.state.requests[-1].path == "/json-api/version"
    stack.state.version = "11.126.0.9-RELEASE"  # API 2 cut the file's text at its first "-"
    assert await calls.whm("version") == (200, calls.ok("version", [{"version": "11.126.0.9"}]))
    # The cPanel port has no WHM credentials: the call passes through to native API 2 while it is served.
    before = len(stack.state.requests)
    passed = await calls.cpanel("version")
    assert [seen.path for seen in stack.state.requests[before:]] == ["/json-api/cpanel"]
    assert passed == await calls.native_cpanel("version")


GRANTABLE = ["ALTER", "ALTER ROUTINE", "CREATE", "CREATE ROUTINE", "CREATE TEMPORARY TABLES", "CREATE VIEW", "DELETE",
             "DROP", "EVENT", "EXECUTE", "INDEX", "INSERT", "LOCK TABLES", "REFERENCES", "SELECT", "SHOW VIEW",
             "TRIGGER", "UPDATE"]


async def test_getmysqlprivileges_follows_the_server_version(stack):
    calls = Api2Calls(stack, "MysqlFE")
    assert await calls.cpanel("getmysqlprivileges") == (200, calls.ok("getmysqlprivileges", GRANTABLE))
    data = mysql_data(stack.state.accounts["user"])
    data.server_version = "5.1.5"  # before 5.1.6: no EVENT, no TRIGGER
    assert await calls.whm("getmysqlprivileges") == (200, calls.ok("getmysqlprivileges", [
        p for p in GRANTABLE if p not in ("EVENT", "TRIGGER")]))
    data.server_version = "unknown"
    reason = "The MySQL server reported no version the grantable privileges can be told from."
    assert await calls.cpanel("getmysqlprivileges") == (200, {"cpanelresult": {
        "apiversion": 2, "func": "getmysqlprivileges", "module": "MysqlFE",
        "event": {"result": 0, "reason": reason}, "error": reason}})  # it died: no data


async def test_has_mycnf_for_cpuser_reads_the_file_with_fileman(stack):
    calls = Api2Calls(stack, "MysqlFE")
    tree = file_tree(stack.state.accounts["user"])
    no, yes = calls.ok("has_mycnf_for_cpuser", [{"has_mycnf_for_cpuser": 0}]), calls.ok(
        "has_mycnf_for_cpuser", [{"has_mycnf_for_cpuser": 1}])
    assert await calls.cpanel("has_mycnf_for_cpuser") == (200, no)  # no ~/.my.cnf
    tree.nodes["/home/user/.my.cnf"] = Node("file", "[client]\n# user=nobody\nuser = other\r\npass=\"x\"\nuser = 'user' \n")
    assert await calls.whm("has_mycnf_for_cpuser") == (200, yes)  # the last `user` wins, quotes dropped
    tree.nodes["/home/user/.my.cnf"].content = "[client]\n user=user\nuser=\n"
    assert await calls.cpanel("has_mycnf_for_cpuser") == (200, no)  # " user" is another name; "" is no user
