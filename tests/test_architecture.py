"""The layout of `shim/` as docs/architecture.md draws it: which room may import which.

Read from the code's own imports (every `import`/`from` statement, at any depth), so a new
import that crosses a boundary the map forbids fails here before it blurs the house.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUBPACKAGES = ("inbound", "translation", "recipes", "upstream", "observability", "operations", "fakecpanel", "mappings")


def room_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in SUBPACKAGES:
        return parts[1]
    return "root"  # shim/*.py: the composition (app, config, the commands)


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.startswith("shim"):
            if node.module == "shim" or node.module.count(".") == 1 and node.module.split(".")[1] in SUBPACKAGES:
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("shim"))
    return found


def actual_edges() -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = {}
    for path in sorted((ROOT / "shim").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for target in imports_of(path):
            edge = (room_of(module), room_of(target))
            if edge[0] != edge[1]:
                edges.setdefault(edge, []).append(f"{module} -> {target}")
    return edges


def allowed_edges() -> set[tuple[str, str]]:
    """The table in docs/architecture.md: `| room | may import |`."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    table = text.split("<!-- imports -->")[1]
    allowed = set()
    for line in table.splitlines():
        match = re.match(r"\|\s*`(\w+)`\s*\|\s*([^|]*)\|", line)
        if match:
            for target in re.findall(r"`(\w+)`", match.group(2)):
                allowed.add((match.group(1), target))
    return allowed


def test_every_import_across_rooms_is_one_the_map_allows():
    allowed = allowed_edges()
    assert allowed, "docs/architecture.md has no import table"
    forbidden = {edge: where for edge, where in actual_edges().items() if edge not in allowed}
    assert forbidden == {}


def test_the_map_lists_no_import_the_code_does_not_make():
    # A stale row would let a future import through unnoticed.
    assert allowed_edges() - set(actual_edges()) == set()


def test_translation_is_pure():
    # The heart of the product is testable without sockets: no aiohttp, no asyncio servers.
    for path in [*(ROOT / "shim" / "translation").rglob("*.py"), *(ROOT / "shim" / "recipes").rglob("*.py")]:
        text = path.read_text()
        assert "import aiohttp" not in text and "from aiohttp" not in text, path


def test_every_subpackage_says_its_job_and_what_it_may_import():
    for name in ("inbound", "translation", "recipes", "upstream", "observability", "operations"):
        doc = ast.get_docstring(ast.parse((ROOT / "shim" / name / "__init__.py").read_text()))
        assert doc and "May import" in doc, name
