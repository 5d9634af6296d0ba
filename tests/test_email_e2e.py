"""Every translated Email function through the real shim: one success and one failure each.

Whole `cpanelresult` documents are compared. Records an entry copies are built from the
fake's own direct UAPI answer; rows the entry writes are literal.
"""

import logging

import pytest
from api2calls import Api2Calls
from conftest import USER_AUTH

from shim.fakecpanel.modules.emailauth import emailauth_state
from shim.fakecpanel.modules.fileman import Node, file_tree

MODULE = "Email"
SECRET = "Mail-Pa55-word"


def ok(func, data):
    return {"cpanelresult": {"apiversion": 2, "func": func, "data": data, "event": {"result": 1}, "module": MODULE}}


def failed(func, error, data=None):
    rows = [{"result": 0, "reason": error}] if data is None else data
    return {"cpanelresult": {"apiversion": 2, "func": func, "module": MODULE, "event": {"result": 1},
                             "data": rows, "error": error}}


async def api2_whm(stack, func, **args):
    return await Api2Calls(stack, MODULE).whm(func, **args)


async def api2_cpanel(stack, func, **args):
    return await Api2Calls(stack, MODULE).cpanel(func, **args)


async def uapi_direct(stack, func, **args):
    return await Api2Calls(stack, MODULE).uapi(MODULE, func, **args)


def last_uapi_form(stack):
    """The arguments of the last translated call the fake received (WHM form minus its envelope)."""
    seen = stack.state.requests[-1]
    envelope = {"api.version", "cpanel.user", "cpanel.module", "cpanel.function"}
    return {k: v for k, v in seen.form.items() if k not in envelope}


# ------------------------------------------------------------------ mailboxes


async def test_addpop_creates_a_mailbox_and_hides_the_password(stack, caplog):
    caplog.set_level(logging.DEBUG)
    got = await api2_whm(stack, "addpop", email="new", password=SECRET, domain="example.com", quota="500",
                         send_welcome_email="yes", skip_update_db="1")
    assert got == (200, ok("addpop", [{"result": 1, "reason": ""}]))
    # Only the five API 2 inputs travel; yes/no became 1/0.
    assert last_uapi_form(stack) == {"email": ["new"], "password": [SECRET], "domain": ["example.com"],
                                     "quota": ["500"], "send_welcome_email": ["1"]}
    assert SECRET not in caplog.text
    assert [r["email"] for r in await uapi_direct(stack, "list_pops", regex="new")] == ["new@example.com"]


async def test_addpop_failure(stack):
    got = await api2_whm(stack, "addpop", email="info", password=SECRET, domain="example.com")
    assert got == (200, failed("addpop", "The account “info@example.com” already exists."))


async def test_delpop_success_and_failure(stack):
    # rawout is always sent, "" when UAPI had no messages (cPanel 11.120 Email.pm api2_delpop).
    assert await api2_cpanel(stack, "delpop", email="info", domain="example.com") == (
        200, ok("delpop", [{"result": 1, "reason": "OK", "rawout": ""}]))
    gone = "The email account “info@example.com” does not exist."
    assert await api2_cpanel(stack, "delpop", email="info@example.com") == (
        200, failed("delpop", gone, [{"result": 0, "reason": gone, "rawout": ""}]))


async def test_passwdpop_success_and_failure(stack):
    assert await api2_whm(stack, "passwdpop", email="info", password=SECRET, domain="example.com") == (
        200, ok("passwdpop", [{"result": 1, "reason": ""}]))
    assert await api2_whm(stack, "passwdpop", email="ghost", password=SECRET, domain="example.com") == (
        200, failed("passwdpop", "The email account “ghost@example.com” does not exist."))


async def test_editquota_success_and_failure(stack):
    assert await api2_cpanel(stack, "editquota", email="info", domain="example.com", quota="75") == (
        200, ok("editquota", [{"result": 1, "reason": ""}]))
    [record] = await uapi_direct(stack, "list_pops_with_disk", email="info", domain="example.com")
    assert record["txtdiskquota"] == 75
    assert await api2_cpanel(stack, "editquota", email="info", domain="example.com", quota="lots") == (
        200, failed("editquota", "The quota must be a positive integer or “unlimited”."))


