"""Prometheus metrics for the admin listener's /metrics, through prometheus-client.

Each `Metrics` has its own registry (no process globals), so tests and several shims in
one process stay apart. Labels are bounded: an API 2 function is labelled `Module::func`
only when the mapping table has an entry for it, every other name counts as `unmapped`;
modes, outcomes and error kinds come from fixed lists.

Several worker processes: set PROMETHEUS_MULTIPROC_DIR to an empty directory before the
processes start (prometheus-client decides its storage when first imported); every
worker then writes its samples there and /metrics in any of them sums all workers'.
Call `mark_process_dead(pid)` when a worker exits so its in-flight gauge is dropped.

Per request: `labels()` validates and locks on every call, so each labelled child is
looked up once per label tuple and kept in a plain dict (the tuples are bounded, see above).
"""

from __future__ import annotations

import os
from typing import Any

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
        # Children by their label values (already bounded) or, for requests, by (listener, status).
        self._calls: dict[tuple[str, str, str], Any] = {}
        self._requests: dict[tuple[str, int], Any] = {}
        self._latency: dict[str, Any] = {}
        self._in_flight: dict[str, Any] = {}
        self._errors: dict[str, Any] = {}

    def count_call(self, function: str, mapped: bool, mode: str, outcome: str) -> None:
        key = (
            function if mapped else UNMAPPED,
            mode if mode in MODES else OTHER,
            outcome if outcome in OUTCOMES else OTHER,
        )
        child = self._calls.get(key)
        if child is None:
            child = self._calls[key] = self.api2_calls.labels(*key)
        child.inc()

    def count_request(self, listener: str, status: int) -> None:
        # Keyed by the raw status: listeners are configured, statuses a few hundred at most.
        child = self._requests.get((listener, status))
        if child is None:
            code = f"{status // 100}xx" if 100 <= status < 600 else OTHER
            child = self._requests[(listener, status)] = self.requests.labels(listener, code)
        child.inc()

    def count_error(self, kind: str) -> None:
        label = kind if kind in ERROR_KINDS else OTHER
        child = self._errors.get(label)
        if child is None:
            child = self._errors[label] = self.errors.labels(label)
        child.inc()

    def observe_upstream(self, listener: str, seconds: float) -> None:
        child = self._latency.get(listener)
        if child is None:
            child = self._latency[listener] = self.upstream_latency.labels(listener)
        child.observe(seconds)

    def in_flight_for(self, listener: str) -> Any:
        child = self._in_flight.get(listener)
        if child is None:
            child = self._in_flight[listener] = self.in_flight.labels(listener)
        return child

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
