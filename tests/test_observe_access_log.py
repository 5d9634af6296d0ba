"""The access log handlers `serve` installs: lines batched for FLUSH_INTERVAL, none lost, rotation followed."""

import asyncio
import logging

from shim.observability.observe import (
    FLUSH_INTERVAL,
    MAX_PENDING_LINES,
    AccessFileHandler,
)


def _emit(handler: logging.Handler, text: str) -> None:
    handler.handle(logging.LogRecord("api2shim.access", logging.INFO, __file__, 0, text, None, None))


async def test_lines_of_one_interval_leave_together_and_a_moved_file_is_reopened(tmp_path):
    path = tmp_path / "access.log"
    handler = AccessFileHandler(str(path))
    try:
        _emit(handler, '{"n":1}')
        await asyncio.sleep(0)
        _emit(handler, '{"n":2}')
        assert path.read_text() == ""  # pending for FLUSH_INTERVAL, over several loop turns
        await asyncio.sleep(FLUSH_INTERVAL * 2)
        assert path.read_text() == '{"n":1}\n{"n":2}\n'
        path.rename(tmp_path / "access.log.1")  # what logrotate does
        _emit(handler, '{"n":3}')
        await asyncio.sleep(FLUSH_INTERVAL * 2)
        assert (path.read_text(), (tmp_path / "access.log.1").read_text()) == ('{"n":3}\n', '{"n":1}\n{"n":2}\n')
        _emit(handler, '{"n":4}')
    finally:
        handler.close()  # writes what is pending
    assert path.read_text() == '{"n":3}\n{"n":4}\n'


def test_outside_a_loop_a_line_is_written_at_once(tmp_path):
    path = tmp_path / "access.log"
    handler = AccessFileHandler(str(path))
    try:
        _emit(handler, "a")
        assert path.read_text() == "a\n"
    finally:
        handler.close()


async def test_a_full_batch_is_written_without_waiting(tmp_path):
    path = tmp_path / "access.log"
    handler = AccessFileHandler(str(path))
    try:
        for n in range(MAX_PENDING_LINES):
            _emit(handler, str(n))
        assert path.read_text() == "".join(f"{n}\n" for n in range(MAX_PENDING_LINES))
    finally:
        handler.close()
