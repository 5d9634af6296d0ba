"""Translation as pure functions: legacy call → UAPI call, UAPI result → `cpanelresult`.

Nothing here touches sockets, so every rule of the mapping table is testable directly.
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping, NamedTuple

from shim.translation import envelopes
from shim.translation.arguments import CallContext, TransformError
from shim.translation.mapping import (
    ACCOUNT_PLACEHOLDER,
    Entry,
    JsonArg,
    LookupRule,
    OutputRule,
    ValueRule,
)
from shim.translation.recognise import LegacyCall, UploadedFile, shim_owned
from shim.translation.reshape import field_at, filled, placeholder, text_of

# API 2 paging, filtering, sorting and column selection have UAPI twins under `api.`.
_API2_META_PREFIX = "api2_"
_UAPI_META_PREFIX = "api."
# The one api.* key WHM's uapi_cpanel form sets itself (whm_form): no api2_ twin may become it.
_WHM_OWN_META = "api.version"


class UpstreamAnswerError(Exception):
    """Upstream answered something that is not a UAPI result; the text is safe to show."""


class UapiCall(NamedTuple):  # built per call: a tuple, cheaper than a frozen dataclass
    module: str
    func: str
    args: list[tuple[str, str]]
    secret_args: frozenset[str]  # UAPI argument names whose values must never be logged
    # The answer's `data` goes to the client as it is: it may be read as bytes (plaincopy.decode).
    copies_data: bool = False
    # Structured arguments (lists, objects) for the functions cPanel only takes as a JSON request
    # body (`requires_json`, e.g. Personalization::get/set); when set, `args` is empty and the
    # call is sent as JSON (whm_json on the WHM port) instead of a form.
    json: Mapping[str, Any] | None = None
    # Files for the functions that take them only as multipart parts (Fileman::upload_files):
    # when set, `args` and the files go as one multipart/form-data body, on the cPanel port only.
    files: tuple[UploadedFile, ...] = ()


def build_uapi_call(entry: Entry, call: LegacyCall, user: str | None) -> UapiCall:
    """Apply an entry's argument rules; raises TransformError for values it cannot convert."""
    ctx = CallContext(user=user)
    out: dict[str, str] = {k: _account_in(v, user) for k, v in entry.defaults.items()}
    for name, value in call.args.items():
        if shim_owned(name):
            continue  # recognise() drops these; a call built elsewhere (cpapi2) must not carry them either
        rule = entry.args.get(name)
        if rule is not None:
            if rule.values is not None:
                mapped = rule.values.get(value, value)
                if mapped is None:
                    continue
                value = mapped
            if rule.transform is not None:
                try:
                    value = rule.transform(value, ctx)
                except TransformError:
                    if not rule.secret:
                        raise
                    # Transform messages quote the value; a secret's must not travel back in error text.
                    raise TransformError(f"the value of '{name}' cannot be converted") from None
            out[rule.target] = value
        elif name in entry.drop:
            continue
        elif name.startswith(_API2_META_PREFIX):
            meta = _UAPI_META_PREFIX + name[len(_API2_META_PREFIX):]
            if meta.strip().lower() != _WHM_OWN_META:
                out[meta] = value
        elif entry.extra_args:
            out[name] = value
    out.update((k, _account_in(v, user)) for k, v in entry.constants.items())
    for json_arg in entry.json_args:
        out[json_arg.target] = json_value(json_arg, call.args, ctx)
    return UapiCall(
        entry.uapi_module, entry.uapi_func, list(out.items()), entry.secret_targets, entry.output.copies_data
    )


def _account_in(value: str, user: str | None) -> str:
    """`{account}` in a default or constant: inputs UAPI requires that API 2 took implicitly."""
    return value.replace(ACCOUNT_PLACEHOLDER, user or "") if ACCOUNT_PLACEHOLDER in value else value


def json_value(rule: JsonArg, args: Mapping[str, str], ctx: CallContext) -> str:
    """The JSON text of a `json_args` entry; TransformError when it cannot be built."""
    template = rule.template
    if rule.choose is not None:
        template = rule.cases.get(args.get(rule.choose, ""))
        if template is None:
            raise TransformError(_fill(rule.missing, args))
        if rule.extra:
            template = {**template, **rule.extra}
    return json.dumps(_json_filled(template, args, ctx), ensure_ascii=False, separators=(",", ":"))


