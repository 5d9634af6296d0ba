"""Property-based tests (hypothesis): whatever a client or upstream sends, no 500 and no traceback.

Pure layer: recognising a call, translating it with every shipped entry, shaping any UAPI
answer. Whole shim: raw requests over a socket (so invalid percent-encodings and bytes
that are not UTF-8 reach the parser as sent) against a real stack on a background loop.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from urllib.parse import quote_from_bytes

import pytest
from conftest import ROOT_AUTH, USER_AUTH, start_stack
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shim.translation.arguments import TransformError
from shim.translation.envelopes import INVALID_USER_REASON
from shim.translation.mapping import load_table
from shim.translation.recognise import (
    LegacyCall,
    merge_params,
    parse_form,
    recognise,
    split_path,
    with_whm_account,
)
from shim.translation.translate import (
    UpstreamAnswerError,
    build_uapi_call,
    to_cpanelresult,
    unwrap_whm,
)

TABLE = load_table(None)
TRANSLATED = sorted(key for key, entry in TABLE.entries.items() if entry.mode == "translate")
SETTINGS = settings(max_examples=int(__import__("os").environ.get("API2SHIM_EXAMPLES", "120")), deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text as hostile clients send it: any unicode, lone surrogates excluded (not encodable).
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
names = st.one_of(text, st.sampled_from(["user", "pass", "quota", "domain", "email", "api.version",
                                        "cpanel_jsonapi_user", "cpanel_jsonapi_apiversion", "api2_paginate",
                                        "api2_sort_column", "api2_filter_key", "api2_columns_0"]))
params = st.lists(st.tuples(names, text), max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=20,
)


@SETTINGS
@given(raw=st.binary(max_size=400), content_type=st.sampled_from(
    ["", "application/x-www-form-urlencoded", "application/octet-stream", "multipart/form-data; boundary=xyz",
     "multipart/form-data", "text/plain; charset=utf-8"]), query=params,
       path=st.text(st.sampled_from("/cpses0123456789json-apiXx%."), max_size=40))
def test_recognising_any_request_never_raises(raw, content_type, query, path):
    fields = parse_form(raw, content_type)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in fields)
    api_path = split_path(path)
    call = recognise(merge_params(query, fields), api_path.cpsess)
    if call is not None:
        assert call.module and call.func
        with_whm_account(call)


@SETTINGS
@given(key=st.sampled_from(TRANSLATED), args=params, user=st.one_of(st.none(), text), data=json_values,
       status=st.sampled_from([0, 1, "1", "0", None]), errors=st.one_of(st.none(), st.lists(text, max_size=3), text))
def test_translating_with_every_entry_gives_an_api2_document_or_a_clean_refusal(key, args, user, data, status, errors):
    entry = TABLE.entries[key]
    call = LegacyCall(key[0], key[1], user, dict(args), "")
    try:
        uapi = build_uapi_call(entry, call, user)
    except TransformError as exc:
        assert str(exc)  # a reason the client is shown
        return
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in uapi.args)
    result = {"status": status, "data": data, "errors": errors, "messages": None, "metadata": {}}
    try:
        document = to_cpanelresult(key[0], key[1], entry, result, dict(args))
    except UpstreamAnswerError:
        return
    body = document["cpanelresult"]
    assert (body["module"], body["func"], body["apiversion"]) == (*key, 2)
    died = str(status) != "1" and entry.output.on_failure == "died"
    # Present, for clients iterate over it — except where the function died: cPanel 11.120's
    # API 2 runner (Api2/Exec.pm) kept no data from a function that threw.
    assert "data" not in body if died else isinstance(body["data"], list)
    if str(status) == "1":
        assert body["event"] == {"result": 1} and "error" not in body
    elif died:
        assert body["event"] == {"result": 0, "reason": body["error"]}
    else:  # the function ran and failed: event.result stays 1, the reason in `error` when the entry says so
        assert body["event"] == {"result": 1}
        assert ("error" in body) == entry.output.failure_error


# WHM API 1 answers as uapi_cpanel sends them (a third of the examples), near misses (any
# `result`, any `reason`, `data` with or without its `uapi` result) and any JSON at all.
whm_reasons = st.one_of(st.none(), text)
whm_answers = st.one_of(
    st.fixed_dictionaries({
        "metadata": st.fixed_dictionaries({"result": st.sampled_from([1, "1", 0, "0"])}, optional={"reason": whm_reasons}),
        "data": st.fixed_dictionaries({"uapi": st.one_of(st.dictionaries(text, json_values, max_size=4), json_values)})}),
    st.fixed_dictionaries(
        {"metadata": st.one_of(st.fixed_dictionaries({}, optional={
            "result": st.sampled_from([1, "1", 0, "0", None, True, "yes"]), "reason": whm_reasons}), json_values)},
        optional={"data": st.one_of(st.fixed_dictionaries({"uapi": json_values}), json_values)}),
    json_values)


@SETTINGS
@given(document=whm_answers)
def test_any_json_from_whm_is_unwrapped_or_refused_cleanly(document):
    metadata = document.get("metadata") if isinstance(document, dict) else None
    data = document.get("data") if isinstance(document, dict) else None
    ran = isinstance(metadata, dict) and str(metadata.get("result")) == "1"
    usable = isinstance(metadata, dict) and (not ran or isinstance(data, dict) and isinstance(data.get("uapi"), dict))
    try:
        uapi, reason = unwrap_whm(document)
    except UpstreamAnswerError as exc:
        assert not usable and str(exc)  # refused, with a reason, only what is no usable WHM answer
        return
    assert usable
    if ran:  # WHM ran the call: its UAPI result, as sent
        assert (uapi, reason) == (data["uapi"], None)
    else:  # WHM refused it (unknown or foreign account): its reason, or cPanel's text when it gave none
        assert (uapi, reason) == (None, str(metadata["reason"]) if metadata.get("reason") else INVALID_USER_REASON)


# --- the whole shim, over raw sockets -------------------------------------------------


@pytest.fixture(scope="module")
def live_stack():
    """The stack on its own event loop in a thread, so hypothesis can drive it synchronously."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    state, config, listeners = asyncio.run_coroutine_threadsafe(
        start_stack({"read_timeout": 2.0, "max_api_body": 2 * 1024 * 1024}), loop).result(10)
    yield state, listeners[0].port, listeners[1].port
    for listener in listeners:
        asyncio.run_coroutine_threadsafe(listener.close(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


def exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def encode_component(raw: bytes, style: str) -> bytes:
    """One query component, percent-encoded properly, partly, wrongly, or not at all."""
    if style == "proper":
        return quote_from_bytes(raw, safe="").encode()
    if style == "broken":
        return quote_from_bytes(raw, safe="").encode() + b"%" + b"zG%4"[: len(raw) % 4]
    if style == "raw":  # bytes as they are, minus what would end the request line
        return bytes(b for b in raw if b not in b" \r\n#&=")
    return quote_from_bytes(raw, safe="%").encode()


components = st.tuples(st.one_of(st.binary(max_size=30), text.map(lambda t: t.encode())),
                       st.sampled_from(["proper", "broken", "raw", "percents"]))


@SETTINGS
@given(key=st.sampled_from(TRANSLATED), pairs=st.lists(st.tuples(components, components), max_size=8),
       duplicate=st.booleans(), huge=st.sampled_from([0, 0, 0, 20_000, 60_000]), body_pairs=params,
       raw_body=st.one_of(st.none(), st.binary(max_size=300)), cpanel_port=st.booleans(),
       method=st.sampled_from([b"GET", b"POST"]))
def test_any_request_to_the_shim_gets_an_answer_without_500(live_stack, key, pairs, duplicate, huge, body_pairs,
                                                          raw_body, cpanel_port, method):
    state, whm, cpanel = live_stack
    module, func = key
    query = [b"cpanel_jsonapi_user=user", b"cpanel_jsonapi_module=" + module.encode(),
             b"cpanel_jsonapi_func=" + func.encode()]
    for (name, name_style), (value, value_style) in pairs:
        query.append(encode_component(name, name_style) + b"=" + encode_component(value, value_style))
    if duplicate:  # the same key twice, with different values, including a meta key
        query += [b"cpanel_jsonapi_func=" + func.encode(), b"user=a", b"user=b"]
    if huge:
        query.append(b"big=" + b"x" * huge)
    body = b""
    if method == b"POST":
        body = b"&".join(quote_from_bytes(k.encode(), safe="").encode() + b"="
                         + quote_from_bytes(v.encode(), safe="").encode() for k, v in body_pairs)
        if raw_body is not None:  # bytes that are neither a form nor UTF-8
            body += b"&" + raw_body
    auth = (USER_AUTH if cpanel_port else ROOT_AUTH)["Authorization"].encode()
    request = (method + b" /json-api/cpanel?" + b"&".join(query) + b" HTTP/1.1\r\nHost: shim\r\n"
               b"Authorization: " + auth + b"\r\nConnection: close\r\n"
               b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
               + str(len(body)).encode() + b"\r\n\r\n" + body)
    answer = exchange(cpanel if cpanel_port else whm, request)
    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line[:8] in (b"HTTP/1.1", b"HTTP/1.0"), answer[:200]
    status = int(status_line.split()[1])
    assert status != 500 and status < 600, (request[:600], answer[:300])
    assert b"Traceback" not in answer and b"Server got itself in trouble" not in answer
