"""A hand-picked mutation sample of the wire-guarding code issue 13 added: each mutant is a
plausible one-line bug; the focused tests must fail on it. Run by hand (about 5 minutes on 2
cores), never in CI:  .venv/bin/python tools/hostile_mutants.py

Not mutmut: the machine is shared and mutmut over these modules with end-to-end tests takes
hours; this is the targeted, repeatable sample. The file is restored after each mutant.
"""
import subprocess, sys, pathlib
M = [
 ("shim/inbound/guard.py", "            if fields > MAX_API_FIELDS:", "            if fields > MAX_API_FIELDS * 1000:"),
 ("shim/inbound/guard.py", "                response.force_close()\n                return response\n            query_fields", "                return response\n            query_fields"),
 ("shim/inbound/guard.py", "                if size > limit:", "                if size > limit + 1:"),
 ("shim/inbound/guard.py", "        if len(body) > limit:", "        if len(body) > limit + 1:"),
 ("shim/inbound/guard.py", "                timer.reschedule(min(deadline, loop.time() + idle))", "                timer.reschedule(loop.time() + idle)"),
 ("shim/inbound/connections.py", "        if count >= self.limit:", "        if count > self.limit:"),
 ("shim/inbound/connections.py", "            return str(mapped)", "            return host"),
 ("shim/inbound/connections.py", "        if count > 0:\n", "        if count > 1:\n"),
 ("shim/inbound/framing.py", "            self.head_too_large = True\n", ""),
 ("shim/inbound/framing.py", "            elif self._head_timer is not None:", "            elif False:"),
 ("shim/translation/recognise.py", 'SHIM_OWNED_PREFIXES = ("cpanel.", "api.")', 'SHIM_OWNED_PREFIXES = ("cpanel.",)'),
 ("shim/translation/recognise.py", "return name.strip().lower().startswith", "return name.lower().startswith"),
 ("shim/observability/redact.py", '    path = raw_path.partition("?")[0].partition("#")[0]', '    path = raw_path.partition("?")[0]'),
 ("shim/observability/redact.py", '    "pin", "tfa_code",', '    "tfa_code",'),
 ("shim/observability/usage.py", "            if len(self.rows) >= self.max_rows or held >= self.max_per_client:", "            if len(self.rows) >= self.max_rows:"),
 ("shim/upstream/passthrough.py", '                raise UpstreamError("broken") from None', '                small = b""'),
 ("shim/operations/admin.py", "    if gate is not None and gate.in_flight >= gate.limit:", "    if gate is not None and gate.in_flight > gate.limit:"),
 ("shim/inbound/listener.py", "            handler.force_close()", "            pass"),
]
TESTS = ["tests/test_hostile_findings.py", "tests/test_pinned_behaviours.py", "tests/test_secret_leaks.py", "tests/test_guard_e2e.py", "tests/test_lifecycle_e2e.py::test_the_drain_ends_at_timeouts_shutdown_whatever_the_requests_are_doing"]
killed = 0
for path, old, new in M:
    p = pathlib.Path(path); src = p.read_text()
    assert src.count(old) == 1, (path, old)
    p.write_text(src.replace(old, new))
    try:
        r = subprocess.run([".venv/bin/python", "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *TESTS], capture_output=True, text=True, timeout=300)
        dead = r.returncode != 0
    finally:
        p.write_text(src)
    killed += dead
    print("KILLED" if dead else "ALIVE ", path, new.strip()[:70], flush=True)
print(f"{killed}/{len(M)} killed")
