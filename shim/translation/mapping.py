"""The mapping table: which API 2 function becomes which UAPI call, and how.

Each `mappings/*.yaml` file describes one API 2 module (see docs/mapping-format.md, "The mapping
format"). Files are validated strictly at load: unknown keys, unknown transforms,
duplicate entries and names that are not plain identifiers are errors naming file and
line. Valid entries are compiled into `Entry` objects the request path uses as-is.
"""

from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from shim.translation.arguments import TRANSFORMS, Transform
from shim.translation.fields import CONVERTERS, Converter
from shim.translation.reshape import ARG_PLACEHOLDER, Reshaper, compile_record_rules
from shim.translation.yamlsource import MarkedDict, SourceError, SourceErrors, load_yaml

# Where `recipe:` and `local:` names are looked up, by name at load (docs/recipes.md).
RECIPE_PACKAGE = "shim.recipes"
MODES = ("translate", "passthrough", "reject")
SHAPES = ("status", "list", "object", "scalar", "keys", "flags")
FAILURE_KINDS = ("rows", "died")
CONFIDENCES = ("high", "medium", "low")
DEFAULT_MODE = "passthrough"
# Whether the upstream still serves native API 2 (`upstream_api2` in the config). With
# "absent" (cPanel after the removal) a function the shim cannot answer has no place to go:
# its effective mode is UNANSWERABLE and it gets cPanel's answer for an unknown function.
UPSTREAM_API2 = ("present", "absent")
UNANSWERABLE = "unanswerable"

_NAME = re.compile(r"[A-Za-z0-9_]+\Z")
_UAPI = re.compile(r"([A-Za-z0-9_]+)::([A-Za-z0-9_]+)\Z")
_VERSION = re.compile(r"\d+(\.\d+)*\Z")

# In a default or `set` value: the cPanel account the call acts as (UAPI inputs API 2 implied).
ACCOUNT_PLACEHOLDER = "{account}"
# In an output row, `{arg.NAME}`: the API 2 argument NAME as the client sent it ("" when
# absent); ARG_PLACEHOLDER, defined beside the code that fills rows (translation/reshape).

# API 2 reported an action's outcome as one row; UAPI's errors or messages fill `reason`.
DEFAULT_SUCCESS_ROWS: tuple[dict[str, Any], ...] = ({"result": 1, "reason": "OK"},)
DEFAULT_FAILURE_ROWS: tuple[dict[str, Any], ...] = ({"result": 0, "reason": "{errors}"},)

_ENTRY_KEYS = {
    "mode", "reason", "uapi", "since", "args", "drop", "set", "extra_args",
    "output", "timeout", "confidence", "sources", "notes", "lookup", "json_args", "read_only", "recipe", "local",
    "shadow",
}
# A recipe or local entry names its answer in Python: these keys of a UAPI entry do not apply.
_UAPI_ENTRY_KEYS = {"uapi", "drop", "set", "extra_args", "output", "lookup", "json_args"}
_RECIPE_NAME = re.compile(r"([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\Z")
_LOOKUP_KEYS = {"uapi", "match", "take", "to", "missing", "args", "where", "convert"}
_JSON_ARG_KEYS = {"template", "choose", "cases", "missing", "with"}
_VALUE_RULE_KEYS = {"arg", "transform", "type", "default"}
VALUE_TYPES = ("text", "integer")
_ARG_KEYS = {"to", "transform", "values", "default", "secret"}
_OUTPUT_KEYS = {
    "shape", "path", "key", "rename", "only", "add", "success", "failure", "omit_empty",
    "derive", "on_failure", "value", "concat", "derive_by", "defaults", "filter", "wrap", "failure_error",
    "omit_null",
}
_DERIVE_KEYS = {"from", "convert", "each", "template", "qualify", "strip_dot"}
_WRAP_KEYS = {"key", "add"}


@dataclass(frozen=True, slots=True)
class ArgRule:
    target: str
    transform: Transform | None = None
    # Legacy value -> UAPI value; None means "send nothing" (API 2 acted only on some values).
    values: dict[str, str | None] | None = None
    secret: bool = False


@dataclass(frozen=True, slots=True)
class LookupRule:
    """A UAPI input API 2 never took, found by a first, read-only UAPI call: the `take`
    field of the record whose `match` fields equal the named API 2 arguments."""

    uapi_module: str
    uapi_func: str
    match: dict[str, str]  # record field -> API 2 argument
    take: str  # dotted path into the record; list items by number (data_b64.2)
    target: str  # the UAPI argument it fills
    missing: str  # failure text when no record matches; {arg.NAME} allowed
    args: dict[str, str] = field(default_factory=dict)  # UAPI argument of the read -> API 2 argument
    where: dict[str, str] = field(default_factory=dict)  # record field -> fixed value it must have
    convert: Converter | None = None  # applied to the value taken


@dataclass(frozen=True, slots=True)
class ValueRule:
    """One value of a JSON argument: the first API 2 argument of `names` the client sent
    (else `default`), through an optional transform, as text or as a JSON integer."""

    names: tuple[str, ...]
    transform: Transform | None = None
    type: str = "text"
    default: str | None = None


