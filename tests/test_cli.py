"""The command line as an operator uses it: real processes, exact output."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, timeout: float = 20) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "shim", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_check_names_file_and_line_of_a_typo(tmp_path):
    bad = tmp_path / "Ftp.yaml"
    bad.write_text("module: Ftp\nfunctions:\n  passwd:\n    mode: translate\n    uapi: Ftp::passwd\n"
                   "    output: {shape: status}\n    sorces: [https://example.invalid]\n")
    result = run("check", "--mappings", str(bad))
    assert result.returncode == 1
    assert result.stderr == (
        f"error: {bad}:7: unknown key 'sorces' in Ftp::passwd (allowed: args, confidence, drop, extra_args, json_args, local, lookup, "
        "mode, notes, output, read_only, reason, recipe, set, shadow, since, sources, timeout, uapi)\n")


def test_check_passes_on_the_shipped_table():
    result = run("check")
    assert result.returncode == 0 and result.stdout.startswith("ok: ")


def test_check_reports_config_errors_with_lines(tmp_path):
    config = tmp_path / "shim.yaml"
    config.write_text("whm:\n  listen: 127.0.0.1:8087\n  upstrem: http://127.0.0.1:2087\ndefault_mode: maybe\n")
    result = run("check", "--config", str(config))
    assert result.returncode == 1
    assert result.stderr == (
        f"error: {config}:3: unknown key 'upstrem' in whm (allowed: allow, listen, upstream)\n")


def test_serve_stops_at_start_with_one_line_per_error(tmp_path):
    result = run("serve", "--whm-listen", "nowhere", "--cpanel-listen", "127.0.0.1:1", "--cpanel-upstream", "ftp://x",
                 "--upstream-version", "eleven")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: whm: 'nowhere' is not HOST:PORT",
        "error: cpanel: cpanel upstream must be an http(s) URL, not 'ftp://x'",
        "error: upstream_version: 'eleven' is not a version like 11.120",
    ]


def test_translate_shows_the_uapi_call_without_the_secret():
    result = run("translate", "/cpsess0123456789/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_apiversion=2"
                 "&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&user=user&pass=12345luggage")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("API 2 Ftp::passwd: translate (decided by ") and lines[0].endswith("Ftp.yaml:76)")
    assert lines[1:] == [
        "  POST /cpsess0123456789/json-api/uapi_cpanel",
        "    api.version=1", "    cpanel.user=user", "    cpanel.module=Ftp", "    cpanel.function=passwd",
        "    user=user", "    pass=********", "  output: status",
    ]
    assert "12345luggage" not in result.stdout


def test_translate_on_the_cpanel_port_and_pass_through():
    result = run("translate", "--service", "cpanel",
                 "/json-api/cpanel?cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=setquota&user=f&setquota=5")
    assert result.stdout.splitlines()[1:] == ["  POST /execute/Ftp/set_quota", "    user=f", "    quota=5", "  output: status"]
    assert run("translate", "/json-api/listaccts?api.version=1").stdout == "passes through untouched: not an API 2 call\n"
    unmapped = run("translate", "/json-api/cpanel?cpanel_jsonapi_module=Nope&cpanel_jsonapi_func=nothing")
    assert unmapped.stdout == "API 2 Nope::nothing: passthrough (decided by no entry; the default mode applies)\n  forwarded unchanged\n"
