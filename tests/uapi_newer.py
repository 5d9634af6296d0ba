"""Contract schemas for UAPI functions newer than the 11.125 OpenAPI description.

cPanel 11.137+ (released as 138) added UAPI modules that re-implement API 2 names
(AddonDomain, Park, DomainLookup, ZoneEdit::resetzone; SubDomain::changedocroot from
11.136.0.25). The reference OpenAPI file (11.125) does not have them, so the contract test
would have nothing to validate the fake against. These schemas are written in this project's own words from cPanel's live
UAPI pages (URL beside each), restricted to what the pages state: the keys and types of
`result.data`. They are used ONLY for functions the 11.125 file lacks; a function in
both is always validated against the 11.125 file.

Entries are JSON Schema for `data`; `wrapped()` puts one into the UAPI envelope in the
same form `uapi_openapi.operation_schema` produces.
"""

from __future__ import annotations

from typing import Any

_DOCS = "https://api.docs.cpanel.net/specifications/cpanel.openapi"

_STR = {"type": "string"}
_INT01 = {"type": "integer", "enum": [0, 1]}
_DOMAIN = {"type": "string", "format": "domain"}
_NO_DATA: dict[str, Any] = {}  # "does not return data": any value, usually null


def _records(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "object", "properties": properties, "required": required}}


_DOC_FIELDS = {"basedir": _STR, "dir": _STR, "reldir": _STR, "status": _STR,
               "can_https_redirect": _INT01, "is_https_redirecting": _INT01,
               "web_subdomain_aliases": {"type": "array", "items": _DOMAIN}}

# (module, function) -> (source page, schema of result.data)
NEWER: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    ("AddonDomain", "addaddondomain"): (
        f"{_DOCS}/addondomain/addondomain-addaddondomain",
        {"type": "object", "properties": {"domain": _DOMAIN}, "required": ["domain"]},
    ),
    ("AddonDomain", "deladdondomain"): (f"{_DOCS}/addondomain/addondomain-deladdondomain", _NO_DATA),
    ("AddonDomain", "listaddondomains"): (
        f"{_DOCS}/addondomain/addondomain-listaddondomains",
        _records({**_DOC_FIELDS, "domain": _DOMAIN, "domainkey": _STR, "fullsubdomain": _DOMAIN,
                  "rootdomain": _DOMAIN, "subdomain": _STR},
                 ["basedir", "dir", "domain", "domainkey", "fullsubdomain", "reldir", "rootdomain", "status", "subdomain"]),
    ),
    ("Park", "listparkeddomains"): (
        f"{_DOCS}/park/park-listparkeddomains",
        _records({**_DOC_FIELDS, "domain": _DOMAIN}, ["basedir", "dir", "domain", "reldir", "status"]),
    ),
    ("Park", "park"): (f"{_DOCS}/park/park-park", _NO_DATA),
    ("Park", "unpark"): (f"{_DOCS}/park/park-unpark", _NO_DATA),
    ("DomainLookup", "countbasedomains"): (
        f"{_DOCS}/domainlookup/domainlookup-countbasedomains",
        _records({"count": {"type": "integer", "minimum": 0}}, ["count"]),
    ),
    ("DomainLookup", "getbasedomains"): (
        f"{_DOCS}/domainlookup/domainlookup-getbasedomains", _records({"domain": _DOMAIN}, ["domain"]),
    ),
    ("DomainLookup", "getdocroot"): (
        f"{_DOCS}/domainlookup/domainlookup-getdocroot",
        {**_records({"docroot": _STR, "reldocroot": _STR}, ["docroot", "reldocroot"]), "minItems": 1, "maxItems": 1},
    ),
    ("DomainLookup", "getdocroots"): (
        f"{_DOCS}/domainlookup/domainlookup-getdocroots",
        _records({"domain": _DOMAIN, "docroot": _STR, "reldocroot": _STR}, ["domain", "docroot", "reldocroot"]),
    ),
    ("ZoneEdit", "resetzone"): (
        f"{_DOCS}/zoneedit/zoneedit-resetzone",
        _records({"result": {"type": "object", "required": ["status", "statusmsg"], "properties": {
            "checkmx": {"type": ["object", "null"]}, "status": _INT01, "statusmsg": _STR}}}, ["result"]),
    ),
    # 11.136.0.25+ (the page's version): the new absolute document root.
    ("SubDomain", "changedocroot"): (
        f"{_DOCS}/subdomains/changedocroot",
        {"type": "object", "properties": {"documentroot": _STR}, "required": ["documentroot"]},
    ),
}

_MESSAGES = {"type": ["array", "null"], "items": {"type": "string"}}


def wrapped(data_schema: dict[str, Any]) -> dict[str, Any]:
    """The `{apiversion, func, module, result}` schema around a `data` schema."""
    result = {
        "type": "object",
        "required": ["data", "errors", "messages", "metadata", "status", "warnings"],
        "properties": {
            "data": data_schema,
            "errors": _MESSAGES,
            "messages": _MESSAGES,
            "metadata": {"type": "object"},
            "status": _INT01,
            "warnings": _MESSAGES,
        },
    }
    return {
        "type": "object",
        "properties": {"apiversion": {"type": "integer"}, "func": _STR, "module": _STR, "result": result},
    }


def operation_schema(module: str, func: str) -> dict[str, Any] | None:
    found = NEWER.get((module, func))
    return wrapped(found[1]) if found else None
