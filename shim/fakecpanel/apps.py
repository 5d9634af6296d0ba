"""The two app factories: what WHM (port 2087) and cPanel (port 2083) serve."""

from __future__ import annotations

import re

from aiohttp import web

from . import cpanel_api, modules, whm_api
from .pipeline import Route, build_app, logout, not_found, ui, upload
from .registry import DEFAULT_API2, DEFAULT_UAPI, Api2Registry, UapiRegistry
from .state import CPANEL, WHM, FakeState


def _routes(*pairs: tuple[str, object]) -> list[Route]:
    return [(re.compile(pattern + r"$"), handler) for pattern, handler in pairs]  # type: ignore[misc]


_COMMON = (
    (r"/upload", upload),
    (r"/logout", logout),
    (r"/xml-api(?:/.*)?", not_found),  # XML output is gone from current cPanel (404 there too)
)

_CPANEL_ROUTES = _routes(
    (r"/execute/([^/]+)/([^/]+)", cpanel_api.execute),
    (r"/execute(?:/.*)?", not_found),
    (r"/json-api/cpanel", cpanel_api.json_api_cpanel),
    (r"/json-api(?:/.*)?", cpanel_api.whm_only),
    *_COMMON,
    (r".*", ui),
)

_WHM_ROUTES = _routes(
    (r"/json-api/cpanel", cpanel_api.json_api_cpanel),
    (r"/json-api/uapi_cpanel", whm_api.uapi_cpanel),
    (r"/json-api/version", whm_api.version),
    (r"/json-api/listaccts", whm_api.listaccts),
    (r"/json-api/delete_domain", whm_api.delete_domain),
    (r"/json-api/accountsummary", whm_api.accountsummary),
    (r"/json-api/passwd", whm_api.passwd),
    (r"/json-api/get_password_strength", whm_api.get_password_strength),
    (r"/json-api/myprivs", whm_api.myprivs),
    (r"/json-api/emailtrack_search", whm_api.emailtrack_search),
    (r"/json-api/emailtrack_stats", whm_api.emailtrack_stats),
    (r"/json-api/([^/]+)", whm_api.unknown),
    (r"/execute(?:/.*)?", not_found),  # UAPI is served on the cPanel port only
    *_COMMON,
    (r".*", ui),
)


def create_cpanel_app(
    state: FakeState, *, uapi: UapiRegistry | None = None, api2: Api2Registry | None = None
) -> web.Application:
    modules.load_all()
    return build_app(state, CPANEL, _CPANEL_ROUTES, uapi or DEFAULT_UAPI, api2 or DEFAULT_API2)


def create_whm_app(
    state: FakeState, *, uapi: UapiRegistry | None = None, api2: Api2Registry | None = None
) -> web.Application:
    modules.load_all()
    return build_app(state, WHM, _WHM_ROUTES, uapi or DEFAULT_UAPI, api2 or DEFAULT_API2)
