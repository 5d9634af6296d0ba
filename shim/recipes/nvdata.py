"""NVData::get and set over UAPI Personalization::get / set (cPanel 11.120 Cpanel/NVData.pm,
Cpanel/API/Personalization.pm). Both read and write the same per-account name → text store
(~/.cpanel/nvdata); Personalization takes its names and values only as a JSON request body.

get: `names` is split on `|` (Perl's split: trailing empty names dropped) and answers one row
{name, value} per name, in that order, repeats included. A name never set has the value
null, replaced by `default` when that is not empty (an empty value too). With `html_encode`
the value is HTML-escaped (&, <, >, ", ' as &#39;; null stays null); with `encoded`, XML-
escaped (' as &apos;; null becomes "").

set: one row {set: name} per name of `names` that the call also sends as an argument (every
name with `setmissing`); each such name gets the argument's value, or "" for a missing or
false one ("0" included: Perl's `||`). Personalization::set stores `value || ''` too. API 2
ignored a name that failed to save and so does this answer (a failure inside
Personalization's per-name rows is not reported either).

Differences a client can see: Personalization refuses names over 128 characters and values
over 2048, which API 2 stored; the call then fails with Personalization's text.
In Webmail, API 2 prefixed the names with the mail account; the shim serves cPanel accounts.
"""

from __future__ import annotations

import re
from typing import Any

from shim.translation.perlvalues import perl_true
from shim.translation.recipe import RecipeCall

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_XML = {**_HTML, "'": "&apos;"}
_SPECIAL = re.compile(r"[&<>\"']")


def _names(text: str) -> list[str]:
    """Perl's split(/\\|/, text): trailing empty fields are dropped."""
    names = text.split("|") if text else []
    while names and names[-1] == "":
        names.pop()
    return names


def _escape(value: str, table: dict[str, str]) -> str:
    return _SPECIAL.sub(lambda m: table[m.group()], value)


async def get(call: RecipeCall) -> list[Any]:
    names = _names(call.arg("names"))
    if not names:
        return []
    data = await call.uapi_data("Personalization", "get", json={"names": list(dict.fromkeys(names))}, died=True)
    pairs = data.get("personalization") if isinstance(data, dict) else None
    pairs = pairs if isinstance(pairs, dict) else {}
    default = call.arg("default")
    rows = []
    for name in names:
        pair = pairs.get(name)
        value = pair.get("value") if isinstance(pair, dict) else None
        if not value and value != 0 and default:
            value = default
        if perl_true(call.args.get("html_encode")):
            value = None if value is None else _escape(str(value), _HTML)
        elif perl_true(call.args.get("encoded")):
            value = "" if value is None else _escape(str(value), _XML)
        rows.append({"name": name, "value": value})
    return rows


async def set(call: RecipeCall) -> list[Any]:  # noqa: A001 - the API 2 function's own name
    setmissing = "setmissing" in call.args
    chosen = [name for name in _names(call.arg("names")) if setmissing or name in call.args]
    if not chosen:
        return []
    values = {name: call.args.get(name) or "" for name in chosen}
    values = {name: "" if value == "0" else value for name, value in values.items()}
    await call.uapi_data("Personalization", "set", json={"personalization": values})
    return [{"set": name} for name in chosen]
