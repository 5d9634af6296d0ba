"""The cpapi2 drop-in: real processes against the fake cPanel, over HTTP and through a
stand-in `uapi` executable on PATH; whole outputs compared."""

import asyncio
import json
import os
import sys
from pathlib import Path

import orjson
import pytest
import yaml
from conftest import ROOT_AUTH

from shim import fakecpanel
from shim.cpapi2 import USAGE, UsageError, parse_argv, render

ROOT = Path(__file__).resolve().parent.parent
SECRET = "12345luggage"
PASSWD_OK = {"cpanelresult": {"apiversion": 2, "func": "passwd", "data": [{"result": 1, "reason": "OK"}],
                              "event": {"result": 1}, "module": "Ftp"}}

# A stand-in for cPanel's `uapi`: records its argv, runs the call through the fake WHM's
# uapi_cpanel as root, and prints the wrapped form `uapi --output=json` prints.
STAND_IN_UAPI = """\
#!{python}
import json, sys, urllib.parse, urllib.request
from pathlib import Path
argv = sys.argv[1:]
Path({log!r}).write_text(json.dumps(argv))
user = next(a.split("=", 1)[1] for a in argv if a.startswith("--user="))
module, func, *pairs = [a for a in argv if not a.startswith("--")]
form = [("api.version", "1"), ("cpanel.user", user), ("cpanel.module", module), ("cpanel.function", func)]
form += [tuple(urllib.parse.unquote(part) for part in p.split("=", 1)) for p in pairs]
request = urllib.request.Request({whm!r} + "/json-api/uapi_cpanel", data=urllib.parse.urlencode(form).encode(),
                                 headers={{"Authorization": {auth!r}}})
answer = json.load(urllib.request.urlopen(request))
print(json.dumps({{"apiversion": 3, "func": func, "module": module, "result": answer["data"]["uapi"]}}))
"""

STAND_IN_CPAPI2 = """\
#!{python}
import json, sys
from pathlib import Path
Path({log!r}).write_text(json.dumps(sys.argv[1:]))
print("--- from cPanel's own cpapi2")
sys.exit(3)
"""


