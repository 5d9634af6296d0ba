"""The recipe contract: what a `recipe:` or `local:` function of the table receives, what it
may raise, and how its outcome becomes the API 2 document (see docs/recipes.md).

A recipe is an async function of `shim/recipes/<module>.py` that answers an API 2 call with
one or several upstream calls; a local function answers with none (static lists, formatting).
Both receive a `RecipeCall`: the API 2 arguments, the account, and — for a recipe — the
methods that reach UAPI and WHM API 1 through the caller's own sender (the proxy's pool,
timeouts and error handling; or the cpapi2 command's). Pure like the rest of `translation`:
the sender is injected, nothing here opens a socket.

Outcomes:
  * rows returned                    → `{"data": rows, "event": {"result": 1}}`, after API 2's
    own api2_columns / filter / sort / paginate arguments (translation/api2meta);
  * `Answer(rows, backend, metadata)` → the same, where the upstream already did part of that
    work (api2meta.Backend) and API 2 reported `metadata` beside `data`;
  * `Api2Failure(error, data)` raised → the same plus `"error"` (the function set its error
    and returned `data`, [] unless given: API 2's usual failure);
  * `Api2Died(reason)` raised        → `event.result` 0 with the reason and no `data` (the
    function died);
  * `NoRoute(why)` raised             → cPanel's answer for a function it does not have (the
    route this answer needs is not reachable from here, e.g. WHM API 1 on the cPanel port);
  * `NativeOnly(why)` raised          → this input needs cPanel's own API 2 (data the shim does
    not hold): passed through while the upstream still serves API 2, else as NoRoute.
Upstream transport failures (`UpstreamError`, `UpstreamAnswerError`) are not caught here:
the caller answers them as for any translated call, and no write is ever retried.
"""

from __future__ import annotations

import re
from typing import Any, Awaitable, Callable, Iterable, Mapping

from shim.translation import api2meta, envelopes
from shim.translation.api2meta import Backend
from shim.translation.recognise import LegacyCall, UploadedFile
from shim.translation.translate import UapiCall, UpstreamAnswerError

RunUapi = Callable[[UapiCall], Awaitable[Any]]  # one UAPI call → its UAPI result
# One WHM API 1 call (function, form, secret argument names) → its document; None: no WHM here.
RunWhm = Callable[[str, list[tuple[str, str]], frozenset[str]], Awaitable[Any]]
# One login check (account, password) → whether cPanel accepts that password for the account.
RunLogin = Callable[[str, str], Awaitable[bool]]
_WHM_FUNCTION = re.compile(r"[a-z][a-z0-9_]*\Z")
Pairs = Mapping[str, Any] | Iterable[tuple[str, Any]]


