"""Prometheus metrics for the admin listener's /metrics, through prometheus-client.

Each `Metrics` has its own registry (no process globals), so tests and several shims in
one process stay apart. Labels are bounded: an API 2 function is labelled `Module::func`
only when the mapping table has an entry for it, every other name counts as `unmapped`;
modes, outcomes and error kinds come from fixed lists.

Several worker processes: set PROMETHEUS_MULTIPROC_DIR to an empty directory before the
processes start (prometheus-client decides its storage when first imported); every
worker then writes its samples there and /metrics in any of them sums all workers'.
Call `mark_process_dead(pid)` when a worker exits so its in-flight gauge is dropped.
"""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess

from .mapping import MODES

UNMAPPED = "unmapped"
OUTCOMES = ("ok", "denied", "rejected", "invalid", "upstream_error")
ERROR_KINDS = (
    "timeout", "connect", "broken", "status", "html", "json", "too_large", "encoding", "answer", "internal",
)
OTHER = "other"
# Upstream answers range from milliseconds to the 300 s read timeout (backups, SSL installs).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, float("inf"))
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.api2_calls = Counter(
            "api2shim_api2_calls", "API 2 calls by function (Module::func, or 'unmapped'), mode and outcome",
            ["function", "mode", "outcome"], registry=r)
        self.requests = Counter(
            "api2shim_requests", "Requests by listener and status class", ["listener", "code"], registry=r)
        self.upstream_latency = Histogram(
            "api2shim_upstream_latency_seconds", "Time from sending a request upstream to its answer's headers",
            ["listener"], buckets=LATENCY_BUCKETS, registry=r)
        self.in_flight = Gauge(
            "api2shim_in_flight", "Requests being handled", ["listener"], registry=r, multiprocess_mode="livesum")
        self.errors = Counter("api2shim_errors", "Errors by kind", ["kind"], registry=r)
        self.reloads = Counter("api2shim_reloads", "Table reloads by result", ["result"], registry=r)

    def count_call(self, function: str, mapped: bool, mode: str, outcome: str) -> None:
        self.api2_calls.labels(
            function if mapped else UNMAPPED,
            mode if mode in MODES else OTHER,
            outcome if outcome in OUTCOMES else OTHER,
        ).inc()

    def count_request(self, listener: str, status: int) -> None:
        self.requests.labels(listener, f"{status // 100}xx" if 100 <= status < 600 else OTHER).inc()

    def count_error(self, kind: str) -> None:
        self.errors.labels(kind if kind in ERROR_KINDS else OTHER).inc()

    def exposition(self) -> bytes:
        """The text format; with several workers, every worker's samples summed."""
        path = multiprocess_dir()
        if path is None:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged, path=path)
        return generate_latest(merged)


def mark_process_dead(pid: int, path: str | None = None) -> None:
    """Forget a finished worker's live gauges (multiprocess mode only)."""
    path = path or multiprocess_dir()
    if path is not None:
        multiprocess.mark_process_dead(pid, path)
