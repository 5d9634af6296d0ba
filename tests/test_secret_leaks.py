"""No secret a client sends ever appears in anything the shim writes.

The real stack runs with every logger captured at DEBUG. Secrets travel in the query, a
urlencoded body, a multipart body, every Authorization scheme and cookies, through
translate, pass-through and reject, and through every upstream failure the fake can
script. Then every captured line, the /metrics text, the /usage document and the usage
report are searched for every secret. The test also checks that the lines it searched
are the ones it expected (one access line per request, redacted argument lines), so it
cannot pass by capturing nothing.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import re
import shutil
from pathlib import Path

import aiohttp
from conftest import ops_stack_context

from shim import fakecpanel
from shim.observability.usage import write_report
from shim.translation.mapping import default_mapping_dir

QUERY_PASS = "Qry-s3cret-luggage-1"
BODY_PASS = "Bdy-s3cret-luggage-2"
MULTIPART_PASS = "Mpt-s3cret-luggage-3"
TOKEN_ARG = "TokArgS3cretValue4"
KEY_ARG = "-----BEGIN PRIVATE KEY-----MIIEvS3cretKey5"
OLDPASS_ARG = "OldPassS3cret6"
MARKED_SECRET = "Phrase-marked-s3cret-7"  # an innocently named argument the mapping marks secret
BEARER = "BearerS3cretToken8"
DIGEST_RESPONSE = "DigestResp9s3cret"
BARE_TOKEN = "BareTokenNoScheme10"
COOKIE_VALUE = "CookieSessS3cret11"
COOKIE_VALUE_2 = "CookieSessS3cret12"
WHM_ACCESS_HASH = "AccessHashS3cret13" * 3

BASIC = base64.b64encode(f"user:{fakecpanel.USER_PASSWORD}".encode()).decode()
BASIC_WRONG = base64.b64encode(b"user:BasicWrongS3cret14").decode()

SECRETS = [
    QUERY_PASS, BODY_PASS, MULTIPART_PASS, TOKEN_ARG, KEY_ARG, "MIIEvS3cretKey5", OLDPASS_ARG, MARKED_SECRET,
    BEARER, DIGEST_RESPONSE, BARE_TOKEN, COOKIE_VALUE, COOKIE_VALUE_2, WHM_ACCESS_HASH, BASIC, BASIC_WRONG,
    "BasicWrongS3cret14", fakecpanel.ROOT_TOKEN, fakecpanel.USER_TOKEN, fakecpanel.USER_PASSWORD,
    fakecpanel.ROOT_PASSWORD,
]

AUTH_HEADERS = [
    {"Authorization": f"whm root:{fakecpanel.ROOT_TOKEN}"},
    {"Authorization": f"WHM root:{WHM_ACCESS_HASH}"},
    {"Authorization": f"cpanel user:{fakecpanel.USER_TOKEN}"},
    {"Authorization": f"Basic {BASIC}"},
    {"Authorization": f"Basic {BASIC_WRONG}"},
    {"Authorization": f"Bearer {BEARER}"},
    {"Authorization": f'Digest username="user", realm="cpanel", response="{DIGEST_RESPONSE}"'},
    {"Authorization": BARE_TOKEN},
    {"Authorization": f"whm {BARE_TOKEN}"},
    {"Cookie": f"whostmgrsession={COOKIE_VALUE}; cpsession={COOKIE_VALUE_2}"},
]

LEAKY = """\
module: Leaky
functions:
  setphrase:
    mode: translate
    uapi: Ftp::passwd
    args:
      user: user
      phrase: {to: pass, secret: true}
    output: {shape: status}
  setnumber:
    mode: translate
    uapi: Ftp::passwd
    args:
      user: user
      phrase: {to: pass, secret: true, transform: integer}
    output: {shape: status}
  passme:
    mode: passthrough
    reason: test entry
  rejectme:
    mode: reject
    reason: test entry
