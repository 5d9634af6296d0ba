"""One record of a UAPI list made into the record API 2 returned, by an entry's output rule.

Two ways give the same record: `reshape_record` reads the rule for every record (the
definition), and `compile_record_rules` turns the rule, once when the table is loaded, into
one generated Python function that does only that rule's work: a `get` per key `only` keeps,
each derived value computed once and only when kept, no intermediate dicts. A 1,000-record
list pays ≈10 µs a record the first way and a fraction of a microsecond the second.

A rule the generator does not reproduce (a derived template with placeholders, an `each`
template that is not whole placeholders) stays interpreted, and the compiled function hands
a record to `reshape_record` whenever the two could differ on it: two of its keys that
`rename` puts onto one key `only` keeps (the later in the record's own order wins), or a
text holding "{" where an `each` template is filled (the replaces in turn could then fill
it further). tests/test_reshape_compiled.py compares both over every shipped entry.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable, Mapping

if TYPE_CHECKING:  # the table's types; importing them here would make a cycle with mapping.py
    from shim.translation.mapping import DeriveRule, OutputRule

# In an output row: the API 2 argument NAME as the client sent it ("" when absent).
ARG_PLACEHOLDER = re.compile(r"\{arg\.([A-Za-z0-9_]+)\}")

Reshaper = Callable[[Any, "Mapping[str, str] | None"], Any]


def filled(row: Any, args: Mapping[str, str] | None, pairs: list[tuple[str, str]]) -> Any:
    """`row` with each (placeholder, value) of `pairs` replaced in turn, then `{arg.NAME}`."""
    if isinstance(row, str):
        if "{" not in row:
            return row  # no placeholder: most rows' texts ("OK")
        for placeholder_text, value in pairs:
            row = row.replace(placeholder_text, value)
        if "{arg." in row:
            row = ARG_PLACEHOLDER.sub(lambda m: (args or {}).get(m.group(1), ""), row)
        return row
    if isinstance(row, dict):
        return {k: filled(v, args, pairs) for k, v in row.items()}
    if isinstance(row, list):
        return [filled(v, args, pairs) for v in row]
    return row


_PLACEHOLDERS: dict[str, str] = {}


def placeholder(name: str) -> str:
    # Record field names repeat on every record of a list: "{name}" is built once per name.
    found = _PLACEHOLDERS.get(name)
    if found is None:
        found = "{" + name + "}"
        if len(_PLACEHOLDERS) < 4096:  # bounded: field names come from upstream answers
            _PLACEHOLDERS[name] = found
    return found


def field_at(record: Any, path: str) -> Any:
    """A dotted path into a record; a number picks a list item (`data_b64.2`)."""
    for step in path.split("."):
        if isinstance(record, dict):
            record = record.get(step)
        elif isinstance(record, list) and step.isdigit() and int(step) < len(record):
            record = record[int(step)]
        else:
            return None
    return record


def text_of(value: Any) -> str:
    return str(value) if not isinstance(value, bool) else str(int(value))


def dns_name(name: str, zone: str, strip_dot: bool) -> str:
    """A zone-file name made absolute: relative names (no final dot) belong to `zone`."""
    if zone and not name.endswith("."):
        apex = zone.rstrip(".") + "."
        name = apex if name in ("", "@") else f"{name}.{apex}"
    return name[:-1] if strip_dot and name.endswith(".") and len(name) > 1 else name


# --- the definition: the rule read for every record ---------------------------------------


def reshape_record(rule: OutputRule, record: Any, args: Mapping[str, str] | None = None) -> Any:
    if not isinstance(record, dict):
        return record
    original = record
    if rule.derive:
        record = derived(rule.derive, record, args)
    if rule.derive_by is not None:
        # Keys that depend on the kind of record (API 2's `address` for A, `cname` for CNAME).
        key, cases = rule.derive_by
        kind_rules = cases.get(text_of(original.get(key, "")), ())
        by_kind = derived(kind_rules, original, args)
        record = {**record, **{derive.key: by_kind[derive.key] for derive in kind_rules}}
    if rule.rename:
        record = {rule.rename.get(k, k): v for k, v in record.items()}
    if rule.only is not None:
        record = {k: record[k] for k in rule.only if k in record}
    if rule.omit_null:
        record = {k: v for k, v in record.items() if not (v is None and k in rule.omit_null)}
    if rule.defaults:
        record = {**rule.defaults, **record}
    if rule.add:
        record = {**record, **rule.add}
    return record


def derived(rules: tuple[DeriveRule, ...], record: dict[str, Any], args: Mapping[str, str] | None) -> dict[str, Any]:
    """Keys computed from the UAPI record as it arrived (before rename and only)."""
    out = dict(record)
    texts: dict[str, str] | None = None  # the record's fields as text, when a rule needs them
    fields: list[tuple[str, str]] | None = None  # the same as (placeholder, text) pairs
    for derive in rules:
        if texts is None and (derive.template is not None or derive.each is not None):
            texts = {k: v if isinstance(v, str) else str(v) for k, v in record.items() if isinstance(v, (str, int, float))}
            fields = [(placeholder(k), v) for k, v in texts.items()]
        if derive.template is not None:
            assert fields is not None
            out[derive.key] = filled(derive.template, None, fields)
            continue
        value = field_at(record, derive.source) if "." in derive.source else record.get(derive.source)
        if derive.each is not None:
            assert texts is not None and fields is not None
            items = value if isinstance(value, list) else []
            plan = each_plan(derive.each)
            value = []
            for item in items:
                text = str(item)
                done = None if plan is None else _planned(plan, texts, text)
                value.append(filled(derive.each, None, _with_item(fields, text)) if done is None else done)
        elif derive.convert is not None:
            value = derive.convert(value)
        if isinstance(value, str) and (derive.qualify or derive.strip_dot):
            value = dns_name(value, (args or {}).get(derive.qualify, "") if derive.qualify else "", derive.strip_dot)
        out[derive.key] = value
    return out


def _with_item(fields: list[tuple[str, str]], item: str) -> list[tuple[str, str]]:
    """The record's fields plus "{item}", in the order {**fields, "item": item} would give."""
    for index, (placeholder_text, _) in enumerate(fields):
        if placeholder_text == "{item}":
            return [*fields[:index], ("{item}", item), *fields[index + 1:]]
    return [*fields, ("{item}", item)]


