"""API 2 through /xml-api/cpanel over real HTTP: translated functions (Ftp, Email, ZoneEdit),
their failures and the shim's own error answers, in the XML form cPanel wrote.

Each answer is read with a real XML parser and compared whole as the view PHP's simplexml
gives clients (tests/xmlview.py): literal documents for writes and errors, and for reads
the view of the JSON answer the same call gets on /json-api/cpanel.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from conftest import ROOT_AUTH, USER_AUTH, start_stack
from test_zoneedit_e2e import ZONE
from xmlview import CONTENT_TYPE, cpanel_view, simplexml_view

FTP_PASSWD = {"cpanel_xmlapi_user": "user", "cpanel_xmlapi_apiversion": "2", "cpanel_xmlapi_module": "Ftp",
              "cpanel_xmlapi_func": "passwd", "user": "user", "pass": "12345luggage"}
ACCESS_DENIED = {"apiversion": "2", "data": {"reason": "Access denied", "result": "0"},
                 "error": "Access denied", "type": "text"}


def xml_params(module: str, func: str, account: str | None = "user", **args: str) -> dict[str, str]:
    params = {"cpanel_xmlapi_apiversion": "2", "cpanel_xmlapi_module": module, "cpanel_xmlapi_func": func, **args}
    if account is not None:
        params["cpanel_xmlapi_user"] = account
    return params


def json_params(params: dict[str, str]) -> dict[str, str]:
    return {k.replace("cpanel_xmlapi_", "cpanel_jsonapi_"): v for k, v in params.items()}


async def xml_answer(http: aiohttp.ClientSession, method: str, url: str, params: dict[str, str],
                     headers: dict[str, str]) -> tuple[int, Any]:
    """(status, simplexml view) of an answer that must be cPanel's XML form."""
    if method == "GET":
        request = http.get(url, params=params, headers=headers)
    else:
        request = http.post(url, data=params, headers=headers)
    async with request as resp:
        body = await resp.read()
        assert resp.headers["Content-Type"] == CONTENT_TYPE, (resp.headers["Content-Type"], body[:200])
        return resp.status, simplexml_view(body)


async def whm_xml(stack, module: str, func: str, **args: str) -> tuple[int, Any]:
    return await xml_answer(stack.http, "POST", f"{stack.whm}/xml-api/cpanel", xml_params(module, func, **args), ROOT_AUTH)


async def cpanel_xml(stack, module: str, func: str, **args: str) -> tuple[int, Any]:
    return await xml_answer(stack.http, "GET", f"{stack.cpanel}/cpsess9876543210/xml-api/cpanel",
                            xml_params(module, func, account=None, **args), USER_AUTH)


async def same_call_in_json(stack, base: str, params: dict[str, str], headers: dict[str, str]) -> Any:
    status, document = await stack.post_json(f"{base}/json-api/cpanel", data=json_params(params), headers=headers)
    assert status == 200
    return document


def ok(module: str, func: str, data: Any) -> dict[str, Any]:
    view = {"apiversion": "2", "event": {"result": "1"}, "func": func, "module": module}
    return view if data is None else {**view, "data": data}


def failed(module: str, func: str, error: str, data: Any) -> dict[str, Any]:
    return {**ok(module, func, data), "error": error}


# --- the documented call, byte for byte ---------------------------------------------------


async def test_ftp_passwd_byte_for_byte_with_the_cpsess_prefix(stack):
    async with stack.http.post(f"{stack.whm}/cpsess0123456789/xml-api/cpanel", data=FTP_PASSWD, headers=ROOT_AUTH) as resp:
        assert (resp.status, resp.headers["Content-Type"], await resp.read()) == (200, "text/xml", b"""\
<?xml version="1.0" ?>
<cpanelresult>
  <apiversion>2</apiversion>
  <data>
    <reason>OK</reason>
    <result>1</result>
  </data>
  <event>
    <result>1</result>
  </event>
  <func>passwd</func>
  <module>Ftp</module>
</cpanelresult>
""")
    # Upstream saw the same UAPI call as for JSON, under the same prefix.
    [seen] = stack.state.requests
    assert (seen.path, seen.form["cpanel.function"], seen.form["pass"]) == (
        "/cpsess0123456789/json-api/uapi_cpanel", ["passwd"], ["12345luggage"])


# --- Ftp ------------------------------------------------------------------------------------


