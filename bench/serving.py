"""Running a bench-side aiohttp app (upstream, bare proxy) until SIGTERM, on loopback."""

from __future__ import annotations

import asyncio
import signal

from aiohttp import web


def serve_forever(app: web.Application, port: int, *, use_uvloop: bool = False) -> None:
    async def run() -> None:
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await runner.cleanup()

    factory = None
    if use_uvloop:
        import uvloop

        factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(run())
