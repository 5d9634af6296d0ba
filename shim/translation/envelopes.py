"""The API 2 documents a legacy client can receive, exactly as cPanel shapes them.

Clients parse these literally: `event.result == 1` as a number, the mere presence of
`error`, `data[0].result`. cpsrvd's own errors (access denied, invalid user) use a
different shape with string values and an object `data`; those are reproduced as-is.
"""

from __future__ import annotations

from typing import Any

import orjson

ACCESS_DENIED_REASON = "Access denied"
INVALID_USER_REASON = "User parameter is invalid or was not supplied"
# WHM's text when the account named is a WHM user, not a cPanel account (root).
NOT_A_CPANEL_ACCOUNT = "The user “{user}” is not associated with a cPanel account and cannot call cPanel API 2"


def success(module: str, func: str, data: list[Any], **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "apiversion": 2,
        "func": func,
        "data": data,
        "event": {"result": 1},
        "module": module,
    }
    result.update(extra)
    return {"cpanelresult": result}


def success_json(module: str, func: str, data: list[bytes | Any], extra: dict[str, Any]) -> bytes:
    """success()'s document as JSON bytes, with `data` given as JSON text in pieces (joined
    as they are, not parsed): the same keys in the same order as orjson.dumps(success(…))."""
    head = b'{"cpanelresult":{"apiversion":2,"func":' + orjson.dumps(func) + b',"data":'
    tail = b',"event":{"result":1},"module":' + orjson.dumps(module)
    if extra:
        tail += b"," + orjson.dumps(extra)[1:-1]
    return b"".join([head, *data, tail, b"}}"])


def function_failure(module: str, func: str, data: list[Any], error: str) -> dict[str, Any]:
    """The function ran but failed: cPanel still reports `event.result` 1."""
    return success(module, func, data, error=error)


def transform_failure(module: str, func: str, reason: str) -> dict[str, Any]:
    """An argument the entry could not convert: answered as the function's own failure."""
    return function_failure(module, func, [{"result": 0, "reason": reason}], reason)


def access_denied() -> dict[str, Any]:
    """cpsrvd's answer to bad credentials (sent with HTTP 403, as text/plain)."""
    return {
        "cpanelresult": {
            "apiversion": "2",
            "error": ACCESS_DENIED_REASON,
            "data": {"reason": ACCESS_DENIED_REASON, "result": "0"},
            "type": "text",
        }
    }


def invalid_user(reason: str = INVALID_USER_REASON, *, wrapped: bool = True) -> dict[str, Any]:
    """WHM's answer when the account to act as is missing, unknown or not allowed.

    WHM wraps it in `cpanelresult` only when the client sent `cpanel_jsonapi_apiversion=2`
    literally; without it (API 2 assumed) the document is bare."""
    document = {"data": {"reason": reason, "result": "0"}, "type": "text", "error": reason}
    return {"cpanelresult": document} if wrapped else document


def function_not_found(module: str, func: str) -> dict[str, Any]:
    return {
        "cpanelresult": {
            "apiversion": 2,
            "error": f"Could not find function '{func}' in module '{module}'",
            "func": func,
            "module": module,
        }
    }


def function_died(module: str, func: str, reason: str) -> dict[str, Any]:
    """The API 2 function died (threw): `event.result` 0 with its reason, and no `data`.

    cPanel 11.120's API 2 runner (Cpanel/Api2/Exec.pm) keeps no data from a function that
    threw — the same for every function — and its error buffer becomes `error`."""
    return {
        "cpanelresult": {
            "apiversion": 2,
            "func": func,
            "module": module,
            "event": {"result": 0, "reason": reason},
            "error": reason,
        }
    }


def call_failed(module: str, func: str, reason: str) -> dict[str, Any]:
    """The call could not run at all (upstream down, broken answer, bad input to the shim).

    Answered like a function that died (`event.result` 0 and the reason), but `data` is an
    empty list rather than absent: this is the shim's own failure, not cPanel's answer, and
    clients iterating over `data` must not crash on it.
    """
    return {
        "cpanelresult": {
            "apiversion": 2,
            "func": func,
            "module": module,
            "data": [],
            "event": {"result": 0, "reason": reason},
            "error": reason,
        }
    }
