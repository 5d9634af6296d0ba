"""A drop-in for cPanel's `cpapi2` command: `api2shim-cpapi2` / `python -m shim cpapi2`.

    api2shim-cpapi2 --user=user Ftp passwd user=user pass=12345luggage --output=json

Takes cpapi2's arguments (`--user`, `--output=json|jsonpretty|yaml|xml`, YAML by default,
`Module function key=value…` with URI-encoded values), decides with the same mapping table
as the proxy, and prints the API 2 `cpanelresult` document the HTTP path answers:

* translate: the UAPI call runs through the local `uapi` command when there is one
  (`uapi --user=USER --output=json Module function key=value…`, values URI-encoded; its
  wrapped `{"apiversion":3,…,"result":{…}}` answer is unwrapped), otherwise over HTTP as
  WHM API 1 `uapi_cpanel` to the configured WHM upstream;
* passthrough: the real API 2 answers — cPanel's own cpapi2 when `cpapi2.api2_command`
  names it, otherwise WHM's `/json-api/cpanel` over HTTP;
* reject: cPanel's "Could not find function" document.

Settings come from the shim's config file (`--config=FILE`, else $API2SHIM_CONFIG, else
/etc/api2shim/config.yaml when it exists): `mappings`, `default_mode`, `upstream_version`,
`whm.upstream`, `upstream_tls`, `timeouts`, and the `cpapi2` section (CPAPI2_KEYS). The WHM
API token for HTTP comes from an environment variable or a file, never from a flag.

Exit status: 0 when the function ran (even if it failed: the document says so, as with
cpapi2), 1 when it could not run (upstream unreachable, access denied, local command
failed; the document is still printed), 2 for usage and configuration errors.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_plus

import orjson
import yaml

from shim.config import Config, ConfigError, load_config
from shim.translation import envelopes, xmlform
from shim.translation.mapping import UNANSWERABLE, Entry, MappingTable, load_table
from shim.translation.recognise import LegacyCall
from shim.translation.runner import EarlyAnswer, run_translated
from shim.translation.translate import (
    UapiCall,
    UpstreamAnswerError,
    unwrap_whm,
    whm_form,
    whm_json,
)
from shim.translation.yamlsource import SourceErrors
from shim.upstream.services import UpstreamError, call_json, make_pool

OUTPUTS = ("json", "jsonpretty", "yaml", "xml")
DEFAULT_OUTPUT = "yaml"  # cpapi2's default
CONFIG_ENV = "API2SHIM_CONFIG"
DEFAULT_CONFIG_FILE = Path("/etc/api2shim/config.yaml")
DEFAULT_UAPI_COMMANDS = ("uapi", "/usr/local/cpanel/bin/uapi")
DEFAULT_TOKEN_ENV = "API2SHIM_WHM_TOKEN"
DEFAULT_TOKEN_USER = "root"
# Set for a local cpapi2 we run, so a misconfigured api2_command pointing back at us stops.
NESTED_ENV = "API2SHIM_CPAPI2_NESTED"
CPAPI2_KEYS = ("uapi_command", "api2_command", "token_env", "token_file", "token_user")
EXIT_RAN, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
USAGE = ("usage: api2shim-cpapi2 [--user=USER] [--output=json|jsonpretty|yaml|xml] [--config=FILE] "
         "Module function [key=value ...]")


class UsageError(Exception):
    pass


class HelpWanted(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Invocation:
    user: str
    output: str
    module: str
    func: str
    args: dict[str, str]
    config: Path | None


@dataclass(frozen=True, slots=True)
class Cpapi2Settings:
    """The `cpapi2` config section, validated."""

    uapi_command: str | None  # a path or a name on PATH; None: always HTTP
    api2_command: str | None  # cPanel's own cpapi2 for pass-through; None: HTTP
    token_env: str = DEFAULT_TOKEN_ENV
    token_file: Path | None = None
    token_user: str = DEFAULT_TOKEN_USER


def parse_argv(argv: list[str]) -> Invocation:
    """cpapi2's command line: options anywhere, then Module, function and key=value pairs."""
    user: str | None = None
    output = DEFAULT_OUTPUT
    config: Path | None = None
    words: list[str] = []
    items = iter(argv)
    for word in items:
        if word in ("-h", "--help"):
            raise HelpWanted()
        if word.startswith("--") and word != "--":
            name, eq, value = word[2:].partition("=")
            if not eq:
                value = next(items, "")
            if name == "user":
                user = value
            elif name == "output":
                output = value.lower()
            elif name == "config":
                config = Path(value)
            else:
                raise UsageError(f"unknown option --{name}\n{USAGE}")
        else:
            words.append(word)
    if output not in OUTPUTS:
        raise UsageError(f"--output must be one of {', '.join(OUTPUTS)}, not '{output}'")
    if len(words) < 2:
        raise UsageError(USAGE)
    module, func, *pairs = words
    args: dict[str, str] = {}
    for position, pair in enumerate(pairs, start=1):
        key, eq, value = pair.partition("=")
        if not eq or not key:
            # Not echoed: it may be a password typed without its key.
            raise UsageError(f"function argument {position} is not key=value")
        # Values are URI-encoded on cpapi2's command line (as cPanel's docs require).
        args[unquote_plus(key)] = unquote_plus(value)
    if user is None:
        user = _default_user()
    return Invocation(user, output, module, func, args, config)


