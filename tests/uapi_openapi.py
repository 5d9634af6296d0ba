"""cPanel's UAPI OpenAPI description (11.125) as JSON Schema validators, for contract tests.

The tests read tests/uapi_snapshot.json: the facts they need from the description (which
is never copied into the project), already turned into JSON Schema by
tools/uapi_snapshot.py (see its docstring for what is kept, and how to regenerate it).
tests/test_uapi_snapshot.py checks the file against the description wherever that is
present. A `domain` format check rejects bare IP addresses, so `oneOf: [ipv4, domain]`
stays decidable.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker

SNAPSHOT = Path(__file__).resolve().parent / "uapi_snapshot.json"
_DOMAIN = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})*\.?$")


@cache
def load_snapshot() -> dict[str, Any]:
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def operation_schema(snapshot: dict[str, Any], module: str, func: str) -> dict[str, Any] | None:
    """The JSON Schema of the wrapped answer `{apiversion, func, module, result}`, or None."""
    function = snapshot["functions"].get(f"{module}::{func}")
    if function is None:
        return None
    return {"type": "object", "properties": {**snapshot["envelope"], "result": function["result"]}}


def parameters(snapshot: dict[str, Any], module: str, func: str) -> dict[str, bool] | None:
    """Parameter name -> required, as the description lists them; None when it lacks the function."""
    function = snapshot["functions"].get(f"{module}::{func}")
    return None if function is None else function["parameters"]


def result_schema(operation: dict[str, Any]) -> dict[str, Any]:
    """The bare result object (what /execute/ and uapi_cpanel's `data.uapi` carry)."""
    return operation["properties"]["result"]


_FORMATS = FormatChecker()


@_FORMATS.checks("domain")
def _is_domain(value: object) -> bool:
    return not isinstance(value, str) or bool(_DOMAIN.match(value))


@_FORMATS.checks("username")
def _is_username(value: object) -> bool:
    # cPanel user names never contain "@"; without this check `oneOf: [email, username]`
    # would match an address twice and reject it.
    return not isinstance(value, str) or "@" not in value


def validator(schema: dict[str, Any]) -> Draft7Validator:
    return Draft7Validator(schema, format_checker=_FORMATS)


def errors(schema: dict[str, Any], document: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator(schema).iter_errors(document)]
