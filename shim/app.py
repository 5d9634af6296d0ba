"""The aiohttp application for one proxied service (WHM or cPanel)."""

from __future__ import annotations

import asyncio
import base64
import contextvars
import logging
import random
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, AsyncIterator, Mapping

import orjson
from aiohttp import web

from shim import shadow
from shim.config import Config, ServiceConfig
from shim.inbound.credentials import account_of
from shim.inbound.guard import API_BODY, API_PATH, TOO_LARGE_REASON, TOO_SLOW_REASON, Gate, guard_for
from shim.observability import observe, redact
from shim.translation import envelopes, rollout, xmlform
from shim.translation.api2_functions import API2_FUNCTIONS
from shim.translation.mapping import UNANSWERABLE, Entry, MappingTable, load_table
from shim.translation.recognise import (
    LegacyCall,
    merge_params,
    multipart_files,
    parse_form,
    recognise,
    with_whm_account,
)
from shim.translation.plaincopy import RawUapiResult, decode_uapi, decode_whm
from shim.translation.rollout import CANARY_PASSTHROUGH, CANARY_TRANSLATE, ShadowSettings
from shim.translation.runner import EarlyAnswer, run_translated
from shim.translation.translate import (
    UapiCall,
    UpstreamAnswerError,
    unwrap_whm,
    whm_form,
    whm_json,
)
from shim.upstream.passthrough import (
    PASSTHROUGH_ERRORS,
    BodyTooLarge,
    Tap,
    UploadTooSlow,
    fetch_again,
    forward,
    forwarded_headers,
    upstream_headers,
)
from shim.upstream.pool import UpstreamPool
from shim.upstream.services import UpstreamError, call_json, error_kind, make_pool

log = logging.getLogger("api2shim")

_JSON = "application/json"
# cpsrvd sends its access-denied document as text/plain.
_ACCESS_DENIED_TYPE = 'text/plain; charset="utf-8"'
_STATUS_FOR_KIND = {"timeout": 504}
_GATEWAY_PHRASE = {502: "Bad Gateway", 504: "Gateway Timeout"}


@dataclass
class TableHolder:
    """The live mapping table; replaced whole on reload, so a request keeps the one it read."""

    table: MappingTable


@dataclass
class ServiceState:
    config: Config
    service: ServiceConfig
    tables: TableHolder
    pool: UpstreamPool | None = None  # pass-through
    # Translated calls have connections of their own: slow pass-through uploads, which hold
    # a connection for as long as the client takes, can never leave them waiting.
    translated_pool: UpstreamPool | None = None
    # WHM only: the cPanel service, where a recipe checks an account's password by a login.
    login_pool: UpstreamPool | None = None
    shadow: ShadowSettings = ShadowSettings()
    shadow_tasks: set[asyncio.Task[None]] = field(default_factory=set)  # running comparisons (shadow.py)


STATE = web.AppKey("api2shim_state", ServiceState)


def create_app(
    config: Config, service: str, tables: TableHolder | None = None, runtime: observe.Runtime | None = None,
    *, gate: Gate | None = None
) -> web.Application:
    """The proxy application for `service` ("whm" or "cpanel").

    `tables` may be shared between services so that one reload swaps both; so may `gate`,
    so that the concurrency cap counts the whole process, and `runtime` (metrics, usage,
    lifecycle), so that the admin listener sees every listener.
    """
    service_config = config.service(service)
    if service_config is None:
        raise ValueError(f"no {service} service in this config")
    if tables is None:
        tables = TableHolder(load_configured_table(config))
    gate = gate or Gate(config.max_concurrent)
    app = web.Application(client_max_size=config.max_api_body)
    state = app[STATE] = ServiceState(config=config, service=service_config, tables=tables,
                                      shadow=config.extra.get("shadow") or ShadowSettings())
    runtime = app[observe.RUNTIME] = runtime or observe.Runtime()
    runtime.shadow.keep(state.shadow.keep_mismatches)
    app[observe.LISTENER] = service
    # The guard and observation as one aiohttp middleware (observe outermost: the guard's
    # refusals are logged too). A middleware rather than code in the route's handler: it also
    # sees the targets the router cannot route (CONNECT's authority-form, absolute-form
    # without a path), which the guard refuses.
    app.middlewares.append(observe.observed(guard_for(config, service_config, gate), runtime, service))
    resource = AnyTarget()
    app.router.register_resource(resource)
    resource.add_route("*", partial(handle, state))
    app.on_response_prepare.append(observe.tag_response)
    app.cleanup_ctx.append(_upstream_session)
    return app


