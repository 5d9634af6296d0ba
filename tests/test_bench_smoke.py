"""The load benchmark (`python -m bench`) runs end to end and writes its report.

Tiny counts, the built-in load generator, no nginx: this proves the command still works,
not how fast anything is.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.run import main

ROOT = Path(__file__).resolve().parent.parent
CONTENDERS = ["direct", "aiohttp", "shim"]
SCENARIOS = ["passwd", "list1000", "list1000-shaped", "whmapi1", "reject"]


def test_bench_command_runs_and_writes_json(tmp_path: Path) -> None:
    command = [
        sys.executable, "-m", "bench",
        "--rounds", "1", "--duration", "0.1", "--connections", "1,2", "--warmup", "0",
        "--loader", "builtin", "--no-nginx", "--workers", "0", "--only", ",".join(CONTENDERS),
        "--memory-requests", "100", "--micro-repeats", "1", "--micro-seconds", "0.01",
        "--out", str(tmp_path),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

    report = json.loads((tmp_path / "latest.json").read_text())
    measured = sorted((s["scenario"], s["connections"], s["contender"]) for s in report["samples"])
    # The mixed scenario runs at the highest connection count only: 1 small + 1 large here.
    assert measured == sorted(
        [(s, n, c) for s in SCENARIOS for n in (1, 2) for c in CONTENDERS]
        + [(s, 2, c) for s in ("mixed", "mixed-alone") for c in CONTENDERS]
    )
    assert all(s["large"]["requests"] > 0 for s in report["samples"] if s["scenario"] == "mixed")
    assert all(s["result"]["requests"] > 0 and s["result"]["errors"] == 0 for s in report["samples"])
    assert [c["name"] for c in report["contenders"]] == CONTENDERS
    assert report["memory"]["errors"] == 0 and report["memory"]["requests"] > 0
    assert [m["name"] for m in report["micro"]] == [
        "passwd: legacy request → UAPI call",
        "passwd: UAPI result → cpanelresult",
        "list 1000: legacy request → UAPI call",
        "list 1000: UAPI result → cpanelresult (plain copy)",
        "list 1000: … parsed and dumped (before plain copies; not used)",
        "list 1000 reshaped: legacy request → UAPI call",
        "list 1000 reshaped: UAPI result → cpanelresult",
        "list 1000 reshaped: … rules read per record, as before compiling them (not used)",
        "list 1000 reshaped: … with msgspec's decoder and encoder (not used)",
        "zone 1000 lines: UAPI result → cpanelresult (ZoneEdit::fetchzone_records)",
        "zone 1000 lines: … rules read per record, as before compiling them",
    ]
    targets = [t["target"].split(" ")[0] for t in report["analysis"]["targets"]]
    assert targets == ["translated", "plain-copy", "reshaped", "pass-through", "latency", "reshaped", "mixed,", "RSS"]
    assert "| shim | 1 |" in (tmp_path / "latest.md").read_text()


def test_the_hostile_scenario_is_reached_from_python_m_bench() -> None:
    done = subprocess.run([sys.executable, "-m", "bench", "hostile", "--help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: python -m bench hostile [-h] [--small] [--seconds SECONDS]")


def test_a_count_of_zero_is_refused_before_anything_runs(capsys) -> None:
    # --micro-repeats 0 once crashed after the whole load run, on min() of no samples.
    for option in ("--micro-repeats", "--rounds"):
        with pytest.raises(SystemExit) as stopped:
            main(["micro", option, "0"])
        assert stopped.value.code == 2
        assert capsys.readouterr().err.endswith(f"error: argument {option}: must be 1 or more, not 0\n")
