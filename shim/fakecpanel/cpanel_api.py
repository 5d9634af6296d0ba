"""cPanel APIs as cpsrvd serves them: UAPI at /execute/, and the legacy /json-api/cpanel.

/json-api/cpanel answers by `cpanel_jsonapi_apiversion` (or `cpanel_xmlapi_apiversion`;
both prefixes are read for every parameter):
  absent or 2  native API 2 from the API 2 registry; unknown functions get cPanel's
               "Could not find function" document — and so does every function when
               `state.native_api2` is False (cPanel after API 2's removal; assumed: no
               live server without API 2 was available to observe)
  3            UAPI, wrapped: {"apiversion":3,"func","module","result":{…}}
  1            API 1 is not implemented: an API 1 style failure event
  anything else  the text-type error document
On the cPanel port the account is the authenticated one and every other parameter
(including `user`) is a function argument. Through WHM the account comes from
`cpanel_jsonapi_user`, or else from `user`, which is then removed from the arguments.
WHM's invalid-user document is wrapped in `cpanelresult` only when the apiversion is
literally "2" (for 3 or absent it is returned bare), as observed on cPanel.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from .pipeline import Call
from .registry import Args, UapiContext, UapiOutcome
from .state import WHM, CpanelAccount
from .wire import access_denied, json_response, parse_uploads

INVALID_USER_REASON = "User parameter is invalid or was not supplied"
ROOT_USER_REASON = "The user “root” is not associated with a cPanel account and cannot call cPanel API 2"
_LEGACY_PREFIXES = ("cpanel_jsonapi_", "cpanel_xmlapi_")
_WHM_ONLY_PARAMS = ("api.version",)


def context(call: Call, account: CpanelAccount) -> UapiContext:
    if call.service == WHM:
        return UapiContext(call.state, account, call.uapi)
    record = call.record
    return UapiContext(call.state, account, call.uapi,
                       lambda: parse_uploads(record.headers.get("content-type", ""), record.body))


def run_uapi(call: Call, account: CpanelAccount, module: str, func: str, args: Args) -> UapiOutcome:
    return call.uapi.run(context(call, account), module, func, args)


def account_of(call: Call) -> CpanelAccount | None:
    return call.state.accounts.get(call.principal.user)


async def execute(call: Call, match: "re.Match[str]") -> web.Response:
    """/execute/Module/function on the cPanel port: the bare UAPI result, always HTTP 200."""
    account = account_of(call)
    if account is None:
        return access_denied()
    outcome = run_uapi(call, account, match.group(1), match.group(2), Args(call.params))
    return json_response(outcome.result())


def _legacy_param(params: dict[str, list[str]], key: str) -> str | None:
    for prefix in _LEGACY_PREFIXES:
        values = params.get(prefix + key)
        if values:
            return values[0]
    return None


def invalid_user_document(reason: str, apiversion: str | None) -> dict[str, Any]:
    inner = {"data": {"reason": reason, "result": "0"}, "type": "text", "error": reason}
    return {"cpanelresult": inner} if apiversion == "2" else inner


async def json_api_cpanel(call: Call, match: "re.Match[str]") -> web.Response:
    params = {k: list(v) for k, v in call.params.items()}
    apiversion = _legacy_param(params, "apiversion")
    if call.service == WHM:
        user = _legacy_param(params, "user")
        if user is None and params.get("user"):
            user = params.pop("user")[0]
        account = call.state.accounts.get(user or "")
        if account is None:
            reason = ROOT_USER_REASON if user == "root" else INVALID_USER_REASON
            return json_response(invalid_user_document(reason, apiversion))
    else:
        account = account_of(call)
        if account is None:
            return access_denied()
    module = _legacy_param(params, "module") or ""
    func = _legacy_param(params, "func") or ""
    args = Args(
        {k: v for k, v in params.items() if not k.startswith(_LEGACY_PREFIXES) and k not in _WHM_ONLY_PARAMS}
    )
    return json_response(legacy_document(call, account, apiversion, module, func, args))


def legacy_document(
    call: Call, account: CpanelAccount, apiversion: str | None, module: str, func: str, args: Args
) -> dict[str, Any]:
    if apiversion in (None, "", "2"):
        return api2_document(call, account, module, func, args)
    if apiversion == "3":
        outcome = run_uapi(call, account, module, func, args)
        return {"apiversion": 3, "func": func, "module": module, "result": outcome.result()}
    if apiversion == "1":
        return {
            "apiversion": "1",
            "type": "event",
            "module": module,
            "func": func,
            "source": "module",
            "data": {"result": ""},
            "event": {"reason": "cPanel API 1 is not available on this server.", "result": 0},
        }
    reason = f"Unsupported API version “{apiversion}”."
    return {"data": {"reason": reason, "result": "0"}, "type": "text", "error": reason}


def api2_document(call: Call, account: CpanelAccount, module: str, func: str, args: Args) -> dict[str, Any]:
    handler = call.api2.get(module, func) if call.state.native_api2 else None
    if handler is None:
        return {
            "cpanelresult": {
                "apiversion": 2,
                "error": f"Could not find function '{func}' in module '{module}'",
                "func": func,
                "module": module,
            }
        }
    outcome = handler(context(call, account), args)
    result: dict[str, Any] = {"apiversion": 2, "func": func, "data": outcome.data}
    if outcome.error is not None:
        result["error"] = outcome.error
    result["event"] = {"result": 1}
    result["module"] = module
    return {"cpanelresult": result}


async def whm_only(call: Call, match: "re.Match[str]") -> web.Response:
    """WHM API 1 paths on the cPanel port: cPanel credentials cannot reach them."""
    return access_denied()