class AnyTarget(web.PlainResource):
    """Matches every path without a regular expression (a `/{tail:.*}` route's match costs
    ~1.5 µs a request), and targets such as `*` that have no leading slash.

    aiohttp dependence (re-check on upgrade): a Resource's `_match(path)` says whether it
    matches and with which match_info (here: always, none); the router indexes a resource
    by its canonical path and looks "/" up last for any non-empty path.
    """

    def __init__(self) -> None:
        super().__init__("/")

    def _match(self, path: str) -> dict[str, str] | None:
        return {}

    def raw_match(self, path: str) -> bool:
        return True


def load_configured_table(config: Config, *, strict: bool = False) -> MappingTable:
    """The table with the config's `functions:` modes; `strict` (check, reload) also refuses
    one smaller than the shipped table unless `partial_mappings: true` says it is meant."""
    table = load_table(
        list(config.mappings) or None,
        default_mode=config.default_mode,
        upstream_version=config.upstream_version,
        upstream_api2=config.upstream_api2,
    )
    if strict:
        rollout.refuse_smaller_table(table, config.mappings, config.partial_mappings,
                                     config.origins.get("mappings", ""))
    overrides = config.extra.get("functions")
    if overrides:
        table = rollout.apply(table, overrides, API2_FUNCTIONS,
                              native_api2=config.upstream_api2 != "absent")
    return table


async def _upstream_session(app: web.Application) -> AsyncIterator[None]:
    state = app[STATE]
    state.pool = make_pool(state.config, state.service)
    state.translated_pool = make_pool(state.config, state.service, like=state.pool)
    if state.service.name == "whm":
        cpanel = cpanel_service_of(state.config, state.service)
        same_tls = cpanel.upstream.scheme == state.service.upstream.scheme
        state.login_pool = make_pool(state.config, cpanel, like=state.pool if same_tls else None)
    yield
    for task in list(state.shadow_tasks):  # comparisons still running answer nobody
        task.cancel()
    await asyncio.gather(*state.shadow_tasks, return_exceptions=True)
    await state.pool.close()
    await state.translated_pool.close()
    if state.login_pool is not None:
        await state.login_pool.close()


# cpsrvd serves cPanel beside WHM on the same host: 2083 with TLS (beside 2087), 2082 without.
_CPANEL_PORTS = {"https": 2083, "http": 2082}


def cpanel_service_of(config: Config, whm: ServiceConfig) -> ServiceConfig:
    """The cPanel service a WHM listener reaches: the configured `cpanel.upstream`, else
    cPanel's own port on the host of the WHM upstream."""
    cpanel = config.service("cpanel")
    if cpanel is not None:
        return cpanel
    return replace(whm, name="cpanel", upstream=whm.upstream.with_port(_CPANEL_PORTS[whm.upstream.scheme]))