async def test_listpops_success_and_failure(stack):
    assert await api2_whm(stack, "listpops") == (200, ok("listpops", await uapi_direct(stack, "list_pops")))
    got = await api2_whm(stack, "listpops", regex="info", skip_main="yes")
    assert got == (200, ok("listpops", [{"email": "info@example.com", "login": "info@example.com",
                                         "suspended_incoming": 0, "suspended_login": 0}]))
    assert await api2_whm(stack, "listpops", regex="(") == (200, failed("listpops", "Invalid regular expression “(”.", data=[]))


async def test_listpopssingle_leaves_out_the_main_account(stack):
    got = await api2_cpanel(stack, "listpopssingle")
    assert got == (200, ok("listpopssingle", await uapi_direct(stack, "list_pops", skip_main="1")))
    assert "user" not in [r["email"] for r in got[1]["cpanelresult"]["data"]]
    assert await api2_cpanel(stack, "listpopssingle", regex="[") == (
        200, failed("listpopssingle", "Invalid regular expression “[”.", data=[]))


async def test_listpopswithdisk_success_and_failure(stack):
    got = await api2_cpanel(stack, "listpopswithdisk", domain="example.com", nearquotaonly="1")
    assert got == (200, ok("listpopswithdisk", await uapi_direct(stack, "list_pops_with_disk", domain="example.com")))
    assert len(got[1]["cpanelresult"]["data"]) == 2
    # Undocumented in UAPI, but cPanel's own wrapper passed it on too.
    assert stack.state.requests_to("/execute/Email/list_pops_with_disk")[0].form == {
        "domain": ["example.com"], "nearquotaonly": ["1"]}
    assert await api2_cpanel(stack, "listpopswithdisk", regex="*") == (
        200, failed("listpopswithdisk", "Invalid regular expression “*”.", data=[]))


async def test_getdiskusage_success_and_failure(stack):
    got = await api2_whm(stack, "getdiskusage", user="info", domain="example.com")
    assert got == (200, ok("getdiskusage", [{"diskused": 12.0, "domain": "example.com",
                                             "login": "info@example.com", "user": "info"}]))
    assert await api2_whm(stack, "getdiskusage", user="ghost", domain="example.com") == (
        200, failed("getdiskusage", "The email account “ghost@example.com” does not exist.", data=[None]))


async def test_listmaildomains_success_and_failure(stack):
    got = await api2_cpanel(stack, "listmaildomains", skipmain="0")
    assert got == (200, ok("listmaildomains", [{"domain": "example.com"}]))
    assert stack.state.requests_to("list_mail_domains")[-1].form == {}
    stack.state.faults.add("/execute/Email/list_mail_domains", "status:500", times=1)
    status, document = await api2_cpanel(stack, "listmaildomains")
    assert (status, document) == (502, {"cpanelresult": {
        "apiversion": 2, "func": "listmaildomains", "module": MODULE, "data": [],
        "event": {"result": 0, "reason": "upstream answered HTTP 500"}, "error": "upstream answered HTTP 500"}})


# ------------------------------------------------------------------ forwarders


async def test_addforward_returns_the_records(stack):
    got = await api2_whm(stack, "addforward", domain="example.com", email="fwd@example.com", fwdopt="fwd",
                         fwdemail="a@example.net,b@example.net")
    assert got == (200, ok("addforward", [
        {"domain": "example.com", "email": "fwd@example.com", "forward": "a@example.net"},
        {"domain": "example.com", "email": "fwd@example.com", "forward": "b@example.net"}]))


async def test_addforward_failure_is_the_bare_error_text(stack):
    error = "You must specify the “fwdemail” parameter."
    got = await api2_whm(stack, "addforward", domain="example.com", email="fwd", fwdopt="fwd")
    assert got == (200, failed("addforward", error, data=[error]))


async def test_delforward_fixed_strings(stack):
    got = await api2_cpanel(stack, "delforward", email="sales@example.com", emaildest="boss@example.net", extra="x")
    assert got == (200, ok("delforward", [{"status": "1", "statusmsg": "OK"}]))
    assert stack.state.requests_to("delete_forwarder")[-1].form == {
        "address": ["sales@example.com"], "forwarder": ["boss@example.net"]}
    got = await api2_cpanel(stack, "delforward", email="sales@example.com", emaildest="boss@example.net")
    assert got == (200, failed("delforward", "The forwarder “sales@example.com” to “boss@example.net” does not exist.",
                               data=[{"status": "0", "statusmsg": "Failed to delete forwarder."}]))


