"""Command line: `python -m shim serve|check|translate|coverage|cpapi2|demo`."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gzip
import json
import logging
import signal
import sys
from http.client import HTTPException
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import parse_qsl, urlsplit

from shim import __version__
from shim.app import TableHolder, create_app, load_configured_table
from shim.config import (
    DEFAULT_ADMIN_LISTEN,
    LOG_LEVELS,
    SERVICES,
    Config,
    ConfigError,
    load_config,
    parse_hostport,
)
from shim.inbound.guard import Gate
from shim.inbound.connections import ClientConnections
from shim.inbound.listener import start_listener
from shim.inbound.tls import server_context
from shim.observability import rollout_report
from shim.observability.observe import Runtime, configure_logging
from shim.observability.redact import redact_value
from shim.observability.rollout_report import ShadowLedger
from shim.observability.usage import UsageTracker, fetch_usage_document, write_report
from shim.operations import eventloop, gcpolicy
from shim.operations.admin import start_admin
from shim.operations.reload import Reloader, reload_on_sighup
from shim.translation import coverage, rollout
from shim.translation.api2_functions import API2_FUNCTIONS
from shim.translation.arguments import TransformError
from shim.translation.coverage import FORMATS
from shim.translation.mapping import DEFAULT_MODE, UNANSWERABLE, UPSTREAM_API2, MappingTable, load_table
from shim.translation.recognise import (
    merge_params,
    recognise,
    split_path,
    with_whm_account,
)
from shim.translation.rollout import DEFAULT_READY_AFTER, ShadowSettings
from shim.translation.translate import build_uapi_call, whm_form
from shim.translation.yamlsource import SourceErrors



def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["cpapi2"]:
        # cpapi2's own syntax (options after the words, URI-encoded values): not argparse's.
        from shim.cpapi2 import main as cpapi2_main

        return cpapi2_main(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # workers re-run the same command line
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    return args.run(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="api2shim", description="cPanel API 2 → UAPI translating proxy")
    parser.add_argument("--version", action="version", version=f"api2shim {__version__}")
    commands = parser.add_subparsers(dest="command")

    serve = commands.add_parser("serve", help="run the proxy")
    _add_config_flags(serve)
    serve.set_defaults(run=_cmd_serve)

    check = commands.add_parser("check", help="validate the config and every mapping file")
    check.add_argument("--config", type=Path, help="YAML config file")
    check.add_argument("--mappings", type=Path, action="append", help="mapping file or folder (repeatable)")
    check.add_argument("--partial-mappings", action="store_true",
                       help="the mapping files are knowingly fewer than the shipped table's (partial_mappings: true)")
    check.set_defaults(run=_cmd_check)

    translate = commands.add_parser("translate", help="show the UAPI call a legacy URL becomes (no network)")
    translate.add_argument("url", help="legacy request URL or path with query")
    translate.add_argument("--service", choices=SERVICES, default="whm")
    translate.add_argument("--config", type=Path)
    translate.add_argument("--mappings", type=Path, action="append")
    translate.set_defaults(run=_cmd_translate)

    coverage = commands.add_parser("coverage", help="count what the table does with every API 2 function")
    coverage.add_argument("--config", type=Path, help="YAML config file (mappings, default_mode, upstream_version)")
    coverage.add_argument("--mappings", type=Path, action="append", help="mapping file or folder (repeatable)")
    coverage.add_argument("--upstream-version", help="cPanel version of the upstream: newer entries pass through")
    coverage.add_argument("--upstream-api2", choices=UPSTREAM_API2,
                          help="absent: the upstream serves no native API 2 (functions without a route are unanswerable)")
    coverage.add_argument("--module", action="append", help="report only this API 2 module (repeatable)")
    coverage.add_argument("--format", choices=FORMATS, default="table")
    coverage.set_defaults(run=_cmd_coverage)

    commands.add_parser(
        "cpapi2", help="drop-in for cPanel's cpapi2 command: cpapi2 --user=USER [--output=FMT] Module function k=v…",
        add_help=False,
    )

    usage = commands.add_parser("usage", help="which API 2 functions are still called, by whom, how handled")
    usage.add_argument("--admin", metavar="HOST:PORT", help=f"a running shim's admin listener (default {DEFAULT_ADMIN_LISTEN})")
    usage.add_argument("--config", type=Path, help="take the admin address from this config file")
    usage.add_argument("--log", type=Path, action="append", help="read access log files instead ('-': stdin; repeatable)")
    usage.add_argument("--json", action="store_true", help="the rows as JSON (with the rollout report's)")
    usage.add_argument("--rollout", action="store_true",
                       help="the rollout report: per function its mode, shadow agreement and verdict")
    usage.add_argument("--markdown", action="store_true", help="the rollout report as Markdown, for a change ticket")
    usage.set_defaults(run=_cmd_usage)

    demo = commands.add_parser("demo", help="run the embedded fake cPanel with the shim in front of it")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--whm-port", type=int, default=8087, help="shim's WHM listener (default 8087)")
    demo.add_argument("--cpanel-port", type=int, default=8083, help="shim's cPanel listener (default 8083)")
    demo.add_argument("--admin-port", type=int, default=9180, help="admin listener on 127.0.0.1 (default 9180)")
    demo.set_defaults(run=_cmd_demo)
    return parser


def _add_config_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="YAML config file; flags override it")
    for service in SERVICES:
        parser.add_argument(f"--{service}-listen", metavar="HOST:PORT", help=f"where to serve the {service} port")
        parser.add_argument(f"--{service}-upstream", metavar="URL", help=f"the real {service} service")
    parser.add_argument("--mappings", type=Path, action="append", help="mapping file or folder (repeatable)")
    parser.add_argument("--partial-mappings", action="store_true", default=None,
                        help="the mapping files are knowingly fewer than the shipped table's (else a reload refuses them)")
    parser.add_argument("--upstream-version", help="cPanel version of the upstream, e.g. 11.120")
    parser.add_argument("--upstream-api2", choices=UPSTREAM_API2,
                        help="present (default) or absent: whether the upstream still serves native API 2")
    parser.add_argument("--workers", type=int, help="processes serving the same ports (default 1)")
    parser.add_argument("--log-level", type=str.upper, choices=LOG_LEVELS,
                        help="app log level (default: logging.level in the config, else INFO)")
    parser.add_argument("--admin-listen", metavar="HOST:PORT|off",
                        help=f"admin listener: health, metrics, usage, reload (default {DEFAULT_ADMIN_LISTEN})")
    # Set by the master on the workers it starts: bind with SO_REUSEPORT, start no workers.
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    names = ("whm_listen", "whm_upstream", "cpanel_listen", "cpanel_upstream", "mappings", "partial_mappings",
             "upstream_version", "upstream_api2", "workers", "admin_listen")
    return {name: getattr(args, name, None) for name in names}


def _load(args: argparse.Namespace) -> Config:
    return load_config(args.config, _overrides(args))


def _print_errors(errors: list[str]) -> None:
    for error in errors:
        print(f"error: {error}", file=sys.stderr)


def _cmd_check(args: argparse.Namespace) -> int:
    """Strict, as a reload is: what `check` passes, `serve` and `POST /reload` take."""
    errors: list[str] = []
    overrides: dict[str, object] = {"whm_listen": "127.0.0.1:0"}
    if args.mappings:
        overrides["mappings"] = args.mappings
    if args.partial_mappings:
        overrides["partial_mappings"] = True
    config = None
    try:
        config = load_config(args.config, overrides)
    except ConfigError as exc:
        errors.extend(exc.errors)
    table = None
    if config is not None:
        try:
            table = load_configured_table(config, strict=True)
        except SourceErrors as exc:
            errors.extend(str(e) for e in exc.errors)
    if errors:
        _print_errors(errors)
        return 1
    assert table is not None
    print(f"ok: {len(table.entries)} mapping entries")
    _print_effective_modes(table)
    return 0


def _print_effective_modes(table: MappingTable, modules: frozenset[str] | None = None) -> None:
    """The functions whose mode the config's `functions:` section changes, and where."""
    changed = rollout.effective_changes(table, modules)
    if not changed:
        return
    print(f"modes set by the config ({len(changed)} functions differ from the table):")
    width = max(len(name) for name, *_ in changed)
    mode_width = max(len(mode) for _, mode, *_ in changed)
    for name, mode, was, origin in changed:
        print(f"  {name.ljust(width)}  {mode.ljust(mode_width)}  (table: {was}; {origin})")


