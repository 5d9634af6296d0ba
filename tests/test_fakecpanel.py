"""The embedded fake cPanel & WHM, end to end over real HTTP (pytest-aiohttp test servers)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import time
from typing import Any

import aiohttp
import pytest
import uapi_newer
import uapi_openapi
from yarl import URL

from shim.fakecpanel import (
    FTP_SUB_LOGIN,
    FTP_SUB_PASSWORD,
    OTHER_PASSWORD,
    ROOT_ACCESS_HASH,
    ROOT_PASSWORD,
    ROOT_TOKEN,
    USER_PASSWORD,
    USER_TOKEN,
    Args,
    FakeState,
    UapiFunction,
    UapiOutcome,
    UapiRegistry,
    create_cpanel_app,
    create_whm_app,
)
from shim.fakecpanel.auth import authenticate
from shim.fakecpanel.faults import FaultAction
from shim.fakecpanel.modules import load_all
from shim.fakecpanel.registry import DEFAULT_UAPI


ACCESS_DENIED = (
    b'{"cpanelresult":{"apiversion":"2","error":"Access denied",'
    b'"data":{"reason":"Access denied","result":"0"},"type":"text"}}'
)
INVALID_USER = "User parameter is invalid or was not supplied"


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


USER_AUTH = {"Authorization": f"cpanel user:{USER_TOKEN}"}
ROOT_AUTH = {"Authorization": f"whm root:{ROOT_TOKEN}"}


@pytest.fixture
def state() -> FakeState:
    return FakeState.demo()


@pytest.fixture
async def cp(aiohttp_client, state):
    return await aiohttp_client(create_cpanel_app(state))


@pytest.fixture
async def whm(aiohttp_client, state):
    return await aiohttp_client(create_whm_app(state))


async def get_json(client, path: str, *, method: str = "GET", headers=USER_AUTH, **kwargs) -> Any:
    async with client.request(method, path, headers=headers, **kwargs) as resp:
        assert resp.status == 200, await resp.text()
        assert resp.headers["Content-Type"] == "application/json"
        return await resp.json()


async def uapi(cp, module: str, func: str, **args: str) -> dict[str, Any]:
    return await get_json(cp, f"/execute/{module}/{func}", method="POST", data=args)


def ok(data: Any = None, **metadata: Any) -> dict[str, Any]:
    return {"data": data, "errors": None, "messages": None, "metadata": metadata, "status": 1, "warnings": None}


def failed(*errors: str) -> dict[str, Any]:
    return {"data": None, "errors": list(errors), "messages": None, "metadata": {}, "status": 0, "warnings": None}


async def assert_denied(resp: aiohttp.ClientResponse) -> None:
    assert resp.status == 403
    assert resp.headers["Content-Type"] == 'text/plain; charset="utf-8"'
    assert await resp.read() == ACCESS_DENIED


LIST_FTP = [
    {"homedir": "/home/user", "type": "main", "user": "user"},
    {"homedir": "/home/user/public_ftp", "type": "anonymous", "user": "ftp"},
    {"homedir": "/usr/local/apache/domlogs/user", "type": "logaccess", "user": "user_logs"},
    {"homedir": "/home/user/public_html/ftpuser", "type": "sub", "user": "ftpuser@example.com"},
]


# ------------------------------------------------------------------ authentication


@pytest.mark.parametrize(
    "headers",
    [
        USER_AUTH,
        {"Authorization": f"CPANEL user:{USER_TOKEN}"},
        {"Authorization": f"Cpanel   user:{USER_TOKEN}"},
        basic("user", USER_PASSWORD),
        {"Authorization": "bAsIc " + base64.b64encode(f"user:{USER_PASSWORD}".encode()).decode()},
    ],
    ids=["token", "token-upper", "token-spaces", "basic", "basic-mixed-case"],
)
async def test_cpanel_accepts_its_credentials(cp, headers):
    assert await get_json(cp, "/execute/Ftp/list_ftp", headers=headers) == ok(LIST_FTP, transformed=1)


@pytest.mark.parametrize(
    "headers",
    [
        ROOT_AUTH,
        {"Authorization": f"WHM root:{ROOT_ACCESS_HASH}"},
        {"Authorization": f"whm root:{ROOT_ACCESS_HASH[:32]}\n{ROOT_ACCESS_HASH[32:]}".replace("\n", "")},
        {"Authorization": f"wHm root:{ROOT_TOKEN}"},
        basic("root", ROOT_PASSWORD),
    ],
    ids=["token", "accesshash", "accesshash-joined", "token-mixed-case", "basic"],
)
async def test_whm_accepts_its_credentials(whm, headers):
    expected = {"data": {"version": "11.120.0.5"}, "metadata": {"command": "version", "reason": "OK", "result": 1, "version": 1}}
    assert await get_json(whm, "/json-api/version?api.version=1", headers=headers) == expected


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "cpanel user:WRONGTOKEN"},
        {"Authorization": f"cpanel other:{USER_TOKEN}"},
        {"Authorization": f"whm root:{ROOT_TOKEN}"},
        {"Authorization": f"whm user:{USER_TOKEN}"},
        basic("user", "wrong"),
        basic("root", ROOT_PASSWORD),
        basic("nosuch", "x"),
        {"Authorization": "Basic !!!not-base64"},
        {"Authorization": f"Bearer {USER_TOKEN}"},
        {"Authorization": "cpanel user"},
        {"Cookie": "cpsession=forged"},
    ],
    ids=[
        "none",
        "wrong-token",
        "token-of-another-user",
        "whm-token",
        "whm-scheme",
        "wrong-password",
        "root-basic",
        "unknown-user",
        "bad-base64",
        "unknown-scheme",
        "no-secret",
        "forged-cookie",
    ],
)
async def test_cpanel_denies_bad_credentials_with_cpanels_document(cp, headers):
    async with cp.get("/execute/Ftp/list_ftp", headers=headers) as resp:
        await assert_denied(resp)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        USER_AUTH,
        {"Authorization": "whm root:WRONG"},
        {"Authorization": f"WHM nosuch:{ROOT_ACCESS_HASH}"},
        basic("user", USER_PASSWORD),
        basic("root", "wrong"),
    ],
    ids=["none", "cpanel-token", "wrong-token", "unknown-user", "account-basic", "wrong-password"],
)
async def test_whm_denies_bad_credentials_with_cpanels_document(whm, headers):
    async with whm.get("/json-api/listaccts?api.version=1", headers=headers) as resp:
        await assert_denied(resp)


def test_authorization_with_trailing_junk_is_accepted():
    # A billing module ends the header with "\n\r"; only a lenient front end lets it through,
    # but once it arrives cpsrvd reads the credentials anyway.
    state = FakeState.demo()
    header = "Basic " + base64.b64encode(f"user:{USER_PASSWORD}".encode()).decode() + "\n\r"
    principal = authenticate(state, "cpanel", {"Authorization": header}, {}, None)
    assert principal is not None and (principal.user, principal.method) == ("user", "basic")


async def test_cpanel_credentials_cannot_reach_whm_api_on_the_cpanel_port(cp):
    async with cp.get("/json-api/listaccts?api.version=1", headers=USER_AUTH) as resp:
        await assert_denied(resp)


async def test_whm_does_not_serve_uapi_execute(whm):
    async with whm.get("/execute/Ftp/list_ftp", headers=ROOT_AUTH) as resp:
        assert resp.status == 404


async def test_xml_api_is_gone(cp):
    async with cp.get("/xml-api/cpanel?cpanel_xmlapi_module=Ftp&cpanel_xmlapi_func=listftp", headers=USER_AUTH) as resp:
        assert resp.status == 404


# ------------------------------------------------------------------ login, cookie, cpsess


async def login(client, user: str, password: str) -> str:
    async with client.post("/login", data={"user": user, "pass": password}, allow_redirects=False) as resp:
        assert resp.status == 301
        location = resp.headers["Location"]
    assert re.fullmatch(r"/cpsess\d{10}/", location)
    return location.rstrip("/")


async def test_cpanel_login_cookie_and_cpsess_prefix(cp, state):
    prefix = await login(cp, "user", USER_PASSWORD)
    assert "cpsession" in {c.key for c in cp.session.cookie_jar}
    assert await get_json(cp, f"{prefix}/execute/Ftp/list_ftp", headers={}) == ok(LIST_FTP, transformed=1)
    # The cookie without its security token, or with another one, is refused.
    async with cp.get("/execute/Ftp/list_ftp") as resp:
        await assert_denied(resp)
    wrong = "/cpsess" + ("0123456789" if prefix[-10:] != "0123456789" else "9876543210")
    async with cp.get(f"{wrong}/execute/Ftp/list_ftp") as resp:
        await assert_denied(resp)
    # Logging out ends the session.
    async with cp.get(f"{prefix}/logout") as resp:
        assert resp.status == 200
    assert state.sessions == {}
    async with cp.get(f"{prefix}/execute/Ftp/list_ftp") as resp:
        await assert_denied(resp)


async def test_whm_login_uses_whostmgrsession(whm, aiohttp_client, state):
    prefix = await login(whm, "root", ROOT_PASSWORD)
    assert "whostmgrsession" in {c.key for c in whm.session.cookie_jar}
    expected = {"data": {"version": "11.120.0.5"}, "metadata": {"command": "version", "reason": "OK", "result": 1, "version": 1}}
    assert await get_json(whm, f"{prefix}/json-api/version?api.version=1", headers={}) == expected
    # A WHM session cookie means nothing to cPanel.
    cp = await aiohttp_client(create_cpanel_app(state))
    cookie = next(c.value for c in whm.session.cookie_jar if c.key == "whostmgrsession")
    async with cp.get(f"{prefix}/execute/Ftp/list_ftp", headers={"Cookie": f"cpsession={cookie}"}) as resp:
        await assert_denied(resp)


async def test_header_credentials_work_with_any_cpsess_prefix(cp):
    assert await get_json(cp, "/cpsess0000000000/execute/Ftp/list_ftp") == ok(LIST_FTP, transformed=1)


@pytest.mark.parametrize("user,password", [("user", "wrong"), ("root", ROOT_PASSWORD), ("", "")])
async def test_cpanel_login_failure_is_a_401_login_page(cp, state, user, password):
    async with cp.post("/login/", data={"user": user, "pass": password}, allow_redirects=False) as resp:
        assert resp.status == 401
        assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
        text = await resp.text()
    assert "Login Attempt Failed" in text and 'action="/login/"' in text
    assert state.sessions == {}


async def test_login_only_answers_json(cp, state):
    doc = await get_json(cp, "/login/?login_only=1", method="POST", headers={}, data={"user": "user", "pass": USER_PASSWORD})
    (session,) = state.sessions.values()
    assert doc == {"redirect": f"/cpsess{session.token}/", "security_token": f"/cpsess{session.token}", "status": 1}
    async with cp.post("/login/?login_only=1", data={"user": "user", "pass": "bad"}) as resp:
        assert resp.status == 401
        assert await resp.json() == {"message": "invalid_login", "status": 0}


async def test_root_page_is_login_page_or_ui(cp):
    async with cp.get("/") as resp:
        assert resp.status == 200
        assert 'action="/login/"' in await resp.text()
    async with cp.get("/frontend/jupiter/index.html") as resp:
        await assert_denied(resp)
    prefix = await login(cp, "user", USER_PASSWORD)
    for path in (f"{prefix}/", f"{prefix}/frontend/jupiter/index.html"):
        async with cp.get(path) as resp:
            assert resp.status == 200
            text = await resp.text()
            assert "Logged in as user." in text and "Log in" not in text


# ------------------------------------------------------------------ UAPI Ftp


async def test_list_ftp_filters_by_type(cp):
    assert await uapi(cp, "Ftp", "list_ftp", include_acct_types="main|sub") == ok([LIST_FTP[0], LIST_FTP[3]], transformed=1)
    assert await uapi(cp, "Ftp", "list_ftp", skip_acct_types="anonymous|logaccess|main") == ok([LIST_FTP[3]], transformed=1)


def disk_row(login: str, accttype: str, directory: str, reldir: str, serverlogin: str, **changes: Any) -> dict[str, Any]:
    row = {
        "_diskquota": "0.00",
        "_diskused": "0.00",
        "accttype": accttype,
        "deleteable": 0 if accttype == "anonymous" else 1,
        "dir": directory,
        "diskquota": "unlimited",
        "diskused": "0.00",
        "diskusedpercent": 0,
        "diskusedpercent20": 0,
        "htmldir": None,
        "humandiskquota": "None",
        "humandiskused": "0 bytes",
        "login": login,
        "reldir": reldir,
        "serverlogin": serverlogin,
        "type": accttype,
        "user": login,
    }
    row.update(changes)
    return row


MAIN_DISK = {
    "_diskquota": "1024.00",
    "_diskused": "120.50",
    "diskquota": "1024.00",
    "diskused": "120.50",
    "diskusedpercent": 12,
    "diskusedpercent20": 20,
    "humandiskquota": "1 GB",
    "humandiskused": "121 MB",
}
SUB_DISK = {
    "_diskquota": "50.00",
    "_diskused": "2.34",
    "diskquota": "50.00",
    "diskused": "2.34",
    "diskusedpercent": 5,
    "diskusedpercent20": 0,
    "humandiskquota": "50 MB",
    "humandiskused": "2 MB",
}
LIST_FTP_WITH_DISK = [
    disk_row("ftp", "anonymous", "/home/user/public_ftp", "public_ftp", "ftp@example.com"),
    disk_row("ftpuser@example.com", "sub", "/home/user/public_html/ftpuser", "public_html/ftpuser", "ftpuser@example.com", **SUB_DISK),
    disk_row("user", "main", "/home/user", "", "user", **MAIN_DISK),
    disk_row("user_logs", "logaccess", "/usr/local/apache/domlogs/user", "usr/local/apache/domlogs/user", "user_logs", **MAIN_DISK),
]


async def test_list_ftp_with_disk(cp):
    assert await uapi(cp, "Ftp", "list_ftp_with_disk") == ok(LIST_FTP_WITH_DISK, transformed=1)
    assert await uapi(cp, "Ftp", "list_ftp_with_disk", include_acct_types="sub", dirhtml="/files") == ok(
        [dict(LIST_FTP_WITH_DISK[1], htmldir="/files/public_html/ftpuser")], transformed=1
    )
    assert await uapi(cp, "Ftp", "list_ftp_with_disk", regex="^USER") == ok(LIST_FTP_WITH_DISK[2:], transformed=1)
    assert await uapi(cp, "Ftp", "list_ftp_with_disk", regex="(") == failed("Invalid regular expression “(”.")


async def test_list_sessions_and_kill_session(cp):
    session = {
        "cmdline": "pure-ftpd (IDLE)",
        "file": "",
        "host": "client.example.net",
        "login": "Tue Apr 23 16:23:23 2024",
        "pid": 6735,
        "status": "IDLE",
        "user": "ftpuser@example.com",
    }
    assert await uapi(cp, "Ftp", "list_sessions") == ok([session], transformed=1)
    assert await uapi(cp, "Ftp", "kill_session", login="1") == ok()
    assert await uapi(cp, "Ftp", "list_sessions") == ok([session], transformed=1)
    assert await uapi(cp, "Ftp", "kill_session") == ok()
    assert await uapi(cp, "Ftp", "list_sessions") == ok([], transformed=1)


async def test_add_ftp_persists_and_is_listed(cp, state):
    assert await uapi(cp, "Ftp", "add_ftp", user="new.bie", **{"pass": "s3cret"}, quota="20") == ok()
    assert await uapi(cp, "Ftp", "add_ftp", user="dotted.keep@example.com", pass_hash="$6$x$y", disallowdot="0", homedir="/public_html/../keep/") == ok()
    listed = await uapi(cp, "Ftp", "list_ftp", include_acct_types="sub")
    assert listed == ok(
        [
            LIST_FTP[3],
            {"homedir": "/home/user/newbie@example.com", "type": "sub", "user": "newbie@example.com"},
            {"homedir": "/home/user/public_html/keep", "type": "sub", "user": "dotted.keep@example.com"},
        ],
        transformed=1,
    )
    added = state.accounts["user"].ftp_accounts["newbie@example.com"]
    assert (added.password, added.password_hash, added.quota_mb) == ("s3cret", None, 20)
    kept = state.accounts["user"].ftp_accounts["dotted.keep@example.com"]
    assert (kept.password, kept.password_hash, kept.quota_mb) == (None, "$6$x$y", 0)
    # The other account does not see them.
    other = await get_json(cp, "/execute/Ftp/list_ftp?include_acct_types=sub", headers=basic("other", OTHER_PASSWORD))
    assert other == ok([], transformed=1)


@pytest.mark.parametrize(
    "args,error",
    [
        ({"user": "x"}, "add_ftp: You must specify either a password or a password hash."),
        ({"user": "x", "pass": "a", "pass_hash": "b"}, "add_ftp: You must specify either a password or a password hash."),
        ({"pass": "a"}, "You must specify a user name."),
        ({"user": "x", "pass": "a", "quota": "lots"}, "The quota must be a number or “unlimited”."),
        ({"user": "x@example.com", "pass": "a", "domain": "example.com"}, "You may not specify a domain both in the user field and in the domain field."),
        ({"user": "x", "pass": "a", "domain": "other.example"}, "The domain “other.example” does not belong to this account."),
        ({"user": "ftpuser", "pass": "a"}, "The FTP account “ftpuser@example.com” already exists."),
        ({"user": "bad/name", "pass": "a"}, "The username “bad/name” is not valid."),
        ({"user": "...", "pass": "a"}, "The username “” is not valid."),
    ],
)
async def test_add_ftp_failures(cp, state, args, error):
    before = dict(state.accounts["user"].ftp_accounts)
    assert await uapi(cp, "Ftp", "add_ftp", **args) == failed(error)
    assert state.accounts["user"].ftp_accounts == before


async def test_delete_ftp(cp, state):
    assert await uapi(cp, "Ftp", "delete_ftp", user="ftpuser", domain="example.com", destroy="1") == ok()
    assert await uapi(cp, "Ftp", "list_ftp") == ok(LIST_FTP[:3], transformed=1)
    # Its session went with it.
    assert await uapi(cp, "Ftp", "list_sessions") == ok([], transformed=1)
    assert await uapi(cp, "Ftp", "delete_ftp", user=FTP_SUB_LOGIN) == failed(
        "The FTP account “ftpuser” cannot be removed because it does not exist."
    )


@pytest.mark.parametrize(
    "args,error",
    [
        ({}, "You must specify a user name."),
        ({"user": "user"}, "The FTP account “user” cannot be removed because it does not exist."),
        ({"user": "ftp"}, "The FTP account “ftp” cannot be removed because it does not exist."),
        ({"user": "ftpuser@example.com", "domain": "example.com"}, "You may not specify a domain both in the user field and in the domain field."),
    ],
)
async def test_delete_ftp_failures(cp, args, error):
    assert await uapi(cp, "Ftp", "delete_ftp", **args) == failed(error)
    assert await uapi(cp, "Ftp", "list_ftp") == ok(LIST_FTP, transformed=1)


async def test_passwd_changes_the_password(cp, state):
    assert state.accounts["user"].ftp_accounts[FTP_SUB_LOGIN].password == FTP_SUB_PASSWORD
    assert await uapi(cp, "Ftp", "passwd", user=FTP_SUB_LOGIN, **{"pass": "n3w"}) == ok()
    assert state.accounts["user"].ftp_accounts[FTP_SUB_LOGIN].password == "n3w"
    assert await uapi(cp, "Ftp", "passwd", user="ftpuser", domain="example.com", **{"pass": "n4w"}) == ok()
    assert state.accounts["user"].ftp_accounts[FTP_SUB_LOGIN].password == "n4w"
    # The main login answers to the bare account name, as in cPanel's documented example.
    assert await uapi(cp, "Ftp", "passwd", user="user", **{"pass": "m41n"}) == ok()
    assert state.accounts["user"].ftp_accounts["user"].password == "m41n"


@pytest.mark.parametrize(
    "args,error",
    [
        ({"user": "nosuch", "pass": "x"}, "The FTP account “nosuch@example.com” does not exist."),
        ({"user": "nosuch@example.com", "pass": "x"}, "The FTP account “nosuch@example.com” does not exist."),
        ({"user": "ftpuser", "pass": "x", "domain": "other.example"}, "The FTP account “ftpuser@other.example” does not exist."),
        ({"user": "ftpuser"}, "You must specify a password."),
        ({"pass": "x"}, "You must specify a user name."),
        ({"user": "ftpuser@example.com", "pass": "x", "domain": "example.com"}, "You may not specify a domain both in the user field and in the domain field."),
        ({"user": "user_logs", "pass": "x"}, "The FTP account “user_logs@example.com” does not exist."),
        ({"user": "user", "pass": "x", "domain": "other.example"}, "The FTP account “user@other.example” does not exist."),
    ],
)
async def test_passwd_failures(cp, state, args, error):
    assert await uapi(cp, "Ftp", "passwd", **args) == failed(error)
    assert state.accounts["user"].ftp_accounts[FTP_SUB_LOGIN].password == FTP_SUB_PASSWORD


async def test_set_quota(cp, state):
    ftp = state.accounts["user"].ftp_accounts[FTP_SUB_LOGIN]
    assert await uapi(cp, "Ftp", "set_quota", user=FTP_SUB_LOGIN, quota="100.9") == ok()
    assert ftp.quota_mb == 100
    assert await uapi(cp, "Ftp", "get_quota", account=FTP_SUB_LOGIN) == ok("100")
    rows = (await uapi(cp, "Ftp", "list_ftp_with_disk", include_acct_types="sub"))["data"]
    assert (rows[0]["diskquota"], rows[0]["humandiskquota"], rows[0]["diskusedpercent"]) == ("100.00", "100 MB", 3)
    assert await uapi(cp, "Ftp", "set_quota", user="ftpuser", domain="example.com", quota="unlimited") == ok()
    assert ftp.quota_mb == 0
    assert await uapi(cp, "Ftp", "get_quota", account=FTP_SUB_LOGIN) == ok("unlimited")
    assert await uapi(cp, "Ftp", "set_quota", user=FTP_SUB_LOGIN, quota="7") == ok()
    assert await uapi(cp, "Ftp", "set_quota", user=FTP_SUB_LOGIN, quota="7", kill="1") == ok()
    assert ftp.quota_mb == 0
    assert await uapi(cp, "Ftp", "set_quota", user="nosuch", kill="1") == ok()


@pytest.mark.parametrize(
    "func,args,error",
    [
        ("set_quota", {"user": "nosuch", "quota": "5"}, "The FTP account “nosuch” at domain “example.com” does not exist."),
        ("set_quota", {"quota": "5"}, "You must specify a user name."),
        ("ftp_exists", {"user": "nosuch"}, "The FTP account “nosuch” at domain “example.com” does not exist."),
        ("get_quota", {}, "You must specify an account."),
        ("get_quota", {"account": "user"}, "The FTP account “user” at domain “example.com” does not exist."),
    ],
)
async def test_quota_and_exists_failures(cp, func, args, error):
    assert await uapi(cp, "Ftp", func, **args) == failed(error)


async def test_ftp_exists(cp):
    assert await uapi(cp, "Ftp", "ftp_exists", user=FTP_SUB_LOGIN) == ok()


async def test_unknown_uapi_function_and_module(cp):
    assert await uapi(cp, "Ftp", "nosuch") == failed("The system could not find the function “nosuch” in the module “Ftp”.")
    assert await uapi(cp, "Nope", "list") == failed("The system could not find the function “list” in the module “Nope”.")


async def test_body_wins_over_query_and_multipart_is_read(cp, state):
    form = aiohttp.FormData()
    form.add_field("pass", "from-body")
    assert await get_json(cp, f"/execute/Ftp/passwd?user={FTP_SUB_LOGIN}&pass=from-query", method="POST", data=form) == ok()
    assert state.accounts["user"].ftp_accounts[FTP_SUB_LOGIN].password == "from-body"
    recorded = state.requests[-1]
    assert recorded.form == {"pass": ["from-body"]}
    assert recorded.query == {"user": [FTP_SUB_LOGIN], "pass": ["from-query"]}


async def test_unlabelled_body_is_read_as_a_form(cp, state):
    body = f"user={FTP_SUB_LOGIN}&pass=raw".encode()
    headers = {**USER_AUTH, "Content-Type": "application/octet-stream"}
    assert await get_json(cp, "/execute/Ftp/passwd", method="POST", headers=headers, data=body) == ok()
    assert state.accounts["user"].ftp_accounts[FTP_SUB_LOGIN].password == "raw"


# ------------------------------------------------------------------ recording, upload


async def test_requests_are_recorded_raw(cp, state):
    await get_json(cp, "/cpsess0123456789//execute/Ftp/list_ftp?skip_acct_types=sub", method="POST", data={"a": "1"})
    (recorded,) = state.requests
    assert (recorded.method, recorded.path, recorded.service) == ("POST", "/cpsess0123456789//execute/Ftp/list_ftp", "cpanel")
    assert recorded.query == {"skip_acct_types": ["sub"]}
    assert recorded.form == {"a": ["1"]}
    assert recorded.body == b"a=1"
    assert recorded.headers["authorization"] == USER_AUTH["Authorization"]
    assert recorded.headers["content-type"] == "application/x-www-form-urlencoded"


async def test_upload_echoes_size_and_digest(cp):
    payload = bytes(range(256)) * 4096
    doc = await get_json(cp, "/cpsess0123456789/upload", method="POST", data=payload, headers={**USER_AUTH, "Content-Type": "application/octet-stream"})
    assert doc == {"bytes": len(payload), "content_type": "application/octet-stream", "sha256": hashlib.sha256(payload).hexdigest()}


# ------------------------------------------------------------------ native API 2 and apiversion 3

API2_LISTFTP = "/json-api/cpanel?cpanel_jsonapi_apiversion=2&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=listftp"


def api2(func: str, data: Any, module: str = "Ftp", error: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"apiversion": 2, "func": func, "data": data, "event": {"result": 1}, "module": module}
    if error is not None:
        result["error"] = error
    return {"cpanelresult": result}


async def test_api2_listftp_on_cpanel_port(cp):
    assert await get_json(cp, API2_LISTFTP) == api2("listftp", LIST_FTP)
    # Doubled and trailing slashes, xmlapi names and a missing apiversion all mean the same.
    url = URL(f"http://{cp.host}:{cp.port}//json-api/cpanel/?cpanel_xmlapi_module=Ftp&cpanel_xmlapi_func=listftp&skip_acct_types=sub", encoded=True)
    async with cp.session.get(url, headers=USER_AUTH) as resp:
        assert resp.status == 200
        assert await resp.json() == api2("listftp", LIST_FTP[:3])


async def test_api2_list_functions_return_uapi_records(cp):
    base = "/json-api/cpanel?cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func="
    assert await get_json(cp, base + "listftpwithdisk") == api2("listftpwithdisk", LIST_FTP_WITH_DISK)
    sessions = await get_json(cp, base + "listftpsessions")
    assert [s["pid"] for s in sessions["cpanelresult"]["data"]] == [6735]


async def test_api2_passwd_success_and_failure(cp, state):
    form = {"cpanel_jsonapi_module": "Ftp", "cpanel_jsonapi_func": "passwd", "user": "ftpuser", "pass": "api2pass"}
    assert await get_json(cp, "/json-api/cpanel", method="POST", data=form) == api2("passwd", [{"result": 1, "reason": "OK"}])
    assert state.accounts["user"].ftp_accounts[FTP_SUB_LOGIN].password == "api2pass"
    error = "The FTP account “nosuch@example.com” does not exist."
    doc = await get_json(cp, "/json-api/cpanel", method="POST", data={**form, "user": "nosuch"})
    assert doc == api2("passwd", [{"result": 0, "reason": error}], error=error)


async def test_api2_addftp_failure_leaves_reason_empty(cp):
    form = {"cpanel_jsonapi_module": "Ftp", "cpanel_jsonapi_func": "addftp", "user": "ftpuser", "pass": "x"}
    error = "The FTP account “ftpuser@example.com” already exists."
    assert await get_json(cp, "/json-api/cpanel", method="POST", data=form) == api2("addftp", [{"result": 0, "reason": ""}], error=error)
    form["user"] = "second"
    assert await get_json(cp, "/json-api/cpanel", method="POST", data=form) == api2("addftp", [{"result": 1, "reason": "OK"}])
    listed = await get_json(cp, API2_LISTFTP + "&include_acct_types=sub")
    assert [r["user"] for r in listed["cpanelresult"]["data"]] == ["ftpuser@example.com", "second@example.com"]


async def test_api2_delftp_and_setquota(cp, state):
    base = "/json-api/cpanel?cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func="
    assert await get_json(cp, base + f"setquota&user={FTP_SUB_LOGIN}&quota=9") == api2("setquota", [{"result": 1, "reason": "OK"}])
    assert state.accounts["user"].ftp_accounts[FTP_SUB_LOGIN].quota_mb == 9
    assert await get_json(cp, base + f"delftp&user={FTP_SUB_LOGIN}") == api2("delftp", [{"result": 1, "reason": "OK"}])
    error = "The FTP account “ftpuser” cannot be removed because it does not exist."
    assert await get_json(cp, base + f"delftp&user={FTP_SUB_LOGIN}") == api2("delftp", [{"result": 0, "reason": error}], error=error)


async def test_api2_unknown_function(cp):
    doc = await get_json(cp, "/json-api/cpanel?cpanel_jsonapi_apiversion=2&cpanel_jsonapi_module=Test&cpanel_jsonapi_func=test")
    assert doc == {"cpanelresult": {"apiversion": 2, "error": "Could not find function 'test' in module 'Test'", "func": "test", "module": "Test"}}


async def test_api2_only_functions(cp, state):
    doc = await get_json(cp, "/json-api/cpanel?cpanel_jsonapi_module=StatsBar&cpanel_jsonapi_func=stat&display=ftpaccounts|hostname|nosuch")
    ftp_row = {
        "_count": "1",
        "_max": "unlimited",
        "_maxed": 0,
        "count": "1",
        "feature": "ftpaccts",
        "id": "ftpaccounts",
        "is_maxed": 0,
        "item": "FTP Accounts",
        "max": "unlimited",
        "module": "Ftp",
        "name": "ftpaccounts",
        "percent": 0,
        "percent10": 0,
        "percent20": 0,
        "percent5": 0,
        "phrase": "FTP Accounts",
        "zeroisunlimited": 0,
    }
    host_row = {"count": "server.example.com", "id": "hostname", "item": "Server Name", "name": "hostname", "phrase": "Server Name", "value": "server.example.com"}
    assert doc == api2("stat", [ftp_row, host_row], module="StatsBar")
    keys = await get_json(cp, "/json-api/cpanel?cpanel_jsonapi_module=SSH&cpanel_jsonapi_func=listkeys&keys=1")
    row = {
        "authaction": "Deauthorize",
        "authstatus": "authorized",
        "ctime": 1700000000,
        "file": "/home/user/.ssh/id_rsa.pub",
        "haspub": 1,
        "key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDemo user@example.com",
        "mtime": 1700000000,
        "name": "id_rsa",
    }
    assert keys == api2("listkeys", [row], module="SSH")


async def test_apiversion_3_is_wrapped_uapi(cp):
    doc = await get_json(cp, "/json-api/cpanel?cpanel_jsonapi_apiversion=3&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=list_ftp")
    assert doc == {"apiversion": 3, "func": "list_ftp", "module": "Ftp", "result": ok(LIST_FTP, transformed=1)}
    doc = await get_json(cp, "/json-api/cpanel?cpanel_jsonapi_apiversion=3&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&user=x&pass=y")
    assert doc == {"apiversion": 3, "func": "passwd", "module": "Ftp", "result": failed("The FTP account “x@example.com” does not exist.")}


async def test_apiversion_1_is_not_available(cp):
    doc = await get_json(cp, "/json-api/cpanel?cpanel_jsonapi_apiversion=1&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=listftp")
    assert doc == {
        "apiversion": "1",
        "type": "event",
        "module": "Ftp",
        "func": "listftp",
        "source": "module",
        "data": {"result": ""},
        "event": {"reason": "cPanel API 1 is not available on this server.", "result": 0},
    }


async def test_whm_json_api_cpanel_acts_as_the_named_account(whm, state):
    path = "/json-api/cpanel?api.version=1&cpanel_jsonapi_user=user&cpanel_jsonapi_apiversion=2&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&user=ftpuser&pass=viawhm"
    assert await get_json(whm, path, headers=ROOT_AUTH) == api2("passwd", [{"result": 1, "reason": "OK"}])
    assert state.accounts["user"].ftp_accounts[FTP_SUB_LOGIN].password == "viawhm"
    # xmlapi names work too, and apiversion 3 is wrapped UAPI.
    path = "/json-api/cpanel?cpanel_xmlapi_user=other&cpanel_xmlapi_apiversion=3&cpanel_xmlapi_module=Ftp&cpanel_xmlapi_func=list_ftp&include_acct_types=main"
    expected = {"apiversion": 3, "func": "list_ftp", "module": "Ftp", "result": ok([{"homedir": "/home/other", "type": "main", "user": "other"}], transformed=1)}
    assert await get_json(whm, path, headers=ROOT_AUTH) == expected


async def test_whm_takes_the_account_from_user_and_removes_it(whm, state):
    assert await get_json(whm, "/json-api/cpanel?user=user&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=listftp", headers=ROOT_AUTH) == api2("listftp", LIST_FTP)
    # `user` named the account, so Ftp::passwd gets no `user` at all.
    doc = await get_json(whm, "/json-api/cpanel?user=user&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&pass=x", headers=ROOT_AUTH)
    assert doc == api2("passwd", [{"result": 0, "reason": "You must specify a user name."}], error="You must specify a user name.")


@pytest.mark.parametrize(
    "query,wrapped,reason",
    [
        ("cpanel_jsonapi_user=nosuch&cpanel_jsonapi_apiversion=2", True, INVALID_USER),
        ("cpanel_jsonapi_apiversion=2", True, INVALID_USER),
        ("cpanel_jsonapi_user=nosuch&cpanel_jsonapi_apiversion=3", False, INVALID_USER),
        ("cpanel_jsonapi_user=nosuch", False, INVALID_USER),
        ("cpanel_jsonapi_user=root&cpanel_jsonapi_apiversion=2", True, "The user “root” is not associated with a cPanel account and cannot call cPanel API 2"),
    ],
)
async def test_whm_invalid_user_documents(whm, query, wrapped, reason):
    doc = await get_json(whm, f"/json-api/cpanel?{query}&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=listftp", headers=ROOT_AUTH)
    inner = {"data": {"reason": reason, "result": "0"}, "type": "text", "error": reason}
    assert doc == ({"cpanelresult": inner} if wrapped else inner)


# ------------------------------------------------------------------ WHM API 1


def uapi_cpanel(uapi_result: Any, reason: str = "OK", result: int = 1) -> dict[str, Any]:
    return {"data": {"uapi": uapi_result}, "metadata": {"command": "uapi_cpanel", "reason": reason, "result": result, "version": 1}}


async def test_uapi_cpanel_success_and_function_failure(whm, state):
    form = {"api.version": "1", "cpanel.user": "user", "cpanel.module": "Ftp", "cpanel.function": "passwd", "user": FTP_SUB_LOGIN, "pass": "w1"}
    assert await get_json(whm, "/json-api/uapi_cpanel", method="POST", headers=ROOT_AUTH, data=form) == uapi_cpanel(ok())
    assert state.accounts["user"].ftp_accounts[FTP_SUB_LOGIN].password == "w1"
    form["user"] = "nosuch"
    doc = await get_json(whm, "/json-api/uapi_cpanel", method="POST", headers=ROOT_AUTH, data=form)
    assert doc == uapi_cpanel(failed("The FTP account “nosuch@example.com” does not exist."))
    doc = await get_json(whm, "/json-api/uapi_cpanel?api.version=1&cpanel.user=user&cpanel.module=Ftp&cpanel.function=list_ftp", headers=ROOT_AUTH)
    assert doc == uapi_cpanel(ok(LIST_FTP, transformed=1))


@pytest.mark.parametrize(
    "query,reason",
    [
        ("cpanel.module=Ftp&cpanel.function=list_ftp", INVALID_USER),
        ("cpanel.user=nosuch&cpanel.module=Ftp&cpanel.function=list_ftp", INVALID_USER),
        ("cpanel.user=root&cpanel.module=Ftp&cpanel.function=list_ftp", INVALID_USER),
        ("cpanel.user=user&cpanel.function=list_ftp", "Missing parameter: cpanel.module"),
        ("cpanel.user=user&cpanel.module=Ftp", "Missing parameter: cpanel.function"),
    ],
)
async def test_uapi_cpanel_refusals(whm, query, reason):
    doc = await get_json(whm, f"/json-api/uapi_cpanel?api.version=1&{query}", headers=ROOT_AUTH)
    assert doc == uapi_cpanel(None, reason, 0)


async def test_whm_version_and_listaccts(whm):
    assert await get_json(whm, "/json-api/version", headers=ROOT_AUTH) == {"version": "11.120.0.5"}
    doc = await get_json(whm, "/json-api/listaccts?api.version=1", headers=ROOT_AUTH)
    assert doc["metadata"] == {"command": "listaccts", "reason": "OK", "result": 1, "version": 1}
    other, user = doc["data"]["acct"]
    assert user == {
        "disklimit": "1024M",
        "diskused": "120M",
        "domain": "example.com",
        "email": "admin@example.com",
        "ip": "192.0.2.10",
        "maxftp": "unlimited",
        "owner": "root",
        "partition": "home",
        "plan": "default",
        "shell": "/bin/bash",
        "startdate": "20 Sep 13 12:26",
        "suspended": 0,
        "suspendreason": "not suspended",
        "theme": "jupiter",
        "uid": 1001,
        "unix_startdate": 1600000000,
        "user": "user",
    }
    assert (other["user"], other["domain"], other["disklimit"]) == ("other", "other.example", "unlimited")
    api0 = await get_json(whm, "/json-api/listaccts?searchtype=domain&search=^other", headers=ROOT_AUTH)
    assert api0 == {"acct": [other], "status": 1, "statusmsg": "Ok"}


async def test_whm_unknown_function(whm):
    doc = await get_json(whm, "/json-api/nosuch?api.version=1", headers=ROOT_AUTH)
    reason = "Unknown app (“nosuch”) requested for this version (1) of the API."
    assert doc == {"metadata": {"command": "nosuch", "reason": reason, "result": 0, "version": 1}}
    assert await get_json(whm, "/json-api/nosuch", headers=ROOT_AUTH) == {"error": "Unknown App Requested: nosuch"}


# ------------------------------------------------------------------ faults


@pytest.mark.parametrize("status,phrase", [(500, "Internal Server Error"), (503, "Service Unavailable")])
async def test_fault_status_with_html_body(cp, state, status, phrase):
    state.faults.add("/execute/Ftp/passwd", f"status:{status}")
    async with cp.post("/execute/Ftp/passwd", headers=USER_AUTH) as resp:
        assert resp.status == status
        assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
        text = await resp.text()
    assert "<html>" in text and f"<h1>{status} {phrase}</h1>" in text
    # One time only: the next call is served.
    assert await uapi(cp, "Ftp", "list_ftp") == ok(LIST_FTP, transformed=1)
    assert state.faults.pending == []
    assert state.faults.fired == [(f"status:{status}", "/execute/Ftp/passwd")]


async def test_fault_applies_before_auth(cp, state):
    state.faults.add("/execute/", "status:500")
    async with cp.get("/execute/Ftp/list_ftp") as resp:
        assert resp.status == 500
    async with cp.get("/execute/Ftp/list_ftp") as resp:
        await assert_denied(resp)


async def test_fault_html_and_invalid_json(cp, state):
    state.faults.add("list_ftp", "html")
    state.faults.add("list_ftp", "invalid_json")
    async with cp.get("/execute/Ftp/list_ftp", headers=USER_AUTH) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
        assert 'action="/login/"' in await resp.text()
    async with cp.get("/execute/Ftp/list_ftp", headers=USER_AUTH) as resp:
        assert (resp.status, resp.headers["Content-Type"]) == (200, "application/json")
        with pytest.raises(ValueError):
            await resp.json()


async def test_fault_times_regex_service_and_method(aiohttp_client, state):
    cp = await aiohttp_client(create_cpanel_app(state))
    whm = await aiohttp_client(create_whm_app(state))
    state.faults.add(re.compile(r"cpanel_jsonapi_func=passwd\b"), "status:503", times=2, service="whm", method="GET")
    whm_passwd = "/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&user=ftpuser&pass=z"
    async with cp.get(whm_passwd, headers=USER_AUTH) as resp:  # other service: not faulted
        assert resp.status == 200
    async with whm.post(whm_passwd, headers=ROOT_AUTH) as resp:  # other method: not faulted
        assert resp.status == 200
    for _ in range(2):
        async with whm.get(whm_passwd, headers=ROOT_AUTH) as resp:
            assert resp.status == 503
    async with whm.get(whm_passwd, headers=ROOT_AUTH) as resp:
        assert resp.status == 200


async def test_fault_forever(cp, state):
    state.faults.add("/upload", "status:500", times=None)
    for _ in range(3):
        async with cp.post("/upload", headers=USER_AUTH) as resp:
            assert resp.status == 500
    state.faults.clear()
    async with cp.post("/upload", headers=USER_AUTH) as resp:
        assert resp.status == 200


async def test_fault_hang_times_out_the_client_and_is_cancellable(aiohttp_client, state):
    cp = await aiohttp_client(create_cpanel_app(state))
    state.faults.add("/execute/Ftp/passwd", "hang")
    started = time.monotonic()
    with pytest.raises(asyncio.TimeoutError):
        async with cp.post("/execute/Ftp/passwd", headers=USER_AUTH, timeout=aiohttp.ClientTimeout(total=0.2)):
            pass
    assert await uapi(cp, "Ftp", "list_ftp") == ok(LIST_FTP, transformed=1)
    # A request still hanging when the server stops does not hold the shutdown up.
    state.faults.add("/execute/Ftp/passwd", "hang")
    pending = asyncio.ensure_future(cp.post("/execute/Ftp/passwd", headers=USER_AUTH))
    await asyncio.sleep(0.1)
    await cp.close()
    assert time.monotonic() - started < 2
    pending.cancel()
    await asyncio.gather(pending, return_exceptions=True)


async def test_fault_reset_breaks_the_answer(cp, state):
    state.faults.add("/execute/Ftp/passwd", "reset")
    with pytest.raises(aiohttp.ClientPayloadError):
        async with cp.post("/execute/Ftp/passwd", headers=USER_AUTH) as resp:
            assert resp.status == 200
            await resp.read()


async def test_fault_drop_closes_without_answer(cp, state):
    state.faults.add("/execute/Ftp/passwd", "drop")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        async with cp.post("/execute/Ftp/passwd", headers=USER_AUTH):
            pass


@pytest.mark.parametrize("kind", ["huge:1", "huge_chunked:1"])
async def test_fault_huge_streams_a_big_body(cp, state, kind):
    state.faults.add("/execute/Ftp/list_ftp", kind)
    async with cp.get("/execute/Ftp/list_ftp", headers=USER_AUTH) as resp:
        body = await resp.read()
        declared = resp.headers.get("Content-Length")
    assert len(body) == 1024 * 1024
    assert body.startswith(b'{"padding":"aaaa') and body.endswith(b'aa"}')
    assert declared == ("1048576" if kind == "huge:1" else None)


async def test_fault_delay_then_normal_answer(cp, state):
    state.faults.add("/execute/Ftp/list_ftp", "delay:0.15")
    started = time.monotonic()
    assert await uapi(cp, "Ftp", "list_ftp") == ok(LIST_FTP, transformed=1)
    assert time.monotonic() - started >= 0.15


@pytest.mark.parametrize("text", ["explode", "status:abc", "status:99", "delay:x", "delay:-1", "huge:0", "hang:5"])
def test_fault_actions_are_validated(text):
    with pytest.raises(ValueError):
        FaultAction.parse(text)


def test_fault_add_validates_arguments():
    state = FakeState.demo()
    with pytest.raises(ValueError):
        state.faults.add("/x", "hang", times=0)
    with pytest.raises(ValueError):
        state.faults.add("/x", "hang", service="webmail")


# ------------------------------------------------------------------ contract with the UAPI OpenAPI description


@pytest.fixture(scope="session")
def uapi_spec() -> dict[str, Any]:
    return uapi_openapi.load_snapshot()


def registered() -> list[UapiFunction]:
    load_all()
    return list(DEFAULT_UAPI)


def samples_of(function: UapiFunction, spec: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The function's schema and samples; fails when either is missing."""
    schema = uapi_openapi.operation_schema(spec, function.module, function.name)
    if schema is None:
        # Functions newer than 11.125 are validated against schemas written from cPanel's
        # live pages (tests/uapi_newer.py); anything else unknown fails.
        schema = uapi_newer.operation_schema(function.module, function.name)
    if schema is None:
        pytest.fail(f"{function.module}::{function.name} is not in the UAPI OpenAPI description")
    if not function.samples:
        pytest.fail(f"{function.module}::{function.name} has no contract samples (samples=[...] in its registration)")
    return schema, [dict(sample) for sample in function.samples]


