"""Recognising a legacy API 2 call in an incoming request (pure functions, no I/O).

A request is an API 2 call when its path, without an optional `/cpsess<digits>` prefix,
with repeated slashes collapsed and a trailing slash dropped, is `/json-api/cpanel` (or
`/xml-api/cpanel`, answered in XML), and its parameters name a module and a function with
apiversion 2 or none at all.
"""

from __future__ import annotations

import binascii
import re
import unicodedata
from typing import Iterator, NamedTuple
from urllib.parse import unquote_to_bytes

API2_PATH = "/json-api/cpanel"
XML_API2_PATH = "/xml-api/cpanel"  # the same calls, answered in XML
_CPSESS = re.compile(r"/cpsess\d+(?=/|$)")
_SLASHES = re.compile(r"/{2,}")
# Both prefixes are accepted on /json-api/: cPanel's own docs mix them.
_JSONAPI = "cpanel_jsonapi_"
_XMLAPI = "cpanel_xmlapi_"
# Upstream form keys the shim alone sets (WHM's uapi_cpanel: api.version, cpanel.user,
# cpanel.module, cpanel.function; UAPI's api.* options): a client argument named like one
# would reach upstream after the shim's own, and an upstream that keeps the last value
# would act on another account or function. Compared in any case and Unicode form.
SHIM_OWNED_PREFIXES = ("cpanel.", "api.")
# Legacy clients send WHM's `api.version=1` out of habit: dropped without a warning.
_IGNORED = frozenset({"api.version"})


# NamedTuples rather than frozen dataclasses: built on every API 2 request, and a frozen
# dataclass costs several times more to build.
class ApiPath(NamedTuple):
    cpsess: str  # "" or "/cpsess0123456789", forwarded upstream as received
    path: str  # normalised path without the prefix
    xml: bool = False  # /xml-api/: the shim's own answers are written in XML


class UploadedFile(NamedTuple):
    """One file part of a multipart/form-data body, as cPanel's form parser tells one apart."""

    field: str  # the part's `name`
    filename: str  # its `filename`: cPanel names the stored file after this, not after `field`
    content_type: str  # its Content-Type ("application/octet-stream" when it gave none)
    data: bytes  # its content exactly as sent (cPanel wrote a file part's bytes as they came)


class LegacyCall(NamedTuple):
    module: str
    func: str
    user: str | None  # cpanel_jsonapi_user, when the client named the account
    args: dict[str, str]  # the function's own arguments, meta-parameters removed
    cpsess: str
    dropped: tuple[str, ...] = ()  # client arguments named like the shim's own upstream keys
    apiversion: str | None = None  # cpanel_jsonapi_apiversion exactly as sent (None: absent)
    files: tuple[UploadedFile, ...] = ()  # file parts of a multipart body (multipart_files)


def shim_owned(name: str) -> bool:
    """Whether an argument name is one of the upstream keys only the shim may set."""
    if name.isascii():
        return name.strip().lower().startswith(SHIM_OWNED_PREFIXES)
    return unicodedata.normalize("NFKC", name).strip().casefold().startswith(SHIM_OWNED_PREFIXES)


def split_path(raw_path: str) -> ApiPath:
    # The substring tests skip the regular expressions for the common clean path.
    path = _SLASHES.sub("/", raw_path) if "//" in raw_path else raw_path
    cpsess = ""
    match = _CPSESS.match(path) if path.startswith("/cpsess") else None
    if match:
        cpsess = match.group(0)
        path = path[match.end():] or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    return ApiPath(cpsess, path)


_PLAIN_API2_PATH = ApiPath("", API2_PATH)


def api2_path(raw_path: str) -> ApiPath | None:
    """The split path when the request may be an API 2 call (its body must then be read), else None."""
    if raw_path == API2_PATH:
        return _PLAIN_API2_PATH
    # Whatever the prefix and slashes, an API 2 path ends in "cpanel" and slashes: WHM API 1
    # and UAPI paths (/json-api/<function>, /execute/...) are told apart without a split.
    if ("json-api" not in raw_path and "xml-api" not in raw_path) or not raw_path.rstrip("/").endswith("cpanel"):
        return None
    api_path = split_path(raw_path)
    if api_path.path == API2_PATH:
        return api_path
    return api_path._replace(xml=True) if api_path.path == XML_API2_PATH else None