def _cmd_translate(args: argparse.Namespace) -> int:
    try:
        table = load_table(args.mappings, upstream_version=None)
        if args.config:
            config = load_config(args.config, {"whm_listen": "127.0.0.1:0"})
            if args.mappings:
                config = dataclasses.replace(config, mappings=tuple(args.mappings))
            table = load_configured_table(config)
    except (SourceErrors, ConfigError) as exc:
        _print_errors([str(exc)])
        return 1
    parts = urlsplit(args.url)
    api_path = split_path(parts.path or "/")
    call = recognise(merge_params(parse_qsl(parts.query, keep_blank_values=True), []), api_path.cpsess)
    if call is None or api_path.path != "/json-api/cpanel":
        print("passes through untouched: not an API 2 call")
        return 0
    entry = table.lookup(call.module, call.func)
    mode = table.mode_for(entry)
    route = table.route(call.module, call.func, entry)
    where = f"{entry.file}:{entry.line}" if entry else "no entry; the default mode applies"
    if route is not None:
        print(f"API 2 {call.module}::{call.func}: {rollout.describe(route)} (decided by {route.origin}; the table says {mode})")
        print(f"  {_ROUTE_WORDS.get(route.mode, route.mode)}")
        if route.mode in ("passthrough", "reject"):
            return 0
    else:
        print(f"API 2 {call.module}::{call.func}: {mode} (decided by {where})")
    if entry and route is None and mode != entry.mode:
        print(f"  the entry says translate, but the upstream is older than {'.'.join(map(str, entry.since or ()))}")
    if mode in ("reject", UNANSWERABLE):
        if mode == UNANSWERABLE:
            print("  no route, and the upstream serves no native API 2 (upstream_api2: absent)")
        print(f"  answers: Could not find function '{call.func}' in module '{call.module}'")
        return 0
    if mode == "passthrough":
        print(f"  forwarded unchanged{': ' + entry.reason if entry else ''}")
        return 0
    assert entry is not None
    if entry.recipe is not None:
        what = "makes its upstream calls" if entry.recipe_kind == "recipe" else "answers without an upstream call"
        print(f"  {entry.recipe_kind} {entry.recipe_name} {what} (shim/recipes/{entry.recipe_name.split('.')[0]}.py)")
        return 0
    if args.service == "whm":
        call = with_whm_account(call)
    try:
        uapi = build_uapi_call(entry, call, call.user)
    except TransformError as exc:
        print(f"  answers an API 2 failure without calling upstream: {exc}")
        return 0
    # The one redaction rule (shim.observability.redact): the table's secrets and the name patterns.
    secret = uapi.secret_args | {arg for known in table.entries.values() for arg in known.secret_args}
    shown = [(k, redact_value(k, v, secret)) for k, v in uapi.args]
    if entry.lookup is not None:
        lookup = entry.lookup
        wanted = ", ".join([*(f"{field}={redact_value(arg, call.args.get(arg, ''), secret)}"
                              for field, arg in lookup.match.items()),
                            *(f"{field}={value}" for field, value in lookup.where.items())])
        read = " ".join(f"{target}={redact_value(arg, call.args.get(arg, ''), secret)}"
                        for target, arg in lookup.args.items())
        print(f"  first: UAPI {lookup.uapi_module}::{lookup.uapi_func}{' ' + read if read else ''}; "
              f"{lookup.target} = {lookup.take} of the record with {wanted}")
    if args.service == "whm":
        print(f"  POST {call.cpsess}/json-api/uapi_cpanel")
        form = whm_form(type(uapi)(uapi.module, uapi.func, shown, uapi.secret_args), call.user or "")
    else:
        print(f"  POST {call.cpsess}/execute/{uapi.module}/{uapi.func}")
        form = shown
    for key, value in form:
        print(f"    {key}={value}")
    print(f"  output: {entry.output.shape}")
    return 0