async def test_ftp_failures_on_both_ports_get_and_post(stack):
    reason = "The FTP account “nosuch@example.com” does not exist."
    expected = (200, failed("Ftp", "passwd", reason, {"reason": reason, "result": "0"}))
    assert await whm_xml(stack, "Ftp", "passwd", user="nosuch", **{"pass": "x-Y-z-123"}) == expected
    assert await cpanel_xml(stack, "Ftp", "passwd", user="nosuch", **{"pass": "x-Y-z-123"}) == expected
    # No cpanel_xmlapi_user on WHM: the legacy rule takes the account from `user`, as for JSON.
    reason = "You must specify a user name."
    assert await xml_answer(stack.http, "GET", f"{stack.whm}/xml-api/cpanel",
                            xml_params("Ftp", "passwd", account=None, user="user", **{"pass": "x-Y-z-123"}),
                            ROOT_AUTH) == (200, failed("Ftp", "passwd", reason, {"reason": reason, "result": "0"}))


async def test_ftp_lists_read_as_their_json_answers(stack):
    for base, headers, account in ((stack.whm, ROOT_AUTH, "user"), (stack.cpanel, USER_AUTH, None)):
        for func, args in (("listftp", {}), ("listftpwithdisk", {}), ("listftpwithdisk", {"regex": "("})):
            params = xml_params("Ftp", func, account=account, **args)
            document = await same_call_in_json(stack, base, params, headers)
            assert len(document["cpanelresult"]["data"]) >= 2 or document["cpanelresult"]["error"]
            got = await xml_answer(stack.http, "POST", f"{base}/xml-api/cpanel", params, headers)
            assert got == (200, cpanel_view(document))


# --- Email ----------------------------------------------------------------------------------


async def test_email_addpop_success_and_failure(stack):
    args = {"email": "new", "password": "Mail-Pa55-word", "domain": "example.com", "quota": "500"}
    # A row reason that is empty text reads as an empty object in simplexml, as from cPanel.
    assert await whm_xml(stack, "Email", "addpop", **args) == (
        200, ok("Email", "addpop", {"reason": {}, "result": "1"}))
    reason = "The account “new@example.com” already exists."
    assert await cpanel_xml(stack, "Email", "addpop", **args) == (
        200, failed("Email", "addpop", reason, {"reason": reason, "result": "0"}))


async def test_email_reads_and_a_null_row(stack):
    params = xml_params("Email", "listpops")
    document = await same_call_in_json(stack, stack.whm, params, ROOT_AUTH)
    assert await xml_answer(stack.http, "POST", f"{stack.whm}/xml-api/cpanel", params, ROOT_AUTH) == (
        200, cpanel_view(document))
    assert await whm_xml(stack, "Email", "getdiskusage", user="info", domain="example.com") == (
        200, ok("Email", "getdiskusage", {"diskused": "12", "domain": "example.com",
                                          "login": "info@example.com", "user": "info"}))
    reason = "The email account “ghost@example.com” does not exist."
    # data: [null] is one empty <data> element.
    assert await whm_xml(stack, "Email", "getdiskusage", user="ghost", domain="example.com") == (
        200, failed("Email", "getdiskusage", reason, {}))
    assert await cpanel_xml(stack, "Email", "listpops", regex="(") == (
        200, failed("Email", "listpops", "Invalid regular expression “(”.", None))


# --- ZoneEdit -------------------------------------------------------------------------------


