"""Fileman::uploadfiles through the real shim: the client's file parts go on to UAPI
Fileman::upload_files as multipart parts, once, on the cPanel port; whole documents.

cPanel 11.120's API 2 function wrapped the UAPI call (shim/recipes/fileman.py): its one row
is UAPI's data, UAPI's error its `error`. The fake records what each upload_files call
received (`received_uploads`), so each test checks the bytes that arrived, not only the answer.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys

import orjson
from api2calls import Api2Calls, stack_with
from conftest import ROOT_AUTH, USER_AUTH

from shim import fakecpanel
from shim.fakecpanel import FakeState
from shim.fakecpanel.modules.fileman import file_tree, received_uploads
from shim.fakecpanel.wire import UploadedPart

QUERY = {"cpanel_jsonapi_apiversion": "2", "cpanel_jsonapi_module": "Fileman", "cpanel_jsonapi_func": "uploadfiles"}
BOUNDARY = "----client-boundary-7MA4YWxk"
# Bytes that a text round trip would spoil: CR LF, a NUL, invalid UTF-8, and a line that
# looks like the client's own boundary without being one.
BINARY = b"\x89PNG\r\n\x1a\n\x00\xff\xfe--" + BOUNDARY.encode() + b"x\r\n\r\nend"
NO_FILE = "You must specify at least one file to upload."
ALL_FAILED = "Failed to upload any of the requested files with various failures."


def multipart(*parts: tuple[str, str | None, str | None, bytes]) -> tuple[bytes, str]:
    """(body, Content-Type) of (name, filename or None, content type or None, content) parts."""
    chunks = []
    for name, filename, content_type, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        head = f"Content-Disposition: {disposition}\r\n" + (f"Content-Type: {content_type}\r\n" if content_type else "")
        chunks.append(f"--{BOUNDARY}\r\n{head}\r\n".encode() + content + b"\r\n")
    return b"".join(chunks) + f"--{BOUNDARY}--\r\n".encode(), f"multipart/form-data; boundary={BOUNDARY}"


def text(name: str, value: str) -> tuple[str, None, None, bytes]:
    return name, None, None, value.encode()


def upload_row(file: str, size: int | None, reason: str, status: int = 1) -> dict:
    return {"file": file, "size": size, "status": status, "reason": reason, "warnings": []}


def answer(data: list, error: str | None = None) -> dict:
    document = {"cpanelresult": {"apiversion": 2, "func": "uploadfiles", "data": data, "event": {"result": 1},
                                 "module": "Fileman"}}
    if error is not None:
        document["cpanelresult"]["error"] = error
    return document


def failed_call(reason: str) -> dict:
    """The shim's own answer when the call could not be made (event.result 0)."""
    return {"cpanelresult": {"apiversion": 2, "func": "uploadfiles", "module": "Fileman", "data": [],
                             "event": {"result": 0, "reason": reason}, "error": reason}}


async def post(stack, body: bytes, content_type: str, *, query: dict | None = None, auth=USER_AUTH, base=None):
    headers = {**auth, "Content-Type": content_type}
    return await stack.post_json(f"{base or stack.cpanel}/json-api/cpanel", params={**QUERY, **(query or {})},
                                 data=body, headers=headers)


def upstream_paths(state: FakeState) -> list[str]:
    return [request.path for request in state.requests]


def no_native_api2() -> FakeState:
    state = FakeState.demo()
    state.native_api2 = False
    return state


async def test_files_reach_uapi_as_sent_and_the_row_is_uapis_data_without_native_api2():
    state = no_native_api2()
    async with stack_with({"upstream_api2": "absent"}, state=state) as stack:
        body, content_type = multipart(
            text("dir", "public_html/docs"),
            ("file-1", "logo.png", "image/png", BINARY),
            ("file-0", "notes.txt", None, "héllo\n".encode()),
            text("file-2", "/etc/passwd"),  # a plain argument named file-*: cPanel's form parser dropped it
        )
        got = await post(stack, body, content_type, query={"file-3": "/etc/shadow", "overwrite": "0"})
        assert got == (200, answer([{
            "uploads": [upload_row("logo.png", len(BINARY), "Upload of “logo.png” succeeded."),
                        upload_row("notes.txt", 7, "Upload of “notes.txt” succeeded.")],
            "succeeded": 2, "warned": 0, "failed": 0}]))
        (received,) = received_uploads(state.accounts["user"])
        assert received.files == (UploadedPart("file-1", "logo.png", "image/png", BINARY),
                                  UploadedPart("file-0", "notes.txt", "application/octet-stream", "héllo\n".encode()))
        assert received.args == {"dir": ["public_html/docs"], "overwrite": ["0"]}
        # One UAPI call, nothing else: no native API 2, no retry, no read first.
        assert upstream_paths(state) == ["/execute/Fileman/upload_files"]
        assert file_tree(state.accounts["user"]).nodes["/home/user/public_html/docs/notes.txt"].content == "héllo\n"


