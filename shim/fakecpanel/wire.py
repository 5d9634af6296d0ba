"""Request parsing and response building shared by both apps: cpsrvd's wire habits.

Deliberately independent of the shim's own parsing and envelopes (shim/translation/recognise.py,
shim/translation/envelopes.py): the fake stands for the real server, so sharing code with the proxy
under test would let one bug hide on both sides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qs, unquote

import orjson
from aiohttp import web

JSON_TYPE = "application/json"
HTML_TYPE = "text/html; charset=utf-8"

# cpsrvd's answer to bad credentials, byte for byte (HTTP 403, text/plain with a quoted charset).
ACCESS_DENIED_BODY = (
    b'{"cpanelresult":{"apiversion":"2","error":"Access denied",'
    b'"data":{"reason":"Access denied","result":"0"},"type":"text"}}'
)
ACCESS_DENIED_TYPE = 'text/plain; charset="utf-8"'

_CPSESS = re.compile(r"^/cpsess(\d{10})(/.*)?$")
_FORM_TYPES = ("application/x-www-form-urlencoded", "application/octet-stream", "")


def parse_query(raw_query: str) -> dict[str, list[str]]:
    return parse_qs(raw_query, keep_blank_values=True)


def parse_form(content_type: str, body: bytes) -> dict[str, list[str]]:
    """The parameters a body carries, the lenient way cpsrvd reads them.

    Urlencoded bodies, and bodies labelled application/octet-stream or not labelled at
    all (legacy PHP clients send those), are read as a form when they are UTF-8 text.
    Multipart parts become values too; a file part's value is its content as text.
    A JSON object body (what cPanel requires of UAPI functions with structured arguments,
    and WHM API 1 also reads) gives each key its value: text as text, numbers and booleans as
    the text a form would carry, arrays and objects as they are.
    """
    if not body:
        return {}
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime == "multipart/form-data":
        return _parse_multipart(content_type, body)
    if mime == JSON_TYPE:
        return _parse_json(body)
    if mime not in _FORM_TYPES:
        return {}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return {}
    return parse_qs(text, keep_blank_values=True)


def _parse_json(body: bytes) -> dict[str, list[Any]]:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {}
    if not isinstance(document, dict):
        return {}
    return {str(k): [_form_value(v)] for k, v in document.items() if v is not None}


def _form_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _parse_multipart(content_type: str, body: bytes) -> dict[str, list[str]]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    form: dict[str, list[str]] = {}
    if not message.is_multipart():
        return form
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        form.setdefault(str(name), []).append(payload.decode("utf-8", "replace"))
    return form


@dataclass(frozen=True, slots=True)
class UploadedPart:
    """A multipart part with a filename: what cPanel's form parser stores as an uploaded file."""

    field: str  # the part's `name` ("" without one)
    filename: str
    content_type: str
    data: bytes


def parse_uploads(content_type: str, body: bytes) -> tuple[UploadedPart, ...]:
    """The file parts of a multipart body (those with a `filename`), in the order sent."""
    if content_type.split(";", 1)[0].strip().lower() != "multipart/form-data" or not body:
        return ()
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return ()
    uploads = []
    for part in message.iter_parts():
        filename = part.get_param("filename", header="content-disposition")
        if not filename:
            continue
        uploads.append(UploadedPart(str(part.get_param("name", "", header="content-disposition")), str(filename),
                                    part.get_content_type(), part.get_payload(decode=True) or b""))
    return tuple(uploads)


def routing_path(raw_path: str) -> tuple[str, str | None]:
    """(path to route, cpsess token or None): decoded, slashes collapsed, prefix stripped.

    Clients send `//json-api/cpanel` and `/json-api/cpanel/`; cpsrvd serves both.
    """
    path = re.sub(r"/{2,}", "/", unquote(raw_path)) or "/"
    token = None
    match = _CPSESS.match(path)
    if match:
        token, path = match.group(1), match.group(2) or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return path, token


def merge_params(query: dict[str, list[str]], form: dict[str, list[str]]) -> dict[str, list[str]]:
    """Query and body parameters in one mapping; a name in both takes the body's values."""
    merged = {k: list(v) for k, v in query.items()}
    merged.update({k: list(v) for k, v in form.items()})
    return merged


def json_response(document: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=orjson.dumps(document), headers={"Content-Type": JSON_TYPE})


def access_denied() -> web.Response:
    return web.Response(status=403, body=ACCESS_DENIED_BODY, headers={"Content-Type": ACCESS_DENIED_TYPE})


def html_response(text: str, status: int = 200) -> web.Response:
    return web.Response(status=status, body=text.encode("utf-8"), headers={"Content-Type": HTML_TYPE})
