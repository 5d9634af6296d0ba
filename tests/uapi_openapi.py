"""cPanel's UAPI OpenAPI description (11.125) as JSON Schema validators, for contract tests.

The YAML is read from the shared reference directory next to the repository (never
copied into it). OpenAPI 3.0 is not JSON Schema, so schemas are converted on the way:
`$ref`s are inlined, `nullable: true` admits null, and the generator's habit of putting a
regular expression in `format` ("^\\d+\\.\\d+$") is turned into a `pattern`. A `domain`
format check rejects bare IP addresses, so `oneOf: [ipv4, domain]` stays decidable. A
`oneOf` with a `discriminator` (DNS::parse_zone's records, comments and control lines, whose
schemas alone overlap) picks its branch by the discriminating property, as OpenAPI means.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator, FormatChecker

SPEC_NAME = "uapi-openapi-11.125.yml"
SPEC_ENV = "API2SHIM_UAPI_OPENAPI"
_RELATIVE = Path("shared/reference") / SPEC_NAME
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DOMAIN = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})*\.?$")
_MAX_DEPTH = 50


def find_spec(repo_root: Path) -> Path:
    """`<repo_root>/../shared/reference/…`, or the same next to any ancestor (git worktrees
    live deeper than the main checkout); `$API2SHIM_UAPI_OPENAPI` overrides."""
    override = os.environ.get(SPEC_ENV)
    if override:
        return Path(override)
    for base in repo_root.resolve().parents:
        candidate = base / _RELATIVE
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{_RELATIVE} not found next to {repo_root} or its parents; set {SPEC_ENV}")


def load_spec(path: Path) -> dict[str, Any]:
    with open(path, "rb") as stream:
        return yaml.load(stream, Loader=_LOADER)


def _resolve(spec: dict[str, Any], node: Any, depth: int = 0) -> Any:
    if depth > _MAX_DEPTH:
        raise ValueError("schema nesting too deep (recursive $ref?)")
    if isinstance(node, list):
        return [_resolve(spec, item, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target: Any = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return _resolve(spec, target, depth + 1)
    if "discriminator" in node and "oneOf" in node:
        return _discriminated(spec, node, depth)
    out = {k: _resolve(spec, v, depth + 1) for k, v in node.items() if k not in ("example", "description")}
    fmt = out.get("format")
    if isinstance(fmt, str) and fmt.startswith("^"):
        out["pattern"] = out.pop("format")
    if out.pop("nullable", False):
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [{"type": "null"}, out]}
    return out


def _discriminated(spec: dict[str, Any], node: dict[str, Any], depth: int) -> dict[str, Any]:
    """OpenAPI's discriminator as JSON Schema: the property's value selects one branch."""
    name = node["discriminator"]["propertyName"]
    mapping = node["discriminator"]["mapping"]
    branches = [
        {"if": {"properties": {name: {"const": value}}, "required": [name]},
         "then": _resolve(spec, {"$ref": ref}, depth + 1)}
        for value, ref in mapping.items()
    ]
    return {"type": "object", "required": [name], "properties": {name: {"enum": list(mapping)}}, "allOf": branches}


def operation_schema(spec: dict[str, Any], module: str, func: str) -> dict[str, Any] | None:
    """The JSON Schema of the wrapped answer `{apiversion, func, module, result}`, or None."""
    path = spec["paths"].get(f"/{module}/{func}")
    if path is None:
        return None
    operation = path.get("get") or path.get("post")
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return _resolve(spec, schema)


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
