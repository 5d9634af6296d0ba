"""Load benchmark of the shim against a bare aiohttp proxy and nginx (`python -m bench`).

Not part of the test suite: it starts real servers on loopback, loads them with `wrk` (or
the built-in generator) and writes `bench/results/latest.md` and `latest.json`.
"""
