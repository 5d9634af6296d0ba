"""Answers to requests aiohttp cannot parse, without repeating what the client sent.

aiohttp's stock 400 answer and its error log quote the first 100 bytes of the offending
line or header: an over-long `Authorization` header, or a password in an over-long
query string, would be echoed to the network and written to the logs. This handler
answers with the status alone and logs only the kind of problem.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

log = logging.getLogger("api2shim.http")


class QuietRequestHandler(RequestHandler):
    """aiohttp's connection handler with error answers that carry no client bytes."""

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if status == HTTPStatus.INTERNAL_SERVER_ERROR:
            return super().handle_error(request, status, exc, message)
        log.info("refused a malformed request from %s: HTTP %d (%s)", request.remote, status, type(exc).__name__)
        if request.writer.output_size > 0:
            raise ConnectionError("response already started; cannot send the error answer")
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        response = web.Response(status=status, text=f"{status} {phrase}\n")
        response.force_close()
        return response
