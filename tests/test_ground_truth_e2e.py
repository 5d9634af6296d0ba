"""Answers compared with cPanel 11.120's own API 2 code (issue 12, section 4), whole documents.

Each test names the fact it pins; the facts were read in cPanel's source (Cpanel/*.pm,
Whostmgr/*.pm), never copied from it.
"""

from api2calls import Api2Calls
from conftest import ROOT_AUTH

INVALID = "User parameter is invalid or was not supplied"


def bare_invalid(reason=INVALID):
    return {"data": {"reason": reason, "result": "0"}, "type": "text", "error": reason}


async def whm_form(stack, form):
    return await stack.post_json(f"{stack.whm}/json-api/cpanel", data=form, headers=ROOT_AUTH)


# WHM wraps its invalid-account document in cpanelresult only for a literal apiversion=2.
async def test_invalid_account_is_wrapped_only_when_apiversion_2_was_sent(stack):
    call = {"cpanel_jsonapi_user": "nosuch", "cpanel_jsonapi_module": "Ftp", "cpanel_jsonapi_func": "listftp"}
    assert await whm_form(stack, {**call, "cpanel_jsonapi_apiversion": "2"}) == (
        200, {"cpanelresult": bare_invalid()})
    assert await whm_form(stack, call) == (200, bare_invalid())
    assert await whm_form(stack, {**call, "cpanel_jsonapi_version": "2"}) == (200, bare_invalid())


# root is a WHM user, not a cPanel account: WHM's own text.
async def test_root_as_the_account_gets_whms_own_text(stack):
    reason = "The user “root” is not associated with a cPanel account and cannot call cPanel API 2"
    form = {"cpanel_jsonapi_user": "root", "cpanel_jsonapi_apiversion": "2", "cpanel_jsonapi_module": "Ftp",
            "cpanel_jsonapi_func": "listftp"}
    assert await whm_form(stack, form) == (200, {"cpanelresult": bare_invalid(reason)})
    # The same answer cPanel gives when the call is passed through (the fake answers as WHM).
    status, native = await stack.post_json(f"{stack.fake_whm}/json-api/cpanel",
                                           data={**form, "cpanel_jsonapi_func": "nosuch"}, headers=ROOT_AUTH)
    assert (status, native) == (200, {"cpanelresult": bare_invalid(reason)})


# cPanel's legacy form parser keeps the first of repeated cpanel_jsonapi_user values.
async def test_the_first_cpanel_jsonapi_user_wins(stack):
    calls = Api2Calls(stack, "MysqlFE")
    form = [("cpanel_jsonapi_user", "user"), ("cpanel_jsonapi_user", "other"), ("cpanel_jsonapi_apiversion", "2"),
            ("cpanel_jsonapi_module", "MysqlFE"), ("cpanel_jsonapi_func", "listdbsbackup")]
    assert await whm_form(stack, form) == (200, calls.ok("listdbsbackup", [{"db": "user_shop"}, {"db": "user_wp"}]))
    assert stack.state.requests[-1].form["cpanel.user"] == ["user"]
    query = "cpanel_jsonapi_user=user&cpanel_jsonapi_module=MysqlFE&cpanel_jsonapi_func=listdbsbackup"
    status, document = await stack.post_json(f"{stack.whm}/json-api/cpanel?{query}",
                                             data={"cpanel_jsonapi_user": "other"}, headers=ROOT_AUTH)
    assert status == 200 and stack.state.requests[-1].form["cpanel.user"] == ["user"]
