"""Reading the shim's XML answers the way legacy clients do, written independently of the
shim's writer so that a shared mistake cannot hide.

- `parse`: a real XML parser (ElementTree's expat), after checking the declaration.
- `simplexml_view`: what PHP clients see, `json_decode(json_encode(simplexml_load_string($xml)), true)`
  (the `xmlapi` PHP class's default output is a SimpleXMLElement). simplexml's rules: an
  element whose first content is text that is not blank is that string; any other element
  is an object of its child elements (none: `{}`, so an empty or blank element reads as
  `{}`); a name repeated among siblings becomes a list; numbers stay strings.
- `cpanel_view`: the view a JSON `cpanelresult` document has once cPanel's XML writer
  (XML::Simple) and simplexml are applied, stated from their documented behaviour.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

DECLARATION = b'<?xml version="1.0" ?>\n'
CONTENT_TYPE = "text/xml"
_BLANK = " \t\r\n"


def parse(body: bytes) -> ET.Element:
    assert body.startswith(DECLARATION), body[:60]
    assert body.endswith(b"</cpanelresult>\n"), body[-60:]
    return ET.fromstring(body)


def simplexml_view(body: bytes) -> Any:
    return _view(parse(body))


def _view(element: ET.Element) -> Any:
    if len(element) == 0:
        text = element.text or ""
        return text if text.strip(_BLANK) else {}
    if (element.text or "").strip(_BLANK):
        return element.text  # mixed content: simplexml keeps the leading text
    view: dict[str, Any] = {}
    repeated: set[str] = set()
    for child in element:
        value = _view(child)
        if child.tag not in view:
            view[child.tag] = value
        elif child.tag in repeated:
            view[child.tag].append(value)
        else:
            view[child.tag] = [view[child.tag], value]
            repeated.add(child.tag)
    return view


def cpanel_view(document: dict[str, Any]) -> Any:
    """simplexml's view of the XML cPanel wrote for this JSON document."""
    [(_, body)] = document.items()
    return _expected(body)


def _expected(value: Any) -> Any:
    if isinstance(value, dict):
        view: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(item, list) or _is_table(item):
                items = _expected_items(item if isinstance(item, list) else _unfolded(item))
                if items:  # an empty list writes no element at all
                    view[key] = _repeated(items)
            else:
                view[key] = _expected(item)
        return view
    if value is None:
        return {}
    if isinstance(value, bool):
        return "1" if value else "0"
    text = "%.15g" % value if isinstance(value, float) else str(value)
    return text if text.strip(_BLANK) else {}


def _is_table(value: Any) -> bool:
    """A hash of hashes, which XML::Simple folds into a list keyed by `name`."""
    return isinstance(value, dict) and bool(value) and all(isinstance(v, dict) for v in value.values())


def _unfolded(table: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"name": key, **table[key]} for key in sorted(table)]


def _expected_items(items: list[Any]) -> list[Any]:
    out = []
    for item in items:
        if isinstance(item, list):  # a list in a list: one element wrapping <anon> items
            inner = _expected_items(item)
            out.append({"anon": _repeated(inner)} if inner else {})
        elif _is_table(item):
            out.extend(_expected_items(_unfolded(item)))
        else:
            out.append(_expected(item))
    return out


def _repeated(items: list[Any]) -> Any:
    return items[0] if len(items) == 1 else items