async def cpapi2(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shim", "cpapi2", *args, cwd=ROOT, env=env or os.environ.copy(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 20)
    return process.returncode, out.decode(), err.decode()


def write_script(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o755)
    return path


@pytest.fixture
def setup(stack, tmp_path):
    """A config pointing at the fake WHM, the token in the environment, no uapi on PATH."""
    config = tmp_path / "shim.yaml"
    config.write_text(f"whm:\n  upstream: {stack.fake_whm}\ncpapi2:\n  uapi_command: false\n")
    env = {**os.environ, "API2SHIM_WHM_TOKEN": fakecpanel.ROOT_TOKEN}
    env.pop("API2SHIM_CONFIG", None)
    return config, env


async def test_the_documented_call_prints_what_the_http_path_answers(stack, setup):
    config, env = setup
    url = (f"{stack.whm}/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_apiversion=2"
           f"&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&user=user&pass={SECRET}")
    async with stack.http.get(url, headers=ROOT_AUTH) as resp:
        http_body = await resp.text()
    stack.state.requests.clear()
    code, out, err = await cpapi2(f"--config={config}", "--user=user", "Ftp", "passwd", "user=user",
                                  f"pass={SECRET}", "--output=json", env=env)
    assert (code, err) == (0, "")
    assert out == http_body + "\n"
    assert orjson.loads(out) == PASSWD_OK
    [seen] = stack.state.requests
    assert (seen.method, seen.path) == ("POST", "/json-api/uapi_cpanel")
    assert seen.form == {"api.version": ["1"], "cpanel.user": ["user"], "cpanel.module": ["Ftp"],
                         "cpanel.function": ["passwd"], "user": ["user"], "pass": [SECRET]}
    assert seen.headers["authorization"] == ROOT_AUTH["Authorization"]


async def test_yaml_by_default_and_a_function_failure(stack, setup):
    config, env = setup
    code, out, err = await cpapi2(f"--config={config}", "--user=user", "Ftp", "passwd", "user=nobody",
                                  "pass=x%20y", env=env)
    assert (code, err) == (0, "")
    assert out == """\
---
cpanelresult:
  apiversion: 2
  data:
    -
      reason: The FTP account “nobody@example.com” does not exist.
      result: 0
  error: The FTP account “nobody@example.com” does not exist.
  event:
    result: 1
  func: passwd
  module: Ftp
"""


async def test_through_a_stand_in_uapi_on_path(stack, setup, tmp_path):
    config, env = setup
    config.write_text(f"whm:\n  upstream: {stack.fake_whm}\n")  # uapi_command: found on PATH
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "uapi-argv.json"
    write_script(bin_dir / "uapi", STAND_IN_UAPI.format(python=sys.executable, log=str(log), whm=stack.fake_whm,
                                                        auth=ROOT_AUTH["Authorization"]))
    env = {**env, "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}"}
    del env["API2SHIM_WHM_TOKEN"]  # the local path needs no token
    code, out, err = await cpapi2(f"--config={config}", "--user=user", "Ftp", "passwd", "user=user",
                                  f"pass={SECRET}", "--output=json", env=env)
    assert (code, err) == (0, "")
    assert orjson.loads(out) == PASSWD_OK
    assert json.loads(log.read_text()) == ["--user=user", "--output=json", "Ftp", "passwd", "user=user",
                                           f"pass={SECRET}"]
    # Values arrive URI-decoded and leave URI-encoded; the new password works afterwards.
    code, out, err = await cpapi2(f"--config={config}", "--user=user", "Ftp", "passwd", "user=ftpuser",
                                  "pass=new%20pass%26more", "--output=jsonpretty", env=env)
    assert (code, err) == (0, "")
    assert out == json.dumps(PASSWD_OK, indent=3, sort_keys=True) + "\n"
    assert json.loads(log.read_text())[-1] == "pass=new%20pass%26more"
    listed = await cpapi2(f"--config={config}", "--user=user", "Ftp", "listftp", "--output", "json", env=env)
    async with stack.http.get(f"{stack.whm}/json-api/cpanel", headers=ROOT_AUTH, params={
            "cpanel_jsonapi_user": "user", "cpanel_jsonapi_module": "Ftp", "cpanel_jsonapi_func": "listftp"}) as resp:
        assert listed == (0, await resp.text() + "\n", "")


async def test_a_failing_uapi_command_prints_a_call_failure(stack, setup, tmp_path):
    config, env = setup
    broken = write_script(tmp_path / "uapi", f"#!{sys.executable}\nimport sys\nprint('oops', sys.argv, "
                                             "file=sys.stderr)\nsys.exit(5)\n")
    config.write_text(f"cpapi2:\n  uapi_command: {broken}\n")
    code, out, err = await cpapi2(f"--config={config}", "--user=user", "Ftp", "passwd", "user=user",
                                  f"pass={SECRET}", "--output=json", env=env)
    reason = "the uapi command failed (exit status 5)"
    assert (code, err) == (1, "")
    assert orjson.loads(out) == {"cpanelresult": {"apiversion": 2, "func": "passwd", "module": "Ftp", "data": [],
                                                  "event": {"result": 0, "reason": reason}, "error": reason}}
    assert SECRET not in out


async def test_passthrough_reject_and_local_cpapi2(stack, setup, tmp_path):
    config, env = setup
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "SSH.yaml").write_text("module: SSH\nfunctions:\n  listkeys:\n    mode: passthrough\n"
                                       "    reason: API 2 only\n  delkey:\n    mode: reject\n    reason: switched off\n")
    config.write_text(f"whm:\n  upstream: {stack.fake_whm}\nmappings: [mappings]\ncpapi2:\n  uapi_command: false\n")
    code, out, err = await cpapi2(f"--config={config}", "--user=user", "SSH", "listkeys", "--output=json", env=env)
    async with stack.http.get(f"{stack.fake_whm}/json-api/cpanel", headers=ROOT_AUTH, params={
            "cpanel_jsonapi_user": "user", "cpanel_jsonapi_apiversion": "2", "cpanel_jsonapi_module": "SSH",
            "cpanel_jsonapi_func": "listkeys"}) as resp:
        direct = await resp.json()
    assert (code, err) == (0, "")
    assert orjson.loads(out) == direct
    code, out, err = await cpapi2(f"--config={config}", "--user=user", "SSH", "delkey", "--output=json", env=env)
    assert (code, err) == (0, "")
    assert orjson.loads(out) == {"cpanelresult": {"apiversion": 2, "error": "Could not find function 'delkey' in "
                                                  "module 'SSH'", "func": "delkey", "module": "SSH"}}
    log = tmp_path / "cpapi2-argv.json"
    real = write_script(tmp_path / "cpapi2.real", STAND_IN_CPAPI2.format(python=sys.executable, log=str(log)))
    config.write_text(f"mappings: [mappings]\ncpapi2:\n  api2_command: {real}\n")
    code, out, err = await cpapi2(f"--config={config}", "--user=user", "SSH", "listkeys", "keys=a%20b", env=env)
    assert (code, out, err) == (3, "--- from cPanel's own cpapi2\n", "")
    assert json.loads(log.read_text()) == ["--user=user", "--output=yaml", "SSH", "listkeys", "keys=a%20b"]