# An `each` template made of whole placeholders and plain texts ({user: "{item}", db:
# "{database}"}) is filled by one lookup per key instead of a replace per field per text:
# a plan per template, made once (kept beside the template itself, so an id is never reused).
_WHOLE_PLACEHOLDER = re.compile(r"\{([^{}]*)\}\Z")
EachPlan = tuple[tuple[str, str | None, str], ...]  # (key, placeholder name or None, text)
_EACH_PLANS: dict[int, tuple[Any, EachPlan | None]] = {}


def each_plan(template: Any) -> EachPlan | None:
    cached = _EACH_PLANS.get(id(template))
    if cached is not None and cached[0] is template:
        return cached[1]
    plan: EachPlan | None = None
    if isinstance(template, dict) and all(isinstance(text, str) for text in template.values()):
        steps = []
        for key, text in template.items():
            whole = _WHOLE_PLACEHOLDER.match(text)
            if whole is not None and not whole.group(1).startswith("arg."):
                steps.append((key, whole.group(1), text))
            elif "{" not in text:
                steps.append((key, None, text))
            else:
                break
        else:
            plan = tuple(steps)
    if len(_EACH_PLANS) < 256:  # bounded: a table has a few such templates; reloads add more
        _EACH_PLANS[id(template)] = (template, plan)
    return plan


def _planned(plan: EachPlan, texts: dict[str, str], item: str) -> dict[str, str] | None:
    """The filled template, or None when a value holds a "{" (the replaces in turn could then
    fill it further: the general path decides)."""
    out = {}
    for key, name, text in plan:
        if name is not None:
            value = item if name == "item" else texts.get(name)
            if value is not None:
                if "{" in value:
                    return None
                text = value
        out[key] = text
    return out


# --- compiled once per rule ---------------------------------------------------------------


def compile_record_rules(rule: OutputRule) -> Reshaper:
    """A function (record, args) → the record `reshape_record(rule, record, args)` gives."""
    def interpreted(record: Any, args: Mapping[str, str] | None = None) -> Any:
        return reshape_record(rule, record, args)

    if rule.derive_by is None:
        return _compiled(rule, rule.derive, interpreted) or interpreted
    # A record's kind picks extra derive rules: one function per kind, the rules appended
    # (a later rule for a key wins in both ways, and keys are set in the same order).
    key, cases = rule.derive_by
    by_kind = {}
    for kind, rules in cases.items():
        function = _compiled(rule, rule.derive + rules, interpreted)
        if function is None:
            return interpreted
        by_kind[kind] = function
    other = _compiled(rule, rule.derive, interpreted)
    if other is None:
        return interpreted
    pick = by_kind.get

    def per_kind(record: Any, args: Mapping[str, str] | None = None) -> Any:
        if not isinstance(record, dict):
            return record
        return pick(text_of(record.get(key, "")), other)(record, args)

    return per_kind


_MISSING = object()
_FEW_OPTIONAL = 4  # up to this many keys a record may lack: one dict display, the missing taken out after