def body(sample: dict[str, Any]) -> dict[str, Any]:
    """A sample as a form, or as a JSON body when it has structured values (requires_json), or
    as multipart when it has files ((filename, bytes) values: Fileman::upload_files)."""
    if any(isinstance(v, tuple) for v in sample.values()):
        form = aiohttp.FormData()
        for name, value in sample.items():
            if isinstance(value, tuple):
                form.add_field(name, value[1], filename=value[0], content_type="application/octet-stream")
            else:
                form.add_field(name, value)
        return {"data": form}
    return {"data": sample} if all(isinstance(v, str) for v in sample.values()) else {"json": sample}


def without_files(sample: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in sample.items() if not isinstance(value, tuple)}


@pytest.mark.parametrize("function", registered(), ids=lambda f: f"{f.module}::{f.name}")
async def test_uapi_contract(aiohttp_client, uapi_spec, function):
    schema, samples = samples_of(function, uapi_spec)
    bare = uapi_openapi.result_schema(schema)
    for sample in samples:
        state = FakeState.demo()
        cp = await aiohttp_client(create_cpanel_app(state))
        result = await get_json(cp, f"/execute/{function.module}/{function.name}", method="POST", **body(sample))
        assert result["status"] == 1, (sample, result)
        assert uapi_openapi.errors(bare, result) == [], (sample, result)
        assert set(result) == {"data", "errors", "messages", "metadata", "status", "warnings"}

        state = FakeState.demo()
        cp = await aiohttp_client(create_cpanel_app(state))
        legacy = {"cpanel_jsonapi_apiversion": "3", "cpanel_jsonapi_module": function.module, "cpanel_jsonapi_func": function.name}
        wrapped = await get_json(cp, "/json-api/cpanel", method="POST", **body({**legacy, **sample}))
        assert wrapped == {"apiversion": 3, "func": function.name, "module": function.module, "result": result}
        assert uapi_openapi.errors(schema, wrapped) == []

        state = FakeState.demo()
        whm = await aiohttp_client(create_whm_app(state))
        form = {"api.version": "1", "cpanel.user": "user", "cpanel.module": function.module, "cpanel.function": function.name}
        via_whm = await get_json(whm, "/json-api/uapi_cpanel", method="POST", headers=ROOT_AUTH, **body({**form, **sample}))
        if without_files(sample) != sample:
            # uapi_cpanel hands no uploaded file on (cPanel's upload_files page): the answer of
            # the same call without its files.
            state = FakeState.demo()
            cp = await aiohttp_client(create_cpanel_app(state))
            result = await get_json(cp, f"/execute/{function.module}/{function.name}", method="POST",
                                    **body(without_files(sample)))
            assert result["status"] == 0, result
        assert via_whm == uapi_cpanel(result)


