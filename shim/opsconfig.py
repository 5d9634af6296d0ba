"""The `admin` and `logging` sections of the config file, validated at load like the rest.

Both parsers take the section's raw YAML value and an `err(line, message)` callback, and
return a small frozen settings object; config.py stores it in `Config.extra`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from .yamlsource import MarkedDict

# Loopback only: the admin listener answers without credentials (health, metrics, usage,
# reload), so it is on by default where only the host itself can reach it.
DEFAULT_ADMIN_LISTEN = "127.0.0.1:9180"
OFF = "off"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_LOG_LEVEL = "INFO"
ACCESS_LOG_STREAMS = ("stderr", "stdout", OFF)
DEFAULT_ACCESS_LOG = "stderr"

Err = Callable[[int, str], None]


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


@dataclass(frozen=True, slots=True)
class LoggingSettings:
    access_log: str = DEFAULT_ACCESS_LOG  # stderr, stdout, off, or a file path
    level: str = DEFAULT_LOG_LEVEL

    def relative_to(self, folder: Path) -> "LoggingSettings":
        """A relative log file is found from the config file's folder, like every path in it."""
        if self.access_log in ACCESS_LOG_STREAMS or Path(self.access_log).is_absolute():
            return self
        return replace(self, access_log=str(folder / self.access_log))


def _section(name: str, value: Any, line: int, allowed: tuple[str, ...], err: Err) -> MarkedDict | None:
    if value is None:
        return MarkedDict()
    if not isinstance(value, MarkedDict):
        err(line, f"{name}: expected a mapping")
        return None
    for key in value:
        if key not in allowed:
            err(value.line_of(key), f"unknown key '{key}' in {name} (allowed: {', '.join(allowed)})")
    return value


def parse_admin(value: Any, line: int, err: Err) -> AdminSettings:
    section = _section("admin", value, line, ("listen",), err)
    if not section or "listen" not in section:
        return AdminSettings()
    try:
        return AdminSettings(listen=parse_listen(section["listen"]))
    except ValueError as exc:
        err(section.line_of("listen"), f"admin.listen: {exc}")
        return AdminSettings()


def parse_logging(value: Any, line: int, err: Err) -> LoggingSettings:
    section = _section("logging", value, line, ("access_log", "level"), err)
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
