"""The serving process's collector settings (their effect is measured by the bench)."""

import gc

from shim.operations import gcpolicy


def test_after_start_the_startup_heap_is_frozen_and_young_collections_are_rarer():
    before = gc.get_threshold()
    try:
        gc.unfreeze()
        gcpolicy.settle_after_start()
        assert gc.get_freeze_count() > 1000  # modules, the mapping table's classes, ...
        assert gc.get_threshold() == (gcpolicy.YOUNG_THRESHOLD, before[1], before[2])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