def _default_user() -> str:
    """cpapi2 run by an account acts as that account; root must name one."""
    if os.geteuid() == 0:
        raise UsageError(f"--user is required when running as root\n{USAGE}")
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


def config_path(given: Path | None) -> Path | None:
    if given is not None:
        return given
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def load_settings(path: Path | None) -> tuple[Config, Cpapi2Settings, MappingTable]:
    """The shim config (no listener needed here), the cpapi2 section, and the table."""
    config = load_config(path, {"whm_listen": "127.0.0.1:0"})
    settings = parse_settings(config.extra.get("cpapi2"))
    table = load_table(list(config.mappings) or None, default_mode=config.default_mode,
                       upstream_version=config.upstream_version, upstream_api2=config.upstream_api2)
    return config, settings, table


def parse_settings(section: Any) -> Cpapi2Settings:
    section = {} if section is None else section
    if not isinstance(section, dict):
        raise ConfigError(["cpapi2: expected a mapping"])
    errors = [f"unknown key '{key}' in cpapi2 (allowed: {', '.join(CPAPI2_KEYS)})"
              for key in section if key not in CPAPI2_KEYS]
    for key in CPAPI2_KEYS:
        value = section.get(key)
        if value is not None and value is not False and not (isinstance(value, str) and value):
            errors.append(f"cpapi2.{key} must be text (or false to switch it off), not {value!r}")
    if errors:
        raise ConfigError(errors)
    uapi = section.get("uapi_command", "")
    api2 = section.get("api2_command")
    return Cpapi2Settings(
        uapi_command=_find_uapi() if uapi == "" else (uapi or None),
        api2_command=api2 or None,
        token_env=section.get("token_env") or DEFAULT_TOKEN_ENV,
        token_file=Path(section["token_file"]) if section.get("token_file") else None,
        token_user=section.get("token_user") or DEFAULT_TOKEN_USER,
    )


def _find_uapi() -> str | None:
    for candidate in DEFAULT_UAPI_COMMANDS:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def main(argv: list[str] | None = None) -> int:
    try:
        invocation = parse_argv(sys.argv[1:] if argv is None else argv)
    except HelpWanted:
        print(USAGE)
        return EXIT_RAN
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    try:
        config, settings, table = load_settings(config_path(invocation.config))
    except ConfigError as exc:
        _errors(exc.errors)
        return EXIT_USAGE
    except SourceErrors as exc:
        _errors([str(e) for e in exc.errors])
        return EXIT_USAGE
    entry = table.lookup(invocation.module, invocation.func)
    mode = table.mode_for(entry)
    if mode == "passthrough" and settings.api2_command:
        return _run_local_cpapi2(settings.api2_command, invocation)
    runner = Runner(config, settings, invocation)
    try:
        document, ok = asyncio.run(runner.answer(entry, mode))
    except NoToken as exc:
        _errors([str(exc)])
        return EXIT_USAGE
    sys.stdout.write(render(document, invocation.output))
    return EXIT_RAN if ok else EXIT_FAILED