async def test_zoneedit_records_and_failures_inside_the_rows(stack):
    params = xml_params("ZoneEdit", "fetchzone_records", domain="example.com")
    document = await same_call_in_json(stack, stack.whm, params, ROOT_AUTH)
    assert document["cpanelresult"]["data"] == ZONE
    got = await xml_answer(stack.http, "POST", f"{stack.whm}/xml-api/cpanel", params, ROOT_AUTH)
    assert got == (200, cpanel_view(document))
    # The A record as a PHP client reads it: every value a string, null an empty object.
    assert got[1]["data"][6] == {"Line": "7", "line": "7", "name": "example.com.", "ttl": "14400", "class": "IN",
                                 "type": "A", "record": "192.0.2.10", "address": "192.0.2.10"}
    assert got[1]["data"][0] == {"Line": "1", "line": "1", "type": ":RAW", "record": {},
                                 "raw": "; cPanel first:11.120.0.5 Cpanel::ZoneFile::VERSION:1.3 hostname:server.example.com"}
    assert await cpanel_xml(stack, "ZoneEdit", "fetchzone", domain="other.example") == (200, ok("ZoneEdit", "fetchzone", {
        "status": "0", "statusmsg": "You do not have a DNS zone named “other.example”."}))
    # A row {"result": {...}} holds only a hash: XML::Simple folded it, the key becoming <name>.
    assert await whm_xml(stack, "ZoneEdit", "add_zone_record", domain="example.com", name="a", type="HINFO") == (
        200, ok("ZoneEdit", "add_zone_record", {"name": "result", "status": "0",
                                                "statusmsg": "You may only add A, AAAA, CAA, CNAME, NS, SRV or TXT records."}))
    assert await whm_xml(stack, "ZoneEdit", "add_zone_record", domain="example.com", name="_acme-challenge",
                         type="TXT", txtdata="tok&<en>", ttl="60") == (
        200, ok("ZoneEdit", "add_zone_record", {"name": "result", "newserial": "2024042302", "status": "1",
                                                "statusmsg": {}}))  # an empty text: simplexml's empty element
    assert await cpanel_xml(stack, "ZoneEdit", "fetchzone_records", domain="example.com", type="TXT",
                            name="_acme-challenge.example.com.") == (200, ok("ZoneEdit", "fetchzone_records", {
        "Line": "12", "line": "12", "name": "_acme-challenge.example.com.", "ttl": "60", "class": "IN",
        "type": "TXT", "record": "tok&<en>", "txtdata": "tok&<en>", "char_str_list": "tok&<en>", "unencoded": "1"}))


# --- answers made by a recipe (several upstream reads) ------------------------------------------


async def test_a_recipes_answer_is_written_in_xml_too(stack):
    # A list of strings is the repeated <data> element (one is a plain string to simplexml);
    # no users is no <data> at all.
    assert await cpanel_xml(stack, "MysqlFE", "getdbusers", db="user_wp") == (
        200, ok("MysqlFE", "getdbusers", "user_wpuser"))
    params = xml_params("MysqlFE", "createdbuser", dbuser="user_bob", password="Db-Pa55-word")
    assert (await same_call_in_json(stack, stack.whm, params, ROOT_AUTH))["cpanelresult"]["data"] == [1]
    await same_call_in_json(stack, stack.whm, xml_params("MysqlFE", "setdbuserprivileges", db="user_wp",
                                                         dbuser="user_bob", privileges="SELECT"), ROOT_AUTH)
    assert await cpanel_xml(stack, "MysqlFE", "getdbusers", db="user_wp") == (
        200, ok("MysqlFE", "getdbusers", ["user_bob", "user_wpuser"]))
    assert await whm_xml(stack, "MysqlFE", "getdbusers", db="user_nosuch") == (200, ok("MysqlFE", "getdbusers", None))


# --- what cannot translate passes through ----------------------------------------------------


async def test_untranslated_calls_pass_through_untouched(stack):
    # This fake, like current cPanel, has no XML API: its 404 reaches the client as it was.
    for url, params in ((f"{stack.whm}/xml-api/cpanel", xml_params("Cron", "listcron")),
                        (f"{stack.whm}/xml-api/listaccts", {"api.version": "1"})):
        async with stack.http.get(url, params=params, headers=ROOT_AUTH) as resp:
            assert resp.status == 404 and resp.headers["Content-Type"] != CONTENT_TYPE
    assert [r.path for r in stack.state.requests] == ["/xml-api/cpanel", "/xml-api/listaccts"]


# --- the shim's own answers --------------------------------------------------------------------


async def test_access_denied_and_invalid_user(stack):
    assert await xml_answer(stack.http, "POST", f"{stack.whm}/xml-api/cpanel", FTP_PASSWD,
                            {"Authorization": "whm root:WRONG"}) == (403, ACCESS_DENIED)
    assert await xml_answer(stack.http, "GET", f"{stack.cpanel}/xml-api/cpanel", xml_params("Ftp", "listftp", account=None),
                            {}) == (403, ACCESS_DENIED)
    reason = "User parameter is invalid or was not supplied"
    invalid = {"data": {"reason": reason, "result": "0"}, "error": reason, "type": "text"}
    assert await whm_xml(stack, "Ftp", "listftp", account="nosuch") == (200, invalid)
    assert await xml_answer(stack.http, "GET", f"{stack.whm}/xml-api/cpanel", xml_params("Ftp", "listftp", account=None),
                            ROOT_AUTH) == (200, invalid)


async def start(overrides: dict[str, Any]):
    state, config, listeners = await start_stack(overrides)
    return state, [f"http://127.0.0.1:{listener.port}" for listener in listeners[:2]], listeners