_ROUTE_WORDS = {
    "shadow": "the client gets native API 2's answer; this translation is made in the background and compared",
    "canary": "that share of the calls is translated as below, the rest passes through to native API 2",
    "passthrough": "forwarded unchanged",
    "reject": "answers: Could not find function (the config rejects it)",
}


def _errors_of(exc: Exception) -> list[str]:
    if isinstance(exc, ConfigError):
        return exc.errors
    if isinstance(exc, SourceErrors):
        return [str(e) for e in exc.errors]
    return [f"upstream_version: {exc}"]  # ValueError: a version flag that is not a version


def _offline_config(path: Path | None) -> Config | None:
    """The config file's settings for a command that serves nothing (no listener needed)."""
    return load_config(path, {"whm_listen": "127.0.0.1:0"}) if path else None


def _table_for(config: Config | None, mappings: list[Path] | None, version: str | None,
               api2: str | None = None) -> MappingTable:
    """The table as `serve` would load it, with the config's `functions:` modes; flags win over the config file."""
    if config is not None:
        return load_configured_table(dataclasses.replace(
            config, mappings=tuple(mappings or config.mappings), upstream_version=version or config.upstream_version,
            upstream_api2=api2 or config.upstream_api2))
    return load_table(mappings, default_mode=DEFAULT_MODE, upstream_version=version, upstream_api2=api2 or "present")


