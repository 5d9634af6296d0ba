"""tests/uapi_snapshot.json: complete for the fake cPanel, and exactly what tools/uapi_snapshot.py
makes from cPanel's UAPI description wherever that description is present (CI has it beside
the clone; a plain clone does not, and the comparison is then skipped with its reason)."""

import importlib.util
from pathlib import Path

import pytest
import uapi_openapi

ROOT = Path(__file__).resolve().parents[1]


def _tool():
    spec = importlib.util.spec_from_file_location("uapi_snapshot", ROOT / "tools" / "uapi_snapshot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _tool()


def test_snapshot_lists_every_uapi_function_the_fake_implements():
    snapshot = uapi_openapi.load_snapshot()
    listed = {*snapshot["functions"], *snapshot["absent"]}
    missing = sorted(f"{module}::{name}" for module, name in tool.implemented() if f"{module}::{name}" not in listed)
    assert missing == [], f"not in tests/uapi_snapshot.json; regenerate it: {tool.REGENERATE}"


def test_snapshot_is_what_the_script_makes_from_the_description():
    path = tool.find_spec(ROOT)
    if path is None:
        pytest.skip(f"{tool.SPEC_NAME} is not beside the project (set {tool.SPEC_ENV} to check against it)")
    expected = tool.render(tool.snapshot(tool.load_spec(path), tool.implemented()))
    # A boolean, so a stale file fails with the command to run, not an 8,000-line diff.
    fresh = tool.SNAPSHOT.read_text(encoding="utf-8") == expected
    assert fresh, (
        f"tests/uapi_snapshot.json is not what {path} gives for the fake's functions; regenerate it: {tool.REGENERATE}")


def test_snapshot_keeps_facts_only():
    text = tool.SNAPSHOT.read_text(encoding="utf-8")
    snapshot = uapi_openapi.load_snapshot()

    def schema_keywords(node, inside_properties=False):
        if isinstance(node, list):
            for item in node:
                yield from schema_keywords(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if not inside_properties:
                    yield key
                yield from schema_keywords(value, inside_properties=key == "properties" and not inside_properties)

    keywords = set(schema_keywords([function["result"] for function in snapshot["functions"].values()]))
    assert keywords.isdisjoint({"description", "example", "examples", "title", "nullable", "$ref", "discriminator"})
    assert not [key for key in keywords if key.startswith("x-")]
    assert len(text) < 400_000


def test_converter_turns_openapi_into_json_schema():
    spec = {"components": {"schemas": {
        "Row": {"type": "object", "description": "prose", "x-note": 1,
                "properties": {"description": {"type": "string", "nullable": True, "example": "x"},
                               "version": {"type": "string", "format": "^\\d+$"},
                               "kind": {"type": "string", "enum": ["a"], "nullable": True}},
                "required": ["description"]},
    }}}
    converted = tool._Converter(spec).schema({"type": "array", "items": {"$ref": "#/components/schemas/Row"}})
    assert converted == {"type": "array", "items": {
        "type": "object",
        "properties": {"description": {"type": ["string", "null"]},
                       "version": {"type": "string", "pattern": "^\\d+$"},
                       "kind": {"type": ["string", "null"], "enum": ["a", None]}},
        "required": ["description"]}}


def _sends(sample, name):
    """`filter*` in the description stands for filter1, filter2, ...: numbered parameters."""
    if name.endswith("*"):
        return any(key.startswith(name[:-1]) and key[len(name) - 1:].isdigit() for key in sample)
    return name in sample


def test_contract_samples_send_every_parameter_the_description_requires():
    snapshot = uapi_openapi.load_snapshot()
    assert uapi_openapi.parameters(snapshot, "Ftp", "passwd") == {"domain": False, "pass": True, "user": True}
    assert _sends({"filter1": "x"}, "filter*") and not _sends({"filter": "x"}, "filter*")
    from shim.fakecpanel.registry import DEFAULT_UAPI

    tool.implemented()  # registers every module's functions
    lacking = [
        (f"{function.module}::{function.name}", sorted(name for name in required if not _sends(sample, name)))
        for function in DEFAULT_UAPI
        for required in [[name for name, needed in (uapi_openapi.parameters(snapshot, function.module, function.name) or {}).items() if needed]]
        for sample in function.samples
        if not all(_sends(sample, name) for name in required)
    ]
    assert lacking == []
