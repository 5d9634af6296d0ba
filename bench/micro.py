"""Translation micro-benchmark: the CPU the shim spends on a call besides HTTP itself.

For each scenario: the request side (legacy URL → UAPI form bytes, as the handler does it)
and the answer side (UAPI answer bytes → `cpanelresult` bytes, JSON parse and dump
included). CPU time per call (`time.process_time`), best and median of several repeats:
`python -m bench micro`.
"""

from __future__ import annotations

import statistics
import time
from copy import copy as copy_of
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qsl, urlencode

import msgspec
import orjson

from shim.fakecpanel.modules.dns import Line
from shim.translation import plaincopy
from shim.translation.mapping import load_table
from shim.translation.recognise import merge_params, recognise, split_path
from shim.translation.reshape import reshape_record
from shim.translation.translate import (
    build_uapi_call,
    to_cpanelresult,
    unwrap_whm,
    whm_form,
)

from .answers import scenarios, upstream_routes

REPEATS = 7
TARGET_SECONDS = 0.2  # CPU per repeat; enough calls to make the timer's resolution irrelevant


@dataclass
class MicroResult:
    name: str
    calls: int
    best_us: float
    median_us: float


def _measure(name: str, func: Callable[[], Any], repeats: int, target: float) -> MicroResult:
    func()
    calls = 1
    while True:  # size the loop so one repeat takes about `target` of CPU
        began = time.process_time()
        for _ in range(calls):
            func()
        spent = time.process_time() - began
        if spent >= target / 4 or calls >= 1 << 20:
            break
        calls *= 4
    calls = max(1, int(calls * target / max(spent, 1e-9)))
    samples = []
    for _ in range(repeats):
        began = time.process_time()
        for _ in range(calls):
            func()
        samples.append((time.process_time() - began) / calls * 1e6)
    return MicroResult(name, calls, min(samples), statistics.median(samples))


def cases() -> dict[str, Callable[[], Any]]:
    table = load_table()
    by_name = {s.name: s for s in scenarios()}
    routes = {r.path: r.body for r in upstream_routes()}

    def request_side(scenario_name: str, whm: bool) -> Callable[[], Any]:
        raw_path, _, query = by_name[scenario_name].path.partition("?")

        def run() -> bytes:
            call = recognise(merge_params(parse_qsl(query, keep_blank_values=True), []), split_path(raw_path).cpsess)
            assert call is not None
            entry = table.lookup(call.module, call.func)
            assert entry is not None and table.mode_for(entry) == "translate"
            user = call.user
            uapi = build_uapi_call(entry, call, user)
            form = whm_form(uapi, user or "") if whm else uapi.args
            return urlencode(form).encode()

        return run

    def answer_side(
        module: str, func: str, body: bytes, whm: bool, copy: bool | None = None, interpreted: bool = False,
        rules: Any = None,
    ) -> Callable[[], Any]:
        """As the proxy does it: a plain-copy entry's `data` spliced as bytes, any other parsed
        and dumped with orjson; `copy=False` forces the parsed path (the figure before plain
        copies), `interpreted=True` the record rules read per record (before they were compiled);
        `rules`: a table of the bench's own instead of the shipped one."""
        entry = (rules or table).lookup(module, func)
        assert entry is not None
        if interpreted:
            rule = copy_of(entry.output)
            object.__setattr__(rule, "reshape", lambda record, args=None: reshape_record(rule, record, args))
            entry = replace(entry, output=rule)
        if copy is None:
            copy = entry.output.copies_data
        decode = (plaincopy.decode_whm if whm else plaincopy.decode_uapi) if copy else orjson.loads

        def run() -> bytes:
            result: Any = decode(body)
            if isinstance(result, plaincopy.RawUapiResult):
                document = plaincopy.cpanelresult(module, func, entry, result)
                assert isinstance(document, bytes)
                return document
            if whm:
                result, failure = unwrap_whm(result)
                assert failure is None
            return orjson.dumps(to_cpanelresult(module, func, entry, result))

        return run

    def msgspec_answer_side(module: str, func: str, body: bytes) -> Callable[[], Any]:
        """The reshaping path with msgspec's generic decoder and encoder instead of orjson's."""
        entry = table.lookup(module, func)
        assert entry is not None
        decoder, encoder = msgspec.json.Decoder(), msgspec.json.Encoder()

        def run() -> bytes:
            return encoder.encode(to_cpanelresult(module, func, entry, decoder.decode(body)))

        return run

    zone_rules = load_table([Path(__file__).parent / "zone_rules"])
    zone_answer = orjson.dumps({"data": zone_lines(), "errors": None, "messages": None, "metadata": {}, "status": 1,
                                "warnings": None})
    whm_answer = routes["/cpsess0123456789/json-api/uapi_cpanel"]
    ftp_list = routes["/execute/Ftp/list_ftp_with_disk"]
    mysql_list = routes["/execute/Mysql/list_users"]
    return {
        "passwd: legacy request → UAPI call": request_side("passwd", True),
        "passwd: UAPI result → cpanelresult": answer_side("Ftp", "passwd", whm_answer, True),
        "list 1000: legacy request → UAPI call": request_side("list1000", False),
        "list 1000: UAPI result → cpanelresult (plain copy)": answer_side("Ftp", "listftpwithdisk", ftp_list, False),
        "list 1000: … parsed and dumped (before plain copies; not used)":
            answer_side("Ftp", "listftpwithdisk", ftp_list, False, copy=False),
        "list 1000 reshaped: legacy request → UAPI call": request_side("list1000-shaped", False),
        "list 1000 reshaped: UAPI result → cpanelresult": answer_side("MysqlFE", "listusers", mysql_list, False),
        "list 1000 reshaped: … rules read per record, as before compiling them (not used)":
            answer_side("MysqlFE", "listusers", mysql_list, False, interpreted=True),
        "list 1000 reshaped: … with msgspec's decoder and encoder (not used)":
            msgspec_answer_side("MysqlFE", "listusers", mysql_list),
        # The format's heaviest record rules (derive, derive_by per record type, base64, qualify,
        # only, omit_null, defaults), kept in the bench's own table (bench/zone_rules/) since
        # ZoneEdit::fetchzone_records became a recipe: a 1,000-line zone; reported, not held to a target.
        "zone 1000 lines: UAPI result → cpanelresult (ZoneEdit::fetchzone_records)":
            answer_side("ZoneEdit", "fetchzone_records", zone_answer, False, rules=zone_rules),
        "zone 1000 lines: … rules read per record, as before compiling them":
            answer_side("ZoneEdit", "fetchzone_records", zone_answer, False, interpreted=True, rules=zone_rules),
    }


def zone_lines(count: int = 1000) -> list[dict[str, Any]]:
    """UAPI DNS::parse_zone's lines for a zone of `count` records (A, CNAME, MX, TXT in turn)."""
    kinds = [("A", ["192.0.2.{n}"]), ("CNAME", ["host{n}"]), ("MX", ["10", "mail{n}.example.com."]),
             ("TXT", ["v=spf1 include:_spf{n}.example.com ~all"])]
    lines = []
    for n in range(count):
        kind, data = kinds[n % len(kinds)]
        lines.append(Line("record", dname=f"name{n}", record_type=kind, data=[d.format(n=n % 250) for d in data]).parsed(n))
    return lines


def run_micro(repeats: int = REPEATS, target: float = TARGET_SECONDS) -> list[MicroResult]:
    return [_measure(name, func, repeats, target) for name, func in cases().items()]


def as_dicts(results: list[MicroResult]) -> list[dict[str, Any]]:
    return [asdict(r) for r in results]
