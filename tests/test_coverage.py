"""`python -m shim coverage`: whole outputs (the command run in-process by conftest.run_cli; the
README test runs it as a real process); the function list against the research."""

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import run_cli

from shim.translation.api2_functions import API2_FUNCTION_COUNT, API2_FUNCTIONS
from shim.translation.coverage import compute
from shim.translation.mapping import load_table

ROOT = Path(__file__).resolve().parent.parent
# The research notes live outside the project; the check runs where they are present.
REFERENCE = Path(os.environ.get("API2SHIM_REFERENCE", "/work/shared/reference")) / "api2-uapi-map.yaml"

PARK = """\
module: Park
functions:
  listparkeddomains:
    mode: translate
    uapi: DomainInfo::list_domains
    since: "11.137"
    output: {shape: list}
    confidence: medium
  park:
    mode: translate
    uapi: Park::park
    output: {shape: status}
    confidence: low
  listaddondomains:
    mode: passthrough
    reason: no UAPI equivalent; API 2 still answers upstream
  unpark:
    mode: reject
    reason: the operator switched it off
  parkk:
    mode: passthrough
    reason: a typo the report must show
"""


def run(*args: str) -> subprocess.CompletedProcess:
    return run_cli("coverage", *args)


@pytest.fixture
def park(tmp_path):
    (tmp_path / "Park.yaml").write_text(PARK)
    return tmp_path


def test_json_on_a_small_table_with_the_version_gate(park):
    result = run("--mappings", str(park), "--module", "Park", "--module", "DenyIp",
                 "--upstream-version", "11.120", "--format", "json")
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout) == {
        "upstream_version": "11.120",
        "default_mode": "passthrough",
        "upstream_api2": "present",
        "total": {"functions": 5, "translate": 1, "passthrough": 2, "reject": 1, "no_entry": 1,
                  "recipe": 0, "local": 0, "inferred": 1},
        "split": {"translated": 1, "recipe": 0, "local": 0, "no_route": 4},
        "modules": {
            "DenyIp": {"functions": 1, "translate": 0, "passthrough": 0, "reject": 0, "no_entry": 1,
                       "recipe": 0, "local": 0, "inferred": 0},
            "Park": {"functions": 4, "translate": 1, "passthrough": 2, "reject": 1, "no_entry": 0,
                     "recipe": 0, "local": 0, "inferred": 1},
        },
        "passthrough_reasons": [
            {"reason": "its UAPI function needs cPanel 11.137; the upstream is 11.120", "count": 1,
             "functions": ["Park::listparkeddomains"]},
            {"reason": "no UAPI equivalent; API 2 still answers upstream", "count": 1,
             "functions": ["Park::listaddondomains"]},
        ],
        "reject": ["Park::unpark"],
        "no_entry": ["DenyIp::listdenyips"],
        "inferred": [{"function": "Park::park", "confidence": "low"}],
        "whm_port_only": [],
        "cpanel_port_only": [],
        "not_in_function_list": ["Park::parkk"],
    }


def test_table_without_a_stated_version(park):
    result = run("--mappings", str(park), "--module", "Park", "--module", "DenyIp")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == """\
API 2 coverage: 5 functions; upstream cPanel version: not stated (assumed current); functions without an entry: passthrough

module  functions  translate  passthrough  reject  no entry  recipe  local  inferred
DenyIp          1          0            0       0         1       0      0         0
Park            4          2            1       1         0       0      0         2
total           5          2            1       1         1       0      0         2

Without native API 2: 2 translated, 0 recipe, 0 local, 3 no route (answered: 2 of 5)

Passed through, by reason:
  1 × no UAPI equivalent; API 2 still answers upstream: Park::listaddondomains

Rejected: Park::unpark

Translated on inferred facts (confidence medium or low):
  Park::listparkeddomains (medium)
  Park::park (low)

No entry (passthrough): DenyIp::listdenyips

Entries for functions not in the API 2 function list: Park::parkk
"""