def _is_multipart(content_type: str) -> bool:
    return content_type[:19].lower() == "multipart/form-data"


def parse_form(body: bytes, content_type: str) -> list[tuple[str, str]]:
    """Form fields of a body, whatever the client labelled it.

    Clients send urlencoded forms labelled as such, as application/octet-stream, or not
    labelled at all; multipart/form-data is parsed as multipart. Invalid UTF-8 becomes
    U+FFFD rather than failing the call. Both parsers cut the body with bytes.split (C speed)
    and decode only what needs it, so the cost is linear with a small constant (the stdlib's
    email parser took ~1.8 s per MiB of multipart, parse_qsl ~0.25 s per MiB of `a&a&…`);
    the guard also bounds the number of fields (count_fields) before this runs.
    """
    if not body:
        return []
    if _is_multipart(content_type):
        return _parse_multipart(body, content_type)
    return _parse_urlencoded(body)


def _parse_urlencoded(body: bytes) -> list[tuple[str, str]]:
    """parse_qsl(body.decode('latin-1'), keep_blank_values=True, errors='replace'), faster."""
    fields: list[tuple[str, str]] = []
    for piece in body.split(b"&"):
        if not piece:
            continue
        name, _, value = piece.partition(b"=")
        fields.append((_unquote(name), _unquote(value)))
    return fields


def _unquote(raw: bytes) -> str:
    """One urlencoded name or value: `+` is a space, %XX a byte, the bytes UTF-8."""
    if b"%" in raw:
        raw = unquote_to_bytes(raw.replace(b"+", b" "))
    elif b"+" in raw:
        raw = raw.replace(b"+", b" ")
    return raw.decode("utf-8", "replace")


_BOUNDARY = re.compile(r';\s*boundary\s*=\s*(?:"([^"]{1,200})"|([^;\s]{1,200}))', re.IGNORECASE)
_PART_NAME = re.compile(rb';\s*name\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))', re.IGNORECASE)
_ESCAPED = re.compile(rb"\\(.)")


def _parse_multipart(body: bytes, content_type: str) -> list[tuple[str, str]]:
    """multipart/form-data fields (RFC 7578): the parts' contents, by their `name`."""
    fields: list[tuple[str, str]] = []
    for name, encoding, _, content in _multipart_parts(body, content_type):
        if not name:
            continue
        if encoding == b"base64":
            try:
                content = binascii.a2b_base64(content)
            except binascii.Error:
                content = b""
        elif encoding == b"quoted-printable":
            content = binascii.a2b_qp(content)
        fields.append((name.decode("utf-8", "replace"), content.decode("utf-8", "replace")))
    return fields


def multipart_files(body: bytes, content_type: str) -> tuple[UploadedFile, ...]:
    """The file parts of a multipart/form-data body, in the order sent.

    A part is a file the way cPanel's form parser (Cpanel::Form, 11.120) decides it: its
    head carries a quoted, non-empty `filename="…"`, read up to the next quote (a part
    without a `name` is a file all the same; its field is then ""). Its bytes
    are kept exactly (cPanel wrote them to a temporary file without undoing any transfer
    encoding). A filename or content type with a line break cannot be sent on as a header
    line: such a part is left out rather than rewritten.
    """
    if not _is_multipart(content_type):
        return ()
    files: list[UploadedFile] = []
    for name, _, head, content in _multipart_parts(body, content_type):
        found = _FILENAME.search(head)
        if found is None:
            continue
        part_type = b"application/octet-stream"
        for line in head.split(b"\r\n"):
            key, _, value = line.partition(b":")
            if key.strip().lower() == b"content-type" and value.strip():
                part_type = value.strip()
        filename = found.group(1)
        if b"\r" in filename or b"\n" in filename or b"\n" in part_type:
            continue
        files.append(UploadedFile(name.decode("utf-8", "replace"), filename.decode("utf-8", "replace"),
                                  part_type.decode("latin-1"), content))
    return tuple(files)


