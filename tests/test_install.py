"""The install and deploy files under deploy/, the Dockerfile and the packaging metadata.

The wheel itself is built and installed into a fresh venv by tools/check_install.sh, which
.ci/run calls (too slow for the suite); these are the fast checks that keep the files true.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "deploy" / "systemd" / "api2shim.service"
VENV_BIN = Path(sys.executable).parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]


def test_every_subpackage_of_shim_is_packaged():
    """A folder added under shim/ but missing from pyproject's list installs a wheel that
    fails at its first import (the editable install used by the tests does not notice)."""
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "shim").rglob("__init__.py")}
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"]) - {"shim.mappings"}
    assert found == listed, "pyproject.toml [tool.setuptools] packages must list every shim/ package"


def test_license_metadata_is_spdx_and_the_file_exists():
    assert PYPROJECT["project"]["license"] == "MIT"
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_one_version_everywhere():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    deployment = yaml.safe_load((ROOT / "deploy" / "kubernetes" / "deployment.yaml").read_text(encoding="utf-8"))
    images = [c["image"] for c in deployment["spec"]["template"]["spec"]["containers"]]
    assert re.findall(r"api2shim\[speed\]==([\w.]+)", dockerfile) == [VERSION]
    assert compose["services"]["api2shim"]["image"] == f"api2shim:{VERSION}"
    assert images == [f"api2shim:{VERSION}"]


def test_dockerfile_is_hadolint_clean():
    hadolint = shutil.which("hadolint", path=str(VENV_BIN)) or shutil.which("hadolint")
    assert hadolint, "hadolint not found: it comes with the test extra (pip install -e '.[test]')"
    done = subprocess.run([hadolint, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_compose_builds_the_image_and_mounts_a_config_that_check_accepts():
    compose_file = ROOT / "deploy" / "compose.yaml"
    service = yaml.safe_load(compose_file.read_text(encoding="utf-8"))["services"]["api2shim"]
    assert (compose_file.parent / service["build"]["context"] / "Dockerfile").is_file()
    mounts = {volume.split(":")[1]: compose_file.parent / volume.split(":")[0] for volume in service["volumes"]}
    config = mounts["/etc/api2shim"] / "config.yaml"
    assert service["command"][:2] == ["--config", "/etc/api2shim/config.yaml"]
    done = subprocess.run([sys.executable, "-m", "shim", "check", "--config", str(config)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("ok: "), done.stdout + done.stderr
    assert yaml.safe_load(config.read_text(encoding="utf-8"))["logging"]["access_log"] == "stdout"


def _unit_settings() -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def test_systemd_unit_runs_as_its_own_user_reloads_with_hup_and_is_hardened():
    settings = _unit_settings()
    assert settings["User"] == ["api2shim"] and settings["Group"] == ["api2shim"]
    assert settings["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert settings["ExecStart"] == ["/opt/api2shim/bin/api2shim serve --config /etc/api2shim/config.yaml"]
    for key, value in [("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
                       ("PrivateTmp", "yes"), ("CapabilityBoundingSet", ""), ("LogsDirectory", "api2shim")]:
        assert settings[key] == [value], key
    sysusers = (ROOT / "deploy" / "systemd" / "api2shim.sysusers").read_text(encoding="utf-8")
    assert re.search(r"^u api2shim ", sysusers, re.M)


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_analyze_verify_has_nothing_to_say(tmp_path):
    """Run where systemd is installed; the executable paths point at this venv's console script."""
    unit = tmp_path / "api2shim.service"
    unit.write_text(UNIT.read_text(encoding="utf-8").replace("/opt/api2shim/bin/", f"{VENV_BIN}/"), encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_logrotate_snippet_rotates_the_example_access_log_without_copytruncate():
    snippet = (ROOT / "deploy" / "logrotate" / "api2shim").read_text(encoding="utf-8")
    directives = [line.strip() for line in snippet.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    example = yaml.safe_load((ROOT / "deploy" / "config.example.yaml").read_text(encoding="utf-8"))
    assert directives[0] == f"{example['logging']['access_log']} {{"
    # The shim reopens a moved file itself (tests/test_observe_access_log.py): logrotate must
    # move it (create), not copy and truncate it, and must not signal (SIGHUP reloads the table).
    assert "copytruncate" not in directives and not any(d.startswith(("postrotate", "prerotate")) for d in directives)
    assert "create 0640 api2shim api2shim" in directives
