"""EmailTrack::search and EmailTrack::stats through the real shim, answered by WHM API 1
emailtrack_search / emailtrack_stats of the fake (its delivery log: shim/fakecpanel/eximstats.py)."""

from __future__ import annotations

import time
from typing import Any

from api2calls import Api2Calls, stack_with

from shim import fakecpanel
from shim.fakecpanel.eximstats import Delivery, SentMessage
from shim.recipes.emailtrack import reader_options

T = 1_700_000_000
USER_SENDS = {"user": "user", "domain": "example.com", "sender": "admin@example.com", "email": "admin@example.com",
              "senderhost": "localhost", "senderip": "127.0.0.1", "senderauth": "admin@example.com", "spamscore": 0}
OTHER_SENDS = {**USER_SENDS, "user": "other", "domain": "other.example", "sender": "sales@other.example",
               "email": "sales@other.example", "senderauth": "sales@other.example"}
TO_REMOTE = {**USER_SENDS, "type": "success", "size": 2048, "msgid": "1rAAAA-000001-AA", "sendunixtime": T,
             "message": "Accepted", "recipient": "bob@remote.example", "deliveredto": "bob@remote.example",
             "deliveryuser": None, "deliverydomain": None, "router": "dkim_lookuphost", "host": "mx.remote.example",
             "ip": "192.0.2.10", "transport": "dkim_remote_smtp", "actiontime": "2023-11-14 22:13:24",
             "actionunixtime": T + 4, "transport_is_remote": 1}
BOUNCED = {**USER_SENDS, "type": "failure", "size": 4096, "msgid": "1rAAAB-000002-AB", "sendunixtime": T + 60,
           "message": "550 5.1.1 No such user here", "recipient": "nobody@gone.example", "deliveredto": None,
           "deliveryuser": None, "deliverydomain": None, "router": "lookuphost", "host": "mx.gone.example",
           "ip": "192.0.2.20", "transport": "remote_smtp", "actiontime": "2023-11-14 22:14:23",
           "actionunixtime": T + 63, "transport_is_remote": 0}
RECEIVED = {**OTHER_SENDS, "type": "success", "size": 1024, "msgid": "1rAAAC-000003-AC", "sendunixtime": T + 120,
            "message": "Accepted", "recipient": "info@example.com", "deliveredto": "info@example.com",
            "deliveryuser": "user", "deliverydomain": "example.com", "router": "virtual_user", "host": "", "ip": "",
            "transport": "virtual_userdelivery", "actiontime": "2023-11-14 22:15:21", "actionunixtime": T + 121,
            "transport_is_remote": 0}
TO_OTHER = {**USER_SENDS, "type": "success", "size": 8192, "msgid": "1rAAAE-000005-AE", "sendunixtime": T + 240,
            "message": "Accepted", "recipient": "sales@other.example", "deliveredto": "sales@other.example",
            "deliveryuser": "other", "deliverydomain": "other.example", "router": "virtual_user", "host": "",
            "ip": "", "transport": "virtual_userdelivery", "actiontime": "2023-11-14 22:17:22",
            "actionunixtime": T + 242, "transport_is_remote": 0}
NOT_FOUND = "Could not find function '{func}' in module 'EmailTrack'"


def searched(calls: Api2Calls, rows: list[Any], overflowed: int = 0, **extra: Any) -> dict[str, Any]:
    document = calls.ok("search", rows)
    document["cpanelresult"].update(metadata={"overflowed": overflowed}, **extra)
    return document


RESELLER = {"Authorization": "whm reseller:RESELLERTOKEN"}


def reseller_state() -> fakecpanel.FakeState:
    """The demo, with `user` owned by a reseller (WHM privileges without root's `all`)."""
    state = fakecpanel.FakeState.demo()
    state.whm_users["reseller"] = fakecpanel.WhmUser("reseller", "pw", api_tokens={"RESELLERTOKEN"},
                                                     acls=frozenset({"list-accts"}))
    state.accounts["user"].owner = "reseller"
    return state