async def test_listforwards_success_and_failure(stack):
    got = await api2_whm(stack, "listforwards", domain="example.com")
    assert got == (200, ok("listforwards", [{
        "dest": "sales@example.com", "forward": "boss@example.net", "html_dest": "sales@example.com",
        "html_forward": "boss@example.net", "uri_dest": "sales%40example.com", "uri_forward": "boss%40example.net"}]))
    assert await api2_whm(stack, "listforwards") == (
        200, failed("listforwards", "You must specify the “domain” parameter.", data=[]))


# ------------------------------------------------------------------ MX records


def mx_answer(message):
    return [{"checkmx": {"changed": 1, "detected": "local", "isprimary": 1, "issecondary": 0, "local": 1,
                         "mxcheck": "local", "remote": 0, "secondary": 0, "warnings": []},
             "results": message, "status": 1, "statusmsg": message}]


@pytest.mark.parametrize("exchanger_key, priority_key", [("exchange", "preference"), ("newmx", "priority"), ("exchanger", "preference")])
async def test_addmx_aliases(stack, exchanger_key, priority_key):
    got = await api2_whm(stack, "addmx", domain="example.com", **{exchanger_key: "mx2.example.com", priority_key: "10"},
                         alwaysaccept="no", oldexchange="mail.example.com", oldpreference="0")
    assert got == (200, ok("addmx", mx_answer("Added entry: example.com. IN MX 10 mx2.example.com.")))
    assert last_uapi_form(stack) == {"domain": ["example.com"], "exchanger": ["mx2.example.com"],
                                     "priority": ["10"], "alwaysaccept": ["0"]}


async def test_addmx_failures(stack):
    # A priority that is no number never reaches upstream.
    count = len(stack.state.requests)
    assert await api2_whm(stack, "addmx", domain="example.com", exchange="mx2.example.com", preference="high") == (
        200, failed("addmx", "expected a number, not 'high'"))
    assert len(stack.state.requests) == count
    assert await api2_whm(stack, "addmx", domain="example.com", exchange="mail.example.com", preference="0") == (
        200, failed("addmx", "The MX record “mail.example.com” with priority “0” already exists for “example.com”.", data=[]))


async def test_delmx_success_and_failure(stack):
    got = await api2_cpanel(stack, "delmx", domain="example.com", exchange="mail.example.com", preference="0")
    assert got == (200, ok("delmx", mx_answer("Removed entry: example.com. IN MX 0 mail.example.com.")))
    assert await api2_cpanel(stack, "delmx", domain="example.com", exchange="mail.example.com", preference="0") == (
        200, failed("delmx", "The MX record “mail.example.com” with priority “0” does not exist for “example.com”.", data=[]))


# ------------------------------------------------------------------ the rest of Email

async def fails_upstream(stack, func, uapi_func, call=api2_cpanel, **args):
    """A call whose UAPI function cannot fail on valid input: upstream answers HTTP 500."""
    path = "/json-api/uapi_cpanel" if call is api2_whm else f"/execute/{MODULE}/{uapi_func}"
    stack.state.faults.add(path, "status:500", times=1)
    assert await call(stack, func, **args) == (502, {"cpanelresult": {
        "apiversion": 2, "func": func, "module": MODULE, "data": [],
        "event": {"result": 0, "reason": "upstream answered HTTP 500"}, "error": "upstream answered HTTP 500"}})


# API 2 function, UAPI function, API 2 args: entries that copy UAPI's records unchanged.
COPIED_LISTS = [
    ("fetchcharmaps", "fetch_charmaps", {}),
    ("listaliasbackups", "list_forwarders_backups", {}),
    ("listfilterbackups", "list_filters_backups", {}),
    ("listlists", "list_lists", {"domain": "example.com"}),
    ("listmxs", "list_mxs", {}),
    ("listmx", "list_mxs", {"domain": "example.com"}),
    ("filterlist", "list_filters", {}),
    ("listdomainforwards", "list_domain_forwarders", {}),
    ("browseboxes", "browse_mailbox", {"account": "info@example.com"}),
]


@pytest.mark.parametrize("func, uapi_func, args", COPIED_LISTS, ids=[c[0] for c in COPIED_LISTS])
async def test_copied_lists(stack, func, uapi_func, args):
    expected = await uapi_direct(stack, uapi_func, **args)
    assert await api2_cpanel(stack, func, **args) == (200, ok(func, expected))
    await fails_upstream(stack, func, uapi_func, **args)


