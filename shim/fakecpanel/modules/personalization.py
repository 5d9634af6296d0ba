"""UAPI Personalization: get and set, over the account's NVData (name → text), per account.

As in cPanel (11.120 Cpanel/API/Personalization.pm, Cpanel/Personalization/Validate.pm),
both take structured arguments and so only a JSON request body: get `{"names": [...]}`,
set `{"personalization": {name: value, ...}}`. Each answers `{personalization: {name:
{value, success, reason}}}`; a name never set has the value null. set stores `value || ''`
(Perl's truth: "0" is stored as ""). Names longer than 128 characters and values longer than
2048 are refused with cPanel's texts; so is an empty list. An argument sent as a form (a
string where an array or object is needed) is refused with the fake's own text.

Demo seed (account `user`): `lang` = `en`.
"""

from __future__ import annotations

from typing import Any

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from ..state import USER, CpanelAccount

MODULE = "Personalization"
MAX_NAME, MAX_VALUE = 128, 2048


def nvdata(account: CpanelAccount) -> dict[str, str]:
    return account.module_state(MODULE, lambda acct: {"lang": "en"} if acct.user == USER else {})


def _structured(args: Args, name: str, kind: type) -> Any:
    if name not in args:
        raise UapiError(f"You must specify the “{name}” parameter.")
    value = args[name]
    if not isinstance(value, kind):
        raise UapiError(f"The “{name}” parameter must be a JSON {'array' if kind is list else 'object'}: "
                        "send the call as a JSON request body.")
    return value


def _check_name(name: Any) -> str:
    if not isinstance(name, str):
        raise UapiError(f"Name {name} is an invalid type. It must be a string")
    if len(name) > MAX_NAME:
        raise UapiError(f"Name {name} is invalid. Names can only be {MAX_NAME} characters.")
    return name


@uapi_function(MODULE, "get", samples=[{"names": ["lang", "never_set"]}])
def get(ctx: UapiContext, args: Args) -> UapiOutcome:
    names = [_check_name(n) for n in _structured(args, "names", list)]
    if not names:
        raise UapiError("You must provide at least one personalization property name to fetch.")
    stored = nvdata(ctx.account)
    return UapiOutcome.ok({"personalization": {
        name: {"value": stored.get(name), "success": 1, "reason": "OK"} for name in names}})


@uapi_function(MODULE, "set", samples=[{"personalization": {"lang": "de", "theme": "dark"}}])
def set_(ctx: UapiContext, args: Args) -> UapiOutcome:
    request = _structured(args, "personalization", dict)
    if not request:
        raise UapiError("The personalization property must be an object which contains one or more name/value pairs.")
    for name in sorted(request):
        _check_name(name)
        value = request[name]
        if value is not None and len(str(value)) > MAX_VALUE:
            raise UapiError(f"Value '{value}' is invalid. Values can only be {MAX_VALUE} characters.")
    stored = nvdata(ctx.account)
    answer = {}
    for name in sorted(request):
        value = request[name] if request[name] not in (None, "", "0", 0) else ""
        stored[name] = str(value)
        answer[name] = {"value": stored[name], "success": 1, "reason": "OK"}
    return UapiOutcome.ok({"personalization": answer})
