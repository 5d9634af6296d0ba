"""The fast fixed-answer upstream when nginx is not installed: `python -m bench.upstream`.

Answers each route of `answers.upstream_routes()` with precomputed bytes, whatever the
method, and drains any request body so connections stay reusable.
"""

from __future__ import annotations

import argparse

from aiohttp import web

from .answers import Route, upstream_routes
from .serving import serve_forever


def create_app(routes: list[Route]) -> web.Application:
    by_path: dict[str, list[Route]] = {}
    for route in routes:
        by_path.setdefault(route.path, []).append(route)

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        for route in by_path.get(request.path, ()):
            if route.arg is None or request.query.get(route.arg[0]) == route.arg[1]:
                return web.Response(body=route.body, content_type="application/json")
        return web.Response(status=404, text="no fixed answer for this path\n")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--uvloop", action="store_true")
    args = parser.parse_args()
    serve_forever(create_app(upstream_routes()), args.port, use_uvloop=args.uvloop)


if __name__ == "__main__":
    main()