def _json_filled(node: Any, args: Mapping[str, str], ctx: CallContext) -> Any:
    if isinstance(node, ValueRule):
        value = next((args[name] for name in node.names if args.get(name, "") != ""), node.default)
        if value is None:
            raise TransformError(f"The “{node.names[0]}” parameter is required.")
        if node.transform is not None:
            value = node.transform(value, ctx)
        if node.type == "integer":
            try:
                return int(value)
            except ValueError:
                raise TransformError(f"“{node.names[0]}” must be a whole number, not “{value}”.") from None
        return value
    if isinstance(node, dict):
        return {k: _json_filled(v, args, ctx) for k, v in node.items()}
    if isinstance(node, list):
        return [_json_filled(v, args, ctx) for v in node]
    return _fill(node, args) if isinstance(node, str) else node


def lookup_call(lookup: LookupRule, args: Mapping[str, str] | None = None) -> UapiCall:
    read = [(target, (args or {}).get(name, "")) for target, name in lookup.args.items()]
    return UapiCall(lookup.uapi_module, lookup.uapi_func, read, frozenset())


def lookup_value(lookup: LookupRule, result: Any, args: Mapping[str, str]) -> str | None:
    """The `take` value of the first record matching the call's arguments and the fixed
    `where` values, converted when the rule says so; None when no record matches."""
    if not isinstance(result, dict) or str(result.get("status")) != "1":
        return None
    records = result.get("data")
    for record in records if isinstance(records, list) else []:
        if not isinstance(record, dict):
            continue
        value = field_at(record, lookup.take)
        if value is not None and all(
            str(record.get(field, "")) == args.get(arg, "") for field, arg in lookup.match.items()
        ) and all(str(record.get(field, "")) == want for field, want in lookup.where.items()):
            return str(lookup.convert(value) if lookup.convert else value)
    return None


def lookup_failure(lookup: LookupRule, result: Any, args: Mapping[str, str]) -> dict[str, Any]:
    """The UAPI-shaped failure to answer when the lookup found nothing: its own error, or `missing`."""
    if isinstance(result, dict) and str(result.get("status")) != "1":
        return result
    return rejected_input(_fill(lookup.missing, args))


def rejected_input(reason: str) -> dict[str, Any]:
    """A UAPI-shaped failure for an argument the shim could not convert (nothing was sent)."""
    return {"status": 0, "errors": [reason], "messages": None, "data": None}


def with_arg(call: UapiCall, name: str, value: str) -> UapiCall:
    args = [(k, v) for k, v in call.args if k != name] + [(name, value)]
    return call._replace(args=args)


def whm_form(call: UapiCall, user: str) -> list[tuple[str, str]]:
    """The form WHM API 1 `uapi_cpanel` takes to run a UAPI call as `user`."""
    return [
        ("api.version", "1"),
        ("cpanel.user", user),
        ("cpanel.module", call.module),
        ("cpanel.function", call.func),
        *call.args,
    ]


def whm_json(call: UapiCall, user: str) -> dict[str, Any]:
    """The JSON body WHM API 1 `uapi_cpanel` takes for a UAPI call with structured arguments:
    WHM reads a JSON body's keys as its arguments and hands the rest on to UAPI as they are."""
    assert call.json is not None
    return {"api.version": 1, "cpanel.user": user, "cpanel.module": call.module, "cpanel.function": call.func,
            **call.json}


def unwrap_whm(document: Any) -> tuple[dict[str, Any] | None, str | None]:
    """Split a `uapi_cpanel` answer into (UAPI result, WHM-level failure reason)."""
    if not isinstance(document, dict) or not isinstance(document.get("metadata"), dict):
        raise UpstreamAnswerError("upstream answered JSON that is not a WHM API 1 result")
    metadata = document["metadata"]
    if str(metadata.get("result")) != "1":
        return None, str(metadata.get("reason") or envelopes.INVALID_USER_REASON)
    data = document.get("data")
    uapi = data.get("uapi") if isinstance(data, dict) else None
    if not isinstance(uapi, dict):
        raise UpstreamAnswerError("upstream's WHM API 1 result carries no UAPI result")
    return uapi, None


