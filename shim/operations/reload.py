"""Reloading the mapping table (SIGHUP, or POST /reload on the admin listener).

The config file and every mapping file are read and validated first; only a table that
loads without error replaces the live one, in one assignment (`TableHolder.table`), so a
request that already read the table finishes on it. On any error the last good table
keeps serving and the errors are logged, returned and kept in `Lifecycle.last_reload_error`.

What a reload applies: the mapping files, `mappings`, `default_mode`, `upstream_version`,
`upstream_api2`, the per-function modes (`functions:`) and `partial_mappings`. A reload is
strict: a table with fewer entries than the shipped one (without `partial_mappings: true`),
an empty mappings folder or an empty config file is refused like any other error.
Listeners, upstreams, timeouts, limits, TLS, admin and logging settings are read at start
only; a reload that finds them changed says which ones need a restart.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shim.app import TableHolder, load_configured_table
from shim.config import Config, ConfigError, load_config
from shim.observability.lifecycle import Lifecycle
from shim.observability.metrics import Metrics
from shim.translation.yamlsource import SourceErrors

log = logging.getLogger("api2shim.reload")

# Config fields a reload applies; any other difference needs a restart.
RELOADED_FIELDS = frozenset({"mappings", "partial_mappings", "default_mode", "upstream_version", "upstream_api2"})
# Sections of Config.extra a reload applies (the rest of `extra` needs a restart).
RELOADED_SECTIONS = frozenset({"functions"})
# Bookkeeping, not settings: where each value was set in the file.
_NOT_SETTINGS = frozenset({"origins"})


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    entries: int = 0
    errors: tuple[str, ...] = ()
    restart_needed: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        if not self.ok:
            return {"reloaded": False, "errors": list(self.errors), "serving": "the previous table"}
        return {"reloaded": True, "entries": self.entries, "restart_needed": list(self.restart_needed)}


@dataclass
class Reloader:
    config_path: Path | None
    overrides: dict[str, Any]
    started_with: Config
    tables: TableHolder
    lifecycle: Lifecycle
    metrics: Metrics
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def reload(self) -> ReloadResult:
        async with self._lock:  # two reloads at once would race to the swap
            result = self._load_and_swap()
        if result.ok:
            self.metrics.reloads.labels("ok").inc()
            self.lifecycle.last_reload_error = []
            log.info("reloaded: %d mapping entries%s", result.entries,
                     f"; restart needed for {', '.join(result.restart_needed)}" if result.restart_needed else "")
        else:
            self.metrics.reloads.labels("failed").inc()
            self.lifecycle.last_reload_error = list(result.errors)
            log.error("reload failed, the previous table keeps serving: %s", "; ".join(result.errors))
        return result

    def _load_and_swap(self) -> ReloadResult:
        try:
            config = load_config(self.config_path, self.overrides)
            table = load_configured_table(config, strict=True)
        except ConfigError as exc:
            return ReloadResult(False, errors=tuple(exc.errors))
        except SourceErrors as exc:
            return ReloadResult(False, errors=tuple(str(e) for e in exc.errors))
        self.tables.table = table  # the swap: one reference assignment
        return ReloadResult(True, entries=len(table.entries), restart_needed=_restart_needed(self.started_with, config))


def _restart_needed(old: Config, new: Config) -> tuple[str, ...]:
    changed = []
    for item in dataclasses.fields(Config):
        if item.name in RELOADED_FIELDS or item.name in _NOT_SETTINGS:
            continue
        before, after = getattr(old, item.name), getattr(new, item.name)
        if item.name == "extra":
            before, after = ({k: v for k, v in d.items() if k not in RELOADED_SECTIONS} for d in (before, after))
        if before != after:
            changed.append(item.name)
    return tuple(changed)


def reload_on_sighup(reloader: Reloader) -> None:
    """SIGHUP reloads, as daemons do; a reload already running makes the next one wait."""
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[ReloadResult]] = set()

    def start() -> None:
        task = loop.create_task(reloader.reload())
        tasks.add(task)  # keep a reference until done
        task.add_done_callback(tasks.discard)

    loop.add_signal_handler(signal.SIGHUP, start)
