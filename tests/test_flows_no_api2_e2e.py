"""Whole client flows through the shim against a cPanel with no native API 2 at all.

The fake serves no API 2 (`native_api2 = False`, as after cPanel's removal) and the shim is
told so (`upstream_api2: absent`): every answer below comes from UAPI through the table or
a recipe, and no request ever reaches the fake's /json-api/cpanel. Each step compares the
whole document a legacy client receives.
"""

import pytest
from api2calls import Api2Calls, stack_with

from shim import fakecpanel

HOST = fakecpanel.HOSTNAME
IP = "192.0.2.10"


@pytest.fixture
async def no_api2():
    state = fakecpanel.FakeState.demo()
    state.native_api2 = False
    async with stack_with({"upstream_api2": "absent"}, state=state) as stack:
        yield stack
        assert [r.path for r in stack.state.requests if r.path.endswith("json-api/cpanel")] == []


def zone_lines(domain):
    apex = f"{domain}."
    return [
        f"; cPanel first:11.120.0.5 Cpanel::ZoneFile::VERSION:1.3 hostname:{HOST}",
        f"; Zone file for {domain}",
        "$TTL 14400",
        f"{apex}\t86400\tIN\tSOA\tns1.{apex} admin.{apex} 2024042301 3600 1800 1209600 86400",
        f"{apex}\t86400\tIN\tNS\tns1.{apex}",
        f"{apex}\t86400\tIN\tNS\tns2.{apex}",
        f"{apex}\t14400\tIN\tA\t{IP}",
        f"mail\t14400\tIN\tA\t{IP}",
        f"www\t14400\tIN\tCNAME\t{apex}",
        f"{apex}\t14400\tIN\tMX\t0 {apex}",
        f"{apex}\t14400\tIN\tTXT\t\"v=spf1 +a +mx ~all\"",
    ]


def mutation_ok(calls, func, newserial):
    """The zone admin's reply (cPanel 11.120 zone.pm): the new serial; dnsadmin printed nothing."""
    return calls.ok(func, [{"result": {"status": 1, "statusmsg": "", "newserial": newserial}}])


async def test_dns01_find_the_zone_add_list_and_remove_a_txt_record(no_api2):
    zone = Api2Calls(no_api2, "ZoneEdit")
    status, found = await zone.cpanel("fetchzones")
    assert (status, found) == (200, zone.ok("fetchzones", [{"status": 1, "statusmsg": "Zones fetched", "zones": {
        "blog.example.com": [], "example.com": zone_lines("example.com"), "example.net": zone_lines("example.net"),
        "shop.example.com": [], "shop.test": zone_lines("shop.test")}}]))
    # The client's own step: the longest name holding a zone that _acme-challenge.blog.example.com is under.
    zones = found["cpanelresult"]["data"][0]["zones"]
    fqdn = "_acme-challenge.blog.example.com"
    name = max((z for z, lines in zones.items() if lines and fqdn.endswith("." + z)), key=len)
    assert name == "example.com"

    assert await zone.cpanel("add_zone_record", domain=name, name="_acme-challenge.blog", type="TXT",
                             txtdata="tok-123", ttl="300") == (200, mutation_ok(zone, "add_zone_record", "2024042302"))
    record = {"record": "tok-123", "Line": 12, "line": 12, "name": f"{fqdn}.", "ttl": "300", "class": "IN",
              "type": "TXT", "txtdata": "tok-123", "char_str_list": ["tok-123"], "unencoded": 1}
    for func in ("fetchzone_records", "get_zone_record"):  # cPanel's alias answers the same
        assert await zone.cpanel(func, domain=name, type="TXT", name=f"{fqdn}.") == (200, zone.ok(func, [record]))
    assert await zone.whm("remove_zone_record", domain=name, line=str(record["line"])) == (
        200, mutation_ok(zone, "remove_zone_record", "2024042303"))
    assert await zone.cpanel("fetchzone_records", domain=name, type="TXT", name=f"{fqdn}.") == (
        200, zone.ok("fetchzone_records", []))


async def test_mysql_database_user_and_privileges(no_api2):
    mysql = Api2Calls(no_api2, "MysqlFE")
    assert await mysql.whm("createdb", db="app") == (200, mysql.ok("createdb", [1]))
    assert await mysql.whm("createdbuser", dbuser="app", password="S3cret-pw-123") == (200, mysql.ok("createdbuser", [1]))
    assert await mysql.whm("setdbuserprivileges", db="user_app", dbuser="user_app", privileges="ALL PRIVILEGES") == (
        200, mysql.ok("setdbuserprivileges", [1]))
    assert await mysql.cpanel("getdbuserprivileges", db="user_app", dbuser="user_app") == (
        200, mysql.ok("getdbuserprivileges", ["ALL PRIVILEGES"]))
    assert await mysql.cpanel("listusersindb", db="user_app") == (
        200, mysql.ok("listusersindb", [{"user": "user_app", "db": "user_app"}]))
    assert await mysql.whm("dbuserexists", dbuser="user_app") == (200, mysql.ok("dbuserexists", [1]))
    assert await mysql.whm("listdbsbackup") == (200, mysql.ok("listdbsbackup", [
        {"db": "user_app"}, {"db": "user_shop"}, {"db": "user_wp"}]))