def whm_form(stack: Any, path: str) -> dict[str, str]:
    seen = [r for r in stack.state.requests if r.path.endswith(path)]
    assert seen, path
    return {name: values[0] for name, values in seen[-1].form.items()}


async def test_search_is_the_accounts_view_with_no_native_api2():
    state = fakecpanel.FakeState.demo()
    state.native_api2 = False
    async with stack_with({"upstream_api2": "absent"}, state=state) as stack:
        calls = Api2Calls(stack, "EmailTrack")
        # The mail `user` sent, and the mail `other` sent that was delivered to `user`; not
        # other's deferred mail to a stranger. Newest first, as the reader orders by default.
        got = await calls.whm("search", success="1", failure="1", defer="1")
        assert got == (200, searched(calls, [TO_OTHER, RECEIVED, BOUNCED, TO_REMOTE]))
        assert whm_form(stack, "/json-api/emailtrack_search") == {
            "api.version": "1", "success": "1", "failure": "1", "defer": "1", "user": "user"}
        assert [r.path for r in stack.state.requests] == [
            "/json-api/myprivs", "/json-api/uapi_cpanel", "/json-api/emailtrack_search"]
        got = await calls.whm("search", success="1", recipient="info@example.com")
        assert got == (200, searched(calls, [RECEIVED]))


async def test_search_hands_filter_sort_and_page_to_the_reader(stack):
    calls = Api2Calls(stack, "EmailTrack")
    got = await calls.whm("search", success="1", failure="1", api2_filter="1", api2_filter_column="router",
                          api2_filter_term="virtual", api2_sort="1", api2_sort_column="size", api2_paginate="1",
                          api2_paginate_start="1", api2_paginate_size="1")
    # One row of two; API 2 counted the filter over the rows it got back, and no pages.
    assert got == (200, searched(calls, [RECEIVED], records_before_filter=1, paginate={
        "start_result": "1", "results_per_page": "1", "total_results": 2, "current_page": 1, "total_pages": 0}))
    assert whm_form(stack, "/json-api/emailtrack_search") == {
        "api.version": "1", "success": "1", "failure": "1", "user": "user", "router-0": "virtual",
        "searchmatch_router-0": "contains", "sort": "size", "dir": "asc", "api.chunk.enable": "1",
        "api.chunk.start": "1", "api.chunk.size": "1", "api.chunk.verbose": "1"}
    got = await calls.whm("search", success="1", failure="1", api2_filter="1", api2_filter_column="router",
                          api2_filter_term="virtual", api2_sort="1", api2_sort_column="size", api2_paginate="1",
                          api2_paginate_start="2", api2_paginate_size="1")
    assert got == (200, searched(calls, [TO_OTHER], records_before_filter=1, paginate={
        "start_result": "2", "results_per_page": "1", "total_results": 2, "current_page": 2, "total_pages": 0}))


async def test_search_bounds_and_later_sort_keys(stack):
    calls = Api2Calls(stack, "EmailTrack")
    # `gt` is the reader's minsize; the first sort key is the reader's, the second sorts the rows it gave.
    got = await calls.whm("search", success="1", failure="1", api2_filter="1", api2_filter_column="size",
                          api2_filter_type="gt", api2_filter_term="1500", api2_sort="1", api2_sort_column="type",
                          api2_sort_reverse="1", api2_sort_column_1="size", api2_sort_method_1="numeric")
    assert got == (200, searched(calls, [TO_REMOTE, BOUNCED, TO_OTHER], records_before_filter=3))
    form = whm_form(stack, "/json-api/emailtrack_search")
    assert (form["minsize"], form["sort"], form["dir"]) == ("1501", "type", "desc")
    # `ne` is no match type the reader knows: it matched the term exactly, and API 2 kept that.
    got = await calls.whm("search", success="1", api2_filter="1", api2_filter_column="recipient",
                          api2_filter_type="ne", api2_filter_term="info@example.com")
    assert got == (200, searched(calls, [RECEIVED], records_before_filter=1))
    # A client's own `sort` stays the reader's key, as API 2 kept it.
    await calls.whm("search", success="1", sort="msgid", api2_sort="1", api2_sort_column="size")
    assert whm_form(stack, "/json-api/emailtrack_search")["sort"] == "msgid"