class _NotCompiled(Exception):
    """A derive rule the generated code does not reproduce: the rule stays interpreted."""


class _Source:
    """Python source of one compiled function, with the objects it refers to by name."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, Any] = {"_MISSING": _MISSING, "isinstance": isinstance, "str": str, "list": list,
                                      "dict": dict, "int": int, "float": float, "len": len}
        # Computed once per record however many rules use them: a field path's value, and a
        # converted value (zone records take `address` and `record` from the same data_b64.0).
        self.reads: dict[str, str] = {}
        self.converted: dict[tuple[Any, ...], str] = {}

    def name(self, value: Any) -> str:
        name = f"_k{len(self.names)}"
        self.names[name] = value
        return name

    def add(self, line: str, depth: int = 1) -> None:
        self.lines.append("    " * depth + line)


def _compiled(rule: OutputRule, rules: tuple[DeriveRule, ...], interpreted: Reshaper) -> Reshaper | None:
    """The generated function for `rules` as the record's derive rules, or None when the
    rule cannot be compiled to something provably equal (the caller then interprets it)."""
    try:
        return _generated(rule, rules, interpreted)
    except _NotCompiled:
        return None


def _generated(rule: OutputRule, rules: tuple[DeriveRule, ...], interpreted: Reshaper) -> Reshaper | None:
    src = _Source()
    slow = src.name(interpreted)
    src.add("if not isinstance(record, dict):")
    src.add("return record", 2)
    src.add("get = record.get")
    last_rule = {derive.key: derive for derive in rules}  # a later rule for a key wins
    rename = rule.rename or {}
    if rule.only is not None:
        # Where each kept key comes from. A key two of the record's keys could fill takes
        # the later one in the record's own order: such a record is interpreted.
        kept: list[tuple[str, list[str]]] = []
        for key in dict.fromkeys(rule.only):
            sources = [source for source, target in rename.items() if target == key]
            if key not in rename:
                sources.append(key)
            if sum(source in last_rule for source in sources) > 1:
                raise _NotCompiled  # two derived keys, always both present: order decides
            if sources:
                kept.append((key, sources))
        needed = {source for _, sources in kept for source in sources if source in last_rule}
        values = {}
        for index, derive in enumerate(rules):
            if derive.key in needed and last_rule[derive.key] is derive:
                values[derive.key] = _derive_into(src, derive, f"d{index}", slow)
        # One dict display in `only`'s order; keys the record lacks (and null ones omit_null
        # names) are taken out after, which leaves the others in order.
        items: list[tuple[str, str]] = []  # (kept key, the variable holding its value)
        optional: list[str] = []  # variables that may hold _M: the record lacks the key
        for key, sources in kept:
            plain = [source for source in sources if source not in values]
            computed = [values[source] for source in sources if source in values]
            if computed:
                if plain:
                    src.add(f"if {' or '.join(f'{source!r} in record' for source in plain)}:")
                    src.add(f"return {slow}(record, args)", 2)
                items.append((key, computed[0]))
                continue
            var = f"p{len(items)}"
            src.add(f"{var} = get({plain[0]!r}, _M)")
            for other in plain[1:]:
                src.add(f"w = get({other!r}, _M)")
                src.add("if w is not _M:")
                src.add(f"if {var} is not _M:", 2)
                src.add(f"return {slow}(record, args)", 3)
                src.add(f"{var} = w", 2)
            items.append((key, var))
            optional.append(var)
        omitted = {key for key, _ in kept if key in rule.omit_null}
        if len(optional) <= _FEW_OPTIONAL:
            src.add("out = {" + ", ".join(f"{key!r}: {var}" for key, var in items) + "}")
            tests = [f"{var} is _M" for var in optional] + [f"{var} is None" for key, var in items if key in omitted]
            if tests:
                keep = "v is not _M"
                if omitted:
                    keep += f" and not (v is None and k in {src.name(rule.omit_null)})"
                src.add(f"if {' or '.join(tests)}:")
                src.add(f"out = {{k: v for k, v in out.items() if {keep}}}", 2)
        else:
            # Many keys a record may lack (a zone line has a few of `only`'s 29): each set
            # only when there, in order, rather than all set and most taken out again.
            src.add("out = {}")
            for key, var in items:
                tests = ([f"{var} is not _M"] if var in optional else []) + ([f"{var} is not None"] if key in omitted else [])
                if tests:
                    src.add(f"if {' and '.join(tests)}: out[{key!r}] = {var}")
                else:
                    src.add(f"out[{key!r}] = {var}")
    else:
        if rules:
            computed = [(derive.key, _derive_into(src, derive, f"d{index}", slow)) for index, derive in enumerate(rules)]
            src.add("out = dict(record)")
            for key, var in computed:
                src.add(f"out[{key!r}] = {var}")
        else:
            src.add("out = record")
        if rename:
            src.add(f"rename = {src.name(rename)}.get")
            src.add("out = {rename(k, k): v for k, v in out.items()}")
        if rule.omit_null:
            src.add(f"omit = {src.name(rule.omit_null)}")
            src.add("out = {k: v for k, v in out.items() if not (v is None and k in omit)}")
    if rule.defaults:
        src.add(f"out = {{**{src.name(rule.defaults)}, **out}}")
    if rule.add:
        src.add(f"out = {{**out, **{src.name(rule.add)}}}")
    src.add("return out")
    code = "def reshape(record, args=None, _M=_MISSING):\n" + "\n".join(src.lines) + "\n"
    namespace = dict(src.names)
    exec(compile(code, f"<reshape {id(rule):x}>", "exec"), namespace)  # noqa: S102 - source built above from the table's rules
    function: Reshaper = namespace["reshape"]
    function.source = code  # type: ignore[attr-defined]  # for a reader in a debugger
    return function


def _derive_into(src: _Source, derive: DeriveRule, var: str, slow: str) -> str:
    """Lines computing one derived value (from the record as it arrived) into `var`."""
    if derive.template is not None:
        if "{" in derive.template:
            raise _NotCompiled  # a template filled from the record's texts in turn
        src.add(f"{var} = {src.name(derive.template)}")
        return var
    source = derive.source
    read = _read(src, source)
    if derive.each is not None:
        plan = each_plan(derive.each)
        if plan is None:
            raise _NotCompiled  # not whole placeholders: filled in turn
        # The record's texts the template names; a text holding "{" (item or field) is
        # left to the interpreted rule, which fills such texts in turn.
        parts = []
        for key, name, text in plan:
            if name is None:
                parts.append(f"{key!r}: {src.name(text)}")
            elif name == "item":
                parts.append(f"{key!r}: it")
            else:
                field, unfilled = f"{var}_{len(parts)}", src.name(text)
                src.add(f"{field} = get({name!r})")
                src.add(f"if isinstance({field}, str): pass")
                src.add(f"elif isinstance({field}, (int, float)): {field} = str({field})")
                src.add(f"else: {field} = {unfilled}")  # no text of that name: the placeholder stays
                src.add(f"if '{{' in {field} and {field} is not {unfilled}:")
                src.add(f"return {slow}(record, args)", 2)
                parts.append(f"{key!r}: {field}")
        src.add(f"{var} = {read}")
        src.add(f"if not isinstance({var}, list): {var} = []")
        src.add("try:")  # items that are all texts (nearly always) are joined as they are
        src.add(f"joined = ''.join({var})", 2)
        src.add("except TypeError:")
        src.add(f"{var} = [str(x) for x in {var}]", 2)
        src.add(f"joined = ''.join({var})", 2)
        src.add("if '{' in joined:")
        src.add(f"return {slow}(record, args)", 2)
        src.add(f"{var} = [{{{', '.join(parts)}}} for it in {var}]")
        return var
    if not (derive.convert or derive.qualify or derive.strip_dot):
        return read
    same = (source, derive.convert, derive.qualify, derive.strip_dot)
    if same in src.converted:
        return src.converted[same]
    src.converted[same] = var
    src.add(f"{var} = {src.name(derive.convert)}({read})" if derive.convert is not None else f"{var} = {read}")
    if derive.qualify or derive.strip_dot:
        zone = f"(args or {{}}).get({derive.qualify!r}, '')" if derive.qualify else "''"
        src.add(f"if isinstance({var}, str):")
        src.add(f"{var} = {src.name(dns_name)}({var}, {zone}, {derive.strip_dot!r})", 2)
    return var


def _read(src: _Source, path: str) -> str:
    """A variable holding field_at(record, path), each prefix of the path read once."""
    if path in src.reads:
        return src.reads[path]
    head, _, step = path.rpartition(".")
    parent = _read(src, head) if head else ""
    var = f"r{len(src.reads)}"
    if not head:
        src.add(f"{var} = get({path!r})")
    else:
        if step.isascii() and step.isdigit():
            index = int(step)
            src.add(f"if isinstance({parent}, dict): {var} = {parent}.get({step!r})")
            src.add(f"elif isinstance({parent}, list) and len({parent}) > {index}: {var} = {parent}[{index}]")
            src.add(f"else: {var} = None")
        else:
            src.add(f"{var} = {parent}.get({step!r}) if isinstance({parent}, dict) else None")
    src.reads[path] = var
    return var
