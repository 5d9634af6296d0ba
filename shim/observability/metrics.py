"""Prometheus metrics for the admin listener's /metrics, through prometheus-client.

Each `Metrics` has its own registry (no process globals), so tests and several shims in
one process stay apart. Labels are bounded: an API 2 function is labelled `Module::func`
only when the mapping table has an entry for it, every other name counts as `unmapped`;
modes, outcomes and error kinds come from fixed lists.

Per request, one process (the usual case): samples are counted into plain dicts and ints,
and a custom collector turns them into metric families only when /metrics is scraped.
prometheus-client's own counters validate labels and take a lock on every `inc()` /
`observe()`; counting ourselves cost a few µs less per request (docs/performance.md).
The event loop is the only writer, so plain `+=` needs no lock; a scrape from another
thread may read a count one request old, which a counter tolerates.

Several worker processes: set PROMETHEUS_MULTIPROC_DIR to an empty directory before the
processes start (prometheus-client decides its storage when first imported); every
worker then writes its samples there and /metrics in any of them sums all workers'.
A worker's counts must be in the shared files the moment its answer leaves (any worker
may be scraped next), so in that mode every sample still goes through prometheus-client's
metrics at once, each labelled child looked up once per label tuple and kept in a dict.
Call `mark_process_dead(pid)` when a worker exits so its in-flight gauge is dropped.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from typing import Any, Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.utils import floatToGoString

from shim.translation.mapping import MODES, UNANSWERABLE
from shim.translation.rollout import CALL_MODES as ROLLOUT_CALL_MODES

UNMAPPED = "unmapped"
# A call's mode label: the table's modes, and `unanswerable` (no route, no native API 2 upstream).
CALL_MODES = (*MODES, UNANSWERABLE, *ROLLOUT_CALL_MODES)
OUTCOMES = ("ok", "denied", "rejected", "invalid", "upstream_error", "unanswerable")
ERROR_KINDS = (
    "timeout", "connect", "broken", "status", "html", "json", "too_large", "encoding", "answer", "internal",
)
OTHER = "other"
# Upstream answers range from milliseconds to the 300 s read timeout (backups, SSL installs).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, float("inf"))
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST

CALLS = ("api2shim_api2_calls", "API 2 calls by function (Module::func, or 'unmapped'), mode and outcome",
         ("function", "mode", "outcome"))
REQUESTS = ("api2shim_requests", "Requests by listener and status class", ("listener", "code"))
LATENCY = ("api2shim_upstream_latency_seconds", "Time from sending a request upstream to its answer's headers",
           ("listener",))
IN_FLIGHT = ("api2shim_in_flight", "Requests being handled", ("listener",))
ERRORS = ("api2shim_errors", "Errors by kind", ("kind",))
SHADOW = ("api2shim_shadow_comparisons", "Shadow comparisons of translated against native API 2 answers by result "
          "(agree, differ; error: the translated call failed; skipped: not compared)", ("function", "result"))


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def status_class(status: int) -> str:
    return f"{status // 100}xx" if 100 <= status < 600 else OTHER


class Level:
    """A live count (requests in flight) with a gauge child's inc/dec, minus its lock."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0

    def inc(self) -> None:
        self.value += 1

    def dec(self) -> None:
        self.value -= 1


class _Latency:
    """One listener's histogram: a count per bucket (not cumulative) and the sum."""

    __slots__ = ("counts", "total")

    def __init__(self) -> None:
        self.counts = [0] * len(LATENCY_BUCKETS)
        self.total = 0.0

    def observe(self, seconds: float) -> None:
        # bisect_left: a value equal to a bound falls in that bound's bucket (le = "less or equal").
        self.counts[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self.total += seconds


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.calls: dict[tuple[str, str, str], int] = {}
        self.requests: dict[tuple[str, int], int] = {}  # by raw status: the class is worked out at scrape
        self.errors: dict[str, int] = {}
        self.latency: dict[str, _Latency] = {}
        self.in_flight: dict[str, Any] = {}
        self._shared = _SharedMetrics(self.registry) if multiprocess_dir() is not None else None
        if self._shared is None:
            self.registry.register(_Collector(self))
        # Reloads are rare: a prometheus-client counter in both modes.
        self.reloads = Counter("api2shim_reloads", "Table reloads by result", ["result"], registry=self.registry)
        # So are shadow comparisons (bounded, in the background, off the client's path).
        self.shadow = Counter(*SHADOW, registry=self.registry)

    def count_shadow(self, function: str, result: str) -> None:
        self.shadow.labels(function, result).inc()

    def count_call(self, function: str, mapped: bool, mode: str, outcome: str) -> None:
        key = (
            function if mapped else UNMAPPED,
            mode if mode in CALL_MODES else OTHER,
            outcome if outcome in OUTCOMES else OTHER,
        )
        if self._shared is not None:
            self._shared.count_call(key)
            return
        calls = self.calls
        calls[key] = calls.get(key, 0) + 1

    def count_request(self, listener: str, status: int) -> None:
        if self._shared is not None:
            self._shared.count_request(listener, status)
            return
        requests = self.requests
        key = (listener, status)
        requests[key] = requests.get(key, 0) + 1

    def count_error(self, kind: str) -> None:
        label = kind if kind in ERROR_KINDS else OTHER
        if self._shared is not None:
            self._shared.count_error(label)
            return
        self.errors[label] = self.errors.get(label, 0) + 1

    def observe_upstream(self, listener: str, seconds: float) -> None:
        if self._shared is not None:
            self._shared.observe_upstream(listener, seconds)
            return
        histogram = self.latency.get(listener)
        if histogram is None:
            histogram = self.latency[listener] = _Latency()
        histogram.observe(seconds)

    def in_flight_for(self, listener: str) -> Any:
        """The listener's in-flight count: something with inc() and dec()."""
        level = self.in_flight.get(listener)
        if level is None:
            shared = self._shared
            level = self.in_flight[listener] = shared.in_flight.labels(listener) if shared else Level()
        return level

    def exposition(self) -> bytes:
        """The text format; with several workers, every worker's samples summed."""
        path = multiprocess_dir()
        if path is None:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged, path=path)
        return generate_latest(merged)