async def test_the_same_name_twice_and_getdiskinfo(stack):
    calls = Api2Calls(stack, "Fileman")
    body, content_type = multipart(("file-0", "a.txt", "text/plain", b"one"), ("file-1", "a.txt", "text/plain", b"two"),
                                   text("getdiskinfo", "1"), text("get_disk_info", "0"))
    status, document = await post(stack, body, content_type, query={"dir": "public_html"})
    (row,) = document["cpanelresult"]["data"]
    # cPanel names the second file a-2.txt itself; the shim sends both parts on unchanged.
    assert (status, document) == (200, calls.ok("uploadfiles", [{
        "uploads": [upload_row("a-2.txt", 3, "Upload of “a-2.txt” succeeded."),
                    upload_row("a.txt", 3, "Upload of “a.txt” succeeded.")],
        "succeeded": 2, "warned": 0, "failed": 0, "diskinfo": row["diskinfo"]}]))
    assert set(row["diskinfo"]) >= {"spaceused", "spacelimit", "file_upload_max_bytes"}
    (received,) = received_uploads(stack.state.accounts["user"])
    # getdiskinfo is API 2's name for get_disk_info, and wins over a get_disk_info also sent.
    assert received.args == {"get_disk_info": ["1"], "dir": ["public_html"]}
    assert [(f.filename, f.data) for f in received.files] == [("a.txt", b"one"), ("a.txt", b"two")]


async def test_no_file_is_uapis_failure_with_its_row(stack):
    # A urlencoded call cannot carry a file (the docs' own example sends `file-=name`).
    status, document = await stack.get_json(f"{stack.cpanel}/json-api/cpanel", headers=USER_AUTH,
                                            params={**QUERY, "dir": "public_html", "file-": "file1-myfile.txt"})
    assert (status, document) == (200, answer([{"uploads": [], "succeeded": 0, "warned": 0, "failed": 0}], NO_FILE))
    (received,) = received_uploads(stack.state.accounts["user"])
    assert (received.args, received.files) == ({"dir": ["public_html"]}, ())


async def test_every_file_refused_and_overwrite(stack):
    body, content_type = multipart(("file-0", "index.html", "text/html", b"<p>new</p>"))
    exists = "The file “index.html” you uploaded already exists."
    assert await post(stack, body, content_type, query={"dir": "public_html"}) == (200, answer([{
        "uploads": [upload_row("index.html", None, exists, status=0)], "succeeded": 0, "warned": 0, "failed": 1}],
        ALL_FAILED))
    assert await post(stack, body, content_type, query={"dir": "public_html", "overwrite": "1"}) == (200, answer([{
        "uploads": [upload_row("index.html", 10, "Upload of “index.html” succeeded, overwrote existing file with your upload.")],
        "succeeded": 1, "warned": 0, "failed": 0}]))
    assert file_tree(stack.state.accounts["user"]).nodes["/home/user/public_html/index.html"].content == "<p>new</p>"


async def test_a_refused_argument_answers_null_data(stack):
    body, content_type = multipart(("file-0", "x.txt", None, b"x"), text("permissions", "999"))
    assert await post(stack, body, content_type) == (200, answer(
        [None], "The parameter ‘permissions’ must contain a valid file system permission."))
    assert "/home/user/x.txt" not in file_tree(stack.state.accounts["user"]).nodes


