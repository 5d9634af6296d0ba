"""The one upstream connection pool per service, and the translated call over it."""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
import time
from dataclasses import dataclass
from urllib.parse import quote_plus

import aiohttp
import orjson
from yarl import URL

from . import observe
from .config import Config, ServiceConfig

log = logging.getLogger("api2shim.upstream")

_FORM = "application/x-www-form-urlencoded"
# Characters urlencode() leaves as they are: a name or value made only of them is sent as is.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*\Z")
UNTRUSTED_UPSTREAM = "upstream's TLS certificate is not trusted"
# Headers a translated call carries upstream from the client: its credentials only.
_CREDENTIAL_HEADERS = ("Authorization", "Cookie")


class UpstreamError(Exception):
    """The translated call got no usable answer; `kind` names why, the text is safe to show."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class UpstreamAnswer:
    status: int
    document: object  # parsed JSON


def make_ssl_context(config: Config) -> ssl.SSLContext | bool:
    if config.upstream_insecure:
        log.warning("upstream TLS verification is OFF (upstream_tls.insecure): anyone on the path can read root tokens")
        return False
    context = ssl.create_default_context(cafile=str(config.upstream_ca_file) if config.upstream_ca_file else None)
    return context


class _NoAutoHeadersRequest(aiohttp.ClientRequest):
    """aiohttp's request that never adds Accept, Accept-Encoding or User-Agent of its own.

    Pass-through forwards the client's headers as they came (an added Accept-Encoding would
    get a compressed answer the client never asked for); the translated call sets its own.
    The session's skip_auto_headers would do the same, but aiohttp rebuilds a sorted
    CIMultiDict of them and copies the headers on every request (~4% of a translated call).
    Everything else (the payload's Content-Type when none is set) stays aiohttp's.
    """

    def update_auto_headers(self, skip_auto_headers: object) -> None:
        return None


def make_session(config: Config, trace_configs: list[aiohttp.TraceConfig] | None = None) -> aiohttp.ClientSession:
    """A pool shared by every request of one service, for the life of the process."""
    connector = aiohttp.TCPConnector(limit=config.pool_size, ssl=make_ssl_context(config))
    timeout = aiohttp.ClientTimeout(
        total=None, connect=config.connect_timeout, sock_connect=config.connect_timeout, sock_read=config.read_timeout
    )
    session = aiohttp.ClientSession(
        connector=connector,
        timeout=timeout,
        auto_decompress=False,  # bodies pass through byte for byte, encoding untouched
        cookie_jar=aiohttp.DummyCookieJar(),  # never share one client's session with another
        request_class=_NoAutoHeadersRequest,
        trace_configs=trace_configs,
    )
    # aiohttp sends an idempotent-method request a second time when the connection drops;
    # legacy API 2 GETs change state (Ftp::passwd, Email::addpop), so nothing is ever replayed.
    # No public switch exists (aiohttp 3.14); a test pins this behaviour.
    session._retry_connection = False
    return session


def upstream_url(service: ServiceConfig, raw_path_qs: str) -> URL:
    return URL(str(service.upstream).rstrip("/") + raw_path_qs, encoded=True)


async def call_json(
    session: aiohttp.ClientSession,
    url: URL,
    form: list[tuple[str, str]],
    client_headers: "aiohttp.typedefs.LooseHeaders",
    forwarded: dict[str, str],
    *,
    max_answer: int,
    timeout: float | None = None,
) -> UpstreamAnswer:
    """POST a form upstream once and parse the JSON answer. Never retried: it may change state."""
    headers = {"Content-Type": _FORM, "Accept": "application/json", **forwarded}
    for name in _CREDENTIAL_HEADERS:
        value = client_headers.get(name)  # type: ignore[union-attr]
        if value is not None:
            headers[name] = value
    body = form_body(form)
    # An explicit timeout=None would switch every timeout off, so only pass one when set.
    per_call = {"timeout": aiohttp.ClientTimeout(total=None, sock_read=timeout)} if timeout else {}
    try:
        started = time.perf_counter()
        async with session.post(url, data=body, headers=headers, allow_redirects=False, **per_call) as resp:
            observe.upstream_answered(started, resp.status)
            if resp.status in (401, 403):
                return UpstreamAnswer(resp.status, None)
            raw = await _read_limited(resp, max_answer)
            if resp.status != 200:
                raise UpstreamError("status", f"upstream answered HTTP {resp.status}")
    except aiohttp.ClientConnectorCertificateError:
        log.warning("upstream %s: TLS certificate not trusted; set upstream_tls.ca_file to its CA", url.host)
        raise UpstreamError("tls", UNTRUSTED_UPSTREAM) from None
    except (asyncio.TimeoutError, aiohttp.ClientError) as exc:
        kind = error_kind(exc)
        raise UpstreamError(kind, _KIND_MESSAGES[kind]) from None
    try:
        return UpstreamAnswer(200, orjson.loads(raw))
    except orjson.JSONDecodeError:
        kind = "html" if raw.lstrip()[:1] == b"<" else "json"
        raise UpstreamError(kind, "upstream answered something that is not JSON") from None


_KIND_MESSAGES = {
    "timeout": "upstream did not answer in time",
    "connect": "cannot connect to upstream",
    "broken": "upstream closed the connection before answering",
}


def error_kind(exc: BaseException) -> str:
    """How a request to upstream failed: timeout, connect or broken (for answers and metrics)."""
    if isinstance(exc, asyncio.TimeoutError):
        return "timeout"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "connect"
    return "broken"


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


async def _read_limited(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    length = resp.content_length
    if length is not None and length > limit:
        raise UpstreamError("too_large", "upstream answer is too large")
    if resp.headers.get("Content-Encoding", "identity").lower() not in ("identity", ""):
        # We asked for no encoding; decoding an unasked-for one is not worth the risk.
        raise UpstreamError("encoding", "upstream answered with an unexpected content encoding")
    if length is not None:
        # The parser stops at Content-Length, so the whole answer is within the limit:
        # one read, not a loop over chunks (each an await and a list append).
        return await resp.read()
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_any():
        size += len(chunk)
        if size > limit:
            raise UpstreamError("too_large", "upstream answer is too large")
        chunks.append(chunk)
    return b"".join(chunks)