async def test_copied_lists_are_not_empty(stack):
    # The comparisons above mean something only if the fake has records to copy.
    for _, uapi_func, args in COPIED_LISTS:
        if uapi_func != "list_domain_forwarders":
            assert await uapi_direct(stack, uapi_func, **args), uapi_func


async def test_listdomainforwards_after_adddomainforward(stack):
    got = await api2_whm(stack, "adddomainforward", domain="example.com", destdomain="example.net")
    assert got == (200, ok("adddomainforward", [
        {"domain": "example.com", "destdomain": "example.net", "status": 1, "statusmsg": ""}]))
    assert await api2_whm(stack, "listdomainforwards", domain="example.com") == (
        200, ok("listdomainforwards", [{"dest": "example.com", "forward": "example.net"}]))
    got = await api2_whm(stack, "adddomainforward", domain="example.com", destdomain="example.com")
    error = "The domain “example.com” cannot forward to itself."
    assert got == (200, failed("adddomainforward", error, data=[
        {"domain": "example.com", "destdomain": "example.com", "status": 0, "statusmsg": error}]))


@pytest.mark.parametrize("func, uapi_func, value", [
    ("get_default_email_quota", "get_default_email_quota", 1024 * 1024 * 1024),
    ("get_default_email_quota_mib", "get_default_email_quota_mib", 1024),
    ("get_max_email_quota", "get_max_email_quota", 4096 * 1024 * 1024),
    ("get_max_email_quota_mib", "get_max_email_quota_mib", 4096),
])
async def test_quota_scalars(stack, func, uapi_func, value):
    assert await api2_whm(stack, func) == (200, ok(func, [{func: value}]))
    await fails_upstream(stack, func, uapi_func, call=api2_whm)


async def test_accountname(stack):
    assert await api2_cpanel(stack, "accountname", account="info@example.com") == (
        200, ok("accountname", [{"account": "info@example.com"}]))
    assert await api2_cpanel(stack, "accountname", display="1") == (
        200, ok("accountname", [{"account": "All Mail On Your Account"}]))
    await fails_upstream(stack, "accountname", "account_name")


async def test_list_system_filter_info(stack):
    assert await api2_cpanel(stack, "list_system_filter_info") == (
        200, ok("list_system_filter_info", [{"filter_info": "/home/user/etc/example.com/filter"}]))
    await fails_upstream(stack, "list_system_filter_info", "list_system_filter_info")


async def test_changemx_aliases_and_empty_failure(stack):
    got = await api2_whm(stack, "changemx", domain="example.com", exchange="mx9.example.com", preference="5",
                         oldexchange="mail.example.com", oldpreference="0")
    assert got == (200, ok("changemx", mx_answer("Changed entry: example.com. IN MX 5 mx9.example.com.")))
    assert last_uapi_form(stack) == {"domain": ["example.com"], "exchanger": ["mx9.example.com"], "priority": ["5"],
                                     "oldexchanger": ["mail.example.com"], "oldpriority": ["0"]}
    got = await api2_whm(stack, "changemx", domain="example.com", newmx="x.example.com", priority="5", oldmx="gone.example.com")
    assert got == (200, failed("changemx", "The MX record “gone.example.com” does not exist for “example.com”.", data=[]))


async def test_getalwaysaccept_and_getmxcheck(stack):
    for func in ("getalwaysaccept", "getmxcheck"):
        assert await api2_cpanel(stack, func) == (
            200, ok(func, [{"domain": "example.com", "alwaysaccept": 1, "mxcheck": "local"}]))
        assert await api2_cpanel(stack, func, domain="nosuch.example") == (
            200, failed(func, "The domain “nosuch.example” does not belong to this account.", data=[]))