class Api2Failure(Exception):
    """The function ran and failed: `event.result` 1, `error`, and `data` (default [])."""

    def __init__(self, error: str, data: list[Any] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.data = [] if data is None else data


class Api2Died(Exception):
    """The function died: `event.result` 0 with `reason` and no `data`, as API 2 reports an exception."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NoRoute(Exception):
    """This answer needs a route that is not reachable from here (the text says which)."""


class NativeOnly(NoRoute):
    """This input needs cPanel's own API 2 (e.g. texts in a locale the shim does not hold): the
    call passes through where the upstream still serves API 2; elsewhere it is a NoRoute."""


class Answer:
    """Rows the upstream already filtered, sorted or paginated as API 2's function did in its own
    backend (EmailTrack::search's SQL), and the `metadata` API 2 reported beside them."""

    __slots__ = ("rows", "backend", "metadata")

    def __init__(self, rows: list[Any], backend: Backend = api2meta.NOTHING_DONE,
                 metadata: dict[str, Any] | None = None) -> None:
        self.rows = rows
        self.backend = backend
        self.metadata = metadata


class RecipeCall:
    """One API 2 call as a recipe sees it."""

    __slots__ = ("module", "func", "args", "files", "user", "_run_uapi", "_run_whm", "_run_login")

    def __init__(self, call: LegacyCall, user: str | None, run_uapi: RunUapi | None, run_whm: RunWhm | None,
                 run_login: RunLogin | None = None) -> None:
        self.module = call.module
        self.func = call.func
        self.args: Mapping[str, str] = call.args  # as the client sent them, meta-parameters removed
        # The file parts of a multipart body (cPanel's rule: a part with a filename), bytes as sent.
        self.files: tuple[UploadedFile, ...] = call.files
        self.user = user  # the cPanel account the call acts as (None when not known)
        self._run_uapi = run_uapi
        self._run_whm = run_whm
        self._run_login = run_login

    def arg(self, name: str, default: str = "") -> str:
        return self.args.get(name, default)

    @property
    def has_whm(self) -> bool:
        """True where WHM API 1 can be called (the WHM port, with the caller's WHM credentials)."""
        return self._run_whm is not None

    async def uapi(self, module: str, func: str, args: Pairs = (), *, secret: Iterable[str] = (),
                   json: Mapping[str, Any] | None = None, files: Iterable[UploadedFile] = ()) -> dict[str, Any]:
        """One UAPI call as the account: its whole result (`status`, `data`, `errors`...).

        `json` instead of `args`: structured arguments, sent as a JSON request body (the
        functions cPanel takes only that way, e.g. Personalization::get's list of names).
        `files`: file parts sent with `args` as one multipart/form-data body (the functions
        that read uploads, Fileman::upload_files). Only `/execute` on the cPanel port takes
        them: WHM API 1's uapi_cpanel hands no uploaded file on (cPanel's documentation of
        upload_files says it cannot be called that way), so on the WHM port this is NoRoute."""
        if self._run_uapi is None:
            raise RuntimeError(f"{self.module}::{self.func} is local: it makes no upstream call")
        if json is not None and args:
            raise ValueError("a UAPI call takes a form (args) or a JSON body (json), not both")
        files = tuple(files)
        if files and json is not None:
            raise ValueError("a UAPI call takes files with a form (args), not with a JSON body")
        if files and self.has_whm:
            raise NoRoute(f"{self.module}::{self.func} sends files, which WHM API 1's uapi_cpanel does not take")
        uapi = UapiCall(module, func, _pairs(args), frozenset(secret), json=None if json is None else dict(json),
                        files=files)
        result = await self._run_uapi(uapi)
        if not isinstance(result, dict) or "status" not in result:
            raise UpstreamAnswerError("upstream answered JSON that is not a UAPI result")
        return result

    async def uapi_data(self, module: str, func: str, args: Pairs = (), *, secret: Iterable[str] = (),
                        died: bool = False, json: Mapping[str, Any] | None = None) -> Any:
        """`data` of a UAPI call that succeeded; a failure raises Api2Failure with UAPI's errors
        (Api2Died with `died`: the API 2 function threw where the read failed)."""
        result = await self.uapi(module, func, args, secret=secret, json=json)
        if str(result.get("status")) != "1":
            raise Api2Died(errors_of(result)) if died else Api2Failure(errors_of(result))
        return result.get("data")

    async def whm(self, func: str, args: Pairs = (), *, secret: Iterable[str] = ()) -> dict[str, Any]:
        """One WHM API 1 call (`api.version=1`): its whole document (`data`, `metadata`).

        NativeOnly where WHM API 1 is not reachable (the cPanel port has no root credentials):
        the call passes through while the upstream serves API 2, as it did before the recipe."""
        if not _WHM_FUNCTION.match(func):
            raise ValueError(f"{func!r} is not a WHM API 1 function name")
        if self._run_whm is None:
            raise NativeOnly(f"{self.module}::{self.func} needs WHM API 1 {func}, which only the WHM port reaches")
        document = await self._run_whm(func, _pairs(args), frozenset(secret))
        if not isinstance(document, dict) or not isinstance(document.get("metadata"), dict):
            raise UpstreamAnswerError("upstream answered JSON that is not a WHM API 1 result")
        return document

    async def whm_data(self, func: str, args: Pairs = (), *, secret: Iterable[str] = ()) -> Any:
        """`data` of a WHM API 1 call that succeeded; a failure raises Api2Failure with its reason."""
        document = await self.whm(func, args, secret=secret)
        metadata = document["metadata"]
        if str(metadata.get("result")) != "1":
            raise Api2Failure(str(metadata.get("reason") or f"WHM API 1 {func} failed"))
        return document.get("data")

    async def password_accepted(self, password: str) -> bool:
        """Whether cPanel accepts `password` as the account's own: one read as the account with
        that password (HTTP Basic, on the cPanel service), which writes nothing; a refused
        login is False. The password travels in that request's Authorization header only.

        NativeOnly where no cPanel service is reachable (only the WHM port has one)."""
        if self._run_login is None or not self.user:
            raise NativeOnly(f"{self.module}::{self.func} checks the account's password by a login to the cPanel "
                          "service, which only the WHM port reaches")
        return await self._run_login(self.user, password)


def whm_only(function: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a recipe that needs WHM API 1: `coverage` lists it as answered on the WHM port only."""
    function.whm_only = True  # type: ignore[attr-defined]
    return function


def cpanel_only(function: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a recipe that answers on the cPanel port only (its UAPI call cannot go through
    WHM API 1's uapi_cpanel): `coverage` lists it apart."""
    function.cpanel_only = True  # type: ignore[attr-defined]
    return function


def errors_of(result: Any) -> str:
    """UAPI's errors as API 2 joined them into one text."""
    errors = result.get("errors") if isinstance(result, dict) else None
    if not errors:
        return ""
    return "\n".join(str(e) for e in errors) if isinstance(errors, list) else str(errors)


def _pairs(args: Pairs) -> list[tuple[str, str]]:
    items = args.items() if isinstance(args, Mapping) else args
    return [(str(k), _text(v)) for k, v in items if v is not None]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


async def run_recipe(function: Callable[..., Any], kind: str, call: LegacyCall, user: str | None,
                     run_uapi: RunUapi | None, run_whm: RunWhm | None,
                     run_login: RunLogin | None = None) -> dict[str, Any]:
    """The API 2 document of one recipe (or local function) run; NoRoute propagates."""
    module, func = call.module, call.func
    local = kind == "local"
    recipe_call = RecipeCall(call, user, None if local else run_uapi, None if local else run_whm,
                             None if local else run_login)
    try:
        rows = function(recipe_call) if local else await function(recipe_call)
    except Api2Failure as failure:
        # API 2 reshaped a failing function's rows too (only a function that died had none).
        data, extra = api2meta.reshape(failure.data, call.args)
        return envelopes.success(module, func, data, error=failure.error, **extra)
    except Api2Died as died:
        return envelopes.function_died(module, func, died.reason)
    answer = rows if isinstance(rows, Answer) else Answer(rows)
    if not isinstance(answer.rows, list):
        raise TypeError(f"{module}::{func}: a recipe returns the API 2 data rows as a list, "
                        f"not {type(answer.rows).__name__}")
    data, extra = api2meta.reshape(answer.rows, call.args, answer.backend)
    if answer.metadata is not None:
        extra["metadata"] = answer.metadata
    return envelopes.success(module, func, data, **extra)
