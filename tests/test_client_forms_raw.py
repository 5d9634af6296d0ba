"""The request forms real legacy clients send, reproduced as raw bytes over a socket.

Paths with a cpsess prefix, doubled or trailing slashes; parameters in the query, in an
urlencoded body, in a body labelled application/octet-stream or not labelled at all, in
multipart/form-data, or all in the query of an empty POST; cpanel_xmlapi_* names; every
auth scheme with its name in any case.
"""

import asyncio
import base64
import json

import pytest

from shim import fakecpanel

PASSWD_OK = {"cpanelresult": {"apiversion": 2, "func": "passwd", "data": [{"reason": "OK", "result": 1}],
                              "event": {"result": 1}, "module": "Ftp"}}
ARGS = "cpanel_jsonapi_user=user&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&user=ftpuser&pass=R4w-s0cket-pw"
XML_ARGS = "cpanel_xmlapi_user=user&cpanel_xmlapi_module=Ftp&cpanel_xmlapi_func=passwd&cpanel_xmlapi_apiversion=2&user=ftpuser&pass=R4w-s0cket-pw"
ROOT = f"whm root:{fakecpanel.ROOT_TOKEN}"


async def raw_exchange(base_url: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    body = await reader.readexactly(int(headers["content-length"]))
    writer.close()
    return status, headers, body


def request(method: str, target: str, auth: str = ROOT, body: bytes = b"", content_type: str | None = None) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: whm.example.com:2087", f"Authorization: {auth}", "Connection: close"]
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    if method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@pytest.mark.parametrize("path", [
    "/json-api/cpanel", "//json-api/cpanel", "/json-api/cpanel/", "/cpsess0123456789/json-api/cpanel",
])
async def test_paths(stack, path):
    status, _, body = await raw_exchange(stack.whm, request("GET", f"{path}?{ARGS}"))
    assert (status, json.loads(body)) == (200, PASSWD_OK)
    assert stack.state.requests[-1].method == "POST"
    assert stack.state.requests[-1].path.endswith("/json-api/uapi_cpanel")


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "application/octet-stream", None])
async def test_form_bodies_in_any_label(stack, content_type):
    status, _, body = await raw_exchange(stack.whm, request("POST", "/json-api/cpanel", body=ARGS.encode(), content_type=content_type))
    assert (status, json.loads(body)) == (200, PASSWD_OK)
    assert stack.state.requests[-1].form["pass"] == ["R4w-s0cket-pw"]


async def test_multipart_body(stack):
    parts = b"".join(
        b"--B0undary\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (k.encode(), v.encode())
        for k, v in (pair.split("=") for pair in ARGS.split("&"))
    ) + b"--B0undary--\r\n"
    status, _, body = await raw_exchange(stack.whm, request("POST", "/json-api/cpanel", body=parts,
                                                            content_type="multipart/form-data; boundary=B0undary"))
    assert (status, json.loads(body)) == (200, PASSWD_OK)


async def test_empty_post_with_everything_in_the_query_and_xmlapi_names(stack):
    status, _, body = await raw_exchange(stack.whm, request("POST", f"/json-api/cpanel?{XML_ARGS}&api.version=1",
                                                            content_type="application/x-www-form-urlencoded"))
    assert (status, json.loads(body)) == (200, PASSWD_OK)
    # The client's own api.version is not an argument of the function: sent once, by the shim.
    assert stack.state.requests[-1].form == {
        "api.version": ["1"], "cpanel.user": ["user"], "cpanel.module": ["Ftp"], "cpanel.function": ["passwd"],
        "user": ["ftpuser"], "pass": ["R4w-s0cket-pw"]}


async def test_body_wins_over_query(stack):
    status, _, body = await raw_exchange(stack.whm, request(
        "POST", f"/json-api/cpanel?{ARGS.replace('ftpuser', 'ghost')}", body=b"user=ftpuser",
        content_type="application/x-www-form-urlencoded"))
    assert (status, json.loads(body)) == (200, PASSWD_OK)
    assert stack.state.requests[-1].form["user"] == ["ftpuser"]


def _basic(user: str, password: str, scheme: str = "Basic") -> str:
    return f"{scheme} " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize("auth", [
    f"whm root:{fakecpanel.ROOT_TOKEN}",
    f"WHM root:{fakecpanel.ROOT_TOKEN}",
    f"WHM root:{fakecpanel.ROOT_ACCESS_HASH}",
    _basic("root", fakecpanel.ROOT_PASSWORD),
    _basic("root", fakecpanel.ROOT_PASSWORD, "basic"),
])
async def test_whm_auth_schemes(stack, auth):
    status, _, body = await raw_exchange(stack.whm, request("GET", f"/json-api/cpanel?{ARGS}", auth=auth))
    assert (status, json.loads(body)) == (200, PASSWD_OK)


@pytest.mark.parametrize("auth", [
    f"cpanel user:{fakecpanel.USER_TOKEN}",
    f"CPANEL user:{fakecpanel.USER_TOKEN}",
    _basic("user", fakecpanel.USER_PASSWORD),
    _basic("user", fakecpanel.USER_PASSWORD, "BASIC"),
])
async def test_cpanel_auth_schemes(stack, auth):
    args = "cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&user=ftpuser&pass=R4w-s0cket-pw"
    status, _, body = await raw_exchange(stack.cpanel, request("GET", f"/json-api/cpanel?{args}", auth=auth))
    assert (status, json.loads(body)) == (200, PASSWD_OK)
    assert stack.state.requests[-1].path == "/execute/Ftp/passwd"