"""

FAULTS = ["status:500", "html", "invalid_json", "reset", "drop", "hang"]


def mappings(tmp_path: Path) -> Path:
    folder = tmp_path / "mappings"
    shutil.copytree(default_mapping_dir(), folder, ignore=shutil.ignore_patterns("__*"))
    (folder / "Leaky.yaml").write_text(LEAKY)
    return folder


def api2_query(module: str, func: str, **args: str) -> str:
    meta = {"cpanel_jsonapi_user": "user", "cpanel_jsonapi_apiversion": "2",
            "cpanel_jsonapi_module": module, "cpanel_jsonapi_func": func}
    return "&".join(f"{k}={v}" for k, v in {**meta, **args}.items())


def multipart(**fields: str) -> aiohttp.FormData:
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value, content_type="text/plain")
    return form


CALLS = [  # (module, func): every mode
    ("Ftp", "passwd"),  # translate
    ("Leaky", "setphrase"),  # translate, mapping-marked secret
    ("Leaky", "setnumber"),  # translate; the secret fails its transform, answered without upstream
    ("Leaky", "passme"),  # passthrough entry
    ("Ftp", "nosuchfunction"),  # no entry: default passthrough
    ("Leaky", "rejectme"),  # reject
]


async def send_everything(stack, base: str, headers: dict[str, str]) -> list[tuple[int, bytes]]:
    """Each call with secrets in the query, a urlencoded body and a multipart body."""
    answers = []
    for module, func in CALLS:
        query = api2_query(module, func, user="user", **{"pass": QUERY_PASS, "token": TOKEN_ARG,
                                                         "phrase": MARKED_SECRET, "oldpass": OLDPASS_ARG})
        async with stack.http.get(f"{base}/cpsess0123456789/json-api/cpanel?{query}", headers=headers) as resp:
            answers.append((resp.status, await resp.read()))
        body = api2_query(module, func, user="user", password=BODY_PASS, key=KEY_ARG.replace("+", "%2B"),
                          phrase=MARKED_SECRET)
        async with stack.http.post(f"{base}/json-api/cpanel", data=body, headers={
                **headers, "Content-Type": "application/x-www-form-urlencoded"}) as resp:
            answers.append((resp.status, await resp.read()))
        form = multipart(cpanel_jsonapi_user="user", cpanel_jsonapi_module=module, cpanel_jsonapi_func=func,
                         cpanel_jsonapi_apiversion="2", user="user", newpass=MULTIPART_PASS, phrase=MARKED_SECRET)
        async with stack.http.post(f"{base}/json-api/cpanel", data=form, headers=headers) as resp:
            answers.append((resp.status, await resp.read()))
    # Not API 2: WHM API 1 with a password in the query, and a login form.
    async with stack.http.get(f"{base}/json-api/passwd?api.version=1&user=user&password={QUERY_PASS}",
                              headers=headers) as resp:
        answers.append((resp.status, await resp.read()))
    async with stack.http.post(f"{base}/login", data={"user": "user", "pass": BODY_PASS}, headers=headers,
                               allow_redirects=False) as resp:
        answers.append((resp.status, await resp.read()))
    return answers


REQUESTS_PER_ROUND = len(CALLS) * 3 + 2


def captured_lines(caplog) -> list[str]:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return [formatter.format(record) for record in caplog.records]


def assert_no_secret(where: str, text: str) -> None:
    # Case-insensitive: a secret lower-cased (say, taken for a scheme name) is still a leak.
    found = [secret for secret in SECRETS if secret.lower() in text.lower()]
    assert not found, f"{where} contains {found}"


async def test_no_secret_in_any_line_metric_or_report(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    overrides = {"mappings": [mappings(tmp_path)], "read_timeout": 0.3}
    async with ops_stack_context(overrides) as stack:
        shim_made = []  # answers the shim wrote itself (502/504): their text must be clean too
        sent = 0
        for headers in AUTH_HEADERS:
            for base in (stack.whm, stack.cpanel):
                answers = await send_everything(stack, base, headers)
                sent += len(answers)
                shim_made += [body.decode("utf-8", "replace") for status, body in answers
                              if b'"func":"setnumber"' in body]
        for fault in FAULTS:
            for base in (stack.whm, stack.cpanel):
                for module, func in (("Ftp", "passwd"), ("Leaky", "passme")):
                    stack.state.faults.add(re.compile("."), fault, times=1)
                    query = api2_query(module, func, user="user", **{"pass": QUERY_PASS})
                    try:
                        async with stack.http.post(f"{base}/json-api/cpanel", data=query, headers={
                                "Authorization": f"cpanel user:{fakecpanel.USER_TOKEN}",
                                "Cookie": f"cpsession={COOKIE_VALUE}"}) as resp:
                            status, body = resp.status, await resp.read()
                    except aiohttp.ClientError:  # a pass-through relays a reset as a reset
                        status, body = 0, b""
                    sent += 1
                    if module == "Ftp":  # translated: the shim answers the failure itself
                        assert status in (502, 504), (fault, status)
                        shim_made.append(body.decode("utf-8", "replace"))
        async with stack.http.get(f"{stack.admin}/metrics") as resp:
            metrics_text = await resp.text()
        async with stack.http.get(f"{stack.admin}/usage") as resp:
            usage_text = await resp.text()
        report = io.StringIO()
        write_report(stack.runtime.usage, report, "test")

    lines = captured_lines(caplog)
    for line in lines:
        assert_no_secret("log line", line)
    assert_no_secret("/metrics", metrics_text)
    assert_no_secret("/usage", usage_text)
    assert_no_secret("usage report", report.getvalue())
    for body in shim_made:
        assert_no_secret("an answer the shim wrote", body)
    assert any("the value of 'phrase' cannot be converted" in body for body in shim_made)

    # The search covered what it should: one access line per request, arguments logged masked,
    # every upstream failure logged, and upstream got the secrets (the shim did forward them).
    access = [r for r in caplog.records if r.name == "api2shim.access"]
    assert len(access) == sent
    args_lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("api2 Leaky::setphrase")]
    assert args_lines and all("'phrase': '********'" in line for line in args_lines)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) >= len(FAULTS) * 2 + 3 * 2  # every translated failure; pass-through reset, drop, hang
    assert any(MARKED_SECRET in (r.body or b"").decode() for r in stack.state.requests)
    assert "Ftp::passwd" in metrics_text and "Leaky::setphrase" in usage_text


async def test_no_secret_when_upstream_is_unreachable(caplog):
    caplog.set_level(logging.DEBUG)
    async with ops_stack_context({"whm_upstream": "http://127.0.0.1:9", "cpanel_upstream": "http://127.0.0.1:9"}) as stack:
        for base in (stack.whm, stack.cpanel):
            for module, func in (("Ftp", "passwd"), ("Ftp", "nosuchfunction")):
                query = api2_query(module, func, user="user", **{"pass": QUERY_PASS})
                async with stack.http.get(f"{base}/json-api/cpanel?{query}", headers={
                        "Authorization": f"whm root:{fakecpanel.ROOT_TOKEN}"}) as resp:
                    assert resp.status == 502
                    assert_no_secret("502 answer", await resp.text())
        async with stack.http.get(f"{stack.admin}/metrics") as resp:
            metrics_text = await resp.text()
    for line in captured_lines(caplog):
        assert_no_secret("log line", line)
    assert_no_secret("/metrics", metrics_text)
    assert 'api2shim_errors_total{kind="connect"} 4.0' in metrics_text


async def raw_exchange(port: int, data: bytes, *, wait_answer: bool = True) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 2) if wait_answer else b""
    writer.close()
    return answer


async def test_no_secret_from_malformed_or_abandoned_requests(caplog):
    caplog.set_level(logging.DEBUG)
    head = f"GET /json-api/cpanel?pass={QUERY_PASS} HTTP/1.1\r\nHost: x\r\n"
    malformed = [
        head + f"X-Bad\x01: {BEARER}\r\n\r\n",
        f"GET /json-api/cpanel?pass={QUERY_PASS}&pad={'x' * 70000} HTTP/1.1\r\nHost: x\r\n\r\n",
        head + f"Authorization: whm root:{BARE_TOKEN}{'y' * 70000}\r\n\r\n",
        head + f"Content-Length: 1{BODY_PASS}\r\n\r\n",
        f"G@T /json-api/cpanel?pass={QUERY_PASS} HTTP/1.1\r\nHost: x\r\n\r\n",
        head + f"Transfer-Encoding: chunked\r\n\r\nzz{BODY_PASS}\r\n",
    ]
    abandoned = (f"POST /json-api/cpanel?pass={QUERY_PASS} HTTP/1.1\r\nHost: x\r\n"
                 f"Authorization: cpanel user:{fakecpanel.USER_TOKEN}\r\nContent-Length: 500\r\n\r\npassword={BODY_PASS}")
    async with ops_stack_context() as stack:
        port = int(stack.whm.rsplit(":", 1)[1])
        for request in malformed:
            assert (await raw_exchange(port, request.encode())).startswith(b"HTTP/1.")
        await raw_exchange(port, abandoned.encode(), wait_answer=False)
        for _ in range(20):  # the server notices the hang-up shortly after
            if any(r.name == "api2shim.access" for r in caplog.records):
                break
            await asyncio.sleep(0.05)
    for line in captured_lines(caplog):
        assert_no_secret("log line", line)
    access = [json.loads(r.getMessage()) for r in caplog.records if r.name == "api2shim.access"]
    assert [(a["status"], a["error"], a["auth"]) for a in access] == [(499, "client_gone", "cpanel user")]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# --- issue 13: DEBUG level, `translate`, and every field added for hostile clients -----------------

JSON_PASS = "JsonBodyS3cret15"
PIN = "PinS3cret16"
TFA = "TfaCodeS3cret17"
API_TOKEN = "ApiTokenS3cret18"
NEWPASS = "NewPassS3cret19"
FRAGMENT_PASS = "FragmentS3cret20"
PARAM_PASS = "PathParamS3cret21"
USERINFO_PASS = "UserInfoS3cret22"
INJECTED_PASS = "InjectedS3cret23"
ADMIN_TOKEN = "AdminTokenS3cret24"
PASSWORD = "PasswordS3cret25"
NEW_SECRETS = [JSON_PASS, PIN, TFA, API_TOKEN, NEWPASS, FRAGMENT_PASS, PARAM_PASS, USERINFO_PASS, INJECTED_PASS,
               ADMIN_TOKEN, PASSWORD]


def assert_no_new_secret(where: str, text: str) -> None:
    found = [secret for secret in SECRETS + NEW_SECRETS if secret.lower() in text.lower()]
    assert not found, f"{where} contains {found}"


async def test_no_secret_at_debug_from_hostile_requests_refusals_and_the_admin_token(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    from shim.inbound.listener import start_listener
    from shim.operations.admin import create_admin_app

    overrides = {"body_idle_timeout": 0.3, "head_timeout": 0.3, "max_api_body": 4096}
    meta = "cpanel_jsonapi_user=user&cpanel_jsonapi_apiversion=2&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd"
    auth = {"Authorization": f"whm root:{fakecpanel.ROOT_TOKEN}"}
    answers: list[str] = []
    async with ops_stack_context(overrides) as stack:
        port = int(stack.whm.rsplit(":", 1)[1])
        calls = [
            # A JSON body (labelled, and not): read as one long argument *name*.
            ("POST", f"{stack.whm}/json-api/cpanel?{meta}", json.dumps({"user": "ftpuser", "pass": JSON_PASS}),
             {"Content-Type": "application/json"}),
            ("POST", f"{stack.whm}/json-api/cpanel?{meta}", json.dumps({"pass": JSON_PASS}), {}),
            ("GET", f"{stack.whm}/json-api/cpanel?{meta}&user=ftpuser&pass=x&pin={PIN}&tfa_code={TFA}"
                    f"&api_token={API_TOKEN}&newpass={NEWPASS}&password={PASSWORD}", None, {}),
            # Names like the shim's own upstream keys, one of them carrying a secret in the name.
            ("GET", f"{stack.whm}/json-api/cpanel?{meta}&user=ftpuser&pass=x&cpanel.user%7B%22pass%22%3A%22"
                    f"{INJECTED_PASS}%22%7D=1", None, {}),
            # Over the API 2 cap, and too many arguments.
            ("POST", f"{stack.whm}/json-api/cpanel?{meta}", f"pass={BODY_PASS}&pad=" + "x" * 5000, {}),
            ("POST", f"{stack.whm}/json-api/cpanel?{meta}", f"pass={BODY_PASS}" + "&a" * 400, {}),
        ]
        for method, url, data, headers in calls:
            async with stack.http.request(method, url, data=data, headers={**auth, **headers}) as resp:
                answers.append(await resp.text())
        raw = [
            f"GET /json-api/cpanel;pass={PARAM_PASS}/x?{meta}#pass={FRAGMENT_PASS} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
            f"GET /json-api/version#pass={FRAGMENT_PASS} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
            f"GET http://root:{USERINFO_PASS}@whm.example.net/json-api/cpanel HTTP/1.1\r\nHost: h\r\n\r\n",
            # A slow body (408) and an unfinished head (408) with secrets in them.
            f"POST /json-api/cpanel?{meta} HTTP/1.1\r\nHost: h\r\nContent-Length: 500\r\n\r\npass={BODY_PASS}",
            f"GET /json-api/cpanel?pass={QUERY_PASS} HTTP/1.1\r\nAuthorization: whm root:{BARE_TOKEN}",
        ]
        async def exchange(data: bytes) -> bytes:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(data)
            try:
                return await asyncio.wait_for(reader.read(), 5)  # refused bodies linger up to 2 s
            finally:
                writer.close()

        answers += [(await exchange(data.encode())).decode("latin-1") for data in raw]
        # The admin listener with a token: refusals never echo it.
        admin = await start_listener(create_admin_app(stack.runtime, stack.config.services, stack.reloader, None,
                                                      ADMIN_TOKEN), "127.0.0.1", 0)
        try:
            async with stack.http.get(f"http://127.0.0.1:{admin.port}/usage",
                                      headers={"Authorization": f"Bearer {ADMIN_TOKEN}x"}) as resp:
                assert resp.status == 401
                answers.append(await resp.text())
            async with stack.http.get(f"http://127.0.0.1:{admin.port}/usage",
                                      headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as resp:
                usage_text = await resp.text()
            async with stack.http.get(f"http://127.0.0.1:{admin.port}/metrics") as resp:
                metrics_text = await resp.text()
        finally:
            await admin.close()
        report = io.StringIO()
        write_report(stack.runtime.usage, report, "test")
    for line in captured_lines(caplog):
        assert_no_new_secret("log line", line)
    for text in answers:
        assert_no_new_secret("an answer", text)
    assert_no_new_secret("/usage", usage_text)
    assert_no_new_secret("/metrics", metrics_text)
    assert_no_new_secret("usage report", report.getvalue())
    # It searched what it meant to: DEBUG argument lines (the JSON body as an unparsed name),
    # the access lines of the odd paths, the dropped-arguments warning.
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG and r.getMessage().startswith("api2 ")]
    assert any("<unparsed name of" in line for line in debug)
    assert any("'pin': '********'" in line and "'tfa_code': '********'" in line for line in debug)
    paths = [json.loads(r.getMessage())["path"] for r in caplog.records if r.name == "api2shim.access"]
    assert "/json-api/cpanel;********/x" in paths and "http://********@whm.example.net/json-api/cpanel" in paths
    assert any("dropped client arguments" in r.getMessage() for r in caplog.records)


def test_translate_prints_no_secret(capsys):
    from shim.cli import main

    query = (f"cpanel_jsonapi_user=user&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=addftp&user=bob"
             f"&pass={QUERY_PASS}&password={PASSWORD}&newpass={NEWPASS}&api_token={API_TOKEN}&pin={PIN}"
             f"&tfa_code={TFA}")
    for service in ("whm", "cpanel"):
        assert main(["translate", "--service", service, f"/json-api/cpanel?{query}"]) == 0
        printed = capsys.readouterr().out
        assert "pass=********" in printed and "api_token=********" in printed and "user=bob" in printed
        assert_no_new_secret("translate", printed)
