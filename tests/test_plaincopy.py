"""Plain list copies (translation/plaincopy) give the parsed path's whole document.

Generated from the shipped table: every entry whose output copies UAPI's `data` as it is
is run through both paths — the bytes-splicing one the proxy takes, and the parsed one
(orjson, translate.to_cpanelresult) it took before — over the same UAPI answers: records,
null, missing, object, scalar and empty `data`, paging and filtering metadata, failures,
notes, and WHM's `uapi_cpanel` envelope around each. The documents must be equal after
parsing; an answer either path refuses must be refused by both with the same error.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
import pytest

from shim.translation.mapping import load_table
from shim.translation.plaincopy import RawUapiResult, decode_uapi, decode_whm
from shim.translation.recognise import LegacyCall
from shim.translation.runner import run_translated
from shim.translation.translate import UapiCall, UpstreamAnswerError, to_cpanelresult, unwrap_whm

TABLE = load_table()
PLAIN = sorted(
    (entry for entry in TABLE.entries.values() if entry.mode == "translate" and entry.output.copies_data),
    key=lambda entry: entry.name,
)

RECORDS = [
    {"login": "ftp0001@example.com", "diskused": "1.50", "deleteable": 1, "ratio": 0.5, "big": 12345678901234567},
    {"login": "\u00e9t\u00e9@example.com", "escaped": "tab\tquote\"slash\\", "nested": {"a": [1, None, True]}},
    {"empty": {}, "list": [], "null": None, "false": False, "neg": -3e-5},
]
PAGING = {"paginate": {"start_result": 1, "current_page": 1, "total_pages": 3, "results_per_page": 2,
                       "total_results": 5}, "records_before_filter": 9, "transformed": 1}


def _uapi(data: Any = None, *, status: Any = 1, **more: Any) -> dict[str, Any]:
    return {"status": status, "errors": None, "messages": None, "warnings": None, "metadata": {},
            "data": data, **more}


# Answers as UAPI sends them (bytes), each with the reason it is here.
UAPI_ANSWERS: dict[str, bytes] = {
    "records": orjson.dumps(_uapi(RECORDS)),
    "records as UAPI spells them": b'{"metadata":{},"data":[ {"n": 1.50, "u":"\\u00e9", "e":1E2} ,{"x":[]}],'
                                   b'"status":1,"errors":null,"messages":null}',
    "non-ASCII UTF-8": '{"status":1,"data":[{"name":"\u00e9t\u00e9 \U0001F600"}]}'.encode(),
    "empty list": orjson.dumps(_uapi([])),
    "null data": orjson.dumps(_uapi(None)),
    "no data key": b'{"status":1,"errors":null,"metadata":{}}',
    "object data": orjson.dumps(_uapi({"login": "a", "dir": "/home/a"})),
    "empty object": orjson.dumps(_uapi({})),
    "string data": orjson.dumps(_uapi("text")),
    "number data": orjson.dumps(_uapi(0)),
    "false data": orjson.dumps(_uapi(False)),
    "status as text": orjson.dumps(_uapi(RECORDS[:1], status="1")),
    "paging and filtering": orjson.dumps(_uapi(RECORDS[:2], metadata=PAGING)),
    "paginate not an object": orjson.dumps(_uapi([], metadata={"paginate": "x", "records_before_filter": 0})),
    "metadata not an object": orjson.dumps(_uapi([1], metadata=[1, 2])),
    "messages and warnings": orjson.dumps(_uapi(RECORDS, messages=["done"], warnings=["careful"])),
    "failure with errors": orjson.dumps(_uapi(None, status=0, errors=["You do not have access.", "second"])),
    "failure with data": orjson.dumps(_uapi(RECORDS, status=0, errors=["partial"], messages=["m"])),
    "failure as text": orjson.dumps(_uapi(None, status="0", errors="one string")),
    "failure without errors": orjson.dumps(_uapi(None, status=0)),
    "status true": orjson.dumps(_uapi([], status=True)),
    "duplicate data key": b'{"status":1,"data":[1],"data":[{"a":2}]}',
}
# Answers both paths must refuse alike.
BROKEN_ANSWERS: dict[str, bytes] = {
    "no status": orjson.dumps({"data": RECORDS}),
    "a list": b"[1,2]",
    "not JSON": b"<html>502</html>",
    "truncated": orjson.dumps(_uapi(RECORDS))[:-40],
    "invalid UTF-8 in data": b'{"status":1,"data":["\xff\xfe"]}',
    "lone surrogate": b'{"status":1,"data":["\\ud800"]}',
    "trailing bytes": orjson.dumps(_uapi([])) + b" x",
    "bad escape in data": b'{"status":1,"data":["\\q"]}',
}


def _whm(uapi: bytes) -> bytes:
    return b'{"data":{"uapi":' + uapi + b'},"metadata":{"command":"uapi_cpanel","reason":"OK","result":1,"version":1}}'


WHM_ONLY_ANSWERS: dict[str, bytes] = {
    "WHM failure": b'{"data":null,"metadata":{"result":0,"reason":"User parameter is invalid"}}',
    "WHM failure without reason": b'{"metadata":{"result":"0"}}',
    "WHM success without uapi": b'{"data":{},"metadata":{"result":1}}',
    "WHM data not an object": b'{"data":[1],"metadata":{"result":1}}',
    "WHM metadata not an object": b'{"data":{"uapi":{"status":1,"data":[]}},"metadata":"x"}',
}


def _outcome(fn) -> Any:
    """A path's answer as ("document", parsed JSON) or ("refused", error type and text)."""
    try:
        document = fn()
    except (UpstreamAnswerError, orjson.JSONDecodeError) as exc:
        return ("refused", type(exc).__name__, str(exc).split(":")[0])
    return ("document", orjson.loads(document) if isinstance(document, bytes) else document)