def test_contract_requires_samples_and_a_spec_entry(uapi_spec):
    def handler(ctx: Any, args: Args) -> UapiOutcome:
        return UapiOutcome.ok()

    registry = UapiRegistry()
    registry.register(UapiFunction("Ftp", "passwd", handler, ()))
    registry.register(UapiFunction("Ftp", "no_such_operation", handler, ({},)))
    for function in registry:
        with pytest.raises(pytest.fail.Exception):
            samples_of(function, uapi_spec)


def test_contract_validator_catches_wrong_types(uapi_spec):
    schema = uapi_openapi.result_schema(uapi_openapi.operation_schema(uapi_spec, "Ftp", "list_ftp_with_disk"))
    good = ok([LIST_FTP_WITH_DISK[1]], transformed=1)
    assert uapi_openapi.errors(schema, good) == []
    for field, value in [("diskused", 2.34), ("diskusedpercent20", 30), ("diskquota", "lots"), ("deleteable", "1"), ("accttype", "root")]:
        bad = ok([dict(LIST_FTP_WITH_DISK[1], **{field: value})], transformed=1)
        assert uapi_openapi.errors(schema, bad), field
    sessions = uapi_openapi.result_schema(uapi_openapi.operation_schema(uapi_spec, "Ftp", "list_sessions"))
    row = {"cmdline": "", "file": "", "host": "192.0.2.1", "login": "", "pid": 1, "status": "IDLE", "user": "u"}
    assert uapi_openapi.errors(sessions, ok([row])) == []
    assert uapi_openapi.errors(sessions, ok([dict(row, host="not a host!")]))
    assert uapi_openapi.errors(sessions, dict(ok([row]), status=2))
