"""The garbage collector's settings for a serving process.

CPython runs a young-generation collection every 700 allocations of container objects, and
each one walks every young object still alive. A proxy with 64 requests in flight holds
thousands of them (requests, headers, frames, futures), nearly all freed by reference counting
moments later; walking them over and over is pure overhead. Measured on the bench (translated
`Ftp::passwd`, 64 connections): 122-125 -> 110 µs of CPU per request with the threshold
below. `gc.freeze()` moves everything built at start (the mapping table, aiohttp, the metric
registry) out of the collector's view for good, so full collections stop re-walking it.
Reference cycles still get collected, only in larger batches: the memory soak
(docs/performance.md) shows RSS flat.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 50_000  # allocations between young collections (CPython's default: 700)


def settle_after_start() -> None:
    """Call once the listeners are up: what exists now lives as long as the process."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
