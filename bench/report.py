"""Turning a run's samples into medians, ratios, target checks, Markdown and JSON."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

# The issues' targets, as ratios or limits measured in the same run.
SMALL_TRANSLATED_MIN_RATIO = 1.0
PLAIN_LIST_MIN_RATIO = 0.8
SHAPED_LIST_MIN_RATIO = 0.4
PASSTHROUGH_MIN_RATIO = 0.95
ADDED_P50_MAX_MS = 0.5
SHAPED_TRANSLATION_MAX_US = 600.0
MIXED_P99_MAX_FACTOR = 3.0
RSS_GROWTH_MAX_PERCENT = 5.0
PASSTHROUGH = ("whmapi1",)
# Scenarios held to the added-latency limit at 1 connection (the reshaped list has its own targets).
LATENCY_BOUND = ("passwd", "list1000", "whmapi1", "reject")


def medians(data: dict[str, Any]) -> dict[tuple[str, int, str], dict[str, float]]:
    """(scenario, connections, contender) → median of each figure over the rounds."""
    groups: dict[tuple[str, int, str], list[dict[str, Any]]] = {}
    for sample in data["samples"]:
        groups.setdefault((sample["scenario"], sample["connections"], sample["contender"]), []).append(sample)
    out = {}
    for key, group in groups.items():
        out[key] = {
            "rps": statistics.median(s["result"]["rps"] for s in group),
            "p50_ms": statistics.median(s["result"]["p50_ms"] for s in group),
            "p99_ms": statistics.median(s["result"]["p99_ms"] for s in group),
            "rss_kib": max(s["rss_kib"] for s in group),
            "cpu_us": statistics.median(s["cpu_us"] for s in group) if group[0].get("cpu_us") is not None else None,
            "errors": sum(s["result"]["errors"] for s in group),
            "rounds": len(group),
        }
        if group[0].get("large"):
            out[key]["large_rps"] = statistics.median(s["large"]["rps"] for s in group)
            out[key]["large_p99_ms"] = statistics.median(s["large"]["p99_ms"] for s in group)
    return out


def bare_for(contender: dict[str, Any], names: set[str]) -> str | None:
    """The bare aiohttp proxy on the same event loop as `contender`, the fair baseline."""
    preferred = "aiohttp+uvloop" if contender.get("loop") == "uvloop" else "aiohttp"
    if preferred in names:
        return preferred
    return "aiohttp" if "aiohttp" in names else None


def _ratio(value: float, reference: float | None) -> float | None:
    return value / reference if reference else None


def _fmt_ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


def _fmt_ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def analyse(data: dict[str, Any]) -> dict[str, Any]:
    med = medians(data)
    contenders = {c["name"]: c for c in data["contenders"]}
    names = set(contenders)
    rows = []
    for scenario in data["scenarios"]:
        for connections in data["options"]["connections"]:
            direct = med.get((scenario["name"], connections, "direct"))
            for name, contender in contenders.items():
                figures = med.get((scenario["name"], connections, name))
                if figures is None:
                    continue
                bare = bare_for(contender, names)

                def rps_of(other: str | None) -> float | None:
                    found = med.get((scenario["name"], connections, other)) if other else None
                    return found["rps"] if found else None

                rows.append(
                    {
                        "scenario": scenario["name"],
                        "connections": connections,
                        "contender": name,
                        **figures,
                        "added_p50_ms": figures["p50_ms"] - direct["p50_ms"] if direct and name != "direct" else None,
                        "x_aiohttp": _ratio(figures["rps"], rps_of("aiohttp")),
                        "x_aiohttp_uvloop": _ratio(figures["rps"], rps_of("aiohttp+uvloop")),
                        "x_nginx": _ratio(figures["rps"], rps_of("nginx")),
                        "x_bare_same_loop": _ratio(figures["rps"], rps_of(bare)),
                        "bare": bare,
                    }
                )
    return {"rows": rows, "targets": targets(data, rows)}


def targets(data: dict[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    shim_rows = [r for r in rows if r["contender"] == "shim"]
    checks = []

    def ratio_check(title: str, scenario_names: tuple[str, ...], minimum: float) -> None:
        found = [r for r in shim_rows if r["scenario"] in scenario_names and r["x_bare_same_loop"] is not None]
        if not found:
            checks.append({"target": title, "measured": "not measured", "met": None})
            return
        worst = min(found, key=lambda r: r["x_bare_same_loop"])
        measured = ", ".join(f"{r['scenario']} c={r['connections']}: {r['x_bare_same_loop']:.2f}×" for r in found)
        checks.append({"target": title, "measured": measured, "met": worst["x_bare_same_loop"] >= minimum,
                       "worst": worst["x_bare_same_loop"]})

    ratio_check(f"translated small calls ≥ {SMALL_TRANSLATED_MIN_RATIO}× the bare aiohttp proxy (same event loop)",
                ("passwd",), SMALL_TRANSLATED_MIN_RATIO)
    ratio_check(f"plain-copy 1,000-record list ≥ {PLAIN_LIST_MIN_RATIO}× the bare aiohttp proxy", ("list1000",),
                PLAIN_LIST_MIN_RATIO)
    ratio_check(f"reshaped 1,000-record list ≥ {SHAPED_LIST_MIN_RATIO}× the bare aiohttp proxy", ("list1000-shaped",),
                SHAPED_LIST_MIN_RATIO)
    ratio_check(f"pass-through ≥ {PASSTHROUGH_MIN_RATIO}× the bare aiohttp proxy (same event loop)", PASSTHROUGH,
                PASSTHROUGH_MIN_RATIO)

    added = [r for r in shim_rows if r["connections"] == 1 and r["added_p50_ms"] is not None
             and r["scenario"] in LATENCY_BOUND]
    if added:
        worst = max(r["added_p50_ms"] for r in added)
        checks.append({
            "target": f"latency added over the direct upstream at 1 connection, p50 ≤ {ADDED_P50_MAX_MS} ms",
            "measured": ", ".join(f"{r['scenario']}: {r['added_p50_ms']:.3f} ms" for r in added),
            "met": worst <= ADDED_P50_MAX_MS,
        })
    else:
        checks.append({"target": "latency added at 1 connection", "measured": "not measured", "met": None})

    micro = {m["name"]: m for m in data.get("micro", [])}
    shaped_parts = [m for name, m in micro.items() if name.startswith("list 1000 reshaped:") and "(not used)" not in name]
    if shaped_parts:
        total = sum(m["best_us"] for m in shaped_parts)
        checks.append({
            "target": f"reshaped 1,000-record list translation ≤ {SHAPED_TRANSLATION_MAX_US / 1000:g} ms of CPU",
            "measured": f"{total / 1000:.3f} ms (request side + answer side, JSON parse and dump included)",
            "met": total <= SHAPED_TRANSLATION_MAX_US,
        })
    mixed = mixed_check(rows)
    if mixed:
        checks.append(mixed)
    memory = data.get("memory")
    if memory:
        checks.append({
            "target": f"RSS grows < {RSS_GROWTH_MAX_PERCENT:g}% over {memory['requests']:,} requests",
            "measured": f"{memory['rss_before_kib'] / 1024:.1f} → {memory['rss_after_kib'] / 1024:.1f} MiB "
                        f"({memory['growth_percent']:+.2f}%)" + _reference_soak(memory),
            "met": memory["growth_percent"] < RSS_GROWTH_MAX_PERCENT,
        })
    scaled = [r for r in rows if r["contender"].startswith("shim-x")]
    if scaled:
        parts = []
        for row in scaled:
            single = next((r for r in shim_rows if r["scenario"] == row["scenario"] and r["connections"] == row["connections"]), None)
            if single and single["rps"] and row["connections"] > 1:
                parts.append(f"{row['scenario']} c={row['connections']}: {row['rps'] / single['rps']:.2f}×")
        checks.append({"target": "N workers: scaling over 1 process (reported)", "measured": ", ".join(parts) or "–", "met": None})
    return checks


def mixed_check(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The small calls' p99 beside large ones over their p99 alone (shim, same run)."""
    by = {(r["scenario"], r["contender"]): r for r in rows}
    beside, alone = by.get(("mixed", "shim")), by.get(("mixed-alone", "shim"))
    if beside is None or alone is None or not alone["p99_ms"]:
        return None
    factor = beside["p99_ms"] / alone["p99_ms"]
    return {
        "target": f"mixed, {beside['connections']} connections: small calls' p99 beside large ones ≤ "
                  f"{MIXED_P99_MAX_FACTOR:g}× their p99 alone",
        "measured": f"{beside['p99_ms']:.2f} ms beside / {alone['p99_ms']:.2f} ms alone = {factor:.2f}× "
                    f"(large calls: {beside.get('large_rps') or 0:,.0f} req/s, p99 {beside.get('large_p99_ms') or 0:.1f} ms)",
        "met": factor <= MIXED_P99_MAX_FACTOR,
        "factor": factor,
    }