async def test_an_upstream_failure_is_answered_once_never_retried(stack):
    stack.state.faults.add("/execute/Fileman/upload_files", "drop", times=1)
    body, content_type = multipart(("file-0", "x.txt", None, b"x"))
    reason = "upstream closed the connection before answering"
    assert await post(stack, body, content_type) == (502, failed_call(reason))
    assert upstream_paths(stack.state) == ["/execute/Fileman/upload_files"]


async def test_an_upload_over_the_api2_body_cap_is_refused_before_upstream():
    async with stack_with({"max_api_body": 4096}) as stack:
        body, content_type = multipart(("file-0", "big.bin", None, b"x" * 5000))
        assert await post(stack, body, content_type) == (413, failed_call("the request body is too large"))
        assert stack.state.requests == []


async def test_bad_credentials_get_cpsrvds_answer(stack):
    body, content_type = multipart(("file-0", "x.txt", None, b"x"))
    status, document = await post(stack, body, content_type, auth={"Authorization": "cpanel user:WRONG"})
    assert (status, document) == (403, {"cpanelresult": {"apiversion": "2", "error": "Access denied",
                                                         "data": {"reason": "Access denied", "result": "0"},
                                                         "type": "text"}})
    assert received_uploads(stack.state.accounts["user"]) == []


async def test_whm_port_passes_through_while_native_api2_is_served(stack):
    # WHM API 1's uapi_cpanel hands no upload on: the WHM port leaves the call to native API 2.
    body, content_type = multipart(text("cpanel_jsonapi_user", "user"), ("file-0", "x.txt", None, b"x"))
    await post(stack, body, content_type, auth=ROOT_AUTH, base=stack.whm)
    (request,) = stack.state.requests
    assert (request.path, request.body) == ("/json-api/cpanel", body)
    assert received_uploads(stack.state.accounts["user"]) == []


async def test_whm_port_without_native_api2_is_unanswerable():
    state = no_native_api2()
    async with stack_with({"upstream_api2": "absent"}, state=state) as stack:
        body, content_type = multipart(text("cpanel_jsonapi_user", "user"), ("file-0", "x.txt", None, b"x"))
        assert await post(stack, body, content_type, auth=ROOT_AUTH, base=stack.whm) == (200, {"cpanelresult": {
            "apiversion": 2, "error": "Could not find function 'uploadfiles' in module 'Fileman'",
            "func": "uploadfiles", "module": "Fileman"}})
        assert state.requests == []


async def test_a_files_contents_are_never_logged(stack, caplog):
    caplog.set_level(logging.DEBUG)
    body, content_type = multipart(("file-0", "id_rsa", None, b"PRIVATE-KEY-MATERIAL"), text("dir", "keys"))
    status, _ = await post(stack, body, content_type)
    assert status == 200 and received_uploads(stack.state.accounts["user"])[0].files[0].data == b"PRIVATE-KEY-MATERIAL"
    assert "api2 Fileman::uploadfiles" in caplog.text and "keys" in caplog.text  # the debug line was written
    assert "PRIVATE-KEY-MATERIAL" not in caplog.text


async def test_cpapi2_runs_it_without_files_as_cpanels_own_command_does(stack, tmp_path):
    # A command line carries no file parts: UAPI's no-file failure, through WHM's uapi_cpanel.
    config = tmp_path / "shim.yaml"
    config.write_text(f"whm:\n  upstream: {stack.fake_whm}\ncpapi2:\n  uapi_command: false\n")
    env = {**os.environ, "API2SHIM_WHM_TOKEN": fakecpanel.ROOT_TOKEN}
    env.pop("API2SHIM_CONFIG", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shim", "cpapi2", f"--config={config}", "--user=user", "Fileman", "uploadfiles",
        "dir=public_html", "getdiskinfo=0", "--output=json", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 20)
    assert (process.returncode, err) == (0, b"")
    assert orjson.loads(out) == answer([{"uploads": [], "succeeded": 0, "warned": 0, "failed": 0}], NO_FILE)
    (seen,) = stack.state.requests
    assert (seen.path, seen.form) == ("/json-api/uapi_cpanel", {
        "api.version": ["1"], "cpanel.user": ["user"], "cpanel.module": ["Fileman"], "cpanel.function": ["upload_files"],
        "dir": ["public_html"], "get_disk_info": ["0"]})
