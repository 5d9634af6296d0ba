"""Running one translated API 2 call: the optional read, the single UAPI call, the answer.

The order lives here once — a `lookup` read first, then exactly one UAPI call, never
retried, then the `cpanelresult` — and every way of reaching UAPI uses it: the proxy
(over HTTP to WHM or cPanel) and the cpapi2 command (a local `uapi` or WHM over HTTP).
Each caller supplies only how one UAPI call is made; a caller that must end the call
early with its own answer (access denied, invalid account) raises `EarlyAnswer`.
"""

from __future__ import annotations

import logging
from typing import Any, NamedTuple

from shim.translation import envelopes, plaincopy
from shim.translation.arguments import TransformError
from shim.translation.mapping import Entry
from shim.translation.recipe import NativeOnly, NoRoute, RunLogin, RunUapi, RunWhm, run_recipe
from shim.translation.recognise import LegacyCall
from shim.translation.translate import (
    UapiCall,
    build_uapi_call,
    lookup_call,
    lookup_failure,
    lookup_value,
    rejected_input,
    to_cpanelresult,
    with_arg,
)

log = logging.getLogger("api2shim")



class EarlyAnswer(Exception):
    """Raised by a RunUapi to end the call with `answer`, which the caller then gives."""

    def __init__(self, answer: Any) -> None:
        super().__init__("early answer")
        self.answer = answer


class TranslatedAnswer(NamedTuple):  # built per call: a tuple, cheaper than a frozen dataclass
    document: dict[str, Any] | bytes  # bytes: already JSON (a plain copy, translation/plaincopy)
    input_accepted: bool  # False: an argument could not be converted, nothing was called
    unanswerable: bool = False  # True: no route reaches an answer from here (cPanel's unknown-function document)
    native_only: bool = False  # with unanswerable: native API 2 would answer this input (pass it through if served)


# A local answer needs no upstream, but cpsrvd would still have checked who asks: this one
# read, as the account, proves the credentials (403) and the WHM account (invalid user).
CREDENTIAL_CHECK = UapiCall("Variables", "get_user_information", [], frozenset())


async def run_translated(entry: Entry, call: LegacyCall, user: str | None, run_uapi: RunUapi,
                         run_whm: RunWhm | None = None, run_login: RunLogin | None = None) -> TranslatedAnswer:
    """`run_whm` makes one WHM API 1 call where the caller can (the WHM port); None elsewhere.
    `run_login` checks an account's password by a login to the cPanel service (the WHM port)."""
    module, func = call.module, call.func
    if entry.recipe is not None:
        if entry.recipe_kind == "local":
            await run_uapi(CREDENTIAL_CHECK)
        try:
            document = await run_recipe(entry.recipe, entry.recipe_kind, call, user, run_uapi, run_whm, run_login)
            return TranslatedAnswer(document, True)
        except NoRoute as exc:
            log.info("%s: %s", entry.name, exc)
            return TranslatedAnswer(envelopes.function_not_found(module, func), True, unanswerable=True,
                                    native_only=isinstance(exc, NativeOnly))
    try:
        uapi = build_uapi_call(entry, call, user)
    except TransformError as exc:
        if not entry.output.failure_error:
            # The function reported every failure inside its own rows (ZoneEdit's
            # {result: {status: 0, statusmsg}}): clients read them there, so this one too.
            return TranslatedAnswer(to_cpanelresult(module, func, entry, rejected_input(str(exc)), call.args), False)
        return TranslatedAnswer(envelopes.transform_failure(module, func, str(exc)), False)
    if entry.lookup is not None:
        # A UAPI input API 2 never took (SSL key_id, a zone's serial) is found by a first, read-only call.
        listed = await run_uapi(lookup_call(entry.lookup, call.args))
        value = lookup_value(entry.lookup, listed, call.args)
        if value is None:
            failure = lookup_failure(entry.lookup, listed, call.args)
            return TranslatedAnswer(to_cpanelresult(module, func, entry, failure, call.args), True)
        uapi = with_arg(uapi, entry.lookup.target, value)
    result = await run_uapi(uapi)
    if isinstance(result, plaincopy.RawUapiResult):
        _log_uapi_notes(entry, result.messages, result.warnings)
        return TranslatedAnswer(plaincopy.cpanelresult(module, func, entry, result, call.args), True)
    if isinstance(result, dict):
        _log_uapi_notes(entry, result.get("messages"), result.get("warnings"))
    return TranslatedAnswer(to_cpanelresult(module, func, entry, result, call.args), True)


def _log_uapi_notes(entry: Entry, messages: Any, warnings: Any) -> None:
    for kind, notes in (("messages", messages), ("warnings", warnings)):
        if notes:
            log.info("%s %s from UAPI %s::%s: %s", entry.name, kind, entry.uapi_module, entry.uapi_func, notes)
