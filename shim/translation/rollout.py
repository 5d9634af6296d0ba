"""Per-function modes from the config, layered over the shipped table (the `functions:` section).

    functions:
      "Ftp::*": translate                                  # every Ftp function that can be
      "Email::addpop": passthrough
      "ZoneEdit::fetchzone_records": shadow
      "Email::listpopswithdisk": {mode: canary, percent: 10}

The most specific rule wins: `Module::function`, then `Module::*`, then the table's own
entry, then `default_mode` (functions without an entry). A named function must be able to
take its mode (an error with file and line otherwise); a `Module::*` rule applies to the
functions of the module that can take it and leaves the others as the table has them.

  translate   needs a translate entry the upstream is new enough for
  shadow      the client gets native API 2's answer; the translation is made in the
              background and compared. Needs a translate entry marked `read_only`: a
              write would run twice
  canary      `percent` of the calls translated, the rest native (chosen per call)
  passthrough, reject   as in the table

Pure: parsing and resolving only; the request path reads the resolved `MappingTable.routes`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from typing import Any

from shim.translation.mapping import MODES, Entry, MappingTable, Route, shipped_entry_count
from shim.translation.yamlsource import Err, MarkedDict, SourceError, SourceErrors, config_section

ROLLOUT_MODES = (*MODES, "shadow", "canary")
# How one call was handled, as metrics, usage and the access log name it: a canary call
# says which way its share sent it.
CANARY_TRANSLATE, CANARY_PASSTHROUGH = "canary-translate", "canary-passthrough"
CALL_MODES = ("shadow", CANARY_TRANSLATE, CANARY_PASSTHROUGH)  # besides the table's MODES
# Modes that make a translated call, so need a translation the upstream can serve.
_TRANSLATING = frozenset({"translate", "shadow", "canary"})
# Modes that also need native API 2 upstream.
NATIVE_MODES = frozenset({"shadow", "canary"})
_NAME = re.compile(r"([A-Za-z0-9_]+)::([A-Za-z0-9_]+|\*)\Z")
_RULE_KEYS = ("mode", "percent")



@dataclass(frozen=True, slots=True)
class Rule:
    mode: str
    percent: float = 100.0  # canary: the share of calls translated
    file: str = ""
    line: int = 0

    @property
    def origin(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Overrides:
    """The `functions:` section as written: exact names, and `Module::*` rules."""

    exact: dict[tuple[str, str], Rule] = field(default_factory=dict)
    modules: dict[str, Rule] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.exact or self.modules)

    def located(self, file: str) -> "Overrides":
        """The rules with the config file they came from (their errors come later, from the table)."""
        return Overrides({k: replace(r, file=file) for k, r in self.exact.items()},
                         {k: replace(r, file=file) for k, r in self.modules.items()})


DEFAULT_SHADOW_CONCURRENCY = 4  # shadow comparisons in flight per process; more are skipped, counted
DEFAULT_KEEP_MISMATCHES = 100
DEFAULT_READY_AFTER = 100  # agreeing shadowed calls before the report says "ready to translate"
_SHADOW_KEYS = ("max_concurrent", "noise_check", "keep_mismatches", "ready_after")


@dataclass(frozen=True, slots=True)
class ShadowSettings:
    max_concurrent: int = DEFAULT_SHADOW_CONCURRENCY
    # Diffy's second native call: paths where native API 2 disagrees with itself are noise.
    noise_check: bool = False
    keep_mismatches: int = DEFAULT_KEEP_MISMATCHES
    ready_after: int = DEFAULT_READY_AFTER


def parse_shadow(value: Any, line: int, err: Err) -> ShadowSettings:
    given = config_section("shadow", value, line, _SHADOW_KEYS, err)
    if not given:
        return ShadowSettings()
    settings: dict[str, Any] = {}
    for key, item in given.items():
        at = given.line_of(key)
        if key not in _SHADOW_KEYS:
            continue  # reported by config_section()
        if key == "noise_check":
            if not isinstance(item, bool):
                err(at, f"shadow.noise_check must be true or false, not {item!r}")
            else:
                settings[key] = item
        elif isinstance(item, bool) or not isinstance(item, int) or item < 1:
            err(at, f"shadow.{key} must be a positive whole number, not {item!r}")
        else:
            settings[key] = item
    return ShadowSettings(**settings)


def parse_functions(value: Any, line: int, err: Err, file: str = "") -> Overrides:
    """Syntax only (names, modes, percent); `apply` checks them against the table."""
    if value is None:
        return Overrides()
    if not isinstance(value, MarkedDict):
        err(line, 'functions: expected a mapping of "Module::function" (or "Module::*") to a mode')
        return Overrides()
    exact: dict[tuple[str, str], Rule] = {}
    modules: dict[str, Rule] = {}
    for name, spec in value.items():
        at = value.line_of(name)
        found = _NAME.match(name) if isinstance(name, str) else None
        if found is None:
            err(at, f'functions: {name!r} is not "Module::function" or "Module::*"')
            continue
        rule = _rule(f"functions: {name}", spec, at, err, file)
        if rule is None:
            continue
        module, func = found.groups()
        if func == "*":
            modules[module] = rule
        else:
            exact[(module, func)] = rule
    return Overrides(exact, modules)


def _rule(where: str, spec: Any, line: int, err: Err, file: str) -> Rule | None:
    if isinstance(spec, str):
        spec_map: dict[str, Any] = {"mode": spec}
    elif isinstance(spec, MarkedDict):
        spec_map = spec
        for key in spec:
            if key not in _RULE_KEYS:
                err(spec.line_of(key), f"unknown key '{key}' in {where} (allowed: {', '.join(_RULE_KEYS)})")
                return None
    else:
        err(line, f"{where}: expected a mode ({', '.join(ROLLOUT_MODES)}) or {{mode: canary, percent: N}}")
        return None
    mode = spec_map.get("mode")
    if mode not in ROLLOUT_MODES:
        err(line, f"{where}: mode must be one of {', '.join(ROLLOUT_MODES)}, not {mode!r}")
        return None
    percent = spec_map.get("percent")
    if mode == "canary":
        if isinstance(percent, bool) or not isinstance(percent, (int, float)) or not 0 < percent <= 100:
            err(line, f"{where}: canary needs percent, the share of calls translated (more than 0, at most 100), not {percent!r}")
            return None
        return Rule(mode, float(percent), file, line)
    if percent is not None:
        err(line, f"{where}: percent is only for canary")
        return None
    return Rule(mode, file=file, line=line)


def apply(
    table: MappingTable, overrides: Overrides, functions: dict[str, tuple[str, ...]], *, native_api2: bool = True
) -> MappingTable:
    """`table` with the config's modes resolved into `routes`; SourceErrors name file:line.

    `functions` is the API 2 function list (module → names): a name outside it and the
    table is a typo. Without native API 2 upstream (`native_api2` false) nothing can be
    shadowed or canaried: there is no native answer to compare with or fall back on.
    """
    errors: list[SourceError] = []
    known: dict[str, set[str]] = {module: set(names) for module, names in functions.items()}
    for module, func in table.entries:
        known.setdefault(module, set()).add(func)
    routes: dict[tuple[str, str], Route] = {}
    for module, rule in sorted(overrides.modules.items()):
        if module not in known:
            errors.append(SourceError(rule.file, rule.line, f"functions: no API 2 module named {module}{_hint(module, known)}"))
            continue
        if not native_api2 and rule.mode in NATIVE_MODES:
            errors.append(SourceError(rule.file, rule.line, _no_native(f"{module}::*", rule.mode)))
            continue
        for func in sorted(known[module]):
            if _refusal(table, table.lookup(module, func), rule.mode) is None:
                routes[(module, func)] = _route(rule)
    for (module, func), rule in sorted(overrides.exact.items()):
        name = f"{module}::{func}"
        if module not in known:
            errors.append(SourceError(rule.file, rule.line, f"functions: no API 2 module named {module}{_hint(module, known)}"))
            continue
        if func not in known[module]:
            errors.append(SourceError(rule.file, rule.line,
                                      f"functions: no API 2 function {name}{_hint(func, {f: None for f in known[module]})}"))
            continue
        if not native_api2 and rule.mode in NATIVE_MODES:
            errors.append(SourceError(rule.file, rule.line, _no_native(name, rule.mode)))
            continue
        refusal = _refusal(table, table.lookup(module, func), rule.mode)
        if refusal is not None:
            errors.append(SourceError(rule.file, rule.line, f"functions: {name}: {refusal}"))
            continue
        routes[(module, func)] = _route(rule)
    if errors:
        raise SourceErrors(sorted(errors, key=lambda e: (e.file, e.line)))
    # A Module::* of passthrough or reject also covers names outside the list (the table's default otherwise).
    module_routes = {m: _route(r) for m, r in overrides.modules.items() if r.mode in ("passthrough", "reject")}
    return replace(table, routes=routes, module_routes=module_routes)


def _route(rule: Rule) -> Route:
    return Route(rule.mode, rule.percent, rule.origin)


def _refusal(table: MappingTable, entry: Entry | None, mode: str) -> str | None:
    """Why `entry` cannot take `mode`, or None."""
    if mode not in _TRANSLATING:
        return None
    if entry is None or entry.mode != "translate":
        why = f" ({entry.reason})" if entry is not None and entry.reason else ""
        return f"cannot {mode}: the table has no translation for it{why}"
    if not table.upstream_supports(entry):
        since = ".".join(map(str, entry.since or ()))
        upstream = ".".join(map(str, table.upstream_version or ()))
        return f"cannot {mode}: UAPI {entry.uapi_module}::{entry.uapi_func} needs cPanel {since}; the upstream is {upstream}"
    if mode == "shadow" and not entry.read_only:
        return ("cannot shadow: the table does not mark it read_only, and a write would run twice "
                "(canary moves a share of the calls instead)")
    return None


def _no_native(name: str, mode: str) -> str:
    return f"functions: {name}: cannot {mode} with upstream_api2: absent (there is no native API 2 answer)"


def _hint(name: str, choices: Any) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def effective_changes(table: MappingTable, modules: frozenset[str] | None = None) -> list[tuple[str, str, str, str]]:
    """(function, effective mode, the table's own mode, origin) for each function the config changes."""
    changed = []
    for (module, func), route in sorted(table.routes.items()):
        if modules is not None and module not in modules:
            continue
        was = table.mode_for(table.lookup(module, func))
        if route.mode != was:
            changed.append((f"{module}::{func}", describe(route), was, route.origin))
    return changed


def describe(route: Route) -> str:
    return f"canary {route.percent:g}%" if route.mode == "canary" else route.mode


def refuse_smaller_table(table: MappingTable, paths: Any, partial: bool, origin: str) -> None:
    """SourceErrors when custom mapping files hold fewer entries than the shipped table, unless
    `partial_mappings: true`: a folder copied half-way would otherwise pass the rest through."""
    if not paths or partial:
        return
    shipped = shipped_entry_count()
    if len(table.entries) < shipped:
        file, _, line = origin.rpartition(":") if origin else (", ".join(str(p) for p in paths), "", "0")
        raise SourceErrors([SourceError(file, int(line or 0), (
            f"mappings: {len(table.entries)} entries, fewer than the shipped table's {shipped}; "
            "set partial_mappings: true if that is meant"))])
