"""Shadow comparison: where two `cpanelresult` documents differ, after what legitimately may.

Pure. Paths are dotted, relative to `cpanelresult`, list items by number (`data.0.homedir`);
their general form puts `*` for every number (`data.*.homedir`), which is how an entry
names volatile fields and how the report counts the most frequent differences.

What is not a difference:
- key order (documents are compared parsed);
- a number against the same number written as text, when the entry says clients cannot
  tell (`shadow: {numbers_as_text: true}`: PHP clients compare with ==);
- anything under a path the entry declares volatile (counters, timestamps), or under one a
  second native call showed to differ from itself (noise).
"""

from __future__ import annotations

from typing import Any, Iterable, NamedTuple

import orjson

ABSENT = "(absent)"  # shown for a key one side does not have
MAX_DIFFERENCES = 20  # per comparison: enough to see the pattern, bounded for the store


class Difference(NamedTuple):
    path: str
    native: Any
    translated: Any


def general(path: str) -> str:
    """`data.0.homedir` → `data.*.homedir`."""
    return ".".join("*" if part.isdigit() else part for part in path.split("."))


def _ignored(path: str, ignore: frozenset[str]) -> bool:
    if not ignore:
        return False
    form = general(path)
    # A volatile path covers what is under it.
    return any(form == p or form.startswith(p + ".") for p in ignore)


def inner(document: Any) -> Any:
    """The `cpanelresult` of a legacy answer (the whole document when it has none)."""
    if isinstance(document, dict) and "cpanelresult" in document and len(document) == 1:
        return document["cpanelresult"]
    return document


def differences(
    native: Any, translated: Any, *, ignore: Iterable[str] = (), numbers_as_text: bool = False,
    limit: int = MAX_DIFFERENCES,
) -> list[Difference]:
    """The differing leaves of two parsed answers (at most `limit`), in document order."""
    native, translated = inner(native), inner(translated)
    # Most answers agree: their key-sorted serialisations are then the same bytes, found in C
    # (a 1,000-record list in ~2 ms; walking it leaf by leaf in Python costs ten times that).
    if orjson.dumps(native, option=orjson.OPT_SORT_KEYS) == orjson.dumps(translated, option=orjson.OPT_SORT_KEYS):
        return []
    found: list[Difference] = []
    _walk(native, translated, "", frozenset(ignore), numbers_as_text, found, limit)
    return found


def _walk(a: Any, b: Any, path: str, ignore: frozenset[str], loose: bool, found: list[Difference], limit: int) -> None:
    if len(found) >= limit or (path and _ignored(path, ignore)):
        return
    if isinstance(a, dict) and isinstance(b, dict):
        keys: Iterable[Any] = [*a, *(k for k in b if k not in a)]
    elif isinstance(a, list) and isinstance(b, list):
        keys = range(max(len(a), len(b)))
    else:
        if not _same(a, b, loose):
            found.append(Difference(path, a, b))
        return
    for key in keys:
        sub = f"{path}.{key}" if path else str(key)
        in_a, in_b = _has(a, key), _has(b, key)
        if in_a and in_b:
            _walk(a[key], b[key], sub, ignore, loose, found, limit)
        elif not _ignored(sub, ignore):
            found.append(Difference(sub, a[key] if in_a else ABSENT, b[key] if in_b else ABSENT))
        if len(found) >= limit:
            return


def _has(container: dict[Any, Any] | list[Any], key: Any) -> bool:
    return key in container if isinstance(container, dict) else key < len(container)


def _same(a: Any, b: Any, loose: bool) -> bool:
    # JSON's true is not 1, though Python's True == 1.
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    if a == b and (isinstance(a, (int, float)) == isinstance(b, (int, float))):
        return True
    if loose:
        number, text = (a, b) if isinstance(a, (int, float)) else (b, a)
        if isinstance(number, (int, float)) and isinstance(text, str):
            try:
                return float(text) == number
            except ValueError:
                return False
    return False