def could_not_run(func: str, reason: str, module: str = "Ftp") -> dict[str, Any]:
    return {"apiversion": "2", "error": reason, "event": {"reason": reason, "result": "0"}, "func": func, "module": module}


async def test_unknown_function_and_argument_errors(tmp_path):
    (tmp_path / "Ftp.yaml").write_text(
        "module: Ftp\nfunctions:\n  passwd: {mode: reject, reason: API 2 is switched off}\n"
        "  setquota:\n    mode: translate\n    uapi: Ftp::set_quota\n"
        "    args: {quota: {transform: integer}}\n    output: {shape: status}\n")
    state, (whm, cpanel), listeners = await start({"mappings": [tmp_path], "default_mode": "reject"})
    try:
        async with aiohttp.ClientSession() as http:
            for func in ("passwd", "nosuchfunc"):
                assert await xml_answer(http, "POST", f"{whm}/xml-api/cpanel", xml_params("Ftp", func), ROOT_AUTH) == (
                    200, {"apiversion": "2", "error": f"Could not find function '{func}' in module 'Ftp'",
                          "func": func, "module": "Ftp"})
            reason = "expected a number, not 'lots'"
            assert await xml_answer(http, "GET", f"{cpanel}/xml-api/cpanel",
                                    xml_params("Ftp", "setquota", account=None, user="ftpuser", quota="lots"),
                                    USER_AUTH) == (200, failed("Ftp", "setquota", reason, {"reason": reason, "result": "0"}))
        assert state.requests == []
    finally:
        for listener in listeners:
            await listener.close()


async def test_upstream_unavailable_and_too_slow():
    state, (whm, cpanel), listeners = await start({"read_timeout": 0.3, "cpanel_upstream": "http://127.0.0.1:9"})
    state.faults.add("/json-api/uapi_cpanel", "hang", times=1)
    try:
        async with aiohttp.ClientSession() as http:
            assert await xml_answer(http, "POST", f"{whm}/xml-api/cpanel", FTP_PASSWD, ROOT_AUTH) == (
                504, could_not_run("passwd", "upstream did not answer in time"))
            assert await xml_answer(http, "GET", f"{cpanel}/xml-api/cpanel", xml_params("Ftp", "listftp", account=None),
                                    USER_AUTH) == (502, could_not_run("listftp", "cannot connect to upstream"))
            # A passed-through call that cannot reach upstream gets the same answer in XML.
            assert await xml_answer(http, "GET", f"{cpanel}/xml-api/cpanel", xml_params("Cron", "listcron", account=None),
                                    USER_AUTH) == (502, could_not_run("listcron", "upstream is unavailable", "Cron"))
    finally:
        for listener in listeners:
            await listener.close()


async def test_body_over_the_cap_and_over_the_concurrency_cap():
    state, (whm, _), listeners = await start({"max_api_body": 1000, "max_concurrent": 1})
    state.faults.add("/json-api/uapi_cpanel", "delay:0.4", times=1)
    query = "cpanel_xmlapi_module=Ftp&cpanel_xmlapi_func=passwd"
    try:
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{whm}/xml-api/cpanel?{query}", data=b"user=a&pass=" + b"x" * 2000,
                                 headers=ROOT_AUTH) as resp:
                assert (resp.status, resp.headers["Content-Type"]) == (413, CONTENT_TYPE)
                assert simplexml_view(await resp.read()) == could_not_run("passwd", "the request body is too large")
            slow = asyncio.create_task(xml_answer(http, "POST", f"{whm}/xml-api/cpanel", FTP_PASSWD, ROOT_AUTH))
            while not state.faults.fired:
                await asyncio.sleep(0.01)
            async with http.get(f"{whm}/xml-api/cpanel?{query}", headers=ROOT_AUTH) as resp:
                assert (resp.status, resp.headers["Retry-After"]) == (503, "1")
                assert simplexml_view(await resp.read()) == could_not_run("passwd", "the server is busy; try again shortly")
            assert (await slow)[0] == 200
    finally:
        for listener in listeners:
            await listener.close()


async def test_refused_client_network(tmp_path):
    state, (whm, _), listeners = await start({"whm_allow": ["192.0.2.0/24"]})
    try:
        async with aiohttp.ClientSession() as http:
            assert await xml_answer(http, "POST", f"{whm}/xml-api/cpanel", FTP_PASSWD, ROOT_AUTH) == (403, ACCESS_DENIED)
        assert state.requests == []
    finally:
        for listener in listeners:
            await listener.close()