def _errors(errors: list[str]) -> None:
    for error in errors:
        print(f"error: {error}", file=sys.stderr)


class NoToken(Exception):
    pass


class Runner:
    """Runs one legacy call the way the table says and returns (API 2 document, it ran)."""

    def __init__(self, config: Config, settings: Cpapi2Settings, invocation: Invocation) -> None:
        self.config = config
        self.settings = settings
        self.inv = invocation

    async def answer(self, entry: Entry | None, mode: str) -> tuple[dict[str, Any], bool]:
        module, func = self.inv.module, self.inv.func
        if mode in ("reject", UNANSWERABLE):
            return envelopes.function_not_found(module, func), True
        try:
            if mode == "passthrough":
                return await self._api2_over_http(), True
            assert entry is not None
            call = LegacyCall(module, func, self.inv.user, self.inv.args, "")
            answer = await run_translated(entry, call, self.inv.user, lambda uapi: self._run_uapi(uapi, entry))
            if answer.native_only and self.config.upstream_api2 != "absent":
                return await self._api2_over_http(), True  # only cPanel's own API 2 answers this input
            return answer.document, True
        except EarlyAnswer as early:
            return early.answer
        except (UpstreamError, UpstreamAnswerError, LocalCommandError) as exc:
            return envelopes.call_failed(module, func, str(exc)), False
        except AccessDenied:
            return envelopes.access_denied(), False

    async def _run_uapi(self, uapi: UapiCall, entry: Entry) -> Any:
        if uapi.files:  # unreachable from a command line, which carries no file parts; kept honest
            raise LocalCommandError(f"UAPI {uapi.module}::{uapi.func} takes files as multipart parts, which cpapi2 "
                                    "cannot send")
        if self.settings.uapi_command:
            return await self._uapi_local(uapi, entry)
        result, whm_failure = await self._uapi_over_http(uapi, entry)
        if whm_failure is not None:
            raise EarlyAnswer((envelopes.invalid_user(whm_failure), False))
        return result

    async def _uapi_local(self, uapi: UapiCall, entry: Entry) -> Any:
        assert self.settings.uapi_command is not None
        if uapi.json is not None:
            raise LocalCommandError(f"UAPI {uapi.module}::{uapi.func} takes a JSON request body, which the uapi "
                                    "command line cannot send")
        argv = [self.settings.uapi_command, f"--user={self.inv.user}", "--output=json", uapi.module, uapi.func]
        argv += _encoded(uapi.args)
        raw = await _run(argv, entry.timeout or self.config.read_timeout)
        try:
            wrapped = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise LocalCommandError("the uapi command printed something that is not JSON") from None
        if not isinstance(wrapped, dict) or not isinstance(wrapped.get("result"), dict):
            raise LocalCommandError("the uapi command printed JSON that is not a UAPI answer")
        return wrapped["result"]

    async def _uapi_over_http(self, uapi: UapiCall, entry: Entry) -> tuple[Any, str | None]:
        form = whm_form(uapi, self.inv.user) if uapi.json is None else whm_json(uapi, self.inv.user)
        document = await self._post("/json-api/uapi_cpanel", form, entry.timeout)
        return unwrap_whm(document)

    async def _api2_over_http(self) -> dict[str, Any]:
        form = [("cpanel_jsonapi_user", self.inv.user), ("cpanel_jsonapi_apiversion", "2"),
                ("cpanel_jsonapi_module", self.inv.module), ("cpanel_jsonapi_func", self.inv.func),
                *self.inv.args.items()]
        document = await self._post("/json-api/cpanel", form, None)
        if not isinstance(document, dict) or "cpanelresult" not in document:
            raise UpstreamAnswerError("upstream answered JSON that is not an API 2 result")
        return document

    async def _post(self, path: str, form: list[tuple[str, str]] | dict[str, Any], timeout: float | None) -> Any:
        token = self._token()
        service = self.config.service("whm")
        assert service is not None  # load_settings always configures WHM
        headers = {"Authorization": f"whm {self.settings.token_user}:{token}"}
        pool = make_pool(self.config, service)
        try:
            answer = await call_json(pool, path, form, headers, {},
                                     max_answer=self.config.max_upstream_answer, timeout=timeout)
        finally:
            await pool.close()
        if answer.status in (401, 403):
            raise AccessDenied()
        return answer.document

    def _token(self) -> str:
        token = os.environ.get(self.settings.token_env, "")
        if not token and self.settings.token_file is not None:
            try:
                token = self.settings.token_file.read_text().strip()
            except OSError as exc:
                raise NoToken(f"cannot read cpapi2.token_file: {exc.strerror}") from None
        if not token:
            raise NoToken(f"no WHM API token: set ${self.settings.token_env} or cpapi2.token_file")
        return token