def render_markdown(data: dict[str, Any], analysis: dict[str, Any]) -> str:
    env = data["environment"]
    opts = data["options"]
    lines = [
        "# api2shim benchmark",
        "",
        f"{env['date']} · {env['cores']} cores (shared) · Python {env['python']} · aiohttp {env['aiohttp']} · "
        f"uvloop {env['uvloop'] or 'not installed'} · upstream: {env['upstream']} · load: {env['loader']}",
        "",
        f"Median of {opts['rounds']} interleaved rounds of {opts['duration']:g} s per figure, all on 127.0.0.1. "
        "Absolute figures drift on shared machines: compare ratios within this run only.",
        "",
        "Contenders:",
        "",
    ]
    for contender in data["contenders"]:
        lines.append(f"- **{contender['name']}**: {contender['description']} (peak RSS {contender['peak_rss_kib'] / 1024:.1f} MiB)")
    for note in data.get("notes", []):
        lines.append(f"- {note}")
    lines += ["", *render_summary(data, analysis)]
    lines += render_mixed(analysis)
    lines += ["", "## Targets", "", *render_targets(analysis)]
    titles = {s["name"]: s["title"] for s in data["scenarios"]}
    for scenario in data["scenarios"]:
        lines += [
            "",
            f"## {titles[scenario['name']]}",
            "",
            "| contender | conns | req/s | p50 ms | p99 ms | p50 added | × aiohttp | × aiohttp+uvloop | × nginx "
            "| CPU µs/req | RSS MiB | errors |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for row in analysis["rows"]:
            if row["scenario"] != scenario["name"]:
                continue
            lines.append(
                f"| {row['contender']} | {row['connections']} | {row['rps']:,.0f} | {_fmt_ms(row['p50_ms'])} | "
                f"{_fmt_ms(row['p99_ms'])} | {_fmt_ms(row['added_p50_ms'])} | {_fmt_ratio(row['x_aiohttp'])} | "
                f"{_fmt_ratio(row['x_aiohttp_uvloop'])} | {_fmt_ratio(row['x_nginx'])} | "
                f"{'–' if row['cpu_us'] is None else format(row['cpu_us'], '.0f')} | "
                f"{row['rss_kib'] / 1024:.1f} | {row['errors']} |"
            )
    if data.get("micro"):
        lines += ["", "## Translation micro-benchmark (CPU per call)", "", "| step | best µs | median µs |", "|---|--:|--:|"]
        for m in data["micro"]:
            lines.append(f"| {m['name']} | {m['best_us']:.1f} | {m['median_us']:.1f} |")
    memory = data.get("memory")
    if memory:
        lines += [
            "",
            f"Memory soak (shim, 1 process): {memory['warmup_requests']:,} warm-up requests, then {memory['requests']:,} "
            f"more in {memory['seconds']:.0f} s at {memory['connections']} connections "
            f"(mix {', '.join(f'{k} {v:.1%}' for k, v in memory['mix'].items())}), {memory['errors']} errors: "
            f"RSS {memory['rss_before_kib'] / 1024:.1f} → {memory['rss_after_kib'] / 1024:.1f} MiB "
            f"({memory['growth_percent']:+.2f}%){_reference_soak(memory)}.",
        ]
    return "\n".join(lines) + "\n"


def render_targets(analysis: dict[str, Any]) -> list[str]:
    lines = ["| target | measured | met |", "|---|---|---|"]
    for check in analysis["targets"]:
        met = {True: "yes", False: "**no**", None: "reported"}[check["met"]]
        lines.append(f"| {check['target']} | {check['measured']} | {met} |")
    return lines


DOCS_BEGIN = "<!-- bench: generated by `python -m bench report --docs FILE` from bench/results/latest.json -->"
DOCS_END = "<!-- /bench -->"


def render_docs_block(data: dict[str, Any]) -> str:
    """The run's summary, mixed and target tables as they stand in docs/performance.md."""
    analysis = analyse(data)
    env, opts = data["environment"], data["options"]
    commit = env.get("commit") or "?"
    lines = [
        f"Measured {env['date']} at commit `{commit}`: Python {env['python']}, aiohttp {env['aiohttp']}, uvloop "
        f"{env['uvloop'] or 'not installed'}, upstream {env['upstream']}, load {env['loader']}, {opts['rounds']} "
        f"interleaved rounds of {opts['duration']:g} s, on {env['cores']} shared cores"
        + (f" (load average before the run: {env['load_average']})" if env.get("load_average") else "") + ".",
        "",
        *render_summary(data, analysis)[2:],
        *render_mixed(analysis)[3:],
        "",
        *render_targets(analysis),
    ]
    if data.get("micro"):
        lines += ["", "| translation micro-benchmark (CPU per call) | best µs | median µs |", "|---|--:|--:|"]
        lines += [f"| {m['name']} | {m['best_us']:.1f} | {m['median_us']:.1f} |" for m in data["micro"]]
    return "\n".join(lines)


def update_docs(data: dict[str, Any], path: Path) -> None:
    """Replace the generated block of `path` (between DOCS_BEGIN and DOCS_END) with this run's tables."""
    text = path.read_text()
    begin, end = text.find(DOCS_BEGIN), text.find(DOCS_END)
    if begin < 0 or end < begin:
        raise SystemExit(f"{path}: no generated block ({DOCS_BEGIN} … {DOCS_END})")
    block = render_docs_block(data)
    path.write_text(text[: begin + len(DOCS_BEGIN)] + "\n\n" + block + "\n\n" + text[end:])


def render_mixed(analysis: dict[str, Any]) -> list[str]:
    """Per contender: the small calls' p99 alone and beside the large ones, and the large calls' share."""
    by = {(r["scenario"], r["contender"]): r for r in analysis["rows"]}
    names = [r["contender"] for r in analysis["rows"] if r["scenario"] == "mixed"]
    if not names:
        return []
    lines = [
        "",
        "## Mixed: small calls beside large ones (one process)",
        "",
        "| contender | small req/s alone | small p99 ms alone | small req/s beside | small p99 ms beside | p99 × "
        "| large req/s | large p99 ms | large share of requests |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name in names:
        beside, alone = by[("mixed", name)], by.get(("mixed-alone", name))
        if alone is None:
            continue
        large_rps = beside.get("large_rps") or 0.0
        lines.append(
            f"| {name} | {alone['rps']:,.0f} | {alone['p99_ms']:.2f} | {beside['rps']:,.0f} | {beside['p99_ms']:.2f} | "
            f"{_fmt_ratio(_ratio(beside['p99_ms'], alone['p99_ms']))} | {large_rps:,.0f} | "
            f"{beside.get('large_p99_ms') or 0:.2f} | {large_rps / (large_rps + beside['rps']):.1%} |"
        )
    return lines


def render_summary(data: dict[str, Any], analysis: dict[str, Any]) -> list[str]:
    """One row per scenario and connection count: req/s of every contender, then the shim's ratios."""
    names = [c["name"] for c in data["contenders"]]
    by_key = {(r["scenario"], r["connections"], r["contender"]): r for r in analysis["rows"]}
    lines = [
        "## Summary (req/s; shim ratio against the bare proxy on the same event loop)",
        "",
        "| scenario | conns | " + " | ".join(names) + " | shim × bare | shim p50 added ms | CPU µs/req shim / bare |",
        "|---|--:|" + "--:|" * len(names) + "--:|--:|--:|",
    ]
    for scenario in data["scenarios"]:
        for connections in data["options"]["connections"]:
            shim = by_key.get((scenario["name"], connections, "shim"))
            if shim is None:
                continue
            cells = [f"{by_key[(scenario['name'], connections, n)]['rps']:,.0f}" if (scenario["name"], connections, n) in by_key
                     else "–" for n in names]
            bare = by_key.get((scenario["name"], connections, shim["bare"])) if shim["bare"] else None
            cpu = "–" if shim["cpu_us"] is None or bare is None or bare["cpu_us"] is None else f"{shim['cpu_us']:.0f} / {bare['cpu_us']:.0f}"
            lines.append(
                f"| {scenario['name']} | {connections} | " + " | ".join(cells)
                + f" | {_fmt_ratio(shim['x_bare_same_loop'])} | {_fmt_ms(shim['added_p50_ms'])} | {cpu} |"
            )
    return lines


def write_reports(data: dict[str, Any], out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    analysis = analyse(data)
    markdown = out / "latest.md"
    json_path = out / "latest.json"
    markdown.write_text(render_markdown(data, analysis))
    json_path.write_text(json.dumps({**data, "analysis": analysis}, indent=1, ensure_ascii=False) + "\n")
    return markdown, json_path


def _reference_soak(memory: dict[str, Any]) -> str:
    """The same soak of `shim-ref` in the same run (--compare), when there was one."""
    ref = memory.get("reference")
    if not ref:
        return ""
    return (f"; shim-ref alike: {ref['rss_before_kib'] / 1024:.1f} → {ref['rss_after_kib'] / 1024:.1f} MiB "
            f"({ref['growth_percent']:+.2f}%)")