def mailbox(quota_mb):
    return {"_diskquota": quota_mb * 1024 * 1024, "_diskused": 0, "diskquota": quota_mb, "diskused": 0,
            "diskusedpercent": 0, "diskusedpercent20": 0, "diskusedpercent_float": 0.0, "domain": "example.com",
            "email": "orders@example.com", "has_suspended": 0, "hold_outgoing": 0, "humandiskquota": quota_mb,
            "humandiskused": "0 bytes", "login": "orders@example.com", "mtime": 1700000000, "suspended_incoming": 0,
            "suspended_login": 0, "suspended_outgoing": 0, "txtdiskquota": quota_mb, "user": "orders"}


async def test_mailbox_create_list_password_quota_delete(no_api2):
    email = Api2Calls(no_api2, "Email")
    done = [{"result": 1, "reason": ""}]
    assert await email.whm("addpop", email="orders", domain="example.com", password="S3cret-pw-123", quota="100") == (
        200, email.ok("addpop", done))
    assert await email.whm("listpopswithdisk", domain="example.com", regex="orders") == (
        200, email.ok("listpopswithdisk", [mailbox(100)]))
    assert await email.whm("passwdpop", email="orders", domain="example.com", password="N3w-pw-45678") == (
        200, email.ok("passwdpop", done))
    assert await email.whm("editquota", email="orders", domain="example.com", quota="200") == (
        200, email.ok("editquota", done))
    assert await email.cpanel("listpopswithdisk", domain="example.com", regex="orders") == (
        200, email.ok("listpopswithdisk", [mailbox(200)]))
    assert await email.whm("delpop", email="orders", domain="example.com") == (
        200, email.ok("delpop", [{"result": 1, "reason": "OK", "rawout": ""}]))
    assert await email.whm("listpopswithdisk", domain="example.com", regex="orders") == (
        200, email.ok("listpopswithdisk", []))


SEEDED_FTP = [
    {"homedir": "/home/user", "type": "main", "user": "user"},
    {"homedir": "/home/user/public_ftp", "type": "anonymous", "user": "ftp"},
    {"homedir": "/usr/local/apache/domlogs/user", "type": "logaccess", "user": "user_logs"},
    {"homedir": "/home/user/public_html/ftpuser", "type": "sub", "user": "ftpuser@example.com"},
]


async def test_ftp_create_list_password_delete(no_api2):
    ftp = Api2Calls(no_api2, "Ftp")
    assert await ftp.whm("addftp", user="deploy", **{"pass": "S3cret-pw-123"}, quota="10",
                         homedir="public_html/deploy") == (200, ftp.status_ok("addftp"))
    status, listed = await ftp.whm("listftp")
    assert (status, listed) == (200, ftp.ok("listftp", [
        *SEEDED_FTP, {"homedir": "/home/user/public_html/deploy", "type": "sub", "user": "deploy@example.com"}]))
    assert await ftp.whm("passwd", user="deploy@example.com", **{"pass": "N3w-pw-45678"}) == (
        200, ftp.status_ok("passwd"))
    assert await ftp.cpanel("delftp", user="deploy@example.com") == (200, ftp.status_ok("delftp"))
    assert await ftp.whm("listftp") == (200, ftp.ok("listftp", SEEDED_FTP))


def subdomain(label):
    return {"domain": f"{label}.example.com", "reldir": f"home:public_html/{label}", "basedir": f"public_html/{label}",
            "dir": f"/home/user/public_html/{label}", "status": "not redirected", "domainkey": f"{label}_example.com",
            "subdomain": label, "rootdomain": "example.com", "web_subdomain_aliases": ["www"]}


async def test_subdomain_list_add_delete(no_api2):
    sub = Api2Calls(no_api2, "SubDomain")
    assert await sub.whm("listsubdomains") == (200, sub.ok("listsubdomains", [subdomain("blog"), subdomain("shop")]))
    assert await sub.whm("addsubdomain", domain="news", rootdomain="example.com") == (200, sub.ok("addsubdomain", [
        {"result": 1, "reason": "The subdomain “news.example.com” has been added."}]))
    assert await sub.cpanel("listsubdomains") == (200, sub.ok("listsubdomains", [
        subdomain("blog"), subdomain("news"), subdomain("shop")]))
    assert await sub.whm("delsubdomain", domain="news_example.com") == (200, sub.ok("delsubdomain", [
        {"result": 1, "reason": "The subdomain “news.example.com” has been removed."}]))
    assert await sub.whm("listsubdomains") == (200, sub.ok("listsubdomains", [subdomain("blog"), subdomain("shop")]))


def webdisk(user, reldir, *, private=0, hasdigest=0, perms="rw"):
    return {"login": f"{user}@example.com", "domain": "example.com", "user": user, "homedir": f"/home/user/{reldir}",
            "reldir": reldir, "private": private, "sslport": "2078", "mainport": "2077", "hasdigest": hasdigest,
            "perms": perms}


async def test_webdisk_create_and_list(no_api2):
    dav = Api2Calls(no_api2, "WebDisk")
    assert await dav.cpanel("listwebdisks") == (200, dav.ok("listwebdisks", [webdisk("webdisk", "public_html/webdav")]))
    assert await dav.whm("addwebdisk", user="photos", domain="example.com", password="S3cret-pw-123",
                         homedir="public_html/photos", private="1") == (200, dav.ok("addwebdisk", [
                             {"user": "photos", "domain": "example.com", "login": "photos@example.com",
                              "enabledigest": 0, "perms": "rw"}]))
    assert await dav.whm("listwebdisks") == (200, dav.ok("listwebdisks", [
        webdisk("photos", "public_html/photos", private=1), webdisk("webdisk", "public_html/webdav")]))