async def test_setalwaysaccept_and_setmxcheck(stack):
    def answer(mode, detected, statusmsg):
        flags = {"local": int(detected == "local"), "remote": int(detected == "remote"), "secondary": int(detected == "secondary")}
        checkmx = {"changed": 1, "detected": detected, "isprimary": 0, "issecondary": int(mode == "secondary"),
                   "local": 0, "mxcheck": mode, "remote": int(mode == "remote"), "secondary": int(mode == "secondary"),
                   "warnings": []}
        return {"checkmx": checkmx, "results": statusmsg, "status": 1, "statusmsg": statusmsg, **flags,
                "detected": detected, "mxcheck": mode}

    got = await api2_whm(stack, "setalwaysaccept", domain="example.com", alwaysaccept="remote", user="user")
    assert got == (200, ok("setalwaysaccept", [answer("remote", "remote",
                                                      "Set the mail exchanger type of “example.com” to “remote”.")]))
    got = await api2_whm(stack, "setmxcheck", domain="example.com", mxcheck="secondary")
    assert got == (200, ok("setmxcheck", [answer("secondary", "secondary",
                                                 "Set the mail exchanger type of “example.com” to “secondary”.")]))
    assert await api2_cpanel(stack, "getmxcheck", domain="example.com") == (
        200, ok("getmxcheck", [{"domain": "example.com", "alwaysaccept": 0, "mxcheck": "secondary"}]))
    for func, key in (("setalwaysaccept", "alwaysaccept"), ("setmxcheck", "mxcheck")):
        assert await api2_whm(stack, func, domain="example.com", **{key: "sometimes"}) == (200, failed(
            func, "“sometimes” is not a valid mail exchanger type (auto, local, secondary, remote).", data=[]))


async def test_listdefaultaddresses_sends_the_account(stack):
    assert await api2_whm(stack, "listdefaultaddresses", domain="example.com") == (
        200, ok("listdefaultaddresses", [{"defaultaddress": "user", "domain": "example.com"}]))
    assert last_uapi_form(stack) == {"domain": ["example.com"], "user": ["user"]}
    assert await api2_whm(stack, "listdefaultaddresses", domain="nosuch.example") == (
        200, failed("listdefaultaddresses", "The domain “nosuch.example” does not belong to this account.", data=[]))


async def test_setdefaultaddress(stack):
    got = await api2_cpanel(stack, "setdefaultaddress", domain="example.com", fwdopt="fwd", fwdemail="all@example.net")
    assert got == (200, ok("setdefaultaddress", [{"dest": "all@example.net", "domain": "example.com"}]))
    error = "“bounce” is not a valid forwarding method (fwd, fail, blackhole, pipe, system)."
    got = await api2_cpanel(stack, "setdefaultaddress", domain="example.com", fwdopt="bounce")
    assert got == (200, failed("setdefaultaddress", error, data=[error]))


async def test_autoresponders(stack):
    assert await api2_cpanel(stack, "listautoresponders", domain="example.com") == (
        200, ok("listautoresponders", [{"email": "away@example.com", "subject": "Out of office"}]))
    assert await api2_cpanel(stack, "listautoresponders") == (
        200, failed("listautoresponders", "You must specify the “domain” parameter.", data=[]))
    got = await api2_cpanel(stack, "fetchautoresponder", email="away@example.com")
    assert got == (200, ok("fetchautoresponder", [await uapi_direct(stack, "get_auto_responder", email="away@example.com")]))
    assert got[1]["cpanelresult"]["data"][0]["subject"] == "Out of office"
    assert await api2_cpanel(stack, "fetchautoresponder", email="nobody@example.com") == (
        200, failed("fetchautoresponder", "The auto-responder for “nobody@example.com” does not exist.", data=[None]))


# ------------------------------------------------------------------ filters


async def test_loadfilter_defaults_to_the_account(stack):
    got = await api2_whm(stack, "loadfilter", filtername="coffee")
    assert got == (200, ok("loadfilter", [{
        "actions": [{"action": "save", "dest": "/dev/null", "number": 1}], "filtername": "coffee",
        "metadata": {"transformed": 1},
        "rules": [{"match": "contains", "number": 1, "opt": "or", "part": "$header_subject:", "val": "coffee"}]}]))
    assert last_uapi_form(stack) == {"filtername": ["coffee"], "account": ["user"]}
    assert await api2_whm(stack, "loadfilter", filtername="tea") == (
        200, failed("loadfilter", "The filter “tea” does not exist.", data=[]))


async def test_disable_and_enable_filter(stack):
    for func in ("disablefilter", "enablefilter"):
        assert await api2_cpanel(stack, func, filtername="coffee") == (
            200, ok(func, [{"filtername": "coffee", "updated": 1}]))
        assert await api2_cpanel(stack, func, filtername="coffee", account="ghost@example.com") == (
            200, failed(func, "The account “ghost@example.com” does not exist.", data=[None]))