def _parsed_path(entry, body: bytes, whm: bool, args: dict[str, str]) -> Any:
    """The path every translated answer took before plain copies: parse all, shape, dump."""
    def run() -> Any:
        result: Any = orjson.loads(body)
        if whm:
            result, failure = unwrap_whm(result)
            if failure is not None:
                return {"whm failure": failure}
        return orjson.dumps(to_cpanelresult(entry.module, entry.func, entry, result, args))
    return _outcome(run)


async def _plain_path(entry, body: bytes, whm: bool, args: dict[str, str]) -> Any:
    """The proxy's path for an entry that copies `data`: app._call_uapi's decoding, then the runner."""
    call = LegacyCall(entry.module, entry.func, "user", args, "")

    async def run_uapi(uapi: UapiCall) -> Any:
        assert uapi.copies_data  # the proxy decodes this answer with plaincopy
        result: Any = (decode_whm if whm else decode_uapi)(body)
        if whm and not isinstance(result, RawUapiResult):
            result, failure = unwrap_whm(result)
            if failure is not None:
                raise _WhmFailure(failure)
        return result

    try:
        answer = await run_translated(entry, call, "user", run_uapi)
    except _WhmFailure as exc:
        return ("document", {"whm failure": exc.args[0]})
    except (UpstreamAnswerError, orjson.JSONDecodeError) as exc:
        return ("refused", type(exc).__name__, str(exc).split(":")[0])
    return _outcome(lambda: answer.document)


class _WhmFailure(Exception):
    pass


def test_the_table_has_plain_copy_entries_and_reshaping_ones_are_not_among_them():
    assert len(PLAIN) >= 30
    names = {entry.name for entry in PLAIN}
    assert "Ftp::listftpwithdisk" in names
    for entry in TABLE.entries.values():
        rule = entry.output
        if rule.rename or rule.derive or rule.only or rule.path or rule.concat or rule.shape != "list":
            assert not rule.copies_data, entry.name


@pytest.mark.parametrize("entry", PLAIN, ids=lambda entry: entry.name)
async def test_plain_copy_equals_the_parsed_path(entry):
    args = {"user": "bob", "domain": "example.com", "regex": "x"}
    cases = [(name, body, False) for name, body in {**UAPI_ANSWERS, **BROKEN_ANSWERS}.items()]
    cases += [(name, _whm(body), True) for name, body in {**UAPI_ANSWERS, **BROKEN_ANSWERS}.items()]
    cases += [(name, body, True) for name, body in WHM_ONLY_ANSWERS.items()]
    for name, body, whm in cases:
        expected = _parsed_path(entry, body, whm, args)
        got = await _plain_path(entry, body, whm, args)
        assert got == expected, f"{entry.name}, {'WHM ' if whm else ''}{name}"


@pytest.mark.parametrize("name", sorted(UAPI_ANSWERS))
def test_usual_answers_are_not_parsed(name):
    # The copy path is really taken: `data` stays bytes for every well-formed UAPI answer.
    assert isinstance(decode_uapi(UAPI_ANSWERS[name]), RawUapiResult)
    assert isinstance(decode_whm(_whm(UAPI_ANSWERS[name])), RawUapiResult)


async def test_a_success_is_answered_as_bytes_with_the_records_copied_as_sent():
    entry = TABLE.lookup("Ftp", "listftpwithdisk")
    body = UAPI_ANSWERS["records as UAPI spells them"]
    answer = await run_translated(entry, LegacyCall("Ftp", "listftpwithdisk", None, {}, ""), None,
                                  _returning(decode_uapi(body)))
    assert answer.document == (
        b'{"cpanelresult":{"apiversion":2,"func":"listftpwithdisk","data":[ {"n": 1.50, "u":"\\u00e9", "e":1E2} ,'
        b'{"x":[]}],"event":{"result":1},"module":"Ftp"}}'
    )


async def test_notes_are_logged_as_on_the_parsed_path(caplog):
    entry = TABLE.lookup("Ftp", "listftpwithdisk")
    body = UAPI_ANSWERS["messages and warnings"]
    with caplog.at_level(logging.INFO, logger="api2shim"):
        await run_translated(entry, LegacyCall("Ftp", "listftpwithdisk", None, {}, ""), None,
                             _returning(decode_uapi(body)))
        plain = [r.getMessage() for r in caplog.records]
        caplog.clear()
        await run_translated(entry, LegacyCall("Ftp", "listftpwithdisk", None, {}, ""), None,
                             _returning(orjson.loads(body)))
        parsed = [r.getMessage() for r in caplog.records]
    assert plain == parsed == [
        "Ftp::listftpwithdisk messages from UAPI Ftp::list_ftp_with_disk: ['done']",
        "Ftp::listftpwithdisk warnings from UAPI Ftp::list_ftp_with_disk: ['careful']",
    ]


def _returning(result: Any):
    async def run_uapi(uapi: UapiCall) -> Any:
        return result
    return run_uapi
