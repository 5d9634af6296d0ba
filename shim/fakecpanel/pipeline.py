"""The one request path both apps share, in cpsrvd's order:

record → scripted fault → strip /cpsess… → public pages (/login, login page) →
authenticate (403 on failure) → route.

Routing is done here rather than by aiohttp's router because cpsrvd routes on the path
*after* removing the security-token prefix and collapsing doubled slashes.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Awaitable, Callable

from aiohttp import web

from . import pages
from .auth import SESSION_COOKIES, Principal, authenticate, check_password
from .faults import HANG_SECONDS, FaultAction
from .registry import Api2Registry, UapiRegistry
from .state import FakeState, RecordedRequest
from .wire import (
    access_denied,
    html_response,
    json_response,
    merge_params,
    parse_form,
    parse_query,
    routing_path,
)

# The fake must accept whatever a proxy streams through it (upload tests send many MiB).
DEFAULT_CLIENT_MAX_SIZE = 1024**3
_HANG_POLL_SECONDS = 0.05
_CHUNK = 64 * 1024

STATE_KEY = web.AppKey("fakecpanel_state", FakeState)
SERVICE_KEY = web.AppKey("fakecpanel_service", str)
CLOSING_KEY = web.AppKey("fakecpanel_closing", asyncio.Event)
ROUTES_KEY = web.AppKey("fakecpanel_routes", list)
UAPI_KEY = web.AppKey("fakecpanel_uapi", UapiRegistry)
API2_KEY = web.AppKey("fakecpanel_api2", Api2Registry)


@dataclass(slots=True)
class Call:
    """An authenticated request, ready for a route handler."""

    request: web.Request
    state: FakeState
    service: str
    path: str  # routed path: decoded, /cpsess… stripped
    params: dict[str, list[str]]  # query and body merged, body wins
    principal: Principal
    record: RecordedRequest
    uapi: UapiRegistry
    api2: Api2Registry

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.params.get(name)
        return values[0] if values else default


Handler = Callable[[Call, "re.Match[str]"], Awaitable[web.StreamResponse]]
Route = tuple["re.Pattern[str]", Handler]


def build_app(
    state: FakeState, service: str, routes: list[Route], uapi: UapiRegistry, api2: Api2Registry
) -> web.Application:
    app = web.Application(client_max_size=DEFAULT_CLIENT_MAX_SIZE)
    app[STATE_KEY] = state
    app[SERVICE_KEY] = service
    app[CLOSING_KEY] = asyncio.Event()
    app[ROUTES_KEY] = routes
    app[UAPI_KEY] = uapi
    app[API2_KEY] = api2
    app.on_shutdown.append(_wake_hanging)
    app.router.add_route("*", "/{tail:.*}", _front)
    return app


async def _wake_hanging(app: web.Application) -> None:
    # Runs before aiohttp waits for in-flight handlers, so "hang" faults end promptly.
    app[CLOSING_KEY].set()


def _record(request: web.Request, service: str, body: bytes) -> RecordedRequest:
    raw_path, _, raw_query = request.raw_path.partition("?")
    headers: dict[str, str] = {}
    for name, value in request.headers.items():
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return RecordedRequest(
        method=request.method,
        path=raw_path,
        query=parse_query(raw_query),
        form=parse_form(request.headers.get("Content-Type", ""), body),
        body=body,
        headers=headers,
        service=service,
    )


async def _front(request: web.Request) -> web.StreamResponse:
    app = request.app
    state, service = app[STATE_KEY], app[SERVICE_KEY]
    body = await request.read()
    record = _record(request, service, body)
    state.requests.append(record)

    action = state.faults.take(service, request.method, request.raw_path)
    if action is not None:
        response = await play_fault(request, action, app[CLOSING_KEY])
        if response is not None:
            return response

    path, cpsess = routing_path(record.path)
    params = merge_params(record.query, record.form)
    if path in ("/login", "/login/"):
        if request.method == "POST":
            return _login(state, service, params)
        return html_response(pages.login_page(service))

    principal = authenticate(state, service, request.headers, request.cookies, cpsess)
    if principal is None:
        if path == "/" and request.method in ("GET", "HEAD"):
            return html_response(pages.login_page(service))
        return access_denied()

    call = Call(request, state, service, path, params, principal, record, app[UAPI_KEY], app[API2_KEY])
    for pattern, handler in app[ROUTES_KEY]:
        match = pattern.match(path)
        if match:
            return await handler(call, match)
    return await ui(call, None)  # type: ignore[arg-type]


def _login(state: FakeState, service: str, params: dict[str, list[str]]) -> web.Response:
    """POST /login: 301 to /cpsessNNNNNNNNNN/ with the session cookie, or a failure page.

    With `login_only=1` (what cPanel's own login form sends) the answer is JSON instead:
    200 `{"redirect", "security_token", "status": 1}` or 401 `{"message": "invalid_login",
    "status": 0}`. Without it a failed login is a 401 HTML login page saying
    "Login Attempt Failed!".
    """
    user = (params.get("user") or [""])[0]
    password = (params.get("pass") or [""])[0]
    login_only = (params.get("login_only") or ["0"])[0] not in ("", "0")
    if not user or not check_password(state, service, user, password):
        if login_only:
            return json_response({"message": "invalid_login", "status": 0}, status=401)
        return html_response(pages.login_page(service, failed=True), status=401)
    session = state.open_session(service, user)
    location = f"/cpsess{session.token}/"
    if login_only:
        response: web.Response = json_response(
            {"redirect": location, "security_token": f"/cpsess{session.token}", "status": 1}
        )
    else:
        response = web.Response(status=301, headers={"Location": location})
    response.set_cookie(SESSION_COOKIES[service], session.cookie, path="/", httponly=True)
    return response


async def ui(call: Call, match: "re.Match[str] | None") -> web.Response:
    """Any other authenticated page: a small HTML page standing for the web interface."""
    return html_response(pages.ui_page(call.service, call.principal.user, call.path))


async def logout(call: Call, match: "re.Match[str]") -> web.Response:
    if call.principal.session is not None:
        call.state.sessions.pop((call.service, call.principal.session.cookie), None)
    response = html_response(pages.logged_out_page(call.service))
    response.del_cookie(SESSION_COOKIES[call.service], path="/")
    return response


async def upload(call: Call, match: "re.Match[str]") -> web.Response:
    """POST /upload: echoes size and SHA-256 of the raw body, to check byte-exact streaming."""
    body = call.record.body
    return json_response(
        {
            "bytes": len(body),
            "content_type": call.request.headers.get("Content-Type", ""),
            "sha256": hashlib.sha256(body).hexdigest(),
        }
    )


async def not_found(call: Call, match: "re.Match[str]") -> web.Response:
    return html_response(pages.error_page(404, "Not Found"), status=404)


# ---------------------------------------------------------------- faults

_TRUNCATED_JSON = b'{"cpanelresult":{"apiversion":2,"data":[{"result":1,"rea'


async def play_fault(request: web.Request, action: FaultAction, closing: asyncio.Event) -> web.StreamResponse | None:
    """The misbehaving answer, or None when the request should then be served normally."""
    kind = action.kind
    if kind == "delay":
        await asyncio.sleep(action.seconds)
        return None
    if kind == "status":
        return html_response(pages.error_page(action.status, _reason(action.status)), status=action.status)
    if kind == "html":
        return html_response(pages.login_page(request.app[SERVICE_KEY]))
    if kind == "invalid_json":
        return web.Response(body=_TRUNCATED_JSON, headers={"Content-Type": "application/json"})
    if kind == "hang":
        await _hang(request, closing)
        return html_response(pages.error_page(503, "Service Unavailable"), status=503)
    if kind == "drop":
        _abort(request)
        return web.Response()
    if kind == "reset":
        response = web.StreamResponse(headers={"Content-Type": "application/json", "Content-Length": "4096"})
        await response.prepare(request)
        await response.write(_TRUNCATED_JSON)
        _abort(request)
        return response
    if kind in ("huge", "huge_chunked"):
        return await _huge(request, action.mib, chunked=kind == "huge_chunked")
    raise AssertionError(f"unhandled fault {kind}")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


async def _hang(request: web.Request, closing: asyncio.Event) -> None:
    deadline = time.monotonic() + HANG_SECONDS
    while time.monotonic() < deadline:
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        try:
            await asyncio.wait_for(closing.wait(), _HANG_POLL_SECONDS)
            return
        except asyncio.TimeoutError:
            continue


def _abort(request: web.Request) -> None:
    transport = request.transport
    if transport is not None:
        transport.abort()


async def _huge(request: web.Request, mib: int, *, chunked: bool) -> web.StreamResponse:
    total = mib * 1024 * 1024
    head, tail = b'{"padding":"', b'"}'
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    if chunked:
        response.enable_chunked_encoding()
    else:
        response.content_length = total
    await response.prepare(request)
    await response.write(head)
    remaining = total - len(head) - len(tail)
    block = b"a" * _CHUNK
    try:
        while remaining > 0:
            piece = block if remaining >= _CHUNK else block[:remaining]
            await response.write(piece)
            remaining -= len(piece)
        await response.write(tail)
    except (ConnectionError, RuntimeError):
        pass  # the client stopped reading, which is what a size limit does
    return response
