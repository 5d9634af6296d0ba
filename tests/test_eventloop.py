"""`serve` picks uvloop when importable unless API2SHIM_UVLOOP=0 says otherwise."""

from __future__ import annotations

import asyncio

import pytest

from shim.operations import eventloop

uvloop = pytest.importorskip("uvloop")


def test_uvloop_is_used_when_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(eventloop.SWITCH, raising=False)

    async def loop_type() -> type:
        return type(asyncio.get_running_loop())

    assert eventloop.run(loop_type()) is uvloop.Loop
    assert eventloop.loop_name() == "uvloop"


def test_switch_keeps_asyncio_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(eventloop.SWITCH, "0")

    async def loop_type() -> type:
        return type(asyncio.get_running_loop())

    assert eventloop.run(loop_type()) is not uvloop.Loop
    assert eventloop.loop_name() == "asyncio"
