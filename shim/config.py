"""Settings, validated once at start: a bad setting stops the shim with one line per error.

The `admin` and `logging` sections have their own small parsers here; each takes the
section's raw YAML value and an `err(line, message)` callback and returns a frozen settings
object that `Config.extra` holds.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from yarl import URL

from shim.inbound.listener import (
    DEFAULT_HEAD_TIMEOUT,
    DEFAULT_KEEPALIVE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
    DEFAULT_MAX_FIELD_SIZE,
    DEFAULT_MAX_HEAD_SIZE,
    DEFAULT_MAX_LINE_SIZE,
    HttpLimits,
)
from shim.inbound.tls import ca_file_error, server_files_error
from shim.translation.mapping import DEFAULT_MODE, MODES, UPSTREAM_API2, parse_version
from shim.translation.rollout import Overrides, parse_functions, parse_shadow
from shim.translation.yamlsource import (
    Err,
    MarkedDict,
    SourceError,
    SourceErrors,
    config_section,
    load_yaml,
)

SERVICES = ("whm", "cpanel")
DEFAULT_UPSTREAMS = {"whm": "https://127.0.0.1:2087", "cpanel": "https://127.0.0.1:2083"}
DEFAULT_CONNECT_TIMEOUT = 10.0
# UAPI calls such as backups or SSL installs can take a while; API 2 clients waited too.
DEFAULT_READ_TIMEOUT = 300.0
# A /json-api/cpanel body, read whole to find the call. The largest real API 2 call is an
# SSL install (certificate, key and CA bundle: 10-20 KiB, urlencoded a little more); 256 KiB
# is ten times that, and parses in a few milliseconds whatever its content.
DEFAULT_MAX_API_BODY = 256 * 1024
# An API 2 body must arrive whole within this many seconds of its head (a slow link sends
# 256 KiB in well under this), and no gap between its bytes may be longer than the idle
# timeout, which also bounds a pause in a streamed pass-through upload.
DEFAULT_BODY_TIMEOUT = 60.0
DEFAULT_BODY_IDLE_TIMEOUT = 15.0
DEFAULT_MAX_UPSTREAM_ANSWER = 64 * 1024 * 1024  # a UAPI answer the shim parses
DEFAULT_POOL_SIZE = 100
# Pass-through uploads (backups, file manager) are streamed, so they may be large.
DEFAULT_MAX_PASSTHROUGH_BODY = 2 * 1024 * 1024 * 1024
# Requests in progress per process (both listeners together); more get an API 2-shaped 503.
DEFAULT_MAX_CONCURRENT = 512
# How long SIGTERM lets requests in flight finish before the process exits anyway.
DEFAULT_SHUTDOWN_TIMEOUT = 30.0
DEFAULT_WORKERS = 1
NO_LISTENER = "no listener"


# Loopback only: the admin listener answers without credentials (health, metrics, usage,
# reload), so it is on by default where only the host itself can reach it.
DEFAULT_ADMIN_LISTEN = "127.0.0.1:9180"
OFF = "off"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_LOG_LEVEL = "INFO"
ACCESS_LOG_STREAMS = ("stderr", "stdout", OFF)
DEFAULT_ACCESS_LOG = "stdout"  # JSON Lines apart from the app log (stderr)


def parse_hostport(text: Any) -> tuple[str, int]:
    """HOST:PORT (IPv6 hosts in brackets); ValueError with an operator-readable text otherwise."""
    host, sep, port = str(text).rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"'{text}' is not HOST:PORT")
    return host.strip("[]"), int(port)


def parse_listen(text: Any) -> tuple[str, int] | None:
    """HOST:PORT, or None for `off` (a listener that may be switched off)."""
    if text is False or str(text).strip().lower() in (OFF, "false", "none", ""):
        return None
    try:
        return parse_hostport(text)
    except ValueError:
        raise ValueError(f"'{text}' is not HOST:PORT or off") from None


@dataclass(frozen=True, slots=True)
class AdminSettings:
    listen: tuple[str, int] | None = parse_listen(DEFAULT_ADMIN_LISTEN)
    # A file holding the bearer token /usage and /reload require (never a flag: command lines
    # are visible to every local user). The token itself is never shown, not even in repr.
    token_file: Path | None = None
    token: str | None = field(default=None, repr=False, compare=False)
    token_line: int = field(default=0, repr=False, compare=False)

    def with_token(self, folder: Path, err: Err) -> "AdminSettings":
        """token_file found from the config file's folder, and read (an error names its line)."""
        if self.token_file is None:
            return self
        path = self.token_file if self.token_file.is_absolute() else folder / self.token_file
        try:
            token = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            err(self.token_line, f"admin.token_file: cannot read '{path}': {getattr(exc, 'strerror', None) or exc}")
            return replace(self, token_file=path)
        if not token:
            err(self.token_line, f"admin.token_file: '{path}' is empty")
        return replace(self, token_file=path, token=token or None)


