"""The pure parts of Fileman::uploadfiles: which multipart parts are files (cPanel's rule),
the multipart body the shim sends upstream, and what `coverage` says of a cPanel-port-only
recipe. The body is read back with the fake cPanel's own parser (the stdlib's email
parser), not with the shim's, so one bug cannot hide on both sides."""

from __future__ import annotations

import pytest

from shim.fakecpanel.wire import UploadedPart, parse_form, parse_uploads
from shim.translation import coverage
from shim.translation.api2_functions import API2_FUNCTIONS
from shim.translation.mapping import load_table
from shim.translation.recipe import NoRoute, RecipeCall
from shim.translation.recognise import LegacyCall, UploadedFile, multipart_files, parse_form as shim_parse_form
from shim.upstream.services import multipart_body

TYPE = "multipart/form-data; boundary=B"


def body(*parts: str) -> bytes:
    return "".join(f"--B\r\n{part}\r\n" for part in parts).encode("latin-1") + b"--B--\r\n"


def test_a_file_is_a_part_with_a_quoted_non_empty_filename():
    sent = body(
        'Content-Disposition: form-data; name="file-0"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\none',
        'Content-Disposition: form-data; name="dir"\r\n\r\npublic_html',
        'Content-Disposition: form-data; name="empty"; filename=""\r\n\r\nnot a file',  # a browser's empty input
        'Content-Disposition: form-data; name="bare"; filename=b.txt\r\n\r\nnot a file either',
        'Content-Disposition: form-data; filename="nameless.txt"\r\n\r\nstill a file',
        'Content-Disposition: form-data; name="b64"; filename="c.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\naGk=',
        'Content-Disposition: form-data; name="x"; filename="line\nbreak"\r\n\r\nleft out',
    )
    assert multipart_files(sent, TYPE) == (
        UploadedFile("file-0", "a.txt", "text/plain", b"one"),
        UploadedFile("", "nameless.txt", "application/octet-stream", b"still a file"),
        # cPanel stored a file part's bytes as they came, transfer encoding and all.
        UploadedFile("b64", "c.bin", "application/octet-stream", b"aGk="),
    )
    # The fields the shim reads are unchanged: a file part is still read as a value by its name.
    assert [name for name, _ in shim_parse_form(sent, TYPE)] == ["file-0", "dir", "empty", "bare", "b64", "x"]
    assert multipart_files(b"file-0=a", "application/x-www-form-urlencoded") == ()
    assert multipart_files(sent, "multipart/form-data") == ()  # no boundary: nothing parses


def test_the_upstream_body_carries_fields_and_files_exactly():
    binary = b"\x00\xff\r\n--B\r\n\r\n" + b"api2shim-" + bytes(range(256))
    files = [UploadedFile("file-0", "logo.png", "image/png", binary),
             UploadedFile("file-1", 'quote".txt', "text/plain; charset=utf-8", b"")]
    content_type, sent = multipart_body([("dir", "public_html/é"), ("overwrite", "1")], files)
    boundary = content_type.split("boundary=", 1)[1]
    assert content_type.startswith("multipart/form-data; boundary=api2shim-") and boundary.encode() not in binary
    assert parse_form(content_type, sent) == {"dir": ["public_html/é"], "overwrite": ["1"],
                                              "file-0": [binary.decode("utf-8", "replace")], "file-1": [""]}
    # A `"` cannot stand in a quoted filename: written %22, as browsers write it.
    assert parse_uploads(content_type, sent) == (UploadedPart("file-0", "logo.png", "image/png", binary),
                                                 UploadedPart("file-1", "quote%22.txt", "text/plain", b""))
    # And the shim's own reading of it gives the same files back.
    assert multipart_files(sent, content_type) == (files[0], files[1]._replace(filename="quote%22.txt"))


def test_a_line_break_never_reaches_a_part_head():
    content_type, sent = multipart_body([("a\r\nb", "v")], [UploadedFile("f\n", "x\r\ny", "text/plain\r\nX-Evil: 1", b"")])
    assert b"\r\nX-Evil" not in sent and b"\r\nb" not in sent
    assert parse_form(content_type, sent) == {"a%0D%0Ab": ["v"], "f%0A": [""]}


def test_coverage_lists_uploadfiles_as_answered_on_the_cpanel_port_only():
    report = coverage.compute(load_table(None), API2_FUNCTIONS)
    assert (report.cpanel_only, coverage.as_document(report)["cpanel_port_only"]) == (
        ["Fileman::uploadfiles"], ["Fileman::uploadfiles"])
    assert ("  answered on the cPanel port only (WHM API 1's uapi_cpanel cannot make their call; on the WHM port "
            "native API 2 while it is served, else cPanel's unknown-function answer): Fileman::uploadfiles"
            ) in coverage.render_table(report).splitlines()


async def test_the_recipe_contract_sends_files_on_the_cpanel_port_only():
    sent = []

    async def run_uapi(uapi):
        sent.append(uapi)
        return {"status": 1, "data": None}

    async def run_whm(func, form, secret):
        raise AssertionError("no WHM API 1 call is made")

    upload = UploadedFile("file-0", "a.txt", "text/plain", b"a")
    call = LegacyCall("Fileman", "uploadfiles", None, {}, "", files=(upload,))
    cpanel = RecipeCall(call, "user", run_uapi, None)
    assert cpanel.files == (upload,)
    await cpanel.uapi("Fileman", "upload_files", {"dir": "d"}, files=cpanel.files)
    assert [(u.module, u.func, u.args, u.files) for u in sent] == [("Fileman", "upload_files", [("dir", "d")], (upload,))]
    with pytest.raises(NoRoute, match="uapi_cpanel does not take"):
        await RecipeCall(call, "user", run_uapi, run_whm).uapi("Fileman", "upload_files", files=[upload])
    with pytest.raises(ValueError, match="not with a JSON body"):
        await cpanel.uapi("Fileman", "upload_files", json={"a": 1}, files=[upload])
    assert len(sent) == 1