@dataclass(frozen=True, slots=True)
class JsonArg:
    """A UAPI argument whose value is a JSON document built from API 2 arguments: one
    template, or one per value of the API 2 argument `choose` (API 2's record `type`)."""

    target: str
    template: Any = None
    choose: str | None = None
    cases: dict[str, Any] = field(default_factory=dict)
    missing: str = ""  # failure text when `choose` names no case; {arg.NAME} allowed
    extra: dict[str, Any] = field(default_factory=dict)  # `with`: keys added to every case


@dataclass(frozen=True, slots=True)
class DeriveRule:
    """A key API 2 returned that UAPI does not: computed from one field of the UAPI record."""

    key: str
    source: str
    convert: Converter | None = None
    # Template per item of a list field: "{item}" is the item, "{name}" the record's field.
    each: Any = None
    # Text built from the record's fields ("{subject.commonName} (auto-detected)"); no source.
    template: str | None = None
    # A DNS name relative to the zone the API 2 argument names becomes absolute (`www` →
    # `www.example.com.`); `strip_dot` then drops the final dot (API 2's data names).
    qualify: str | None = None
    strip_dot: bool = False


@dataclass(frozen=True, slots=True)
class OutputRule:
    shape: str
    path: tuple[str, ...] = ()
    key: str | None = None
    rename: dict[str, str] | None = None
    only: tuple[str, ...] | None = None
    add: dict[str, Any] | None = None
    success: tuple[dict[str, Any], ...] = DEFAULT_SUCCESS_ROWS
    # Rows are records, or plain strings: some API 2 functions answered `data: ["error text"]`.
    failure: tuple[dict[str, Any] | str, ...] = DEFAULT_FAILURE_ROWS
    # Keys of success/failure rows left out when their filled-in value is empty
    # (API 2 added such keys only when it had something to say, e.g. delpop's rawout).
    omit_empty: frozenset[str] = frozenset()
    derive: tuple[DeriveRule, ...] = ()
    # "died": the API 2 function threw on failure (event.result 0) instead of answering rows.
    on_failure: str = "rows"
    value: str | None = None  # the `keys` shape: where each key's value goes
    # Keys derived per kind of record: (record field, {its value: rules}), after `derive`.
    derive_by: tuple[str, dict[str, tuple[DeriveRule, ...]]] | None = None
    defaults: dict[str, Any] | None = None  # keys set where a record lacks them (after `only`)
    filter: dict[str, str] | None = None  # record key -> API 2 argument whose values it must match
    wrap: tuple[str, dict[str, Any]] | None = None  # the records as one object's list KEY, beside constants
    failure_error: bool = True  # False: API 2 reported the failure only inside the rows
    omit_null: frozenset[str] = frozenset()  # record keys left out where they come out null
    concat: tuple[str, ...] = ()  # the `list` shape: join the lists under these keys, in order
    # Decided once at load, read on every call: whether records are rebuilt at all, and
    # whether UAPI's `data` is the answer as it is (a list shape with no rule on records),
    # which lets its bytes be copied without building Python objects (translation/plaincopy).
    reshapes_records: bool = field(init=False, default=False)
    copies_data: bool = field(init=False, default=False)
    # The rules on records compiled into one function, once (translation/reshape).
    reshape: Reshaper | None = field(init=False, default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        reshapes = bool(
            self.rename is not None or self.only is not None or self.add is not None or self.derive
            or self.derive_by or self.defaults or self.filter or self.wrap or self.omit_null
        )
        object.__setattr__(self, "reshapes_records", reshapes)
        copies = self.shape == "list" and not self.path and not self.concat and not reshapes
        object.__setattr__(self, "copies_data", copies)
        object.__setattr__(self, "reshape", compile_record_rules(self) if reshapes else None)


@dataclass(frozen=True, slots=True)
class ShadowRule:
    """How shadow mode compares native API 2 with the translation (translation/compare.py)."""

    volatile: frozenset[str] = frozenset()  # general paths (data.*.mtime) whose values change between calls
    numbers_as_text: bool = False  # 1 and "1" are the same answer: clients cannot tell


@dataclass(frozen=True, slots=True)
class Entry:
    module: str
    func: str
    mode: str
    reason: str = ""
    uapi_module: str = ""
    uapi_func: str = ""
    since: tuple[int, ...] | None = None
    args: dict[str, ArgRule] = field(default_factory=dict)
    drop: frozenset[str] = frozenset()
    constants: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    extra_args: bool = True  # forward arguments the entry does not name
    output: OutputRule = OutputRule("status")
    lookup: LookupRule | None = None
    json_args: tuple[JsonArg, ...] = ()
    timeout: float | None = None
    confidence: str = "high"
    sources: tuple[str, ...] = ()
    # The API 2 function only reads: calling it twice changes nothing, so it may be shadowed.
    read_only: bool = False
    shadow: ShadowRule = ShadowRule()
    file: str = ""
    line: int = 0
    # `recipe:` / `local:` entries: the Python function that answers (shim/recipes/, docs/recipes.md).
    recipe: Callable[..., Any] | None = None
    recipe_kind: str = ""  # "recipe" (upstream calls) or "local" (none)
    recipe_name: str = ""  # as the table wrote it: "subdomain.listsubdomains"
    # The UAPI names of the secret arguments: read on every translated call, so made once here.
    secret_targets: frozenset[str] = field(init=False, default=frozenset())

    def __post_init__(self) -> None:
        object.__setattr__(self, "secret_targets", frozenset(rule.target for rule in self.args.values() if rule.secret))

    @property
    def name(self) -> str:
        return f"{self.module}::{self.func}"

    @property
    def secret_args(self) -> frozenset[str]:
        return frozenset(name for name, rule in self.args.items() if rule.secret)


@dataclass(frozen=True, slots=True)
class Route:
    """A mode the config sets for one function (see translation/rollout.py)."""

    mode: str  # translate | passthrough | reject | shadow | canary
    percent: float = 100.0  # canary: the share of calls translated
    origin: str = ""  # file:line of the config rule


@dataclass(frozen=True, slots=True)
class MappingTable:
    entries: dict[tuple[str, str], Entry]
    default_mode: str = DEFAULT_MODE
    upstream_version: tuple[int, ...] | None = None
    upstream_api2: str = "present"
    # The config's `functions:` rules, resolved per function; they win over `mode_for`.
    routes: dict[tuple[str, str], Route] = field(default_factory=dict)
    module_routes: dict[str, Route] = field(default_factory=dict)  # Module::* for names outside the list

    def lookup(self, module: str, func: str) -> Entry | None:
        return self.entries.get((module, func))

    def route(self, module: str, func: str, entry: Entry | None) -> Route | None:
        """The config's rule for this function, or None: the table decides (`mode_for`)."""
        route = self.routes.get((module, func))
        if route is None and entry is None and self.module_routes:
            route = self.module_routes.get(module)
        return route

    def effective_mode(self, module: str, func: str, entry: Entry | None) -> str:
        route = self.route(module, func, entry)
        return route.mode if route is not None else self.mode_for(entry)

    def mode_for(self, entry: Entry | None) -> str:
        """The mode that applies, after the upstream-version gate; UNANSWERABLE for a
        pass-through when the upstream serves no native API 2."""
        mode = self.default_mode if entry is None else entry.mode
        if mode == "translate" and entry is not None and not self.upstream_supports(entry):
            mode = "passthrough"
        if mode == "passthrough" and self.upstream_api2 == "absent":
            return UNANSWERABLE
        return mode

    def upstream_supports(self, entry: Entry) -> bool:
        if entry.since is None:
            return True
        # An operator who does not state the upstream version is assumed current.
        return self.upstream_version is None or self.upstream_version >= entry.since


@lru_cache(maxsize=1)
def shipped_entry_count() -> int:
    return len(load_table().entries)


def parse_version(text: str) -> tuple[int, ...]:
    if not _VERSION.match(text):
        raise ValueError(f"'{text}' is not a version like 11.120")
    return tuple(int(part) for part in text.split("."))


def default_mapping_dir() -> Path:
    """`mappings/` beside the package in a checkout, else the copy installed with it."""
    checkout = Path(__file__).resolve().parents[2] / "mappings"
    if checkout.is_dir():
        return checkout
    from importlib.resources import files

    return Path(str(files("shim.mappings")))


def mapping_files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    return found


def load_table(
    paths: list[Path] | None = None,
    *,
    default_mode: str = DEFAULT_MODE,
    upstream_version: str | None = None,
    upstream_api2: str = "present",
) -> MappingTable:
    """Load and compile every mapping file; raise SourceErrors listing all problems."""
    errors: list[SourceError] = []
    entries: dict[tuple[str, str], Entry] = {}
    for folder in paths or ():
        if folder.is_dir() and not any(folder.glob("*.yaml")):
            # An empty folder would silently pass every function through.
            errors.append(SourceError(str(folder), 0, "no mapping files (*.yaml) in this folder"))
    for path in mapping_files(paths or [default_mapping_dir()]):
        try:
            document = load_yaml(path)
        except SourceErrors as exc:
            errors.extend(exc.errors)
            continue
        _FileCompiler(str(path), errors, entries).compile(document)
    if errors:
        raise SourceErrors(errors)
    version = parse_version(upstream_version) if upstream_version else None
    return MappingTable(entries=entries, default_mode=default_mode, upstream_version=version,
                        upstream_api2=upstream_api2)


class _FileCompiler:
    def __init__(self, file: str, errors: list[SourceError], entries: dict[tuple[str, str], Entry]):
        self.file = file
        self.errors = errors
        self.entries = entries

    def error(self, line: int, message: str) -> None:
        self.errors.append(SourceError(self.file, line, message))

    def compile(self, document: Any) -> None:
        if not isinstance(document, MarkedDict):
            self.error(1, "a mapping file is a YAML mapping with 'module' and 'functions'")
            return
        self.unknown_keys(document, {"module", "functions"}, "file")
        module = document.get("module")
        if not isinstance(module, str) or not _NAME.match(module):
            self.error(document.line_of("module"), f"module: {module!r} is not a name like Ftp")
            return
        functions = document.get("functions")
        if not isinstance(functions, MarkedDict):
            self.error(document.line_of("functions"), "functions: expected a mapping of function names")
            return
        for func, spec in functions.items():
            line = functions.line_of(func)
            if not isinstance(func, str) or not _NAME.match(func):
                self.error(line, f"function name {func!r} is not [A-Za-z0-9_]+")
                continue
            if (module, func) in self.entries:
                first = self.entries[(module, func)]
                self.error(line, f"duplicate entry {module}::{func} (first at {first.file}:{first.line})")
                continue
            entry = self.entry(module, func, spec, line)
            if entry is not None:
                self.entries[(module, func)] = entry

    def unknown_keys(self, mapping: MarkedDict, allowed: set[str], where: str) -> bool:
        ok = True
        for key in mapping:
            if key not in allowed:
                self.error(mapping.line_of(key), f"unknown key '{key}' in {where} (allowed: {', '.join(sorted(allowed))})")
                ok = False
        return ok

    def entry(self, module: str, func: str, spec: Any, line: int) -> Entry | None:
        name = f"{module}::{func}"
        if not isinstance(spec, MarkedDict):
            self.error(line, f"{name}: expected a mapping")
            return None
        count = len(self.errors)
        self.unknown_keys(spec, _ENTRY_KEYS, name)
        mode = spec.get("mode")
        if mode not in MODES:
            self.error(spec.line_of("mode"), f"{name}: mode must be one of {', '.join(MODES)}, not {mode!r}")
        fields: dict[str, Any] = {"module": module, "func": func, "mode": mode, "file": self.file, "line": line}
        reason = spec.get("reason", "")
        if not isinstance(reason, str):
            self.error(spec.line_of("reason"), f"{name}: reason must be text")
        fields["reason"] = reason
        if mode in ("passthrough", "reject") and not reason:
            self.error(line, f"{name}: a {mode} entry says why in 'reason'")
        kinds = [kind for kind in ("recipe", "local") if kind in spec]
        if kinds:
            return self.recipe_entry(name, spec, fields, kinds, count)
        uapi = spec.get("uapi")
        if mode == "translate":
            match = _UAPI.match(uapi) if isinstance(uapi, str) else None
            if not match:
                self.error(spec.line_of("uapi"), f"{name}: uapi must be Module::function, not {uapi!r}")
            else:
                fields["uapi_module"], fields["uapi_func"] = match.groups()
        elif uapi is not None:
            self.error(spec.line_of("uapi"), f"{name}: uapi is only for translate entries")
        if "since" in spec:
            try:
                fields["since"] = parse_version(str(spec["since"]))
            except ValueError as exc:
                self.error(spec.line_of("since"), f"{name}: since: {exc}")
        fields["args"], fields["defaults"] = self.args(name, spec.get("args", MarkedDict()), spec.line_of("args"))
        fields["drop"] = frozenset(self.name_list(name, "drop", spec))
        fields["constants"] = self.scalar_map(name, "set", spec)
        extra = spec.get("extra_args", "pass")
        if extra not in ("pass", "drop"):
            self.error(spec.line_of("extra_args"), f"{name}: extra_args must be pass or drop, not {extra!r}")
        fields["extra_args"] = extra == "pass"
        if mode == "translate":
            if "output" not in spec:
                self.error(line, f"{name}: a translate entry needs 'output'")
            else:
                fields["output"] = self.output(name, spec["output"], spec.line_of("output"))
                self.no_echoed_secrets(name, fields["output"], fields["args"], spec.line_of("output"))
        if "lookup" in spec:
            if mode != "translate":
                self.error(spec.line_of("lookup"), f"{name}: lookup is only for translate entries")
            else:
                fields["lookup"] = self.lookup(name, spec["lookup"], spec.line_of("lookup"))
        if "json_args" in spec:
            if mode != "translate":
                self.error(spec.line_of("json_args"), f"{name}: json_args is only for translate entries")
            else:
                fields["json_args"] = self.json_args(name, spec["json_args"], spec.line_of("json_args"))
        self.common_fields(name, spec, fields)
        if len(self.errors) != count:
            return None
        return Entry(**fields)

    def common_fields(self, name: str, spec: MarkedDict, fields: dict[str, Any]) -> None:
        """timeout, confidence, sources and read_only: the same for every kind of entry."""
        timeout = spec.get("timeout")
        if timeout is not None:
            if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
                self.error(spec.line_of("timeout"), f"{name}: timeout must be a positive number of seconds")
            else:
                fields["timeout"] = float(timeout)
        confidence = spec.get("confidence", "high")
        if confidence not in CONFIDENCES:
            self.error(spec.line_of("confidence"), f"{name}: confidence must be one of {', '.join(CONFIDENCES)}")
        fields["confidence"] = confidence
        sources = spec.get("sources", [])
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
            self.error(spec.line_of("sources"), f"{name}: sources must be a list of URLs")
            sources = []
        fields["sources"] = tuple(sources)
        read_only = spec.get("read_only", False)
        if not isinstance(read_only, bool):
            self.error(spec.line_of("read_only"), f"{name}: read_only must be true or false")
        elif read_only and fields["mode"] == "reject":
            self.error(spec.line_of("read_only"), f"{name}: read_only is for functions that are called; a reject entry calls nothing")
        fields["read_only"] = read_only is True
        if "shadow" in spec:
            fields["shadow"] = self.shadow_rule(name, spec["shadow"], spec.line_of("shadow"))

    def recipe_entry(self, name: str, spec: MarkedDict, fields: dict[str, Any], kinds: list[str], count: int) -> Entry | None:
        """A translate entry answered by a Python function of shim/recipes/ (docs/recipes.md)."""
        if len(kinds) > 1:
            self.error(spec.line_of("local"), f"{name}: give recipe or local, not both")
            return None
        kind = kinds[0]
        at = spec.line_of(kind)
        if fields["mode"] != "translate":
            self.error(spec.line_of("mode"), f"{name}: a {kind} entry has mode translate")
        for key in spec:
            if key in _UAPI_ENTRY_KEYS:
                self.error(spec.line_of(key), f"{name}: '{key}' does not apply to a {kind} entry (its function shapes the answer)")
        if "since" in spec:
            try:
                fields["since"] = parse_version(str(spec["since"]))
            except ValueError as exc:
                self.error(spec.line_of("since"), f"{name}: since: {exc}")
        # `args` only marks secrets here: the function reads the API 2 arguments itself.
        args, _defaults = self.args(name, spec.get("args", MarkedDict()), spec.line_of("args"))
        for arg, rule in args.items():
            if rule.target != arg or rule.transform is not None or rule.values is not None or arg in _defaults:
                self.error(spec.line_of("args"), f"{name}: args of a {kind} entry only mark secrets ({arg}: {{secret: true}})")
        fields["args"] = args
        self.common_fields(name, spec, fields)
        fields["recipe_kind"], fields["recipe_name"] = kind, spec[kind]
        fields["recipe"] = self.resolve_recipe(name, kind, spec[kind], at)
        if len(self.errors) != count:
            return None
        return Entry(**fields)

    def resolve_recipe(self, name: str, kind: str, text: Any, line: int) -> Callable[..., Any] | None:
        found = _RECIPE_NAME.match(text) if isinstance(text, str) else None
        if not found:
            self.error(line, f"{name}: {kind} must be module.function (a function of shim/recipes/<module>.py), not {text!r}")
            return None
        module_name, func_name = found.groups()
        try:
            module = importlib.import_module(f"{RECIPE_PACKAGE}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{RECIPE_PACKAGE}.{module_name}":
                raise
            self.error(line, f"{name}: {kind} {text}: there is no shim/recipes/{module_name}.py")
            return None
        function = getattr(module, func_name, None)
        if not callable(function):
            self.error(line, f"{name}: {kind} {text}: shim/recipes/{module_name}.py has no function {func_name}")
            return None
        if kind == "recipe" and not inspect.iscoroutinefunction(function):
            self.error(line, f"{name}: recipe {text} must be an async function (it awaits upstream calls)")
            return None
        if kind == "local" and inspect.iscoroutinefunction(function):
            self.error(line, f"{name}: local {text} must be a plain function (a local answer makes no upstream call)")
            return None
        return function

    def shadow_rule(self, name: str, spec: Any, line: int) -> ShadowRule:
        where = f"{name}: shadow"
        if not isinstance(spec, MarkedDict):
            self.error(line, f"{where}: expected a mapping with volatile and/or numbers_as_text")
            return ShadowRule()
        self.unknown_keys(spec, {"volatile", "numbers_as_text"}, where)
        volatile = spec.get("volatile", [])
        if not isinstance(volatile, list) or not all(
                isinstance(p, str) and all(part == "*" or _NAME.match(part) for part in p.split(".")) for p in volatile):
            self.error(spec.line_of("volatile"), f"{where}: volatile must list paths in cpanelresult like data.*.mtime")
            volatile = []
        loose = spec.get("numbers_as_text", False)
        if not isinstance(loose, bool):
            self.error(spec.line_of("numbers_as_text"), f"{where}: numbers_as_text must be true or false")
            loose = False
        return ShadowRule(frozenset(volatile), loose)

    def lookup(self, name: str, spec: Any, line: int) -> LookupRule | None:
        where = f"{name}: lookup"
        if not isinstance(spec, MarkedDict):
            self.error(line, f"{where}: expected a mapping with uapi, match, take, to and missing")
            return None
        self.unknown_keys(spec, _LOOKUP_KEYS, where)
        ok = True
        uapi = spec.get("uapi")
        found = _UAPI.match(uapi) if isinstance(uapi, str) else None
        if not found:
            self.error(spec.line_of("uapi") if "uapi" in spec else spec.line, f"{where}: uapi must be Module::function, not {uapi!r}")
            ok = False
        # A record is chosen by API 2 arguments (`match`), fixed values (`where`), or both.
        match = spec.get("match", {} if "where" in spec else None)
        if not isinstance(match, dict) or not (match or "where" in spec) or not all(
            isinstance(k, str) and isinstance(v, str) and _NAME.match(v) for k, v in match.items()
        ):
            self.error(spec.line_of("match") if "match" in spec else spec.line,
                       f"{where}: match must map record fields to API 2 argument names")
            ok = False
        fixed = self.scalar_map(where, "where", spec) if "where" in spec else {}
        read_args = self.scalar_map(where, "args", spec) if "args" in spec else {}
        convert = None
        if "convert" in spec:
            convert = CONVERTERS.get(spec["convert"])
            if convert is None:
                self.error(spec.line_of("convert"),
                           f"{where}: unknown converter {spec['convert']!r} (known: {', '.join(sorted(CONVERTERS))})")
                ok = False
        for key in ("take", "to", "missing"):
            value = spec.get(key)
            if not isinstance(value, str) or not value or (key == "to" and not _NAME.match(value)):
                self.error(spec.line_of(key) if key in spec else spec.line, f"{where}: {key} must be given as text")
                ok = False
        if not ok or found is None:
            return None
        return LookupRule(
            uapi_module=found.group(1), uapi_func=found.group(2), match=dict(match),
            take=spec["take"], target=spec["to"], missing=spec["missing"],
            args=read_args, where=fixed, convert=convert,
        )

    def json_args(self, name: str, spec: Any, line: int) -> tuple[JsonArg, ...]:
        if not isinstance(spec, MarkedDict):
            self.error(line, f"{name}: json_args must map UAPI argument names to JSON templates")
            return ()
        built = []
        for target, rule in spec.items():
            where = f"{name}: json_args.{target}"
            at = spec.line_of(target)
            if not isinstance(target, str) or not _NAME.match(target):
                self.error(at, f"{name}: json_args name {target!r} is not [A-Za-z0-9_]+")
                continue
            if not isinstance(rule, MarkedDict) or ("template" in rule) == ("cases" in rule):
                self.error(at, f"{where}: give a template, or choose and cases")
                continue
            self.unknown_keys(rule, _JSON_ARG_KEYS, where)
            if "cases" in rule:
                choose, cases, missing = rule.get("choose"), rule["cases"], rule.get("missing")
                if not isinstance(choose, str) or not _NAME.match(choose):
                    self.error(rule.line_of("choose") if "choose" in rule else rule.line,
                               f"{where}: choose must name the API 2 argument that picks the case")
                    continue
                if not isinstance(cases, dict) or not cases or not isinstance(missing, str):
                    self.error(rule.line_of("cases"), f"{where}: cases must map values of '{choose}' to templates, with a 'missing' text")
                    continue
                compiled = {_text(value): self.json_template(where, tpl, rule.line_of("cases")) for value, tpl in cases.items()}
                extra = rule.get("with", {})
                if not isinstance(extra, dict) or not all(isinstance(c, dict) for c in cases.values()):
                    self.error(rule.line_of("with") if "with" in rule else rule.line,
                               f"{where}: 'with' adds keys to cases that are mappings")
                    continue
                built.append(JsonArg(target=target, choose=choose, cases=compiled, missing=missing,
                                     extra=self.json_template(where, extra, rule.line_of("with") if "with" in rule else rule.line)))
            else:
                built.append(JsonArg(target=target, template=self.json_template(where, rule["template"], rule.line_of("template"))))
        return tuple(built)

    def json_template(self, where: str, node: Any, line: int) -> Any:
        """Plain JSON with `{arg.NAME}` in strings; a mapping with `arg` is a ValueRule."""
        if isinstance(node, dict) and "arg" in node:
            bad = sorted(str(k) for k in node if k not in _VALUE_RULE_KEYS)
            names = node["arg"] if isinstance(node["arg"], list) else [node["arg"]]
            transform = TRANSFORMS.get(node["transform"]) if "transform" in node else None
            kind = node.get("type", "text")
            default = node.get("default")
            if bad or not names or not all(isinstance(n, str) and _NAME.match(n) for n in names) \
                    or ("transform" in node and transform is None) or kind not in VALUE_TYPES \
                    or (default is not None and not _is_scalar(default)):
                self.error(line, f"{where}: a value rule takes arg (a name or list of names), transform "
                                 f"({', '.join(sorted(TRANSFORMS))}), type ({', '.join(VALUE_TYPES)}) and default")
                return None
            return ValueRule(tuple(names), transform, kind, None if default is None else _text(default))
        if isinstance(node, dict):
            return {str(k): self.json_template(where, v, line) for k, v in node.items()}
        if isinstance(node, list):
            return [self.json_template(where, v, line) for v in node]
        return node

    def no_echoed_secrets(self, name: str, output: OutputRule, args: dict[str, ArgRule], line: int) -> None:
        """A row may repeat what the client sent, but never a secret."""
        for row in (*output.success, *output.failure):
            for arg in sorted(set(ARG_PLACEHOLDER.findall(repr(row)))):
                if arg in args and args[arg].secret:
                    self.error(line, f"{name}: output rows must not repeat the secret argument '{arg}'")

    def args(self, name: str, args: Any, line: int) -> tuple[dict[str, ArgRule], dict[str, str]]:
        """Compile `args`; returns the rules and the UAPI defaults they declare."""
        rules: dict[str, ArgRule] = {}
        defaults: dict[str, str] = {}
        if not isinstance(args, MarkedDict):
            self.error(line, f"{name}: args must map API 2 names to UAPI names")
            return rules, defaults
        for api2_name, spec in args.items():
            where = f"{name}: args.{api2_name}"
            arg_line = args.line_of(api2_name)
            if not isinstance(api2_name, str) or not _NAME.match(api2_name):
                self.error(arg_line, f"{name}: argument name {api2_name!r} is not [A-Za-z0-9_]+")
                continue
            if isinstance(spec, str):
                spec_map: MarkedDict = MarkedDict()
                spec_map["to"] = spec
                spec_map.line = arg_line
            elif isinstance(spec, MarkedDict):
                spec_map = spec
                self.unknown_keys(spec_map, _ARG_KEYS, where)
            else:
                self.error(arg_line, f"{where}: expected a UAPI name or a mapping")
                continue
            target = spec_map.get("to", api2_name)
            if not isinstance(target, str) or not _NAME.match(target):
                self.error(spec_map.line_of("to"), f"{where}: 'to' must be a name, not {target!r}")
                continue
            transform = None
            if "transform" in spec_map:
                transform = TRANSFORMS.get(spec_map["transform"])
                if transform is None:
                    self.error(
                        spec_map.line_of("transform"),
                        f"{where}: unknown transform {spec_map['transform']!r} (known: {', '.join(sorted(TRANSFORMS))})",
                    )
            values = None
            if "values" in spec_map:
                raw = spec_map["values"]
                if not isinstance(raw, dict) or not all(_is_scalar(k) and (v is None or _is_scalar(v)) for k, v in raw.items()):
                    self.error(spec_map.line_of("values"), f"{where}: values must map legacy values to UAPI values or ~")
                else:
                    values = {_text(k): None if v is None else _text(v) for k, v in raw.items()}
            secret = spec_map.get("secret", False)
            if not isinstance(secret, bool):
                self.error(spec_map.line_of("secret"), f"{where}: secret must be true or false")
                secret = False
            rule = ArgRule(target=target, transform=transform, values=values, secret=secret)
            rules[api2_name] = rule
            if "default" in spec_map:
                if not _is_scalar(spec_map["default"]):
                    self.error(spec_map.line_of("default"), f"{where}: default must be a single value")
                else:
                    defaults[target] = _text(spec_map["default"])
        return rules, defaults

    def name_list(self, name: str, key: str, spec: MarkedDict) -> list[str]:
        value = spec.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and _NAME.match(v) for v in value):
            self.error(spec.line_of(key), f"{name}: {key} must be a list of argument names")
            return []
        return value

    def scalar_map(self, name: str, key: str, spec: MarkedDict) -> dict[str, str]:
        value = spec.get(key, {})
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and _NAME.match(k) and _is_scalar(v) for k, v in value.items()
        ):
            self.error(spec.line_of(key), f"{name}: {key} must map argument names to single values")
            return {}
        return {k: _text(v) for k, v in value.items()}

    def output(self, name: str, spec: Any, line: int) -> OutputRule:
        where = f"{name}: output"
        if not isinstance(spec, MarkedDict):
            self.error(line, f"{where}: expected a mapping with 'shape'")
            return OutputRule("status")
        self.unknown_keys(spec, _OUTPUT_KEYS, where)
        shape = spec.get("shape")
        if shape not in SHAPES:
            self.error(spec.line_of("shape"), f"{where}: shape must be one of {', '.join(SHAPES)}, not {shape!r}")
            return OutputRule("status")
        fields: dict[str, Any] = {"shape": shape}
        if "path" in spec:
            path = spec["path"]
            if not isinstance(path, str) or not all(_NAME.match(p) for p in path.split(".")):
                self.error(spec.line_of("path"), f"{where}: path must be dotted names like data.records")
            else:
                fields["path"] = tuple(path.split("."))
        if shape in ("scalar", "keys"):
            key = spec.get("key")
            if not isinstance(key, str) or not _NAME.match(key):
                self.error(spec.line_of("key") if "key" in spec else spec.line, f"{where}: a {shape} shape needs 'key'")
            fields["key"] = key
        elif "key" in spec:
            self.error(spec.line_of("key"), f"{where}: 'key' is only for the scalar and keys shapes")
        if "value" in spec:
            value = spec["value"]
            if shape != "keys":
                self.error(spec.line_of("value"), f"{where}: 'value' is only for the keys shape")
            elif not isinstance(value, str) or not _NAME.match(value):
                self.error(spec.line_of("value"), f"{where}: value must be a key name")
            else:
                fields["value"] = value
        if "concat" in spec:
            concat = spec["concat"]
            if shape != "list":
                self.error(spec.line_of("concat"), f"{where}: 'concat' is only for the list shape")
            elif not isinstance(concat, list) or not concat or not all(isinstance(k, str) and _NAME.match(k) for k in concat):
                self.error(spec.line_of("concat"), f"{where}: concat must list the keys whose lists are joined")
            else:
                fields["concat"] = tuple(concat)
        if "derive" in spec:
            fields["derive"] = self.derive(where, spec["derive"], spec.line_of("derive"))
        if "on_failure" in spec:
            kind = spec["on_failure"]
            if kind not in FAILURE_KINDS:
                self.error(spec.line_of("on_failure"), f"{where}: on_failure must be one of {', '.join(FAILURE_KINDS)}, not {kind!r}")
            elif kind == "died" and "failure" in spec:
                self.error(spec.line_of("on_failure"), f"{where}: a function that died answers no failure rows")
            else:
                fields["on_failure"] = kind
        if "rename" in spec:
            rename = spec["rename"]
            if not isinstance(rename, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in rename.items()):
                self.error(spec.line_of("rename"), f"{where}: rename must map UAPI keys to API 2 keys")
            else:
                fields["rename"] = dict(rename)
        only = self.key_list(where, "only", spec)
        if only is not None:
            fields["only"] = tuple(only)
        if "add" in spec:
            add = spec["add"]
            if not isinstance(add, dict):
                self.error(spec.line_of("add"), f"{where}: add must map keys to values")
            else:
                fields["add"] = dict(add)
        for key in ("success", "failure"):
            if key in spec:
                rows = spec[key]
                # Rows are records; failure rows may be plain strings (`data: ["error text"]`)
                # or null (wrappers that put UAPI's missing data in their list: `data: [null]`),
                # and success rows numbers (MysqlFE mutations answered `data: [1]`).
                row_types = (dict, str, type(None)) if key == "failure" else (dict, int)
                if not isinstance(rows, list) or not all(isinstance(r, row_types) and not isinstance(r, bool) for r in rows):
                    kinds = "rows, strings or ~" if key == "failure" else "rows"
                    self.error(spec.line_of(key), f"{where}: {key} must be a list of {kinds}")
                elif key == "success" and shape != "status":
                    self.error(spec.line_of(key), f"{where}: success rows are only for the status shape")
                else:
                    fields[key] = tuple(_plain(r) for r in rows)
        omit = self.key_list(where, "omit_empty", spec)
        if omit is not None:
            fields["omit_empty"] = frozenset(omit)
        self.record_rules(where, spec, fields)
        return OutputRule(**fields)

    def record_rules(self, where: str, spec: MarkedDict, fields: dict[str, Any]) -> None:
        """derive_by, defaults, filter, wrap and failure_error (see docs/mapping-format.md)."""
        if "derive_by" in spec:
            by = spec["derive_by"]
            if not isinstance(by, MarkedDict) or not isinstance(by.get("key"), str) or not isinstance(by.get("cases"), MarkedDict):
                self.error(spec.line_of("derive_by"), f"{where}: derive_by needs 'key' (a record field) and 'cases' (its values → derive rules)")
            else:
                self.unknown_keys(by, {"key", "cases"}, f"{where}: derive_by")
                cases = by["cases"]
                fields["derive_by"] = (by["key"], {
                    _text(value): self.derive(f"{where}: derive_by.{value}", rules, cases.line_of(value))
                    for value, rules in cases.items()})
        for key in ("defaults", "filter"):
            if key in spec:
                value = spec[key]
                if not isinstance(value, dict) or not all(isinstance(k, str) for k in value) or (
                        key == "filter" and not all(isinstance(v, str) and _NAME.match(v) for v in value.values())):
                    what = "record keys to values" if key == "defaults" else "record keys to API 2 argument names"
                    self.error(spec.line_of(key), f"{where}: {key} must map {what}")
                else:
                    fields[key] = _plain(value)
        if "wrap" in spec:
            wrap = spec["wrap"]
            if not isinstance(wrap, MarkedDict) or not isinstance(wrap.get("key"), str) or not isinstance(wrap.get("add", {}), dict):
                self.error(spec.line_of("wrap"), f"{where}: wrap needs 'key' (where the records go) and optional 'add' constants")
            else:
                self.unknown_keys(wrap, _WRAP_KEYS, f"{where}: wrap")
                fields["wrap"] = (wrap["key"], _plain(wrap.get("add", {})))
        omit_null = self.key_list(where, "omit_null", spec)
        if omit_null is not None:
            fields["omit_null"] = frozenset(omit_null)
        if "failure_error" in spec:
            if not isinstance(spec["failure_error"], bool):
                self.error(spec.line_of("failure_error"), f"{where}: failure_error must be true or false")
            else:
                fields["failure_error"] = spec["failure_error"]

    def key_list(self, where: str, name: str, spec: MarkedDict) -> list[str] | None:
        """An optional output list of record keys; None when absent or invalid."""
        if name not in spec:
            return None
        keys = spec[name]
        if not isinstance(keys, list) or not all(isinstance(v, str) for v in keys):
            self.error(spec.line_of(name), f"{where}: {name} must be a list of keys")
            return None
        return keys

    def derive(self, where: str, spec: Any, line: int) -> tuple[DeriveRule, ...]:
        if not isinstance(spec, MarkedDict):
            self.error(line, f"{where}: derive must map new keys to {{from, convert | each}}")
            return ()
        rules = []
        for key, rule in spec.items():
            at = f"{where}: derive.{key}"
            if isinstance(rule, MarkedDict) and "template" in rule:
                self.unknown_keys(rule, _DERIVE_KEYS, at)
                if not isinstance(rule["template"], str) or len(rule) != 1:
                    self.error(rule.line_of("template"), f"{at}: a template is one text and stands alone")
                    continue
                rules.append(DeriveRule(key=str(key), source="", template=rule["template"]))
                continue
            if not isinstance(rule, MarkedDict) or not isinstance(rule.get("from"), str):
                self.error(spec.line_of(key), f"{at}: expected a mapping with 'from' or 'template'")
                continue
            self.unknown_keys(rule, _DERIVE_KEYS, at)
            convert = None
            if "convert" in rule:
                convert = CONVERTERS.get(rule["convert"])
                if convert is None:
                    self.error(
                        rule.line_of("convert"),
                        f"{at}: unknown converter {rule['convert']!r} (known: {', '.join(sorted(CONVERTERS))})",
                    )
            each = rule.get("each")
            if "each" in rule and "convert" in rule:
                self.error(rule.line_of("each"), f"{at}: give either convert or each, not both")
            elif "each" in rule and not isinstance(each, (dict, str)):
                self.error(rule.line_of("each"), f"{at}: each must be a row template")
            qualify, strip_dot = rule.get("qualify"), rule.get("strip_dot", False)
            if (qualify is not None and not (isinstance(qualify, str) and _NAME.match(qualify))) or not isinstance(strip_dot, bool):
                self.error(rule.line_of("qualify" if "qualify" in rule else "strip_dot"),
                           f"{at}: qualify names the API 2 argument holding the zone; strip_dot is true or false")
            rules.append(DeriveRule(key=str(key), source=rule["from"], convert=convert, each=_plain(each),
                                    qualify=qualify if isinstance(qualify, str) else None, strip_dot=strip_dot is True))
        return tuple(rules)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