@dataclass(frozen=True, slots=True)
class LoggingSettings:
    access_log: str = DEFAULT_ACCESS_LOG  # stderr, stdout, off, or a file path
    level: str = DEFAULT_LOG_LEVEL

    def relative_to(self, folder: Path) -> "LoggingSettings":
        """A relative log file is found from the config file's folder, like every path in it."""
        if self.access_log in ACCESS_LOG_STREAMS or Path(self.access_log).is_absolute():
            return self
        return replace(self, access_log=str(folder / self.access_log))


def parse_admin(value: Any, line: int, err: Err) -> AdminSettings:
    section = config_section("admin", value, line, ("listen", "token_file"), err)
    if not section:
        return AdminSettings()
    settings = AdminSettings()
    if "listen" in section:
        try:
            settings = AdminSettings(listen=parse_listen(section["listen"]))
        except ValueError as exc:
            err(section.line_of("listen"), f"admin.listen: {exc}")
    if "token_file" in section:
        given = section["token_file"]
        if not isinstance(given, str) or not given.strip():
            err(section.line_of("token_file"), f"admin.token_file: expected a file path, not {given!r}")
        else:
            settings = replace(settings, token_file=Path(given.strip()), token_line=section.line_of("token_file"))
    return settings


def parse_logging(value: Any, line: int, err: Err) -> LoggingSettings:
    section = config_section("logging", value, line, ("access_log", "level"), err)
    if not section:
        return LoggingSettings()
    settings: dict[str, str] = {}
    if "access_log" in section:
        target = section["access_log"]
        if target is False:
            target = OFF
        if not isinstance(target, str) or not target.strip():
            err(section.line_of("access_log"), f"logging.access_log: expected stderr, stdout, off or a file path, not {target!r}")
        else:
            settings["access_log"] = target.strip()
    if "level" in section:
        level = str(section["level"]).upper()
        if level not in LOG_LEVELS:
            err(section.line_of("level"), f"logging.level: '{section['level']}' is not one of {', '.join(LOG_LEVELS)}")
        else:
            settings["level"] = level
    return LoggingSettings(**settings)


class ConfigError(Exception):
    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    """One proxied service: where the shim listens and which cpsrvd port it fronts."""

    name: str
    listen_host: str
    listen_port: int
    upstream: URL
    # Client networks allowed to connect (WHM's host access control); empty: everyone.
    allow: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    def __post_init__(self) -> None:
        if self.name not in SERVICES:
            raise ValueError(f"unknown service '{self.name}'")
        if self.upstream.scheme not in ("http", "https") or not self.upstream.host:
            raise ValueError(f"{self.name} upstream must be an http(s) URL, not '{self.upstream}'")
        if self.upstream.path not in ("", "/") or self.upstream.query_string:
            raise ValueError(f"{self.name} upstream must be scheme://host:port only, not '{self.upstream}'")