async def handle(state: ServiceState, request: web.Request) -> web.StreamResponse:
    # The guard split the path already (it caps API 2 bodies differently).
    api_path = request[API_PATH]
    if api_path is None:
        return await _pass_through(request, state)
    body = request[API_BODY]  # read by the guard, within the API 2 caps
    content_type = request.headers.get("Content-Type", "")
    # rel_url: the same decoded query as request.url without building an absolute URL.
    params = merge_params(list(request.rel_url.query.items()), parse_form(body, content_type))
    call = recognise(params, api_path.cpsess)
    if call is None:
        return await _pass_through(request, state, body)
    files = multipart_files(body, content_type)
    if files:  # a recipe that uploads (Fileman::uploadfiles) sends the file parts on as they came
        call = call._replace(files=files)
    table = state.tables.table
    entry = table.lookup(call.module, call.func)
    # The config's `functions:` rules, when there are any, win over the table's own modes.
    route = table.route(call.module, call.func, entry) if table.routes else None
    if route is None:
        mode = table.mode_for(entry)
    else:
        mode = route.mode
        if mode == "canary":  # chosen per call
            mode = CANARY_TRANSLATE if random.random() * 100 < route.percent else CANARY_PASSTHROUGH
    logged = call.args
    if call.files:  # a file's contents are never written down, whatever its part is named
        logged = {**logged, **{upload.field: redact.MASK for upload in call.files if upload.field in logged}}
    observe.note_call(request, call.module, call.func, mode, entry is not None, logged, table)
    if mode == "reject":
        return _answer(request, envelopes.function_not_found(call.module, call.func))
    if mode == UNANSWERABLE:
        # No native API 2 upstream and no route of the shim's: what cPanel answers for a
        # function it does not have, not a pass-through that fails in some other shape.
        observe.note_outcome(request, "unanswerable")
        return _answer(request, envelopes.function_not_found(call.module, call.func))
    if mode == "passthrough" or mode == CANARY_PASSTHROUGH:
        return await _pass_through(request, state, body, call)
    assert entry is not None
    if mode == "shadow":
        return await _shadow(request, state, body, call, entry)
    if call.dropped:
        # Names only (cut short): a value could be anything, a secret included.
        log.warning("API 2 %s::%s: dropped client arguments named like the shim's own upstream keys: %s",
                    call.module[:64], call.func[:64], ", ".join(repr(redact.shown_name(name)) for name in call.dropped[:8]))
    return await _translate(request, state, entry, call)


async def _pass_through(
    request: web.Request, state: ServiceState, body: bytes | None = None, call: LegacyCall | None = None,
    tap: Tap | None = None,
) -> web.StreamResponse:
    assert state.pool is not None
    try:
        return await forward(request, state.pool, state.service, body, max_body=state.config.max_passthrough_body,
                             idle_timeout=state.config.body_idle_timeout,
                             tap=tap)
    except BodyTooLarge:
        log.warning("pass-through to %s refused: body over limits.max_passthrough_body", state.service.name)
        return web.Response(status=413, text=f"413 {TOO_LARGE_REASON}\n", headers={"Connection": "close"})
    except UploadTooSlow:
        log.warning("pass-through to %s cut off: the upload paused past timeouts.body_idle", state.service.name)
        return web.Response(status=408, text=f"408 {TOO_SLOW_REASON}\n", headers={"Connection": "close"})
    except PASSTHROUGH_ERRORS as exc:
        log.warning("pass-through to %s failed: %s", state.service.name, type(exc).__name__)
        kind = error_kind(exc)
        observe.note_error(request, kind)
        status, reason = (504, "upstream did not answer in time") if kind == "timeout" else (502, "upstream is unavailable")
        if call is not None:
            return _answer(request, envelopes.call_failed(call.module, call.func, reason), status=status)
        return web.Response(status=status, text=f"{status} {_GATEWAY_PHRASE[status]}: {reason}\n")


