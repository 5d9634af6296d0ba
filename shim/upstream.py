"""The one upstream connection pool per service, and the translated call over it."""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import aiohttp
import orjson
from yarl import URL

from . import observe
from .config import Config, ServiceConfig

log = logging.getLogger("api2shim.upstream")

_FORM = "application/x-www-form-urlencoded"
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
        skip_auto_headers=("User-Agent", "Accept-Encoding", "Accept"),
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
    # The bytes aiohttp.FormData would produce, without its multipart machinery (a uuid4
    # boundary and payload objects per call cost ~9% of a translated call's CPU).
    body = urlencode(form, doseq=True, encoding="utf-8").encode()
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
    except asyncio.TimeoutError:
        raise UpstreamError("timeout", "upstream did not answer in time") from None
    except aiohttp.ClientConnectorCertificateError:
        log.warning("upstream %s: TLS certificate not trusted; set upstream_tls.ca_file to its CA", url.host)
        raise UpstreamError("tls", UNTRUSTED_UPSTREAM) from None
    except aiohttp.ClientConnectorError:
        raise UpstreamError("connect", "cannot connect to upstream") from None
    except aiohttp.ClientError:
        raise UpstreamError("broken", "upstream closed the connection before answering") from None
    try:
        return UpstreamAnswer(200, orjson.loads(raw))
    except orjson.JSONDecodeError:
        kind = "html" if raw.lstrip()[:1] == b"<" else "json"
        raise UpstreamError(kind, "upstream answered something that is not JSON") from None


async def _read_limited(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    if resp.content_length is not None and resp.content_length > limit:
        raise UpstreamError("too_large", "upstream answer is too large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_any():
        size += len(chunk)
        if size > limit:
            raise UpstreamError("too_large", "upstream answer is too large")
        chunks.append(chunk)
    if resp.headers.get("Content-Encoding", "identity").lower() not in ("identity", ""):
        # We asked for no encoding; decoding an unasked-for one is not worth the risk.
        raise UpstreamError("encoding", "upstream answered with an unexpected content encoding")
    return b"".join(chunks)
