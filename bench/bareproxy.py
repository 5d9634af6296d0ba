"""The baseline: a minimal aiohttp pass-through proxy, as anyone would write one.

One pooled `ClientSession`, hop-by-hop headers dropped, the body read whole and the answer
read whole (no streaming): `python -m bench.bareproxy --port P --upstream URL [--uvloop]`.
"""

from __future__ import annotations

import argparse
from typing import AsyncIterator

import aiohttp
from aiohttp import web

from .serving import serve_forever

_DROP = frozenset({"connection", "keep-alive", "transfer-encoding", "host", "content-length", "upgrade", "te"})
SESSION = web.AppKey("session", aiohttp.ClientSession)


def create_app(upstream: str) -> web.Application:
    async def session_ctx(app: web.Application) -> AsyncIterator[None]:
        app[SESSION] = aiohttp.ClientSession(auto_decompress=False)
        yield
        await app[SESSION].close()

    async def proxy(request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _DROP}
        async with request.app[SESSION].request(
            request.method, upstream + request.raw_path, headers=headers, data=body or None, allow_redirects=False
        ) as resp:
            payload = await resp.read()
            out = {k: v for k, v in resp.headers.items() if k.lower() not in _DROP}
            return web.Response(body=payload, status=resp.status, headers=out)

    app = web.Application()
    app.cleanup_ctx.append(session_ctx)
    app.router.add_route("*", "/{tail:.*}", proxy)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--uvloop", action="store_true")
    args = parser.parse_args()
    serve_forever(create_app(args.upstream.rstrip("/")), args.port, use_uvloop=args.uvloop)


if __name__ == "__main__":
    main()