def to_cpanelresult(
    module: str, func: str, entry: Entry, result: Any, args: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The API 2 document for a UAPI result, shaped by the entry's output rule.

    `args` are the API 2 arguments as the client sent them, for `{arg.NAME}` in rows.
    """
    if not isinstance(result, dict) or "status" not in result:
        raise UpstreamAnswerError("upstream answered JSON that is not a UAPI result")
    rule = entry.output
    if str(result["status"]) == "1":
        data = _shape(rule, result.get("data"), result, args)
        return envelopes.success(module, func, data, **paging(result.get("metadata")))
    errors = _joined(result.get("errors"))
    if rule.on_failure == "died":
        # The API 2 function threw: cPanel reports event.result 0 with the reason, no data.
        return envelopes.function_died(module, func, errors)
    rows = [
        _omit_empty(rule, _fill(row, args, errors=errors, messages=_joined(result.get("messages"))))
        for row in rule.failure
    ]
    if not rule.failure_error:
        # API 2 caught the failure into its own rows (ZoneEdit's {result: {status: 0}}).
        return envelopes.success(module, func, rows)
    return envelopes.function_failure(module, func, rows, errors)


def _joined(messages: Any) -> str:
    if not messages:
        return ""
    if isinstance(messages, list):
        return "\n".join(str(m) for m in messages)
    return str(messages)


def _fill(row: Any, args: Mapping[str, str] | None, **values: str) -> Any:
    return filled(row, args, [(placeholder(name), value) for name, value in values.items()])


def _omit_empty(rule: OutputRule, row: Any) -> Any:
    if not rule.omit_empty or not isinstance(row, dict):
        return row
    return {k: v for k, v in row.items() if not (k in rule.omit_empty and v == "")}


def _shape(rule: OutputRule, data: Any, result: dict[str, Any], args: Mapping[str, str] | None) -> list[Any]:
    if rule.shape == "status":
        messages = _joined(result.get("messages"))
        return [_omit_empty(rule, _fill(row, args, messages=messages, errors="")) for row in rule.success]
    for step in rule.path:
        data = data.get(step) if isinstance(data, dict) else None
    if rule.shape == "scalar":
        return [{rule.key: data}]
    if data is None:
        return []
    if rule.concat and isinstance(data, dict):
        # UAPI split the records over several lists (Fileman::list_files: dirs, files).
        data = [record for key in rule.concat for record in (data.get(key) or [])]
    if rule.shape == "keys":
        records = _key_records(rule, data)
    elif rule.shape == "flags":
        # A list of names becomes one record with each name set to 1.
        records = [{str(name): 1 for name in data}] if isinstance(data, list) else [data]
    else:
        records = data if isinstance(data, list) else [data]
    if not rule.reshapes_records:
        return records
    reshape = rule.reshape
    assert reshape is not None
    records = [reshape(record, args) for record in records]
    if rule.filter:
        records = [record for record in records if _passes(rule.filter, record, args or {})]
    if rule.wrap is not None:
        key, constants = rule.wrap
        return [{**constants, key: records}]
    return records


# API 2's own record filters took several values joined by | or , (ZoneEdit's KEYMAP).
_FILTER_SEPARATORS = re.compile(r"[|,]")


def _passes(filters: Mapping[str, str], record: Any, args: Mapping[str, str]) -> bool:
    """A record passes when, for every filter argument the client gave, its key holds one
    of the argument's values (compared as text, as Perl compared them)."""
    if not isinstance(record, dict):
        return True
    for key, arg in filters.items():
        if arg in args:
            value = record.get(key)
            if value is None or text_of(value) not in _FILTER_SEPARATORS.split(args[arg]):
                return False
    return True


def _key_records(rule: OutputRule, data: Any) -> list[Any]:
    """An object keyed by name becomes one record per key (`{key: name[, value: v]}`);
    a list of bare names one record per name."""
    assert rule.key is not None
    if isinstance(data, list):
        return [{rule.key: name} if not isinstance(name, dict) else name for name in data]
    if not isinstance(data, dict):
        return [data]
    if rule.value is None:
        return [{rule.key: name} for name in data]
    return [{rule.key: name, rule.value: value} for name, value in data.items()]


# API 2 put what its generic paging and filtering did at cpanelresult level, beside `data`
# and `event` (cPanel's Cpanel::Api2::Exec merges its status hash into cpanelresult):
# `paginate` {start_result, current_page, total_pages, results_per_page, total_results},
# the same five keys UAPI reports in metadata.paginate, and `records_before_filter` when
# api2_filter was given, which UAPI also reports in metadata.
_META_RESULTS = ("paginate", "records_before_filter")


def paging(metadata: Any) -> dict[str, Any]:
    """UAPI's paging and filtering metadata (a result's `metadata`), where API 2 put it."""
    if not isinstance(metadata, dict):
        return {}
    found = {key: metadata[key] for key in _META_RESULTS if metadata.get(key) is not None}
    if not isinstance(found.get("paginate", {}), dict):
        del found["paginate"]
    return found


__all__ = [
    "TransformError",
    "UapiCall",
    "UpstreamAnswerError",
    "build_uapi_call",
    "to_cpanelresult",
    "unwrap_whm",
    "whm_form",
]