def test_markdown_with_a_config_file(park):
    config = park / "shim.yaml"
    config.write_text("whm:\n  listen: 127.0.0.1:2087\nmappings: [Park.yaml]\ndefault_mode: reject\n"
                      "upstream_version: '11.137'\n")
    result = run("--config", str(config), "--module", "Park", "--module", "DenyIp", "--format", "markdown")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == """\
API 2 coverage: 5 functions; upstream cPanel version: 11.137; functions without an entry: reject

| module | functions | translate | passthrough | reject | no entry | recipe | local | inferred |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
| DenyIp | 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 |
| Park | 4 | 2 | 1 | 1 | 0 | 0 | 0 | 2 |
| **total** | **5** | **2** | **1** | **1** | **1** | **0** | **0** | **2** |

Without native API 2: 2 translated, 0 recipe, 0 local, 3 no route (answered: 2 of 5)

Passed through, by reason:
- 1 × no UAPI equivalent; API 2 still answers upstream: `Park::listaddondomains`

Rejected: `Park::unpark`

Translated on inferred facts (confidence medium or low):
- `Park::listparkeddomains` (medium)
- `Park::park` (low)

No entry (reject): `DenyIp::listdenyips`

Entries for functions not in the API 2 function list: `Park::parkk`
"""


def test_recipe_entries_count_apart_in_the_split(tmp_path):
    (tmp_path / "MysqlFE.yaml").write_text("""module: MysqlFE
functions:
  getdbusers: {mode: translate, recipe: mysqlfe.getdbusers}
  listusersindb: {mode: translate, recipe: mysqlfe.listusersindb}
  listdbs: {mode: translate, uapi: Mysql::list_databases, output: {shape: list}}
  dbuserexists: {mode: passthrough, reason: for the test}
""")
    result = run("--mappings", str(tmp_path), "--module", "MysqlFE", "--format", "json")
    assert (result.returncode, result.stderr) == (0, "")
    document = json.loads(result.stdout)
    total = document["total"]
    assert (total["translate"], total["recipe"], total["local"], total["passthrough"]) == (3, 2, 0, 1)
    assert document["split"] == {"translated": 1, "recipe": 2, "local": 0, "no_route": total["functions"] - 3}


def test_errors_are_one_line_each(park):
    result = run("--mappings", str(park), "--module", "Nope", "--upstream-version", "11.120")
    assert (result.returncode, result.stdout, result.stderr) == (1, "", "error: no API 2 module named Nope\n")
    result = run("--upstream-version", "eleven")
    assert (result.returncode, result.stderr) == (1, "error: upstream_version: 'eleven' is not a version like 11.120\n")


@pytest.mark.skipif(not REFERENCE.is_file(), reason="the research folder is not present")
def test_the_function_list_is_the_researched_one():
    reference = yaml.load(REFERENCE.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: 6x faster
    researched = sorted(item["api2"] for item in reference)
    ours = sorted(f"{module}::{func}" for module, names in API2_FUNCTIONS.items() for func in names)
    assert ours == researched
    assert API2_FUNCTION_COUNT == len(researched) == 335


def test_the_shipped_table_adds_up_to_every_function():
    report = compute(load_table(), API2_FUNCTIONS)
    total = report.total
    assert total.functions == API2_FUNCTION_COUNT
    assert total.translate + total.passthrough + total.reject + total.no_entry == API2_FUNCTION_COUNT
    assert sum(len(names) for names in report.passthrough_reasons.values()) == total.passthrough
    assert len(report.rejected) == total.reject and len(report.no_entry) == total.no_entry
    assert report.outside_list == [], "entries that name no API 2 function (typos?)"


def test_every_api2_function_has_an_entry():
    """Nothing is a silent miss: each function translates, or says why it passes through or is rejected."""
    missing: dict[str, list[str]] = {}
    for name in compute(load_table(), API2_FUNCTIONS).no_entry:
        module, func = name.split("::")
        missing.setdefault(module, []).append(func)
    listed = "; ".join(f"{module} ({len(funcs)}): {', '.join(funcs)}" for module, funcs in missing.items())
    assert not missing, f"API 2 functions without an entry, by module: {listed}"