async def test_search_reports_the_overflowed_total():
    state = fakecpanel.FakeState.demo()
    state.mail_log = [SentMessage(f"m{i:05d}", "user", "example.com", "a@example.com", "a@example.com", 10, T + i,
                                  deliveries=(Delivery("success", "z@remote.example", T + i),))
                      for i in range(5001)]
    async with stack_with(state=state) as stack:
        calls = Api2Calls(stack, "EmailTrack")

        def row(i: int) -> dict[str, Any]:
            return {"type": "success", "user": "user", "domain": "example.com", "sender": "a@example.com",
                    "email": "a@example.com", "size": 10, "msgid": f"m{i:05d}", "senderhost": "", "senderip": "",
                    "senderauth": "", "spamscore": 0, "sendunixtime": T + i, "message": "Accepted",
                    "recipient": "z@remote.example", "deliveredto": None, "deliveryuser": None,
                    "deliverydomain": None, "router": "", "host": "", "ip": "", "transport": "",
                    "actiontime": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(T + i)), "actionunixtime": T + i,
                    "transport_is_remote": 0}

        got = await calls.whm("search", success="1", api2_paginate="1", api2_paginate_size="2")
        assert got == (200, searched(calls, [row(5000), row(4999)], overflowed=1, paginate={
            "start_result": 1, "results_per_page": "2", "total_results": 5000, "current_page": 1, "total_pages": 0}))


async def test_stats_is_one_row_of_the_accounts_sums(stack):
    stack.state.mail_log.append(SentMessage("1rNOW-000006-AF", "user", "example.com", "admin@example.com",
                                            "admin@example.com", 300, int(time.time())))
    calls = Api2Calls(stack, "EmailTrack")
    assert await calls.whm("stats") == (200, calls.ok("stats", [{
        "SENDCOUNT": 4, "SUCCESSCOUNT": 2, "INPROGRESSCOUNT": 1, "TOTALSIZE": 10240, "FAILCOUNT": 1,
        "DEFERCOUNT": 0, "DEFERFAILCOUNT": 1}]))
    assert whm_form(stack, "/json-api/emailtrack_stats") == {"api.version": "1", "user": "user"}
    # A `user` sent by the client does not widen the view: the account's own sums.
    assert await calls.whm("stats", deliverytype="remote", user="other") == (200, calls.ok("stats", [{
        "SENDCOUNT": 4, "SUCCESSCOUNT": 1, "INPROGRESSCOUNT": 1, "TOTALSIZE": 2048}]))
    assert await calls.whm("stats", startdate=str(T + 100_000_000)) == (200, calls.ok("stats", [{
        "SENDCOUNT": None, "SUCCESSCOUNT": None, "INPROGRESSCOUNT": None, "TOTALSIZE": None, "FAILCOUNT": None,
        "DEFERCOUNT": None, "DEFERFAILCOUNT": None}]))


async def test_a_failing_reader_is_the_functions_failure(stack):
    stack.state.mail_log_error = "database is locked"
    calls = Api2Calls(stack, "EmailTrack")
    error = "Error from delivery reporter: database is locked"
    assert await calls.whm("search", success="1") == (200, calls.failed("search", error, [0]))
    assert await calls.whm("stats") == (200, calls.failed("stats", error, [0]))


async def test_the_cpanel_port_hands_them_to_native_api2_while_it_is_served(stack):
    calls = Api2Calls(stack, "EmailTrack")
    for func in ("search", "stats"):
        before = len(stack.state.requests)
        passed = await calls.cpanel(func, success="1")
        assert [r.path for r in stack.state.requests[before:]] == ["/json-api/cpanel"]
        assert passed == await calls.native_cpanel(func, success="1")