_FILENAME = re.compile(rb'filename="([^"]+)"', re.IGNORECASE)


def _multipart_parts(body: bytes, content_type: str) -> Iterator[tuple[bytes, bytes | None, bytes, bytes]]:
    """(name, transfer encoding, head, content) of each part (name b"" when it has none); the
    content as sent."""
    match = _BOUNDARY.search(content_type)
    if match is None:
        return
    delimiter = b"\r\n--" + (match.group(1) or match.group(2)).encode("latin-1")
    # With a CRLF in front, every delimiter is CRLF "--" boundary, and a part's content ends
    # right before the next one. pieces[0] is the preamble; a piece starting "--" closes.
    for piece in (b"\r\n" + body).split(delimiter)[1:]:
        if piece.startswith(b"--"):
            break
        line_end = piece.find(b"\r\n")  # the rest of the delimiter line (transport padding)
        if line_end < 0:
            continue
        head, sep, content = piece[line_end:].partition(b"\r\n\r\n")
        if not sep:
            continue
        name = encoding = None
        for line in head.split(b"\r\n"):
            key, _, value = line.partition(b":")
            key = key.strip().lower()
            if key == b"content-disposition":
                found = _PART_NAME.search(value)
                if found is not None:
                    name = found.group(2) if found.group(1) is None else _ESCAPED.sub(rb"\1", found.group(1))
            elif key == b"content-transfer-encoding":
                encoding = value.strip().lower()
        yield name or b"", encoding, head, content


def count_fields(body: bytes, content_type: str) -> int:
    """How many fields parse_form would find at most, counted at C speed (for the guard's cap)."""
    if _is_multipart(content_type):
        match = _BOUNDARY.search(content_type)
        return body.count(b"--" + (match.group(1) or match.group(2)).encode("latin-1")) if match else 0
    return body.count(b"&") + 1 if body else 0


# cPanel's legacy form parser keeps the FIRST value of a repeated account name.
_FIRST_WINS = frozenset({_JSONAPI + "user", _XMLAPI + "user"})


def merge_params(query: list[tuple[str, str]], body: list[tuple[str, str]]) -> dict[str, str]:
    """Query and body merged; a name given in the body replaces the query's value, except
    the account name (`cpanel_jsonapi_user`), whose first value wins wherever it was sent."""
    merged = dict(query)
    merged.update(body)
    for name in _FIRST_WINS:
        if name in merged:
            merged[name] = next(value for key, value in (*query, *body) if key == name)
    return merged


def recognise(params: dict[str, str], cpsess: str) -> LegacyCall | None:
    """The API 2 call these parameters make, or None when they make another kind of call."""
    meta: dict[str, str] = {}
    args: dict[str, str] = {}
    dropped: list[str] = []
    for name, value in params.items():
        if name.startswith("cpanel_"):
            if name.startswith(_JSONAPI):
                # cpanel_jsonapi_* wins over cpanel_xmlapi_* when a client sends both.
                meta[name[len(_JSONAPI):]] = value
                continue
            if name.startswith(_XMLAPI):
                meta.setdefault(name[len(_XMLAPI):], value)
                continue
        if shim_owned(name):
            if name not in _IGNORED:
                dropped.append(name)
        else:
            args[name] = value
    version = meta.get("apiversion", "2").strip()
    module, func = meta.get("module"), meta.get("func")
    if version not in ("2", "") or not module or not func:
        return None
    return LegacyCall(module, func, meta.get("user") or None, args, cpsess, tuple(dropped), meta.get("apiversion"))


def with_whm_account(call: LegacyCall) -> LegacyCall:
    """Apply WHM's legacy rule: without cpanel_jsonapi_user, the `user` argument names the
    account and is removed from the function's arguments (so it never reaches UAPI twice)."""
    if call.user is not None or "user" not in call.args:
        return call
    args = {k: v for k, v in call.args.items() if k != "user"}
    return call._replace(user=call.args["user"] or None, args=args)
