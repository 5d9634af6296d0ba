"""A short run of tools/soak.py (the full one is 100,000 requests, run by hand; see its docstring)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_short_soak_answers_everything_right_and_stays_flat():
    result = subprocess.run([sys.executable, "tools/soak.py", "--requests", "3000", "--concurrency", "16", "--json"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    report = json.loads(result.stdout)
    assert (result.returncode, report["problems"], report["wrong"]) == (0, [], {})
    assert report["requests"] == 3000 and len(report["by_kind"]) == 9
