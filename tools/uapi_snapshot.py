"""Write tests/uapi_snapshot.json: the facts the contract tests need from cPanel's UAPI description.

cPanel's UAPI OpenAPI description (uapi-openapi-11.125.yml, 2.6 MB) lives in the shared
reference folder beside the project and is never committed. The tests read this snapshot
instead, so they pass on a clone with nothing beside it. For each UAPI function the fake
cPanel implements it keeps only facts:

- `parameters`: each parameter's name and whether it is required;
- `result`: the JSON Schema (draft 7) of the UAPI result object, `result.data` included;

and once, `envelope`: the schemas of the keys around `result` in a json-api answer
(`apiversion`, `func`, `module`). Functions the fake implements that the description lacks
(newer than 11.125) are listed under `absent`; tests/uapi_newer.py covers them.
Descriptions, titles, examples and `x-` extensions are dropped. OpenAPI 3.0 is turned into
JSON Schema on the way: `$ref`s are inlined, `nullable: true` admits null, a regular
expression the generator put in `format` becomes a `pattern`, and a `oneOf` with a
`discriminator` picks its branch by the discriminating property, as OpenAPI means.

Regenerate after adding a UAPI function to the fake (from the project root):

    .venv/bin/python tools/uapi_snapshot.py                  # finds ../shared/reference/
    .venv/bin/python tools/uapi_snapshot.py --spec PATH/uapi-openapi-11.125.yml

tests/test_uapi_snapshot.py fails when the committed file differs from what this script
makes, wherever the description is present (CI has it beside the clone).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import yaml

SPEC_NAME = "uapi-openapi-11.125.yml"
SPEC_ENV = "API2SHIM_UAPI_OPENAPI"
ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "tests" / "uapi_snapshot.json"
REGENERATE = ".venv/bin/python tools/uapi_snapshot.py"
_RELATIVE = Path("shared/reference") / SPEC_NAME
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MAX_DEPTH = 50
# Words about a schema, not facts a document is checked against.
_PROSE = {"description", "example", "examples", "title", "externalDocs", "xml"}
_SCHEMA_LISTS = ("oneOf", "anyOf", "allOf")
_SCHEMA_ONE = ("not", "if", "then", "else", "additionalProperties", "items")


def find_spec(root: Path = ROOT) -> Path | None:
    """`$API2SHIM_UAPI_OPENAPI`, else `shared/reference/…` beside the project or beside any of
    its ancestors (git worktrees live deeper than the main checkout); None when absent."""
    override = os.environ.get(SPEC_ENV)
    if override:
        return Path(override)
    for base in root.resolve().parents:
        candidate = base / _RELATIVE
        if candidate.is_file():
            return candidate
    return None


def load_spec(path: Path) -> dict[str, Any]:
    with open(path, "rb") as stream:
        return yaml.load(stream, Loader=_LOADER)


def implemented() -> list[tuple[str, str]]:
    """(module, function) of every UAPI function the fake cPanel registers."""
    from shim.fakecpanel.modules import load_all
    from shim.fakecpanel.registry import DEFAULT_UAPI

    load_all()
    return sorted({(function.module, function.name) for function in DEFAULT_UAPI})


class _Converter:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def ref(self, pointer: str) -> Any:
        target: Any = self.spec
        for part in pointer.lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        return target

    def schema(self, node: Any, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise ValueError("schema nesting too deep (recursive $ref?)")
        if not isinstance(node, dict):
            return node  # `additionalProperties: true` and the like
        if "$ref" in node:
            return self.schema(self.ref(node["$ref"]), depth + 1)
        if "discriminator" in node and "oneOf" in node:
            return self.discriminated(node, depth)
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _PROSE or key.startswith("x-"):
                continue
            if key in ("properties", "patternProperties"):
                out[key] = {name: self.schema(sub, depth + 1) for name, sub in value.items()}
            elif key == "dependencies":
                out[key] = {name: sub if isinstance(sub, list) else self.schema(sub, depth + 1)
                            for name, sub in value.items()}
            elif key in _SCHEMA_LISTS:
                out[key] = [self.schema(sub, depth + 1) for sub in value]
            elif key in _SCHEMA_ONE:
                out[key] = ([self.schema(sub, depth + 1) for sub in value] if isinstance(value, list)
                            else self.schema(value, depth + 1))
            else:
                out[key] = value
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

    def discriminated(self, node: dict[str, Any], depth: int) -> dict[str, Any]:
        name = node["discriminator"]["propertyName"]
        mapping = node["discriminator"]["mapping"]
        branches = [
            {"if": {"properties": {name: {"const": value}}, "required": [name]},
             "then": self.schema({"$ref": ref}, depth + 1)}
            for value, ref in mapping.items()
        ]
        return {"type": "object", "required": [name], "properties": {name: {"enum": list(mapping)}}, "allOf": branches}

    def parameters(self, operation: dict[str, Any]) -> dict[str, bool]:
        found: dict[str, bool] = {}
        for parameter in operation.get("parameters", []):
            parameter = self.ref(parameter["$ref"]) if "$ref" in parameter else parameter
            found[parameter["name"]] = bool(parameter.get("required", False))
        for media in operation.get("requestBody", {}).get("content", {}).values():
            body = self.schema(media.get("schema", {}))
            required = set(body.get("required", []))
            for name in body.get("properties", {}):
                found[name] = found.get(name, False) or name in required
        return found


def snapshot(spec: dict[str, Any], functions: list[tuple[str, str]]) -> dict[str, Any]:
    """The snapshot document for `functions` (module, name) from the parsed description."""
    convert = _Converter(spec)
    present: dict[str, Any] = {}
    absent: list[str] = []
    envelope: dict[str, Any] | None = None
    for module, name in functions:
        path = spec["paths"].get(f"/{module}/{name}")
        if path is None:
            absent.append(f"{module}::{name}")
            continue
        operation = path.get("get") or path.get("post")
        answer = convert.schema(operation["responses"]["200"]["content"]["application/json"]["schema"])
        around = {key: value for key, value in answer["properties"].items() if key != "result"}
        if envelope is None:
            envelope = around
        elif around != envelope:
            raise ValueError(f"{module}::{name}: the keys around `result` differ from the other functions'")
        present[f"{module}::{name}"] = {"parameters": convert.parameters(operation),
                                        "result": answer["properties"]["result"]}
    return {
        "source": f"{SPEC_NAME} ({spec.get('info', {}).get('version', '?')}), generated by tools/uapi_snapshot.py",
        "envelope": envelope or {},
        "functions": present,
        "absent": absent,
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, help=f"the UAPI description (default: ../shared/reference/{SPEC_NAME})")
    parser.add_argument("--out", type=Path, default=SNAPSHOT, help="where to write (default: %(default)s)")
    args = parser.parse_args(argv)
    spec_path = args.spec or find_spec()
    if spec_path is None or not spec_path.is_file():
        print(f"uapi_snapshot: {SPEC_NAME} not found (give --spec PATH or set {SPEC_ENV})", file=sys.stderr)
        return 2
    document = snapshot(load_spec(spec_path), implemented())
    args.out.write_text(render(document), encoding="utf-8")
    print(f"{args.out}: {len(document['functions'])} functions, {len(document['absent'])} absent from {spec_path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
