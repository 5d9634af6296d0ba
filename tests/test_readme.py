"""Every shell block in README.md is run: by this test against the demo, or by a CI step.

A shell block (```sh, ```console, ```bash) must follow a marker line saying who runs it:

- `<!-- run: demo -->`: this test runs each `$ ` line in bash from the project root, with the
  venv's `api2shim` on PATH, against a demo it starts on free ports (the README's 8087, 8083
  and 9180 are replaced by them). The lines after a command, up to the next `$ `, are its
  exact output; none shown means only the exit status 0 is checked.
- `<!-- run: FILE -->`: FILE is a script CI runs (.ci/run itself, or a script .ci/run calls)
  and contains each of the block's commands, or names the marker and runs the block itself.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SHELL_LANGUAGES = {"sh", "console", "bash", "shell"}
_FENCE = re.compile(r"^```(\w*)\s*$")
_MARKER = re.compile(r"^<!-- run: (\S+) -->$")
_BANNER_PORTS = re.compile(r"shim listens on http://127\.0\.0\.1:(\d+) \(WHM\) and http://127\.0\.0\.1:(\d+) \(cPanel\)")
_BANNER_ADMIN = re.compile(r"http://127\.0\.0\.1:(\d+)/readyz")
README_PORTS = {"whm": 8087, "cpanel": 8083, "admin": 9180}


class Block(NamedTuple):
    line: int  # of the opening fence, 1-based
    language: str
    runner: str | None
    text: str

    def commands(self) -> list[tuple[str, list[str]]]:
        """(command, expected output lines); in a `sh` block every line not a comment is a command."""
        found: list[tuple[str, list[str]]] = []
        for raw in self.text.splitlines():
            if self.language == "console":
                if raw.startswith("$ "):
                    found.append((raw[2:], []))
                elif found:
                    found[-1][1].append(raw)
            elif raw.strip() and not raw.lstrip().startswith("#"):
                found.append((raw, []))
        return found


def blocks(text: str) -> list[Block]:
    found: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        fence = _FENCE.match(lines[index])
        if not fence:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        before = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
        marker = _MARKER.match(before.strip())
        found.append(Block(index + 1, fence.group(1), marker.group(1) if marker else None, "\n".join(lines[index + 1:end])))
        index = end + 1
    return found


SHELL_BLOCKS = [block for block in blocks(README.read_text(encoding="utf-8")) if block.language in SHELL_LANGUAGES]
DEMO_BLOCKS = [block for block in SHELL_BLOCKS if block.runner == "demo"]


def test_every_shell_block_says_who_runs_it():
    unmarked = [f"README.md:{block.line}" for block in SHELL_BLOCKS if block.runner is None]
    assert unmarked == [], "a shell block without '<!-- run: demo -->' or '<!-- run: FILE -->' before it"
    assert DEMO_BLOCKS, "no README block runs against the demo"


@pytest.mark.parametrize("block", [b for b in SHELL_BLOCKS if b.runner not in (None, "demo")],
                         ids=lambda b: f"README.md:{b.line}")
def test_blocks_run_by_ci_are_in_its_scripts(block):
    script = ROOT / block.runner
    assert script.is_file(), f"README.md:{block.line}: {block.runner} does not exist"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert block.runner == ".ci/run" or block.runner in ci, f"{block.runner} is not called by .ci/run"
    body = script.read_text(encoding="utf-8")
    if f"<!-- run: {block.runner} -->" in body:
        return  # the script reads the README's block itself and runs it
    for command, _ in block.commands():
        command = command.split("  #")[0].strip()
        assert command in body, f"README.md:{block.line}: {command!r} is not run by {block.runner}"


@pytest.fixture(scope="module")
def demo():
    process = subprocess.Popen(
        [sys.executable, "-m", "shim", "demo", "--whm-port", "0", "--cpanel-port", "0", "--admin-port", "0"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,  # instructions on stderr
    )
    try:
        banner = ""
        while not _BANNER_ADMIN.search(banner):
            line = process.stderr.readline()
            assert line, f"the demo exited before printing its ports: {banner!r}"
            banner += line
        whm, cpanel = _BANNER_PORTS.search(banner).groups()
        yield {"whm": int(whm), "cpanel": int(cpanel), "admin": int(_BANNER_ADMIN.search(banner).group(1))}
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("block", DEMO_BLOCKS, ids=lambda b: f"README.md:{b.line}")
def test_demo_block_runs_as_shown(demo, block):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    for command, expected in block.commands():
        for name, port in README_PORTS.items():
            command = command.replace(f"127.0.0.1:{port}", f"127.0.0.1:{demo[name]}")
        done = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
        if expected:
            assert done.stdout.rstrip("\n").splitlines() == expected, command


_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    return {re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
            for line in markdown.splitlines() if line.startswith("#")}


@pytest.mark.parametrize("page", ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md"))])
def test_links_between_pages_resolve(page):
    source = ROOT / page
    broken = []
    for target in _LINK.findall(source.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target):
            continue  # http(s), mailto
        path, _, anchor = target.partition("#")
        file = (source.parent / path).resolve() if path else source
        if not file.exists():
            broken.append(target)
        elif anchor and file.suffix == ".md" and anchor not in _anchors(file.read_text(encoding="utf-8")):
            broken.append(target)
    assert broken == [], f"{page}: links to nothing"


def test_coverage_table_in_the_docs_is_what_coverage_prints():
    """docs/mapping-format.md shows the shipped table's coverage; an entry added or changed
    without updating it fails here with the text to paste."""
    printed = subprocess.run([sys.executable, "-m", "shim", "coverage"], cwd=ROOT, capture_output=True,
                             text=True, timeout=60).stdout
    table = "\n\n".join(printed.split("\n\n")[:2]).rstrip("\n")
    shown = re.search(r"```text\n(API 2 coverage:.*?)\n```", (ROOT / "docs" / "mapping-format.md").read_text(encoding="utf-8"), re.S)
    assert shown and shown.group(1) == table, (
        "docs/mapping-format.md, section Coverage: replace the table with the first two paragraphs of "
        f"`python -m shim coverage`:\n{table}")
