"""What every request passes before the handler: who may connect, what may be asked, how many at once.

- Client networks: a listener with an `allow` list answers anyone else cpsrvd's own
  "Access denied" document (403) and closes the connection, like WHM's host access control.
- Not an open proxy: CONNECT and request targets that are not origin-form (`/path`) are
  refused before anything reaches upstream; the upstream is fixed per listener, `Host`
  never chooses it.
- Body caps: a declared Content-Length over the cap is refused before any byte is read
  (API 2 calls are read whole and small; pass-through uploads stream and may be large).
- API 2 bodies are read here, whole, before the request takes a concurrency slot: within
  `limits.max_api_body` (a chunked body is cut off there), `timeouts.body` in total and
  `timeouts.body_idle` between bytes. A client trickling a body holds its connection only,
  never a slot real calls need. Refusals are API 2 documents (413, 408) and close the
  connection, so an unread rest of the body is never parsed as a next request.
- Concurrency: past `limits.max_concurrent` requests in progress in this process, a
  request gets an API 2-shaped 503 with Retry-After at once instead of queueing.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

import orjson
from aiohttp import hdrs, web

from shim.config import Config, ServiceConfig
from shim.translation import envelopes, xmlform
from shim.translation.recognise import ApiPath, api2_path, count_fields

BUSY_REASON = "the server is busy; try again shortly"
TOO_LARGE_REASON = "the request body is too large"
TOO_SLOW_REASON = "the request body did not arrive in time"
TOO_MANY_REASON = "the request has too many arguments"
# Arguments (query and body together) an API 2 call may have: ten times what the widest API 2
# function takes (ZoneEdit's record edits, about twenty). Counted at C speed before anything
# is parsed, so a body of `a&a&a…` costs a count, not 100,000 parsed fields.
MAX_API_FIELDS = 256
NOT_A_PROXY = "400 Bad Request: this server is not a proxy\n"
RETRY_AFTER_SECONDS = "1"
_JSON = "application/json"
_TEXT = 'text/plain; charset="utf-8"'

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# The split path of an API 2 request (None for any other), so the handler need not split it again.
API_PATH = web.RequestKey("api2shim_api_path", ApiPath | None)  # type: ignore[arg-type]
# The whole body of a request on an API 2 path, read by the guard.
API_BODY = web.RequestKey("api2shim_api_body", bytes)


class BodyTooLarge(Exception):
    """A body went past its cap while it was being read."""


class BodyTooSlow(Exception):
    """A body did not arrive within its total time, or paused longer than the idle time."""


@dataclass
class Gate:
    """Requests in progress in this process, across both listeners."""

    limit: int
    in_flight: int = 0


def guard_for(config: Config, service: ServiceConfig, gate: Gate) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """The checks above, as a middleware-shaped function (app.py composes it with observe's)."""
    networks = service.allow
    max_api_body, max_passthrough_body = config.max_api_body, config.max_passthrough_body
    body_timeout, body_idle = config.body_timeout, config.body_idle_timeout

    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if networks and not client_allowed(request.remote, networks):
            api_path = api2_path(request.raw_path.partition("?")[0])
            response = _document(envelopes.access_denied(), 403, _TEXT, api_path is not None and api_path.xml)
            response.force_close()
            return response
        raw_path = request.raw_path
        if request.method == hdrs.METH_CONNECT or not raw_path.startswith("/"):
            response = web.Response(status=400, text=NOT_A_PROXY)
            response.force_close()
            return response
        api_path = request[API_PATH] = api2_path(raw_path.partition("?")[0])
        length = request.content_length
        if length is not None and length > (max_passthrough_body if api_path is None else max_api_body):
            response = _refusal(request, api_path, 413, TOO_LARGE_REASON)
            response.force_close()  # the unread body must not be parsed as the next request
            return response
        if api_path is not None:
            try:
                body = await read_body(request, max_api_body, body_timeout, body_idle) if request.body_exists else b""
            except (BodyTooLarge, BodyTooSlow) as exc:
                too_large = isinstance(exc, BodyTooLarge)
                response = _refusal(request, api_path, 413 if too_large else 408,
                                    TOO_LARGE_REASON if too_large else TOO_SLOW_REASON)
                response.force_close()
                return response
            query_fields = raw_path.count("&", raw_path.find("?")) + 1 if "?" in raw_path else 0
            fields = query_fields + (count_fields(body, request.headers.get(hdrs.CONTENT_TYPE, "")) if body else 0)
            if fields > MAX_API_FIELDS:
                # The call's names come from the query only when parsing it is cheap.
                return _refusal(request, api_path, 413, TOO_MANY_REASON, named=query_fields <= MAX_API_FIELDS)
            request[API_BODY] = body
        if gate.in_flight >= gate.limit:
            response = _refusal(request, api_path, 503, BUSY_REASON)
            response.headers[hdrs.RETRY_AFTER] = RETRY_AFTER_SECONDS
            return response
        gate.in_flight += 1
        try:
            return await handler(request)
        finally:
            gate.in_flight -= 1

    return guard


async def read_body(request: web.BaseRequest, limit: int, total: float, idle: float) -> bytes:
    """The whole body, at most `limit` bytes, arriving within `total` seconds with no pause over `idle`."""
    content = request.content
    if content.is_eof():  # it came with its head: the common case, no waiting
        body = content.read_nowait()
        if len(body) > limit:
            raise BodyTooLarge()
        return body
    loop = asyncio.get_running_loop()
    deadline = loop.time() + total
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout_at(min(deadline, loop.time() + idle)) as timer:
            while chunk := await content.readany():
                size += len(chunk)
                if size > limit:
                    raise BodyTooLarge()
                chunks.append(chunk)
                timer.reschedule(min(deadline, loop.time() + idle))
    except TimeoutError:
        raise BodyTooSlow() from None
    return b"".join(chunks)


def client_allowed(remote: str | None, networks: tuple[Any, ...]) -> bool:
    if not remote:
        return False
    try:
        address = ipaddress.ip_address(remote.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


def _refusal(request: web.Request, api_path: ApiPath | None, status: int, reason: str, *,
             named: bool = True) -> web.Response:
    """An API 2 document for API 2 paths (with the call's names when the query gives them and
    `named`: not when the query is what is refused), text otherwise."""
    if api_path is None:
        return web.Response(status=status, text=f"{status} {reason}\n")
    query = request.query if named else {}
    module = query.get("cpanel_jsonapi_module") or query.get("cpanel_xmlapi_module")
    func = query.get("cpanel_jsonapi_func") or query.get("cpanel_xmlapi_func")
    document = envelopes.call_failed(module or "", func or "", reason)
    if module is None:
        del document["cpanelresult"]["module"]
    if func is None:
        del document["cpanelresult"]["func"]
    return _document(document, status, _JSON, api_path.xml)


def _document(document: Any, status: int, content_type: str, xml: bool) -> web.Response:
    """JSON, or cPanel's XML form for a client that called /xml-api/."""
    if xml:
        body, content_type = xmlform.render(document), xmlform.CONTENT_TYPE
    else:
        body = orjson.dumps(document)
    response = web.Response(body=body, status=status)
    response.headers[hdrs.CONTENT_TYPE] = content_type
    return response