async def test_operator_errors(stack, setup, tmp_path):
    config, env = setup
    assert await cpapi2("--help", env=env) == (0, USAGE + "\n", "")
    assert await cpapi2("--user=user", "Ftp", env=env) == (2, "", USAGE + "\n")
    del env["API2SHIM_WHM_TOKEN"]
    code, out, err = await cpapi2(f"--config={config}", "--user=user", "Ftp", "listftp", env=env)
    assert (code, out, err) == (2, "", "error: no WHM API token: set $API2SHIM_WHM_TOKEN or cpapi2.token_file\n")
    token = tmp_path / "token"
    token.write_text("WRONG\n")
    config.write_text(f"whm:\n  upstream: {stack.fake_whm}\ncpapi2:\n  uapi_command: false\n"
                      f"  token_file: {token}\n  tokn: x\n")
    code, out, err = await cpapi2(f"--config={config}", "--user=user", "Ftp", "listftp", env=env)
    assert (code, out) == (2, "")
    assert err == ("error: unknown key 'tokn' in cpapi2 (allowed: uapi_command, api2_command, token_env, "
                   "token_file, token_user)\n")
    config.write_text(f"whm:\n  upstream: {stack.fake_whm}\ncpapi2:\n  uapi_command: false\n  token_file: {token}\n")
    code, out, err = await cpapi2(f"--config={config}", "--user=user", "Ftp", "listftp", "--output=json", env=env)
    assert (code, err) == (1, "")
    assert orjson.loads(out) == {"cpanelresult": {"apiversion": "2", "error": "Access denied",
                                                  "data": {"reason": "Access denied", "result": "0"}, "type": "text"}}


def test_argv_like_cpapi2():
    got = parse_argv(["--user=bob", "Email", "addpop", "email=a%40b.example", "password=p%2Bq+r", "--output=XML"])
    assert (got.user, got.output, got.module, got.func, got.args) == (
        "bob", "xml", "Email", "addpop", {"email": "a@b.example", "password": "p+q r"})
    with pytest.raises(UsageError) as caught:
        parse_argv(["--user=bob", "Ftp", "passwd", "user=x", SECRET])
    assert str(caught.value) == "function argument 2 is not key=value"
    with pytest.raises(UsageError, match="--output must be one of json, jsonpretty, yaml, xml, not 'csv'"):
        parse_argv(["--user=bob", "--output=csv", "Ftp", "listftp"])