async def _shadow(
    request: web.Request, state: ServiceState, body: bytes, call: LegacyCall, entry: Entry
) -> web.StreamResponse:
    """Native API 2 answers the client, exactly as in pass-through; the translation of the
    same call is made afterwards in the background and compared (shim/shadow.py)."""
    runtime = request.app[observe.RUNTIME]
    ledger = runtime.shadow
    # The XML form is not compared (the documents compared are JSON); it is answered natively.
    if ledger.in_flight >= state.shadow.max_concurrent or request[API_PATH].xml:  # type: ignore[union-attr]
        ledger.count(entry.name, "skipped")
        runtime.metrics.count_shadow(entry.name, "skipped")
        return await _pass_through(request, state, body, call)
    tap = Tap(state.config.max_upstream_answer)
    response = await _pass_through(request, state, body, call, tap)
    if tap.body is None:  # no complete 200 answer to compare with
        ledger.count(entry.name, "skipped")
        runtime.metrics.count_shadow(entry.name, "skipped")
        return response
    forwarded = forwarded_headers(request)  # the client's request id goes upstream with the shadow too
    whm, account_call, user = _account(request, state, call)

    async def translated() -> Any:
        async def run_uapi(uapi: UapiCall) -> Any:
            return await _call_uapi(request, state, whm, account_call, uapi, entry.timeout, forwarded)

        try:
            return (await run_translated(entry, account_call, user, run_uapi)).document
        except EarlyAnswer as early:
            return early.answer.body  # an access-denied or invalid-user document, as bytes

    native_again = None
    if state.shadow.noise_check:
        pool, limit = state.pool, state.config.max_upstream_answer
        assert pool is not None
        method, raw_path, headers = request.method, request.raw_path, upstream_headers(request, forwarded)

        async def native_again() -> bytes | None:
            return await fetch_again(method, raw_path, headers, body, pool, limit)

    ledger.in_flight += 1  # given back by shadow.compare, whatever happens
    task = asyncio.create_task(
        shadow.compare(ledger, runtime, state.shadow, entry, forwarded[observe.REQUEST_ID_HEADER], tap.body,
                       translated, native_again),
        context=contextvars.Context(),  # not part of the client's request: its access line is written already
    )
    state.shadow_tasks.add(task)
    task.add_done_callback(state.shadow_tasks.discard)
    return response


def _account(request: web.Request, state: ServiceState, call: LegacyCall) -> tuple[bool, LegacyCall, str | None]:
    """(WHM port?, the call with its account settled, the account)."""
    whm = state.service.name == "whm"
    if whm:
        # Without an account WHM still answers (access denied or invalid user): ask it.
        call = with_whm_account(call)
        return whm, call, call.user
    # On the cPanel port the account is whoever the credentials name.
    return whm, call, account_of(request.headers.get("Authorization", ""))


async def _translate(request: web.Request, state: ServiceState, entry: Entry, call: LegacyCall) -> web.Response:
    module, func = call.module, call.func
    client_call = call
    whm, call, user = _account(request, state, call)

    async def run_uapi(uapi: UapiCall) -> Any:
        return await _call_uapi(request, state, whm, call, uapi, entry.timeout)

    async def run_whm(func: str, form: list[tuple[str, str]], secret: frozenset[str]) -> Any:
        return await _call_whm(request, state, call, func, form, entry.timeout)

    async def run_login(account: str, password: str) -> bool:
        return await _check_login(request, state, account, password, entry.timeout)

    try:
        answer = await run_translated(entry, call, user, run_uapi, run_whm if whm else None,
                                      run_login if whm else None)
        if answer.native_only and state.config.upstream_api2 != "absent":
            # Only cPanel's own API 2 answers this input, and the upstream still serves it.
            return await _pass_through(request, state, request[API_BODY], client_call)
        if not answer.input_accepted:
            observe.note_outcome(request, "invalid")
        elif answer.unanswerable:
            observe.note_outcome(request, "unanswerable")
        return _answer(request, answer.document)
    except EarlyAnswer as early:
        return early.answer
    except UpstreamError as exc:
        log.warning("translated %s failed upstream: %s", entry.name, exc.kind)
        observe.note_error(request, exc.kind)
        status = _STATUS_FOR_KIND.get(exc.kind, 502)
        return _answer(request, envelopes.call_failed(module, func, str(exc)), status=status)
    except UpstreamAnswerError as exc:
        log.warning("translated %s: %s", entry.name, exc)
        observe.note_error(request, "answer")
        return _answer(request, envelopes.call_failed(module, func, str(exc)), status=502)