async def test_deletefilter_always_reports_deleted(stack):
    assert await api2_cpanel(stack, "deletefilter", filtername="coffee") == (
        200, ok("deletefilter", [{"deleted": 1, "filtername": "coffee"}]))
    assert await api2_cpanel(stack, "deletefilter", filtername="coffee") == (
        200, failed("deletefilter", "The filter “coffee” does not exist.", data=[{"deleted": 1, "filtername": None}]))


async def test_storefilter_then_reorder(stack):
    rule = {"part1": "$header_from:", "match1": "is", "val1": "boss@example.net", "action1": "deliver",
            "dest1": "info@example.com"}
    got = await api2_cpanel(stack, "storefilter", filtername="boss", **rule)
    assert got == (200, ok("storefilter", [{"account": "user@example.com", "ok": 1, "error": 0, "result": "Filter Saved."}]))
    got = await api2_cpanel(stack, "storefilter", filtername="bad", account="info@example.com", **{**rule, "match1": "resembles"})
    error = "Rule 1 of the filter “bad” is not valid."
    assert got == (200, failed("storefilter", error, data=[]))
    got = await api2_cpanel(stack, "reorderfilters", mailbox="user", filter1="boss", filter2="coffee")
    assert got == (200, ok("reorderfilters", [{"ok": 1}]))
    assert [f["filtername"] for f in await uapi_direct(stack, "list_filters")] == ["boss", "coffee"]
    got = await api2_cpanel(stack, "reorderfilters", mailbox="user", filter1="boss")
    assert got == (200, failed("reorderfilters", "The new order must name every filter of the mailbox exactly once.", data=[]))


async def test_tracefilter(stack):
    got = await api2_cpanel(stack, "tracefilter", msg="Subject: more coffee", filtername="coffee")
    assert got == (200, ok("tracefilter", [{"trace": "Filter “coffee”: matched"}]))
    assert "filtername" not in stack.state.requests_to("trace_filter")[-1].form
    assert await api2_cpanel(stack, "tracefilter", filtername="coffee") == (
        200, failed("tracefilter", "You must specify the “msg” parameter.", data=[None]))


async def test_has_delegated_mailman_lists(stack):
    func = "has_delegated_mailman_lists"
    assert await api2_whm(stack, func, delegate="info@example.com") == (200, ok(func, [{func: 1}]))
    assert await api2_cpanel(stack, func, delegate="sales@example.com") == (200, ok(func, [{func: 0}]))
    assert await api2_whm(stack, func, delegate="user") == (200, ok(func, [{func: 0}]))
    # A refused delegate: API 2 put the refusal text in the row and set no error.
    assert await api2_whm(stack, func, delegate="info@elsewhere.test") == (
        200, ok(func, [{func: "“elsewhere.test” is not a domain that you control."}]))
    assert await api2_cpanel(stack, func) == (200, ok(func, [{func: "The “delegate” parameter is required."}]))


async def test_checkmaindiscard_follows_every_default_address(stack):
    calls = Api2Calls(stack, MODULE)
    assert await calls.whm("checkmaindiscard") == (200, ok("checkmaindiscard", [{"status": 0}]))
    assert calls.last_uapi() == ("Email", "list_default_address", {"user": ["user"]})
    await calls.whm("setdefaultaddress", domain="example.com", fwdopt="fail")
    assert await calls.cpanel("checkmaindiscard") == (200, ok("checkmaindiscard", [{"status": 1}]))
    # A second mail domain that still delivers makes it 0 again.
    account = stack.state.accounts["user"]
    account.other_domains.append("example.net")
    assert await calls.cpanel("checkmaindiscard") == (200, ok("checkmaindiscard", [{"status": 0}]))
    await calls.whm("setdefaultaddress", domain="example.net", fwdopt="blackhole")
    assert await calls.cpanel("checkmaindiscard") == (200, ok("checkmaindiscard", [{"status": 1}]))
    reason = "upstream answered HTTP 500"
    stack.state.faults.add("/execute/Email/list_default_address", "status:500", times=1)
    assert await calls.cpanel("checkmaindiscard") == (502, {"cpanelresult": {
        "apiversion": 2, "func": "checkmaindiscard", "module": MODULE, "data": [],
        "event": {"result": 0, "reason": reason}, "error": reason}})


