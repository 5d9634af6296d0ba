"""Locale (one key of Locale::get_attributes each) and SetLang::setlocale through the real shim."""

import pytest
from api2calls import Api2Calls

HTTP_500 = "upstream answered HTTP 500"


def died(module, func):
    return {"cpanelresult": {"apiversion": 2, "func": func, "module": module, "data": [],
                             "event": {"result": 0, "reason": HTTP_500}, "error": HTTP_500}}


@pytest.mark.parametrize("func, english, arabic", [
    ("get_user_locale", {"locale": "en"}, {"locale": "ar"}),
    ("get_user_locale_name", {"name": "English"}, {"name": "العربية"}),
    ("get_encoding", {"encoding": "utf-8"}, {"encoding": "utf-8"}),
    ("get_html_dir_attr", {"dir": "ltr"}, {"dir": "rtl"}),
])
async def test_locale_values_follow_setlocale(stack, func, english, arabic):
    locale, setlang = Api2Calls(stack, "Locale"), Api2Calls(stack, "SetLang")
    assert await locale.whm(func) == (200, locale.ok(func, [english]))
    assert await setlang.whm("setlocale", locale="ar") == (200, setlang.ok("setlocale", []))
    assert await locale.cpanel(func) == (200, locale.ok(func, [arabic]))
    stack.state.faults.add("/execute/Locale/get_attributes", "status:500", times=1)
    assert await locale.cpanel(func) == (502, died("Locale", func))


async def test_setlocale_failure_is_an_empty_list_with_the_error(stack):
    setlang = Api2Calls(stack, "SetLang")
    assert await setlang.whm("setlocale", locale="xx", extra="dropped") == (
        200, setlang.failed("setlocale", "The locale “xx” is not available.", rows=[]))
    assert setlang.last_uapi() == ("Locale", "set_locale", {"locale": ["xx"]})


async def test_get_locale_name_of_any_locale(stack):
    locale, setlang = Api2Calls(stack, "Locale"), Api2Calls(stack, "SetLang")
    assert await locale.whm("get_locale_name", locale="fr") == (200, locale.ok("get_locale_name", [{"name": "French"}]))
    assert locale.last_uapi() == ("Locale", "list_locales", {})
    # cPanel answered an unknown tag with the tag itself.
    assert await locale.cpanel("get_locale_name", locale="xx") == (200, locale.ok("get_locale_name", [{"name": "xx"}]))
    # Without `locale`, the account's own.
    assert await locale.cpanel("get_locale_name") == (200, locale.ok("get_locale_name", [{"name": "English"}]))
    await setlang.whm("setlocale", locale="de")
    assert await locale.whm("get_locale_name") == (200, locale.ok("get_locale_name", [{"name": "German"}]))
    stack.state.faults.add("/execute/Locale/list_locales", "status:500", times=1)
    assert await locale.cpanel("get_locale_name", locale="fr") == (502, died("Locale", "get_locale_name"))
