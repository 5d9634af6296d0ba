"""Plain list copies without Python objects: UAPI's `data` goes into `cpanelresult` as bytes.

An entry whose output is UAPI's records as they are (the `list` shape with no rule on the
records: `OutputRule.copies_data`, 34 of the table's list entries) would otherwise parse a
1,000-record answer into Python objects only to serialise equal objects again (≈1 ms of
CPU for 389 KB). msgspec decodes UAPI's fixed envelope into a typed struct and keeps `data`
as `msgspec.Raw`: its bytes, checked to be well-formed JSON but never turned into objects
(≈0.25 ms for the same answer). The status, errors, messages, warnings and metadata are
decoded, and everything but the copy of a success's `data` is done by the same code as the
parsed path (`translate.to_cpanelresult`). An answer whose envelope is not the usual one
(no `status`, a WHM envelope without a UAPI result, a WHM failure) is parsed whole with
orjson and takes the parsed path, so it gets exactly today's document or error.

The documents equal the parsed path's after parsing, not byte for byte: copied records keep
UAPI's spelling of numbers and escapes (`1.50`, `\\u00e9`) where orjson would re-spell them.
One known difference: a number beyond a double's range (`1e999`) is copied as written where
the parsed path refuses the answer; cpsrvd's JSON encoder does not write such numbers.
"""

from __future__ import annotations

from typing import Any, Mapping

import msgspec
import orjson

from shim.translation import envelopes
from shim.translation.mapping import Entry
from shim.translation.translate import paging, to_cpanelresult

_NULL = msgspec.Raw(b"null")
_OPEN_BRACKET = ord("[")
_NULL_FIRST = ord("n")


class RawUapiResult(msgspec.Struct):
    """A UAPI result with `data` left as the bytes UAPI sent."""

    status: Any
    data: msgspec.Raw = _NULL
    errors: Any = None
    messages: Any = None
    warnings: Any = None
    metadata: Any = None

    def parsed(self) -> dict[str, Any]:
        """The result as orjson would have given it (for the rare answers not copied)."""
        return {
            "status": self.status,
            "data": orjson.loads(memoryview(self.data)),
            "errors": self.errors,
            "messages": self.messages,
            "warnings": self.warnings,
            "metadata": self.metadata,
        }


class _WhmMetadata(msgspec.Struct):
    result: Any = None


class _WhmData(msgspec.Struct):
    uapi: RawUapiResult


class _WhmAnswer(msgspec.Struct):
    """WHM API 1 `uapi_cpanel`'s answer: the UAPI result under data.uapi."""

    metadata: _WhmMetadata
    data: _WhmData | None = None


_UAPI = msgspec.json.Decoder(RawUapiResult)
_WHM = msgspec.json.Decoder(_WhmAnswer)


def decode_uapi(body: bytes) -> Any:
    """A UAPI answer (cPanel's /execute) as a RawUapiResult, or parsed whole when unusual.

    Raises orjson.JSONDecodeError for anything that is not JSON, as orjson.loads does.
    """
    if _is_utf8(body):
        try:
            return _UAPI.decode(body)
        except msgspec.MsgspecError:
            pass
    return orjson.loads(body)


def decode_whm(body: bytes) -> Any:
    """A WHM `uapi_cpanel` answer: its UAPI result as a RawUapiResult when WHM ran the call,
    else the whole document parsed (translate.unwrap_whm then reports WHM's failure)."""
    if _is_utf8(body):
        try:
            answer = _WHM.decode(body)
        except msgspec.MsgspecError:
            answer = None
        if answer is not None and answer.data is not None and str(answer.metadata.result) == "1":
            return answer.data.uapi
    return orjson.loads(body)


def _is_utf8(body: bytes) -> bool:
    # msgspec does not check the UTF-8 of the bytes it skips; orjson refuses invalid UTF-8,
    # and so must the copy. Nearly every answer is ASCII, which is checked at memory speed.
    if body.isascii():
        return True
    try:
        body.decode()
    except UnicodeDecodeError:
        return False
    return True


def cpanelresult(
    module: str, func: str, entry: Entry, result: RawUapiResult, args: Mapping[str, str] | None = None
) -> bytes | dict[str, Any]:
    """The API 2 answer: a success as JSON bytes with UAPI's `data` copied in; anything
    else as the parsed path's document."""
    if str(result.status) != "1":
        return to_cpanelresult(module, func, entry, result.parsed(), args)
    data = result.data
    first = memoryview(data)[0]
    # The list shape's rule: a list as it is, null as no records, anything else as one record.
    if first == _OPEN_BRACKET:
        records: list[bytes | msgspec.Raw] = [data]
    elif first == _NULL_FIRST:
        records = [b"[]"]
    else:
        records = [b"[", data, b"]"]
    return envelopes.success_json(module, func, records, paging(result.metadata))