class _Collector:
    """The plain counts of one `Metrics` as metric families, built at scrape time."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        m = self._metrics
        calls = CounterMetricFamily(*CALLS[:2], labels=CALLS[2])
        for key, count in list(m.calls.items()):
            calls.add_metric(key, count)
        yield calls
        by_class: dict[tuple[str, str], int] = {}
        for (listener, status), count in list(m.requests.items()):
            key = (listener, status_class(status))
            by_class[key] = by_class.get(key, 0) + count
        requests = CounterMetricFamily(*REQUESTS[:2], labels=REQUESTS[2])
        for key, count in by_class.items():
            requests.add_metric(key, count)
        yield requests
        latency = HistogramMetricFamily(*LATENCY[:2], labels=LATENCY[2])
        for listener, histogram in list(m.latency.items()):
            cumulative, buckets = 0, []
            for bound, count in zip(LATENCY_BUCKETS, list(histogram.counts)):
                cumulative += count
                buckets.append((floatToGoString(bound), cumulative))
            latency.add_metric([listener], buckets, histogram.total)
        yield latency
        in_flight = GaugeMetricFamily(*IN_FLIGHT[:2], labels=IN_FLIGHT[2])
        for listener, level in list(m.in_flight.items()):
            in_flight.add_metric([listener], level.value)
        yield in_flight
        errors = CounterMetricFamily(*ERRORS[:2], labels=ERRORS[2])
        for kind, count in list(m.errors.items()):
            errors.add_metric([kind], count)
        yield errors


class _SharedMetrics:
    """prometheus-client metrics, for multiprocess mode: every sample lands in the shared files at once."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.api2_calls = Counter(CALLS[0], CALLS[1], CALLS[2], registry=registry)
        self.requests = Counter(REQUESTS[0], REQUESTS[1], REQUESTS[2], registry=registry)
        self.upstream_latency = Histogram(LATENCY[0], LATENCY[1], LATENCY[2], buckets=LATENCY_BUCKETS, registry=registry)
        self.in_flight = Gauge(IN_FLIGHT[0], IN_FLIGHT[1], IN_FLIGHT[2], registry=registry, multiprocess_mode="livesum")
        self.errors = Counter(ERRORS[0], ERRORS[1], ERRORS[2], registry=registry)
        # Children by their label values (already bounded) or, for requests, by (listener, status):
        # labels() validates and locks on every call.
        self._calls: dict[tuple[str, str, str], Any] = {}
        self._requests: dict[tuple[str, int], Any] = {}
        self._latency: dict[str, Any] = {}
        self._errors: dict[str, Any] = {}

    def count_call(self, key: tuple[str, str, str]) -> None:
        child = self._calls.get(key)
        if child is None:
            child = self._calls[key] = self.api2_calls.labels(*key)
        child.inc()

    def count_request(self, listener: str, status: int) -> None:
        child = self._requests.get((listener, status))
        if child is None:
            child = self._requests[(listener, status)] = self.requests.labels(listener, status_class(status))
        child.inc()

    def count_error(self, label: str) -> None:
        child = self._errors.get(label)
        if child is None:
            child = self._errors[label] = self.errors.labels(label)
        child.inc()

    def observe_upstream(self, listener: str, seconds: float) -> None:
        child = self._latency.get(listener)
        if child is None:
            child = self._latency[listener] = self.upstream_latency.labels(listener)
        child.observe(seconds)


def mark_process_dead(pid: int, path: str | None = None) -> None:
    """Forget a finished worker's live gauges (multiprocess mode only)."""
    path = path or multiprocess_dir()
    if path is not None:
        multiprocess.mark_process_dead(pid, path)