def _cmd_coverage(args: argparse.Namespace) -> int:
    try:
        table = _table_for(_offline_config(args.config), args.mappings, args.upstream_version, args.upstream_api2)
    except (ConfigError, SourceErrors, ValueError) as exc:
        _print_errors(_errors_of(exc))
        return 1
    only = frozenset(args.module) if args.module else None
    unknown = sorted((only or frozenset()) - set(API2_FUNCTIONS))
    if unknown:
        _print_errors([f"no API 2 module named {name}" for name in unknown])
        return 1
    sys.stdout.write(coverage.render(coverage.compute(table, API2_FUNCTIONS, only), args.format))
    if args.format != "json":
        _print_effective_modes(table, only)
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    stop = StopSignals()
    try:
        config = _load(args)
        tables = TableHolder(load_configured_table(config))
    except (ConfigError, SourceErrors) as exc:
        _print_errors(_errors_of(exc))
        return 1
    settings = config.logging_settings
    try:
        configure_logging(settings.access_log, args.log_level or settings.level)
    except OSError as exc:
        _print_errors([f"cannot open the access log: {exc.strerror or exc}"])
        return 1
    if config.workers > 1 and not args.worker:
        from shim.operations.workers import run_master

        try:
            return run_master(config, args.argv, stop.requested)
        except OSError as exc:
            _print_errors([f"cannot listen: {exc.strerror or exc}"])
            return 1
    runtime = Runtime()
    reloader = Reloader(args.config, _overrides(args), config, tables, runtime.lifecycle, runtime.metrics)
    try:
        eventloop.run(_serve(config, tables, stop, runtime, reloader, reuse_port=args.worker))
    except OSError as exc:
        _print_errors([f"cannot listen: {exc.strerror or exc}"])
        return 1
    return 0


async def _serve(config: Config, tables: TableHolder, stop: StopSignals, runtime: Runtime | None = None,
                 reloader: Reloader | None = None, *, reuse_port: bool = False) -> None:
    log = logging.getLogger("api2shim")
    limits = config.http_limits()
    connections = ClientConnections(config.max_connections_per_client)  # one count for every listener
    ssl_context = server_context(config.tls_cert, config.tls_key) if config.tls_cert and config.tls_key else None
    gate = Gate(config.max_concurrent)  # one cap for the whole process
    runtime = runtime or Runtime()
    lifecycle = runtime.lifecycle
    listeners = []
    admin = None
    try:
        for service in config.services:
            app = create_app(config, service.name, tables, runtime, gate=gate)
            listener = await start_listener(
                app, service.listen_host, service.listen_port, limits=limits, ssl_context=ssl_context,
                reuse_port=reuse_port, shutdown_timeout=config.shutdown_timeout, connections=connections,
            )
            listeners.append(listener)
            log.info("%s listening on %s://%s:%d, upstream %s", service.name, "https" if ssl_context else "http",
                     service.listen_host, listener.port, service.upstream)
        admin = await start_admin(config, runtime, reloader, reuse_port=reuse_port, gate=gate)
        if reloader is not None:
            reload_on_sighup(reloader)
        gcpolicy.settle_after_start()
        await stop.wait()
        lifecycle.begin_drain()
        log.info("stopping: no new connections; %d request(s) in flight get up to %gs to finish",
                 gate.in_flight, config.shutdown_timeout)
    finally:
        # Concurrently, so the bound is one shutdown_timeout for the process, not one per listener.
        # Each ends by the deadline: requests still running then are cut off.
        await asyncio.gather(*(listener.close(config.shutdown_timeout) for listener in listeners))
        if admin is not None:  # last, so /readyz says "draining" while requests finish
            await admin.close()
    log.info("stopped")