async def test_listpopswithimage_appends_the_main_account(stack):
    calls = Api2Calls(stack, MODULE)
    main = {"login": '<img src="/frontend/jupiter/images/mainacct.jpg">', "email": "user"}
    assert await calls.whm("listpopswithimage") == (200, ok("listpopswithimage", [
        *await calls.uapi("Email", "list_pops", skip_main="1"), main]))
    assert await calls.cpanel("listpopswithimage", regex="^sales") == (200, ok("listpopswithimage", [
        *await calls.uapi("Email", "list_pops", skip_main="1", regex="^sales"), main]))
    _, refused = await stack.get_json(f"{stack.fake_cpanel}/execute/Email/list_pops", params={"regex": "("},
                                      headers=USER_AUTH)
    assert await calls.cpanel("listpopswithimage", regex="(") == (
        200, failed("listpopswithimage", refused["errors"][0], data=[]))


async def test_set_email_signing_switches_dkim_of_the_primary_domain(stack):
    calls = Api2Calls(stack, MODULE)
    dkim = emailauth_state(stack.state.accounts["user"]).dkim
    assert await calls.whm("set_email_signing", dkim="yes") == (200, ok("set_email_signing", [1, "DKIM signing enabled"]))
    assert calls.last_uapi() == ("EmailAuth", "enable_dkim", {"domain": ["example.com"]}) and dkim == {"example.com"}
    assert await calls.cpanel("set_email_signing", dkim="0") == (200, ok("set_email_signing", [1, "DKIM signing disabled"]))
    assert dkim == set()
    writes = len(stack.state.requests)
    # API 2's own refusals, without any call upstream but the account check.
    assert await calls.cpanel("set_email_signing", dkim="maybe") == (
        200, ok("set_email_signing", [0, "Unrecognized value dkim='maybe': use 0 or 1"]))
    assert await calls.cpanel("set_email_signing") == (200, ok("set_email_signing", [0, "No 'dkim' argument provided"]))
    assert not any("EmailAuth" in str(r.form) or "EmailAuth" in r.path for r in stack.state.requests[writes:])


async def test_getabsbrowsedir_builds_the_mail_folder_path(stack):
    calls = Api2Calls(stack, MODULE)
    assert await calls.whm("getabsbrowsedir", account="info@example.com", dir=".Sent") == (
        200, ok("getabsbrowsedir", [{"absdir": "/home/user/mail/example.com/info/.Sent"}]))
    assert calls.last_uapi() == ("Variables", "get_user_information", {"name": ["home"]})
    assert await calls.cpanel("getabsbrowsedir", dir="/home/user/mail/../.Trash/") == (
        200, ok("getabsbrowsedir", [{"absdir": "/home/user/mail/.Trash"}]))
    assert await calls.cpanel("getabsbrowsedir") == (200, ok("getabsbrowsedir", [{"absdir": "/home/user/mail"}]))
    reason = "upstream answered HTTP 500"
    stack.state.faults.add("/execute/Variables/get_user_information", "status:500", times=1)
    assert await calls.cpanel("getabsbrowsedir") == (502, {"cpanelresult": {
        "apiversion": 2, "func": "getabsbrowsedir", "module": MODULE, "data": [],
        "event": {"result": 0, "reason": reason}, "error": reason}})


async def test_listfilters_reads_the_legacy_filter_file_with_fileman(stack):
    calls = Api2Calls(stack, "Email")
    assert await calls.cpanel("listfilters") == (200, calls.ok("listfilters", []))  # no ~/.filter
    file_tree(stack.state.accounts["user"]).nodes["/home/user/.filter"] = Node("file", (
        "viagra+++++++/dev/null\n"
        "\n"
        "casino\n"
        "@example.org+++++++/dev/null\n"
        "+++++++orphan\n"
        "lottery+++++++spam@example.com+++++++ignored\n"
        "viagra+++++++/dev/null\n"
        "pills+++++++\n"))
    assert await calls.whm("listfilters") == (200, calls.ok("listfilters", [
        {"filter": "casino", "dest": "/dev/null", "nicedest": "Discard"},
        {"filter": "pills", "dest": "/dev/null", "nicedest": "Discard"},
        {"filter": "viagra", "dest": "/dev/null", "nicedest": "Discard"},
        {"filter": "lottery", "dest": "spam@example.com", "nicedest": "spam@example.com"}]))
