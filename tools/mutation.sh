#!/usr/bin/env bash
# Mutation testing of the modules that guard the wire (issue 13), with mutmut 3.
# Run by hand or from a scheduled job, never in every CI run (minutes per module):
#
#   .venv/bin/python -m pip install -e '.[mutation]'
#   tools/mutation.sh                          # every module below, one after another
#   tools/mutation.sh guard pool               # some of them
#   MUTATION_TESTS_FROM=main tools/mutation.sh pool    # with the tests/ of a git revision
#
# Each module is mutated in a copy of the tree under .mutation/<module>/ (mutmut writes its
# mutants beside the copy, never into the work tree), against only the tests listed for it
# below; of those, mutmut runs for each mutant only the tests that called the mutated
# function. A run is niced and bounded by MUTATION_BOUND (default 20m) with one worker
# (MUTATION_CHILDREN), so it fits a shared 2-core machine. Each module prints
# "killed/total": a mutant counts as killed when a test failed or timed out on it.
# Mutants not killed outright are listed in .mutation/<module>/survivors.txt (survived, and
# timed out: the latter count as killed); `cd .mutation/<module> &&
# ../../.venv/bin/mutmut show NAME` prints one as a diff.
#
# mutmut 3 mutates inside functions and methods only: module-level constants (redact's
# name lists, recognise's prefixes) are pinned by their tests, not measured here.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mutmut=$root/.venv/bin/mutmut
python=$root/.venv/bin/python
work=${MUTATION_DIR:-$root/.mutation}
bound=${MUTATION_BOUND:-20m}
children=${MUTATION_CHILDREN:-1}
tests_from=${MUTATION_TESTS_FROM:-}

declare -A module tests
h=tests/test_hostile_findings.py
module[guard]=shim/inbound/guard.py
tests[guard]="tests/test_pinned_behaviours.py tests/test_guard_e2e.py $h::test_too_many_arguments_are_refused_before_they_are_parsed
  $h::test_a_body_exactly_at_the_cap_is_read_and_one_byte_more_is_not $h::test_readiness_reports_saturation
  $h::test_a_large_chunked_api2_body_gets_an_api2_413_and_the_connection_closes $h::test_slow_bodies_hold_no_concurrency_slot_and_time_out"
module[framing]=shim/inbound/framing.py
tests[framing]="tests/test_lenient.py tests/test_smuggling_e2e.py $h::test_an_unfinished_head_gets_408_after_the_head_timeout
  $h::test_a_head_past_max_head_size_gets_431_without_being_held $h::test_an_idle_connection_is_closed_after_the_keepalive_timeout
  $h::test_connections_per_client_address_are_capped $h::test_a_large_chunked_api2_body_gets_an_api2_413_and_the_connection_closes"
module[recognise]=shim/translation/recognise.py
tests[recognise]="tests/test_pinned_behaviours.py tests/test_translate_pure.py tests/test_xmlform.py::test_which_paths_are_answered_in_xml
  tests/test_properties.py::test_recognising_any_request_never_raises $h::test_client_cpanel_and_api_arguments_never_reach_upstream
  $h::test_form_parsing_finds_the_same_fields_as_before $h::test_too_many_arguments_are_refused_before_they_are_parsed"
module[pool]=shim/upstream/pool.py
tests[pool]="tests/test_upstream_pool.py tests/test_pinned_behaviours.py tests/test_tls_e2e.py"
module[redact]=shim/observability/redact.py
tests[redact]="tests/test_redact.py tests/test_secret_leaks.py"
order=(guard recognise pool redact framing)

names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${order[@]}")
for name in "${names[@]}"; do
    [ -n "${module[$name]:-}" ] || { echo "unknown module: $name (one of: ${order[*]})" >&2; exit 2; }
done
[ -x "$mutmut" ] || { echo "mutmut is not installed: .venv/bin/python -m pip install -e '.[mutation]'" >&2; exit 2; }

for name in "${names[@]}"; do
    dir=$work/$name
    rm -rf "$dir"
    mkdir -p "$dir"
    cp -a "$root/shim" "$root/mappings" "$root/pyproject.toml" "$dir/"
    if [ -n "$tests_from" ]; then
        git -C "$root" archive "$tests_from" tests | tar -x -C "$dir"
    else
        cp -a "$root/tests" "$dir/"
    fi
    selection=$("$python" -c 'import json, sys; print(json.dumps(sys.argv[1].split()))' "${tests[$name]}")
    cat >> "$dir/pyproject.toml" <<EOF

[tool.mutmut]
source_paths = ["shim"]
only_mutate = ["${module[$name]}"]
also_copy = ["mappings"]
pytest_add_cli_args = ["-p", "no:cacheprovider"]
pytest_add_cli_args_test_selection = $selection
EOF
    echo "== $name: ${module[$name]}${tests_from:+ (tests of $tests_from)}"
    status=0
    (cd "$dir" && nice -n 19 timeout "$bound" "$mutmut" run --max-children "$children" >run.log 2>&1) || status=$?
    [ $status -eq 0 ] || echo "   mutmut stopped with status $status (124: cut off at $bound); see $dir/run.log"
    (cd "$dir" && "$mutmut" export-cicd-stats >/dev/null 2>&1 && "$mutmut" results >survivors.txt 2>/dev/null) || true
    "$python" - "$dir/mutants/mutmut-cicd-stats.json" <<'EOF'
import json, sys
try:
    s = json.load(open(sys.argv[1]))
except OSError:
    sys.exit("   no figures: the run did not finish its first pass")
killed = s["killed"] + s["timeout"]
alive = s["total"] - killed
print(f"   killed {killed}/{s['total']} ({100 * killed / max(s['total'], 1):.1f}%): survived {s['survived']}, "
      f"no test {s['no_tests']}, timeout {s['timeout']}, suspicious {s['suspicious']}, not run {alive - s['survived'] - s['no_tests'] - s['suspicious']}")
EOF
done
