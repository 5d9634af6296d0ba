"""YAML loading that remembers where each value came from.

Mapping and config errors name the file and line, so a typo fails at start with a message
an operator can act on. Duplicate keys, which PyYAML silently overwrites, are errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class SourceError:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class SourceErrors(Exception):
    """One or more problems found while loading; `errors` lists every one."""

    def __init__(self, errors: list[SourceError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class MarkedDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    __slots__ = ("line", "key_lines")

    def __init__(self) -> None:
        super().__init__()
        self.line = 0
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int) -> None:
        self.key, self.line = key, line


def _loader_class():
    class Loader(_BaseLoader):  # type: ignore[misc, valid-type]
        pass

    def construct_mapping(loader: Any, node: yaml.MappingNode) -> MarkedDict:
        mapping = MarkedDict()
        mapping.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in mapping:
                raise _DuplicateKey(key, line)
            mapping[key] = loader.construct_object(value_node, deep=True)
            mapping.key_lines[key] = line
        return mapping

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return Loader


_Loader = _loader_class()


def load_yaml(path: Path) -> Any:
    """Parse one YAML file; raise SourceErrors naming file and line on any problem."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceErrors([SourceError(name, 0, f"cannot read file: {exc.strerror or exc}")]) from None
    except UnicodeDecodeError:
        raise SourceErrors([SourceError(name, 0, "file is not UTF-8 text")]) from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKey as exc:
        raise SourceErrors([SourceError(name, exc.line, f"duplicate key {exc.key!r}")]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise SourceErrors([SourceError(name, line, f"invalid YAML: {exc.problem or exc}")]) from None
    except yaml.YAMLError as exc:
        raise SourceErrors([SourceError(name, 0, f"invalid YAML: {exc}")]) from None


# err(line, message): how the config's section parsers report a mistake at a file line.
Err = Callable[[int, str], None]


def config_section(name: str, value: Any, line: int, allowed: tuple[str, ...], err: Err) -> MarkedDict | None:
    """A config section's mapping (empty when left out), its unknown keys reported; None if not a mapping."""
    if value is None:
        return MarkedDict()
    if not isinstance(value, MarkedDict):
        err(line, f"{name}: expected a mapping")
        return None
    for key in value:
        if key not in allowed:
            err(value.line_of(key), f"unknown key '{key}' in {name} (allowed: {', '.join(allowed)})")
    return value
