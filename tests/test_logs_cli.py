"""Logs that tools read: the demo's stdout is JSON Lines `usage --log` counts, and every
mistake on `usage`'s command line is one line of text (exact), never a traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

from conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
ROOT_AUTH = "whm root:DEMOROOTTOKEN0123456789"


def usage(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return run_cli("usage", *args, stdin=stdin)  # in-process: exit status, stdout and stderr as a child's


def test_usage_admin_that_is_not_host_port_is_one_line():
    for value in ("18090", "127.0.0.1:abc", "127.0.0.1:70000"):
        done = usage("--admin", value)
        assert (done.returncode, done.stdout, done.stderr) == (2, "", f"error: --admin: '{value}' is not HOST:PORT\n")


def test_usage_admin_nobody_listens_on_is_one_line():
    done = usage("--admin", "127.0.0.1:1")
    assert (done.returncode, done.stdout, done.stderr) == (1, "", "error: cannot read usage: Connection refused\n")


def test_usage_log_of_junk_fails_naming_the_file(tmp_path):
    junk = tmp_path / "junk.log"
    junk.write_text("2026-12-03 07:56:37,808 INFO api2shim.access {\"api2\": \"Ftp::passwd\"}\nnot a log\n\n")
    done = usage("--log", str(junk))
    assert (done.returncode, done.stdout, done.stderr) == (
        1, "", f"error: {junk}: none of its 2 lines is an access log line (one JSON object per line)\n")
    missing = tmp_path / "missing.log"
    done = usage("--log", str(missing))
    assert (done.returncode, done.stdout, done.stderr) == (
        1, "", f"error: cannot read usage: [Errno 2] No such file or directory: '{missing}'\n")


def test_usage_log_says_how_many_lines_it_skipped():
    line = {"ts": "2026-12-03T08:00:00.000Z", "api2": "Ftp::passwd", "mode": "translate", "auth": "whm root",
            "client": "203.0.113.9", "ua": "WHMCS/8.10"}
    text = "\n".join([json.dumps(line), "garbage", json.dumps(line), "[1]"]) + "\n"
    done = usage("--log", "-", "--json", stdin=text)
    assert done.returncode == 0
    assert done.stderr == "warning: -: 2 of 4 lines are not access log lines (JSON objects); skipped\n"
    assert [row["calls"] for row in json.loads(done.stdout)["rows"]] == [2]


def test_demo_access_log_is_json_lines_on_stdout_that_usage_counts(tmp_path):
    access = tmp_path / "access.log"
    with open(access, "w") as out:
        demo = subprocess.Popen([sys.executable, "-m", "shim", "demo", "--whm-port", "0", "--cpanel-port", "0",
                                 "--admin-port", "0"], cwd=ROOT, stdout=out, stderr=subprocess.PIPE, text=True)
        try:
            banner = ""
            while "Ctrl-C stops the demo" not in banner:
                line = demo.stderr.readline()
                assert line, banner
                banner += line
            whm = re.search(r"shim listens on (http://127\.0\.0\.1:\d+) \(WHM\)", banner).group(1)
            for func in ("listftp", "listftp", "passwd"):
                query = f"cpanel_jsonapi_user=user&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func={func}&user=user&pass=x1Y-secret"
                request = urllib.request.Request(f"{whm}/json-api/cpanel?{query}", headers={"Authorization": ROOT_AUTH})
                with urllib.request.urlopen(request, timeout=10) as answer:
                    assert answer.status == 200
            with urllib.request.urlopen(urllib.request.Request(f"{whm}/json-api/version?api.version=1",
                                                               headers={"Authorization": ROOT_AUTH}), timeout=10):
                pass
        finally:
            demo.terminate()
            demo.wait(timeout=10)
    lines = access.read_text().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is one JSON document
    assert [e["api2"] for e in entries] == ["Ftp::listftp", "Ftp::listftp", "Ftp::passwd", None]
    assert "x1Y-secret" not in access.read_text()
    done = usage("--log", str(access), "--json")
    assert (done.returncode, done.stderr) == (0, "")
    rows = {row["function"]: row["calls"] for row in json.loads(done.stdout)["rows"]}
    assert rows == {"Ftp::listftp": 2, "Ftp::passwd": 1}