def _encoded(pairs: Any) -> list[str]:
    """key=value words with URI-encoded values, as cPanel's command-line tools take them."""
    return [f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs]


class AccessDenied(Exception):
    pass


class LocalCommandError(Exception):
    """The local uapi command did not give an answer; the text is safe to show."""


async def _run(argv: list[str], timeout: float) -> bytes:
    process = await asyncio.create_subprocess_exec(
        *argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        out, _ = await asyncio.wait_for(process.communicate(), timeout)
    except asyncio.TimeoutError:
        process.kill()
        await process.wait()
        raise LocalCommandError("the uapi command did not finish in time") from None
    if process.returncode != 0:
        # Its stderr is not shown: it could echo arguments, passwords included.
        raise LocalCommandError(f"the uapi command failed (exit status {process.returncode})")
    return out


def _run_local_cpapi2(command: str, inv: Invocation) -> int:
    """Pass-through on the server itself: cPanel's own cpapi2 answers, output untouched."""
    if os.environ.get(NESTED_ENV):
        _errors([f"cpapi2.api2_command ({command}) runs api2shim-cpapi2 again; point it at cPanel's own cpapi2"])
        return EXIT_USAGE
    argv = [command, f"--user={inv.user}", f"--output={inv.output}", inv.module, inv.func, *_encoded(inv.args.items())]
    env = {**os.environ, NESTED_ENV: "1"}
    try:
        return subprocess.run(argv, env=env).returncode
    except OSError as exc:
        _errors([f"cannot run cpapi2.api2_command {command}: {exc.strerror}"])
        return EXIT_FAILED


# --- output formats -----------------------------------------------------------------


def render(document: Any, output: str) -> str:
    if output == "json":
        return orjson.dumps(document).decode() + "\n"  # the bytes the HTTP path sends
    if output == "jsonpretty":
        return json.dumps(document, indent=3, sort_keys=True, ensure_ascii=False) + "\n"
    if output == "xml":
        return xmlform.render(document).decode()  # the layout /xml-api/cpanel answers with
    return to_yaml(document)


def to_yaml(document: Any) -> str:
    """YAML as cPanel's command-line tools print it (YAML::Syck style).

    `---` first; mapping keys sorted; null as `~`; a list item that is a mapping starts
    with a bare `-` line and its keys follow indented; strings quoted only when plain
    YAML would read them as something else.
    """
    lines = ["---"]
    _yaml_node(document, 0, lines)
    return "\n".join(lines) + "\n"


def _yaml_node(value: Any, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key in sorted(value, key=str):
            item = value[key]
            if _is_block(item):
                lines.append(f"{pad}{_yaml_scalar(str(key))}:")
                _yaml_node(item, indent + 2, lines)
            else:
                lines.append(f"{pad}{_yaml_scalar(str(key))}: {_yaml_scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            if _is_block(item):
                lines.append(f"{pad}-")
                _yaml_node(item, indent + 2, lines)
            else:
                lines.append(f"{pad}- {_yaml_scalar(item)}")
    else:
        lines.append(f"{pad}{_yaml_scalar(value)}")


def _is_block(value: Any) -> bool:
    return isinstance(value, (dict, list)) and bool(value)


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "~"
    if isinstance(value, (dict, list)):
        return "{}" if isinstance(value, dict) else "[]"
    if isinstance(value, str) and ("\n" in value or "\r" in value):
        # One line whatever the indentation: a double-quoted scalar with escapes.
        return json.dumps(value, ensure_ascii=False)
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1 << 30)
    return text.removesuffix("\n").removesuffix("\n...").rstrip("\n")