async def test_the_cpanel_port_cannot_run_them_after_the_removal():
    state = fakecpanel.FakeState.demo()
    state.native_api2 = False
    async with stack_with({"upstream_api2": "absent"}, state=state) as stack:
        calls = Api2Calls(stack, "EmailTrack")
        for func in ("search", "stats"):
            assert await calls.cpanel(func, success="1") == (200, {"cpanelresult": {
                "apiversion": 2, "error": NOT_FOUND.format(func=func), "func": func, "module": "EmailTrack"}})
        assert stack.state.requests == []


async def test_inputs_only_native_api2_answers_pass_through(stack):
    calls = Api2Calls(stack, "EmailTrack")
    for func, args in (("search", {"webmail": "info@example.com"}), ("search", {"user": "other"}),
                       ("stats", {"webmail": "info@example.com"})):
        before = len(stack.state.requests)
        await calls.whm(func, success="1", **args)
        paths = [r.path for r in stack.state.requests[before:]]
        assert paths[-1] == "/json-api/cpanel" and "/json-api/emailtrack_search" not in paths, (func, args)


async def test_a_resellers_credentials_are_answered_natively_or_not_at_all():
    state = reseller_state()
    form = {"cpanel_jsonapi_user": "user", "cpanel_jsonapi_apiversion": "2", "cpanel_jsonapi_module": "EmailTrack",
            "cpanel_jsonapi_func": "stats"}
    async with stack_with({"upstream_api2": "absent"}, state=state) as stack:
        assert await stack.post_json(f"{stack.whm}/json-api/cpanel", data=form, headers=RESELLER) == (200, {
            "cpanelresult": {"apiversion": 2, "error": NOT_FOUND.format(func="stats"), "func": "stats",
                             "module": "EmailTrack"}})
        assert [r.path for r in state.requests] == ["/json-api/myprivs"]


async def test_an_unknown_account_gets_whms_invalid_user_answer(stack):
    reason = "User parameter is invalid or was not supplied"
    got = await stack.post_json(f"{stack.whm}/json-api/cpanel", headers={"Authorization": f"whm root:{fakecpanel.ROOT_TOKEN}"},
                                data={"cpanel_jsonapi_user": "nosuch", "cpanel_jsonapi_apiversion": "2",
                                      "cpanel_jsonapi_module": "EmailTrack", "cpanel_jsonapi_func": "search"})
    assert got == (200, {"cpanelresult": {"data": {"reason": reason, "result": "0"}, "type": "text", "error": reason}})
    assert not any(r.path.endswith("emailtrack_search") for r in stack.state.requests)


async def test_the_fakes_reseller_view_covers_its_accounts_and_refuses_others():
    state = reseller_state()
    async with stack_with(state=state) as stack:
        url = f"{stack.fake_whm}/json-api/emailtrack_search"
        status, document = await stack.get_json(url, params={"api.version": "1", "success": "1", "user": "other"},
                                                headers=RESELLER)
        assert document["metadata"]["reason"] == "Access Denied to Account other"
        status, document = await stack.get_json(url, params={"api.version": "1", "success": "1", "failure": "1"},
                                                headers=RESELLER)
        # Restricted to the accounts it owns (`user`): what user sent, and what reached user.
        assert document["data"]["records"] == [TO_OTHER, RECEIVED, BOUNCED, TO_REMOTE]
        status, document = await stack.get_json(f"{stack.fake_whm}/json-api/myprivs", params={"api.version": "1"},
                                                headers=RESELLER)
        assert document["data"]["privileges"][0]["all"] == 0


def test_reader_options_follow_cpanels_conversion():
    form = {"user": "user", "recipient-0": "client's own"}
    assert reader_options(form, [("recipient", "contains", "a"), ("recipient", "eq", "b"), ("*", "begins", "c"),
                                 ("size", "lt", " 12kB"), ("sendunixtime", "gt", "x")]) == {
        "user": "user", "recipient-0": "client's own", "recipient-1": "a", "searchmatch_recipient-1": "contains",
        "recipient-2": "b", "searchmatch_recipient-2": "eq", "all-0": "c", "searchmatch_all-0": "begins",
        "maxsize": "11", "minsendunixtime": "1"}