@dataclass(frozen=True, slots=True)
class Config:
    services: tuple[ServiceConfig, ...]
    mappings: tuple[Path, ...] = ()
    partial_mappings: bool = False  # the mapping files are knowingly fewer than the shipped table's
    default_mode: str = DEFAULT_MODE
    upstream_version: str | None = None
    upstream_api2: str = "present"  # "absent": the upstream serves no native API 2 (after cPanel's removal)
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    max_line_size: int = DEFAULT_MAX_LINE_SIZE
    max_field_size: int = DEFAULT_MAX_FIELD_SIZE
    max_api_body: int = DEFAULT_MAX_API_BODY
    max_upstream_answer: int = DEFAULT_MAX_UPSTREAM_ANSWER
    pool_size: int = DEFAULT_POOL_SIZE
    upstream_ca_file: Path | None = None
    upstream_insecure: bool = False
    max_passthrough_body: int = DEFAULT_MAX_PASSTHROUGH_BODY
    max_concurrent: int = DEFAULT_MAX_CONCURRENT
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT
    head_timeout: float = DEFAULT_HEAD_TIMEOUT
    keepalive_timeout: float = DEFAULT_KEEPALIVE_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    body_idle_timeout: float = DEFAULT_BODY_IDLE_TIMEOUT
    max_head_size: int = DEFAULT_MAX_HEAD_SIZE
    max_connections_per_client: int = DEFAULT_MAX_CONNECTIONS_PER_CLIENT
    workers: int = DEFAULT_WORKERS
    tls_cert: Path | None = None
    tls_key: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # sections owned by other modules
    # Field name → "file:line" where the config file set it, so errors point there.
    origins: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        errors = _Located(self.origins)
        if not self.services:
            errors.append(f"{NO_LISTENER}: give --whm-listen and/or --cpanel-listen (or whm/cpanel in the config file)")
        if self.default_mode not in MODES:
            errors.add("default_mode", f"default_mode must be one of {', '.join(MODES)}, not '{self.default_mode}'")
        if self.upstream_version is not None:
            try:
                parse_version(self.upstream_version)
            except ValueError as exc:
                errors.add("upstream_version", f"upstream_version: {exc}")
        if self.upstream_api2 not in UPSTREAM_API2:
            errors.add("upstream_api2", f"upstream_api2 must be one of {', '.join(UPSTREAM_API2)}, not '{self.upstream_api2}'")
        for name in ("connect_timeout", "read_timeout", "shutdown_timeout", "head_timeout", "keepalive_timeout",
                     "body_timeout", "body_idle_timeout"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                errors.add(name, f"{name} must be a positive number of seconds, not {value!r}")
        for name in ("max_line_size", "max_field_size", "max_api_body", "max_upstream_answer", "pool_size",
                     "max_passthrough_body", "max_concurrent", "workers", "max_head_size",
                     "max_connections_per_client"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                errors.add(name, f"{name} must be a positive whole number, not {value!r}")
        if self.upstream_ca_file is not None:
            problem = ca_file_error(self.upstream_ca_file)
            if problem:
                errors.add("upstream_ca_file", problem)
        if not isinstance(self.partial_mappings, bool):
            errors.add("partial_mappings", f"partial_mappings must be true or false, not {self.partial_mappings!r}")
        if not isinstance(self.upstream_insecure, bool):
            errors.add("upstream_insecure", f"upstream_tls.insecure must be true or false, not {self.upstream_insecure!r}")
        if (self.tls_cert is None) != (self.tls_key is None):
            given = "tls_cert" if self.tls_cert is not None else "tls_key"
            errors.add(given, "tls: give both cert and key, or neither")
        elif self.tls_cert is not None and self.tls_key is not None:
            problem = server_files_error(self.tls_cert, self.tls_key)
            if problem:
                errors.add(problem[0], problem[1])
        if (isinstance(self.max_head_size, int) and isinstance(self.max_line_size, int)
                and 0 < self.max_line_size and self.max_head_size < self.max_line_size):
            errors.add("max_head_size", f"max_head_size ({self.max_head_size}) must be at least max_line_size "
                       f"({self.max_line_size}): a request line alone may be that long")
        if errors:
            raise ConfigError(list(errors))

    def http_limits(self) -> HttpLimits:
        """What the listeners enforce beneath aiohttp (shim.inbound.listener)."""
        return HttpLimits(max_line_size=self.max_line_size, max_field_size=self.max_field_size,
                          max_head_size=self.max_head_size, head_timeout=self.head_timeout,
                          keepalive_timeout=self.keepalive_timeout,
                          max_connections_per_client=self.max_connections_per_client)

    def service(self, name: str) -> ServiceConfig | None:
        return next((s for s in self.services if s.name == name), None)

    @property
    def admin_settings(self) -> AdminSettings:
        return self.extra.get("admin") or AdminSettings()

    @property
    def logging_settings(self) -> LoggingSettings:
        return self.extra.get("logging") or LoggingSettings()


class _Located(list):
    """Error lines, each prefixed with the file and line that set the offending value."""

    def __init__(self, origins: dict[str, str]) -> None:
        super().__init__()
        self.origins = origins

    def add(self, field_name: str, message: str) -> None:
        where = self.origins.get(field_name)
        self.append(f"{where}: {message}" if where else message)


# File keys → Config fields. Nested sections keep the file readable.
_FILE_KEYS = {
    "mappings": "mappings",
    "partial_mappings": "partial_mappings",
    "default_mode": "default_mode",
    "upstream_version": "upstream_version",
    "upstream_api2": "upstream_api2",
    "timeouts.connect": "connect_timeout",
    "timeouts.read": "read_timeout",
    "limits.max_line_size": "max_line_size",
    "limits.max_field_size": "max_field_size",
    "limits.max_api_body": "max_api_body",
    "limits.max_upstream_answer": "max_upstream_answer",
    "limits.pool_size": "pool_size",
    "upstream_tls.ca_file": "upstream_ca_file",
    "upstream_tls.insecure": "upstream_insecure",
    "limits.max_passthrough_body": "max_passthrough_body",
    "limits.max_concurrent": "max_concurrent",
    "timeouts.shutdown": "shutdown_timeout",
    "timeouts.head": "head_timeout",
    "timeouts.keepalive": "keepalive_timeout",
    "timeouts.body": "body_timeout",
    "timeouts.body_idle": "body_idle_timeout",
    "limits.max_head_size": "max_head_size",
    "limits.max_connections_per_client": "max_connections_per_client",
    "workers": "workers",
    "tls.cert": "tls_cert",
    "tls.key": "tls_key",
}
_SECTIONS = {"whm", "cpanel", "timeouts", "limits", "upstream_tls", "tls"}
_SERVICE_KEYS = ("allow", "listen", "upstream")
# Sections other modules read from Config.extra; validated by their owners.
EXTRA_SECTIONS: set[str] = {"admin", "logging", "cpapi2", "functions", "shadow"}
_PATH_FIELDS = ("upstream_ca_file", "tls_cert", "tls_key")
# Owners' parsers for their sections: (raw value, line, err(line, message)) -> settings object.
EXTRA_PARSERS: dict[str, Any] = {"admin": parse_admin, "logging": parse_logging, "functions": parse_functions,
                                  "shadow": parse_shadow}


def load_config(path: Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Settings from a YAML file (optional), then command-line overrides.

    `overrides` uses flat names: `whm_listen`, `whm_upstream`, `cpanel_listen`,
    `cpanel_upstream`, and any Config field name. None values are ignored.
    """
    values: dict[str, Any] = {}
    errors: list[str] = []
    if path is not None:
        try:
            document = load_yaml(path)
        except SourceErrors as exc:
            raise ConfigError([str(e) for e in exc.errors]) from None
        values = _flatten_file(path, document, errors)
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = value
    if errors:
        raise ConfigError(errors)
    return _build(values)


def _flatten_file(path: Path, document: Any, errors: list[str]) -> dict[str, Any]:
    def err(line: int, message: str) -> None:
        errors.append(str(SourceError(str(path), line, message)))

    if document is None:
        # An empty file is a mistake (a truncated write, the wrong path), not "all defaults".
        err(1, "the config file is empty")
        return {}
    if not isinstance(document, MarkedDict):
        err(1, "the config file is a YAML mapping")
        return {}
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for key, value in document.items():
        line = document.line_of(key)
        if key in ("whm", "cpanel"):
            if not isinstance(value, MarkedDict):
                err(line, f"{key}: expected a mapping with listen and upstream")
                continue
            for sub, sub_value in value.items():
                if sub not in _SERVICE_KEYS:
                    err(value.line_of(sub), f"unknown key '{sub}' in {key} (allowed: {', '.join(_SERVICE_KEYS)})")
                else:
                    values[f"{key}_{sub}"] = sub_value
                    origins[f"{key}_{sub}"] = f"{path}:{value.line_of(sub)}"
        elif key in EXTRA_SECTIONS:
            parser = EXTRA_PARSERS.get(key)
            extra[key] = parser(value, line, err) if parser else value
        elif key in _SECTIONS:
            if not isinstance(value, MarkedDict):
                err(line, f"{key}: expected a mapping")
                continue
            for sub, sub_value in value.items():
                field_name = _FILE_KEYS.get(f"{key}.{sub}")
                if field_name is None:
                    allowed = sorted(k.split(".", 1)[1] for k in _FILE_KEYS if k.startswith(key + "."))
                    err(value.line_of(sub), f"unknown key '{sub}' in {key} (allowed: {', '.join(allowed)})")
                else:
                    values[field_name] = sub_value
                    origins[field_name] = f"{path}:{value.line_of(sub)}"
        elif key in _FILE_KEYS:
            values[_FILE_KEYS[key]] = value
            origins[_FILE_KEYS[key]] = f"{path}:{line}"
        else:
            allowed = sorted(_SECTIONS | EXTRA_SECTIONS | {k for k in _FILE_KEYS if "." not in k})
            err(line, f"unknown key '{key}' (allowed: {', '.join(allowed)})")
    if "mappings" in values:
        raw = values["mappings"]
        items = raw if isinstance(raw, list) else [raw]
        values["mappings"] = [(path.parent / str(item)) for item in items]
    for name in _PATH_FIELDS:
        if values.get(name) is not None:
            values[name] = path.parent / str(values[name])
    if isinstance(extra.get("admin"), AdminSettings):
        extra["admin"] = extra["admin"].with_token(path.parent, err)
    if isinstance(extra.get("logging"), LoggingSettings):
        extra["logging"] = extra["logging"].relative_to(path.parent)
    if isinstance(extra.get("functions"), Overrides):
        extra["functions"] = extra["functions"].located(str(path))  # its rules' errors come later, from the table
    values["extra"] = extra
    values["origins"] = origins
    return values


def _build(values: dict[str, Any]) -> Config:
    errors = _Located(values.get("origins", {}))
    services: list[ServiceConfig] = []
    listen_given = any(values.get(f"{name}_listen") is not None for name in SERVICES)
    for name in SERVICES:
        listen = values.pop(f"{name}_listen", None)
        upstream = values.pop(f"{name}_upstream", None)
        allow_text = values.pop(f"{name}_allow", None)
        if listen is None:
            if upstream is not None:
                errors.add(f"{name}_upstream", f"{name}: an upstream is set but no listen address")
            continue
        try:
            allow = parse_networks(allow_text)
        except ValueError as exc:
            errors.add(f"{name}_allow", f"{name}: allow: {exc}")
            allow = ()
        try:
            host, port = parse_hostport(listen)
            services.append(ServiceConfig(name, host, port, URL(str(upstream or DEFAULT_UPSTREAMS[name])), allow))
        except ValueError as exc:
            errors.add(f"{name}_listen", f"{name}: {exc}")
    admin_listen = values.pop("admin_listen", None)
    if admin_listen is not None:
        try:
            admin = values.get("extra", {}).get("admin") or AdminSettings()
            values["extra"] = {**values.get("extra", {}), "admin": replace(admin, listen=parse_listen(admin_listen))}
        except ValueError as exc:
            errors.add("admin_listen", f"admin: {exc}")
    if "mappings" in values:
        values["mappings"] = tuple(Path(p) for p in values["mappings"])
    for name in _PATH_FIELDS:
        if values.get(name) is not None:
            values[name] = Path(values[name])
    try:
        config = Config(services=tuple(services), **values)
    except ConfigError as exc:
        # A listener that failed its own validation was still asked for.
        rest = [e for e in exc.errors if not (listen_given and e.startswith(NO_LISTENER))]
        raise ConfigError(list(errors) + rest) from None
    except TypeError as exc:
        raise ConfigError(list(errors) + [f"invalid setting: {exc}"]) from None
    if errors:
        raise ConfigError(list(errors))
    return config


def parse_networks(value: Any) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """`allow` as networks: a list (or comma-separated text) of addresses and CIDR blocks."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else str(value).split(",")
    networks = []
    for item in items:
        text = str(item).strip()
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ValueError(f"'{text}' is not an address or network like 192.0.2.0/24") from None
    return tuple(networks)
