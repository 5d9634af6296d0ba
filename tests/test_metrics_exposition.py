"""The /metrics text of one process, built at scrape time from plain counts (shim.observability.metrics).

The expected document is what prometheus-client's own Counter/Histogram/Gauge objects wrote
for the same samples before the counts moved into plain dicts: names, labels, bucket bounds
and values must not change under the dashboards that read them.
"""

from __future__ import annotations

from shim.observability.metrics import Metrics

BOUNDS = ("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "30.0", "60.0",
          "120.0", "300.0", "+Inf")


def histogram(listener: str, cumulative: list[float], total: str) -> str:
    lines = [f'api2shim_upstream_latency_seconds_bucket{{le="{le}",listener="{listener}"}} {n}'
             for le, n in zip(BOUNDS, cumulative, strict=True)]
    lines.append(f'api2shim_upstream_latency_seconds_count{{listener="{listener}"}} {cumulative[-1]}')
    lines.append(f'api2shim_upstream_latency_seconds_sum{{listener="{listener}"}} {total}')
    return "\n".join(lines) + "\n"


EXPECTED = """\
# HELP api2shim_api2_calls_total API 2 calls by function (Module::func, or 'unmapped'), mode and outcome
# TYPE api2shim_api2_calls_total counter
api2shim_api2_calls_total{function="Ftp::passwd",mode="translate",outcome="ok"} 2.0
api2shim_api2_calls_total{function="unmapped",mode="passthrough",outcome="other"} 1.0
api2shim_api2_calls_total{function="unmapped",mode="other",outcome="ok"} 1.0
# HELP api2shim_requests_total Requests by listener and status class
# TYPE api2shim_requests_total counter
api2shim_requests_total{code="2xx",listener="whm"} 2.0
api2shim_requests_total{code="4xx",listener="whm"} 1.0
api2shim_requests_total{code="5xx",listener="whm"} 1.0
api2shim_requests_total{code="other",listener="whm"} 1.0
api2shim_requests_total{code="3xx",listener="cpanel"} 1.0
# HELP api2shim_upstream_latency_seconds Time from sending a request upstream to its answer's headers
# TYPE api2shim_upstream_latency_seconds histogram
""" + histogram("whm", [2.0] * 6 + [3.0] + [4.0] * 8 + [5.0], "401.306") + histogram(
    "cpanel", [0.0] * 2 + [1.0] * 14, "0.02") + """\
# HELP api2shim_in_flight Requests being handled
# TYPE api2shim_in_flight gauge
api2shim_in_flight{listener="whm"} 1.0
api2shim_in_flight{listener="cpanel"} 0.0
# HELP api2shim_errors_total Errors by kind
# TYPE api2shim_errors_total counter
api2shim_errors_total{kind="timeout"} 1.0
api2shim_errors_total{kind="other"} 1.0
# HELP api2shim_reloads_total Table reloads by result
# TYPE api2shim_reloads_total counter
api2shim_reloads_total{result="ok"} 1.0
# HELP api2shim_shadow_comparisons_total Shadow comparisons of translated against native API 2 answers by result (agree, differ; error: the translated call failed; skipped: not compared)
# TYPE api2shim_shadow_comparisons_total counter
api2shim_shadow_comparisons_total{function="Ftp::listftp",result="agree"} 2.0
api2shim_shadow_comparisons_total{function="Ftp::listftp",result="differ"} 1.0
"""


def test_one_process_exposition_is_the_prometheus_client_text_for_the_same_samples():
    metrics = Metrics()
    for _ in range(2):
        metrics.count_call("Ftp::passwd", True, "translate", "ok")
    metrics.count_call("X::y", False, "passthrough", "weird")  # unmapped, unknown outcome
    metrics.count_call("X::z", False, "bogus", "ok")  # unknown mode
    for status in (200, 200, 404, 502, 700):
        metrics.count_request("whm", status)
    metrics.count_request("cpanel", 301)
    metrics.count_error("timeout")
    metrics.count_error("nope")
    for seconds in (0.001, 0.005, 0.3, 1.0, 400):  # on a bound counts in that bucket; past the last, +Inf
        metrics.observe_upstream("whm", seconds)
    metrics.observe_upstream("cpanel", 0.02)
    whm = metrics.in_flight_for("whm")
    whm.inc()
    whm.inc()
    whm.dec()
    metrics.in_flight_for("cpanel")
    metrics.reloads.labels("ok").inc()
    for result in ("agree", "differ", "agree"):
        metrics.count_shadow("Ftp::listftp", result)
    text = metrics.exposition().decode()
    assert "\n".join(line for line in text.splitlines() if "_created" not in line) + "\n" == EXPECTED
