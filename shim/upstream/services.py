"""The upstream connection pool of each service, and the translated call over it."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import ssl
import time
from typing import Any, Callable, Mapping, NamedTuple, Sequence
from urllib.parse import quote_plus

import aiohttp
import orjson

from shim.config import Config, ServiceConfig
from shim.observability import observe
from shim.upstream.pool import Exchange, UpstreamError, UpstreamPool, error_kind

__all__ = ["UpstreamAnswer", "UpstreamError", "call_json", "error_kind", "form_body", "make_pool", "multipart_body"]

log = logging.getLogger("api2shim.upstream")

_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"
# Characters urlencode() leaves as they are: a name or value made only of them is sent as is.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*\Z")
# Headers a translated call carries upstream from the client: its credentials only.
_CREDENTIAL_HEADERS = ("Authorization", "Cookie")


# One file of a multipart body: (field name, filename, content type, bytes). The translation
# room's UploadedFile is one; the upstream room takes any such tuple.
FilePart = tuple[str, str, str, bytes]


class UpstreamAnswer(NamedTuple):  # built per call: a tuple, cheaper than a frozen dataclass
    status: int
    document: object  # parsed JSON


def make_ssl_context(config: Config) -> ssl.SSLContext:
    if config.upstream_insecure:
        log.warning("upstream TLS verification is OFF (upstream_tls.insecure): anyone on the path can read root tokens")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=str(config.upstream_ca_file) if config.upstream_ca_file else None)


def make_pool(config: Config, service: ServiceConfig, *, like: UpstreamPool | None = None) -> UpstreamPool:
    """The connections of one service, shared by every request for the life of the process.

    `like`: a second pool of the same service shares that one's TLS context (made and
    warned about once)."""
    if like is not None:
        context = like.ssl_context
    else:
        context = make_ssl_context(config) if service.upstream.scheme == "https" else None
    return UpstreamPool(
        service.upstream,
        ssl_context=context,
        limit=config.pool_size,
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
    )


async def call_json(
    pool: UpstreamPool,
    target: str,
    form: list[tuple[str, str]] | Mapping[str, Any],
    client_headers: "Mapping[str, str]",
    forwarded: dict[str, str],
    *,
    max_answer: int,
    timeout: float | None = None,
    decode: Callable[[bytes], Any] = orjson.loads,
    files: Sequence[FilePart] = (),
) -> UpstreamAnswer:
    """POST a form upstream once and parse the JSON answer. Never retried: it may change state.

    A mapping instead of a list of pairs is sent as a JSON request body (the UAPI functions
    that take structured arguments). With `files`, the form and the files go as one
    multipart/form-data body (the UAPI functions that read uploads). `decode` turns the
    answer's bytes into the document; it raises orjson.JSONDecodeError
    for anything that is not JSON, as orjson.loads does.
    """
    if isinstance(form, Mapping):
        content_type, body = _JSON, orjson.dumps(form)
    elif files:
        content_type, body = multipart_body(form, files)
    else:
        content_type, body = _FORM, form_body(form)
    headers = [("Content-Type", content_type), ("Accept", "application/json"), *forwarded.items()]
    for name in _CREDENTIAL_HEADERS:
        value = client_headers.get(name)
        if value is not None:
            headers.append((name, value))
    started = time.perf_counter()
    try:
        exchange = await pool.request("POST", target, headers, body, read_timeout=timeout)
    except UpstreamError as exc:
        if exc.kind == "tls":
            log.warning("upstream %s: TLS certificate not trusted; set upstream_tls.ca_file to its CA", pool.host)
        raise
    observe.upstream_answered(started, exchange.status)
    if exchange.status in (401, 403):
        exchange.close()
        return UpstreamAnswer(exchange.status, None)
    raw = await _read_limited(exchange, max_answer)
    if exchange.status != 200:
        raise UpstreamError("status", f"upstream answered HTTP {exchange.status}")
    try:
        return UpstreamAnswer(200, decode(raw))
    except orjson.JSONDecodeError:
        kind = "html" if raw.lstrip()[:1] == b"<" else "json"
        raise UpstreamError(kind, "upstream answered something that is not JSON") from None


def form_body(form: list[tuple[str, str]]) -> bytes:
    """The bytes urlencode(form) gives (and aiohttp.FormData would, without its multipart
    machinery: a uuid4 boundary and payload objects per call cost ~9% of a translated call).

    Most forms need no quoting at all: one regex match over all names and values together
    tells, and the form is then joined as it is (4x cheaper than urlencode's per-item type
    checks and quote_plus calls); otherwise only the items that need it are quoted.
    """
    unreserved = _UNRESERVED.match
    if unreserved("".join([name + value for name, value in form])):
        return "&".join([name + "=" + value for name, value in form]).encode()
    return "&".join(
        [
            (name if unreserved(name) else quote_plus(name)) + "=" + (value if unreserved(value) else quote_plus(value))
            for name, value in form
        ]
    ).encode()


def multipart_body(form: list[tuple[str, str]], files: Sequence[FilePart]) -> tuple[str, bytes]:
    """(Content-Type, body) of a multipart/form-data request: the form's fields as text parts,
    then each file as a part with its field name, filename and content type, bytes untouched.

    The boundary is random and checked against every content, so no part can end early.
    Names and filenames are written as browsers write them (WHATWG HTML): `"`, CR and LF
    become %22, %0D and %0A, everything else as it is (cPanel's form parser reads a
    filename up to the next quote and undoes no escape). The body is built once, in memory:
    its size is the size of what the client sent, which the API 2 body cap already bounds.
    """
    for _ in range(_BOUNDARY_TRIES):
        boundary = "api2shim-" + secrets.token_hex(16)
        mark = boundary.encode()
        if not any(mark in data for *_, data in files) and not any(boundary in value for _, value in form):
            break
    else:  # 128 random bits found in every try: not data, an attack on the generator
        raise ValueError("no multipart boundary is absent from the content")
    chunks: list[bytes] = []
    for name, value in form:
        chunks += [b"--", mark, b'\r\nContent-Disposition: form-data; name="', _quoted(name), b'"\r\n\r\n',
                   value.encode("utf-8"), b"\r\n"]
    for field, filename, content_type, data in files:
        chunks += [b"--", mark, b'\r\nContent-Disposition: form-data; name="', _quoted(field),
                   b'"; filename="', _quoted(filename), b'"\r\nContent-Type: ',
                   _header_value(content_type), b"\r\n\r\n", data, b"\r\n"]
    chunks += [b"--", mark, b"--\r\n"]
    return f"multipart/form-data; boundary={boundary}", b"".join(chunks)


_BOUNDARY_TRIES = 4
_HEADER_UNSAFE = {ord('"'): "%22", ord("\r"): "%0D", ord("\n"): "%0A"}


def _quoted(text: str) -> bytes:
    return text.translate(_HEADER_UNSAFE).encode("utf-8")


def _header_value(text: str) -> bytes:
    return text.replace("\r", " ").replace("\n", " ").encode("latin-1", "replace")


async def _read_limited(exchange: Exchange, limit: int) -> bytes:
    length = exchange.content_length
    if length is not None and length > limit:
        exchange.close()
        raise UpstreamError("too_large", "upstream answer is too large")
    if exchange.headers.get("Content-Encoding", "identity").lower() not in ("identity", ""):
        # We asked for no encoding; decoding an unasked-for one is not worth the risk.
        exchange.close()
        raise UpstreamError("encoding", "upstream answered with an unexpected content encoding")
    try:
        if length is not None:
            # The parser stops at Content-Length, so the whole answer is within the limit:
            # one read, not a loop over chunks (each an await and a list append).
            return await exchange.read()
        chunks: list[bytes] = []
        size = 0
        while chunk := await exchange.payload.readany():
            size += len(chunk)
            if size > limit:
                exchange.close()
                raise UpstreamError("too_large", "upstream answer is too large")
            chunks.append(chunk)
        exchange.release()
        return b"".join(chunks)
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        exchange.close()
        raise UpstreamError(error_kind(exc)) from None