def test_output_formats_of_one_document():
    document = {"cpanelresult": {"apiversion": 2, "func": "f", "module": "M", "event": {"result": 1},
                                 "data": [{"name": "a&b", "n": "1", "none": None, "list": [], "ok": True,
                                           "text": "two\nlines: é"}]}}
    assert render(document, "yaml") == """\
---
cpanelresult:
  apiversion: 2
  data:
    -
      list: []
      n: '1'
      name: a&b
      none: ~
      ok: true
      text: "two\\nlines: é"
  event:
    result: 1
  func: f
  module: M
"""
    assert render(document, "xml") == """\
<?xml version="1.0" ?>
<cpanelresult>
  <apiversion>2</apiversion>
  <data>
    <name>a&amp;b</name>
    <n>1</n>
    <none></none>
    <ok>1</ok>
    <text>two
lines: é</text>
  </data>
  <event>
    <result>1</result>
  </event>
  <func>f</func>
  <module>M</module>
</cpanelresult>
"""
    assert render(document, "json") == orjson.dumps(document).decode() + "\n"
    assert yaml.safe_load(render(document, "yaml")) == document


async def test_a_lookup_read_runs_first_as_on_the_http_path(stack, setup):
    """SSL::gencsr needs the key's id, found by a read before the one UAPI call."""
    config, env = setup
    args = {"host": fakecpanel.USER_DOMAIN, "country": "US", "state": "TX", "city": "Houston",
            "company": "Example", "companydivision": "IT", "email": "admin@example.com"}
    async with stack.http.post(f"{stack.whm}/json-api/cpanel", headers=ROOT_AUTH, data={
            "cpanel_jsonapi_user": "user", "cpanel_jsonapi_module": "SSL", "cpanel_jsonapi_func": "gencsr", **args}) as resp:
        http_body = await resp.text()
    http_calls = [r.form["cpanel.function"] for r in stack.state.requests]
    stack.state.requests.clear()
    code, out, err = await cpapi2(f"--config={config}", "--user=user", "SSL", "gencsr",
                                  *(f"{k}={v}" for k, v in args.items()), "--output=json", env=env)
    assert (code, err) == (0, "")
    assert out == http_body + "\n"
    assert [r.form["cpanel.function"] for r in stack.state.requests] == http_calls == [["list_keys"], ["generate_csr"]]


async def test_an_input_only_native_api2_answers_goes_to_it(stack, setup):
    # UI::paginate_list is the shim's own answer, except for a page size Perl reads as Inf.
    config, env = setup
    code, out, err = await cpapi2(f"--config={config}", "--user=user", "UI", "paginate_list", "itemlist=1:2",
                                  "itemsperpage=inf", "--output=json", env=env)
    assert (code, err) == (0, "")
    assert orjson.loads(out) == {"cpanelresult": {"apiversion": 2, "error": "Could not find function 'paginate_list' "
                                                  "in module 'UI'", "func": "paginate_list", "module": "UI"}}
    assert [r.path for r in stack.state.requests] == ["/json-api/uapi_cpanel", "/json-api/cpanel"]


async def test_a_recipe_that_needs_whm_api1_goes_to_native_api2_from_the_command(stack, setup):
    # The command calls UAPI (or uapi_cpanel with its token) but no WHM API 1 function:
    # EmailTrack::search answers only on the WHM port, so here native API 2 answers it
    # (the fake's has no EmailTrack module: its unknown-function document comes back).
    config, env = setup
    code, out, err = await cpapi2(f"--config={config}", "--user=user", "EmailTrack", "search", "success=1",
                                  "--output=json", env=env)
    assert (code, err) == (0, "")
    assert orjson.loads(out) == {"cpanelresult": {"apiversion": 2, "error": "Could not find function 'search' "
                                                  "in module 'EmailTrack'", "func": "search", "module": "EmailTrack"}}
    assert [(seen.path, seen.form["cpanel_jsonapi_func"]) for seen in stack.state.requests] == [
        ("/json-api/cpanel", ["search"])]
