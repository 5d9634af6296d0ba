"""An API 2 document in the XML form `/xml-api/cpanel` answered with (pure; no I/O).

cPanel wrote its XML answers with Perl's XML::Simple (`XMLout` with `NoAttr`, the root
element named after the document's one top-level key) behind `<?xml version="1.0" ?>`.
The layout below is that writer's, so a client that parsed cPanel's XML parses this:

- every hash key is a child element, in sorted order, except that the first of `name`,
  `key`, `id` present comes first; two spaces of indentation per level;
- a list is its key's element repeated once per item (an empty list writes nothing); a
  list inside a list is wrapped in `<anon>` elements;
- a hash whose values are all hashes (a table keyed by name) is written as a list of those
  hashes, each with its key added as `name`: XML::Simple's default key folding;
- a null, an empty string and an empty hash are an empty element `<key></key>`.

Where XML::Simple would have written malformed XML, this writes well-formed XML instead
(docs/xml.md): characters XML 1.0 does not allow become U+FFFD, a carriage return is
written as `&#13;` so that parsers keep it, and a key that is no XML name has each
character a name cannot hold replaced by `_`.
"""

from __future__ import annotations

import re
from typing import Any

CONTENT_TYPE = "text/xml"
DECLARATION = '<?xml version="1.0" ?>\n'
ROOT = "cpanelresult"
_FOLDED_KEY = "name"
_FIRST_KEYS = ("name", "key", "id")  # XML::Simple's default KeyAttr: written before the sorted rest
_INDENT = "  "

_NEEDS_ESCAPE = re.compile('[&<>"\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;"}

# XML 1.0 (fifth edition) name characters, without ':' (a prefix no namespace binds is an
# error for namespace-aware parsers such as libxml2's and expat's).
_START = (
    "A-Z_a-z\xc0-\xd6\xd8-\xf6\xf8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_NAME = re.compile(f"[{_START}][{_START}\\-.0-9\xb7\u0300-\u036f\u203f-\u2040]*")
_NOT_NAME_CHAR = re.compile(f"[^{_START}\\-.0-9\xb7\u0300-\u036f\u203f-\u2040]")
_CACHE_SIZE = 4096
_names: dict[str, str] = {}
_layouts: dict[tuple[Any, ...], list[tuple[Any, str]]] = {}


def render(document: Any) -> bytes:
    """The XML bytes (UTF-8) of an API 2 document such as `{"cpanelresult": {...}}`."""
    if isinstance(document, dict) and len(document) == 1:
        [(root, body)] = document.items()
    else:
        root, body = ROOT, document
    if isinstance(body, list):
        body = {"anon": body}  # XML::Simple's wrapping of a top-level list
    parts = [DECLARATION]
    _write(parts, element_name(str(root)), body, "", root=True)
    return "".join(parts).encode("utf-8")


def _write(parts: list[str], name: str, value: Any, indent: str, root: bool = False) -> None:
    if isinstance(value, dict):
        if not root and _is_table(value):
            _write_list(parts, name, _folded(value), indent)
        else:
            _write_hash(parts, name, value, indent)
    elif isinstance(value, list):
        _write_list(parts, name, value, indent)
    else:
        parts.append(f"{indent}<{name}>{scalar_text(value)}</{name}>\n")


def _write_hash(parts: list[str], name: str, value: dict[Any, Any], indent: str) -> None:
    if not value:
        parts.append(f"{indent}<{name}></{name}>\n")
        return
    parts.append(f"{indent}<{name}>\n")
    inner = indent + _INDENT
    for key, child in _layout(value):
        item = value[key]
        kind = type(item)
        # Plain text and numbers inline: a 1,000-row list is mostly these.
        if kind is str:
            text = _NEEDS_ESCAPE.sub(_escape, item) if _NEEDS_ESCAPE.search(item) else item
            parts.append(f"{inner}<{child}>{text}</{child}>\n")
        elif kind is int:
            parts.append(f"{inner}<{child}>{item}</{child}>\n")
        else:
            _write(parts, child, item, inner)
    parts.append(f"{indent}</{name}>\n")


def _write_list(parts: list[str], name: str, items: list[Any], indent: str) -> None:
    for item in items:
        if isinstance(item, list):
            parts.append(f"{indent}<{name}>\n")
            _write_list(parts, "anon", item, indent + _INDENT)
            parts.append(f"{indent}</{name}>\n")
        else:
            _write(parts, name, item, indent)


def _is_table(value: dict[Any, Any]) -> bool:
    """A non-empty hash whose values are all hashes (XML::Simple folds these)."""
    if not value or type(next(iter(value.values()))) is not dict:
        return False
    return all(isinstance(item, dict) for item in value.values())


def _layout(value: dict[Any, Any]) -> list[tuple[Any, str]]:
    """(key, element name) in writing order; cached per key set, as rows share theirs."""
    shape = tuple(value)
    layout = _layouts.get(shape)
    if layout is None:
        layout = [(key, element_name(str(key))) for key in _ordered_keys(value)]
        if len(_layouts) < _CACHE_SIZE:
            _layouts[shape] = layout
    return layout


def _folded(table: dict[Any, Any]) -> list[dict[Any, Any]]:
    """A hash of hashes as XML::Simple unfolds it: one hash per key, the key as `name`
    (a `name` the inner hash has itself wins)."""
    return [{_FOLDED_KEY: key, **table[key]} for key in sorted(table, key=str)]


def _ordered_keys(value: dict[Any, Any]) -> list[Any]:
    keys = sorted(value, key=str)
    for first in _FIRST_KEYS:
        if first in value:
            keys.remove(first)
            keys.insert(0, first)
            break
    return keys


def scalar_text(value: Any) -> str:
    """A scalar as element text: numbers as Perl prints them, booleans as 1/0, null as
    nothing, text escaped."""
    if isinstance(value, str):
        return _NEEDS_ESCAPE.sub(_escape, value) if _NEEDS_ESCAPE.search(value) else value
    if value is None:
        return ""
    if value is True or value is False:
        return "1" if value else "0"
    if isinstance(value, float):
        return "%.15g" % value
    return _NEEDS_ESCAPE.sub(_escape, str(value))


def _escape(match: re.Match[str]) -> str:
    return _ESCAPES.get(match.group(), "\ufffd")


def element_name(key: str) -> str:
    """`key` itself when it is an XML name, else the closest name (cached: keys repeat)."""
    name = _names.get(key)
    if name is None:
        if _NAME.fullmatch(key):
            name = key
        else:
            name = _NOT_NAME_CHAR.sub("_", key)
            if not name or not re.match(f"[{_START}]", name):
                name = "_" + name
        if len(_names) < _CACHE_SIZE:
            _names[key] = name
    return name