class StopSignals:
    """SIGINT and SIGTERM from the moment a server command starts, not only once it listens.

    A signal that arrives while the table loads or the listeners bind is remembered, and
    `wait()` returns as soon as the server is up, so it drains and exits 0 like any other
    stop instead of dying with -15 half-started.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self._early = False
        for sig in self.SIGNALS:
            signal.signal(sig, self._remember)

    def _remember(self, signum: int, frame: object) -> None:
        self._early = True

    def requested(self) -> bool:
        """Whether a stop signal has come before `wait()` took over."""
        return self._early

    async def wait(self) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in self.SIGNALS:
            loop.add_signal_handler(sig, stop.set)
        if self._early:
            stop.set()
        await stop.wait()


def _cmd_usage(args: argparse.Namespace) -> int:
    if args.admin is not None:
        try:
            parse_hostport(args.admin)
        except ValueError as exc:
            _print_errors([f"--admin: {exc}"])
            return 2
    try:
        if args.log:
            tracker, ledger, source = UsageTracker(), ShadowLedger(), ", ".join(str(p) for p in args.log)
            for path in args.log:
                if not _read_access_log(tracker, path, ledger):
                    return 1
            # With the config, the report knows the effective modes and what can translate.
            config = _offline_config(args.config)
            table = load_configured_table(config) if config is not None else None
            settings = (config.extra.get("shadow") if config is not None else None) or ShadowSettings()
            ready_after = settings.ready_after
            rows = rollout_report.build(tracker, ledger, table, ready_after=ready_after)
        else:
            address = args.admin or _admin_address(args.config)
            token = load_config(args.config, {"whm_listen": "127.0.0.1:0"}).admin_settings.token if args.config else None
            document, source = fetch_usage_document(address, token), f"the shim at {address}"
            tracker, ledger = UsageTracker.from_json(document), ShadowLedger.from_json(document.get("shadow", {}))
            ready_after = document.get("ready_after", DEFAULT_READY_AFTER)
            rows = [rollout_report.ReportRow(**row) for row in document.get("rollout", [])]
    except (OSError, ValueError, TypeError, ConfigError, SourceErrors, HTTPException) as exc:
        _print_errors(_errors_of(exc) if isinstance(exc, (ConfigError, SourceErrors)) else [f"cannot read usage: {_reason(exc)}"])
        return 1
    if args.json:
        print(json.dumps({**tracker.as_json(), "ready_after": ready_after, "rollout": [r._asdict() for r in rows],
                          "shadow": ledger.as_json()}, indent=2))
    elif args.markdown:
        rollout_report.write_markdown(rows, sys.stdout, source, tracker.since, ready_after)
    elif args.rollout:
        rollout_report.write_text(rows, sys.stdout)
    else:
        write_report(tracker, sys.stdout, source)
    return 0


def _read_access_log(tracker: UsageTracker, path: Path, ledger: ShadowLedger) -> bool:
    """Add one access log ('-': stdin) to the report; says on stderr how many of its lines
    were not access lines, and fails when none of its lines was one."""
    before_read, before_unreadable = tracker.lines_read, tracker.unreadable_lines
    if str(path) == "-":
        tracker.add_log_lines(_feeding(ledger, sys.stdin))
    else:
        opener = gzip.open if path.suffix == ".gz" else open  # rotated logs are often compressed
        with opener(path, "rt", encoding="utf-8", errors="replace") as lines:
            tracker.add_log_lines(_feeding(ledger, lines))
    read, unreadable = tracker.lines_read - before_read, tracker.unreadable_lines - before_unreadable
    if read and unreadable == read:
        _print_errors([f"{path}: none of its {read} lines is an access log line (one JSON object per line)"])
        return False
    if unreadable:
        print(f"warning: {path}: {unreadable} of {read} lines are not access log lines (JSON objects); skipped",
              file=sys.stderr)
    return True


def _reason(exc: BaseException) -> str:
    """urllib's errors wrap the useful part: 'Not Found', 'Connection refused'."""
    reason = getattr(exc, "reason", None)
    return str(getattr(reason, "strerror", None) or reason or exc)


def _feeding(ledger: ShadowLedger, lines: Iterable[str]) -> Iterator[str]:
    """The lines as they are, their shadow lines also counted into `ledger` (one pass over a log)."""
    for line in lines:
        if '"shadow"' in line:
            ledger.add_log_lines((line,))
        yield line


def _admin_address(config_path: Path | None) -> str:
    if config_path is None:
        return DEFAULT_ADMIN_LISTEN
    listen = load_config(config_path, {"whm_listen": "127.0.0.1:0"}).admin_settings.listen
    if listen is None:
        raise ValueError("the admin listener is off in this config; use --log FILE")
    host, port = listen
    return f"{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{port}"


def _cmd_demo(args: argparse.Namespace) -> int:
    from shim.demo import run_demo

    # As `serve` does: the access log as JSON Lines on stdout, the app log (and the demo's
    # instructions) on stderr, so `./dev demo > access.log` is a file `usage --log` reads.
    configure_logging("stdout", "INFO")
    stop = StopSignals()
    try:
        asyncio.run(run_demo(args.host, args.whm_port, args.cpanel_port, stop.wait, args.admin_port))
    except OSError as exc:
        _print_errors([f"cannot listen: {exc.strerror or exc}"])
        return 1
    return 0