async def _call_uapi(
    request: web.Request, state: ServiceState, whm: bool, call: LegacyCall, uapi: UapiCall, timeout: float | None,
    forwarded: dict[str, str] | None = None,
) -> Any:
    """One UAPI call upstream and its UAPI result; EarlyAnswer carries the answer to give instead."""
    form: list[tuple[str, str]] | Mapping[str, Any]
    if whm:
        # RecipeCall refuses files on the WHM port: uapi_cpanel hands no upload on.
        assert not uapi.files, "files go to /execute on the cPanel port only"
        path = f"{call.cpsess}/json-api/uapi_cpanel"
        form = whm_form(uapi, call.user or "") if uapi.json is None else whm_json(uapi, call.user or "")
    else:
        path = f"{call.cpsess}/execute/{uapi.module}/{uapi.func}"
        form = uapi.args if uapi.json is None else uapi.json
    assert state.translated_pool is not None
    answer = await call_json(
        state.translated_pool,
        path,
        form,
        request.headers,
        forwarded or forwarded_headers(request),
        max_answer=state.config.max_upstream_answer,
        timeout=timeout,
        # An answer copied as it is: its `data` stays bytes (translation/plaincopy).
        decode=(decode_whm if whm else decode_uapi) if uapi.copies_data else orjson.loads,
        files=uapi.files,
    )
    if answer.status in (401, 403):
        raise EarlyAnswer(_answer(request, envelopes.access_denied(), status=403, content_type=_ACCESS_DENIED_TYPE))
    result: Any = answer.document
    if whm and not isinstance(result, RawUapiResult):
        result, whm_failure = unwrap_whm(result)
        if whm_failure is not None:
            observe.note_outcome(request, "invalid")
            if call.user == "root":
                whm_failure = envelopes.NOT_A_CPANEL_ACCOUNT.format(user=call.user)
            raise EarlyAnswer(_answer(request, envelopes.invalid_user(whm_failure, wrapped=call.apiversion == "2")))
    return result


async def _call_whm(
    request: web.Request, state: ServiceState, call: LegacyCall, func: str, form: list[tuple[str, str]],
    timeout: float | None,
) -> Any:
    """One WHM API 1 call of a recipe, with the client's WHM credentials; its document."""
    assert state.translated_pool is not None
    answer = await call_json(
        state.translated_pool,
        f"{call.cpsess}/json-api/{func}",
        [("api.version", "1"), *form],
        request.headers,
        forwarded_headers(request),
        max_answer=state.config.max_upstream_answer,
        timeout=timeout,
    )
    if answer.status in (401, 403):
        raise EarlyAnswer(_answer(request, envelopes.access_denied(), status=403, content_type=_ACCESS_DENIED_TYPE))
    return answer.document


# The cheapest read a login can make: whatever it answers, cpsrvd checked the password first.
_LOGIN_READ = "/execute/Variables/get_user_information"


async def _check_login(request: web.Request, state: ServiceState, account: str, password: str,
                       timeout: float | None) -> bool:
    """Whether cPanel accepts `password` for `account`: one UAPI read as the account with it
    (HTTP Basic) on the cPanel service. 401/403 is a refused login; a UAPI answer an accepted one.
    The password goes only into that request's Authorization header, which nothing logs."""
    assert state.login_pool is not None
    basic = base64.b64encode(f"{account}:{password}".encode()).decode("ascii")
    answer = await call_json(
        state.login_pool,
        _LOGIN_READ,
        [("name", "user")],
        {"Authorization": f"Basic {basic}"},
        forwarded_headers(request),
        max_answer=state.config.max_upstream_answer,
        timeout=timeout,
    )
    if answer.status in (401, 403):
        return False
    if not isinstance(answer.document, dict) or "status" not in answer.document:
        raise UpstreamAnswerError("the cPanel service answered a login with JSON that is not a UAPI result")
    return True


def _answer(request: web.Request, document: Any, *, status: int = 200, content_type: str = _JSON) -> web.Response:
    """A document the shim answers itself, written as the endpoint the client called writes
    it: JSON on /json-api/cpanel, cPanel's XML form on /xml-api/cpanel (docs/xml.md)."""
    if request[API_PATH].xml:  # type: ignore[union-attr]  # documents answer API 2 paths only
        # A plain copy's document is JSON bytes already (translation/plaincopy).
        body = xmlform.render(orjson.loads(document) if type(document) is bytes else document)
        content_type = xmlform.CONTENT_TYPE
    else:
        body = document if type(document) is bytes else orjson.dumps(document)
    response = web.Response(body=body, status=status)
    response.headers["Content-Type"] = content_type
    return response
