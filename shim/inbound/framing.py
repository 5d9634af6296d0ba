"""Accept the malformed requests legacy cPanel clients send, beneath aiohttp's parser.

cpsrvd accepts two framing mistakes that aiohttp (both its C parser, llhttp, and the pure
Python one) answers with 400 before any handler runs:

1. A POST with both ``Transfer-Encoding: chunked`` and ``Content-Length: N`` (the PHP
   class embedded in many billing modules). The real body is N bytes of urlencoded form;
   stray header-like lines and ``0\\r\\n\\r\\n`` follow it. We let Content-Length win: the
   Transfer-Encoding header is dropped, the body is exactly N bytes, and everything the
   client sends after it on that connection is discarded, never parsed as a next request
   (a request-smuggling defence).
2. A header value ending in a stray ``\\n\\r`` (``Authorization: Basic dXNlcjpwYXNz\\n\\r\\r\\n``,
   what cPanel's own old curl example produced). The two stray bytes are trimmed. Only
   exactly ``\\n\\r`` right before the line's CRLF is accepted; other bare LFs, which a
   lenient parser could read as line or head ends, stay refused.

Both rewrite the request head before aiohttp sees it and add ``Connection: close`` (any
Connection header the client sent is replaced), so aiohttp answers that request normally,
says ``Connection: close`` and closes the connection: we do not keep reading from a client
that is not speaking clean HTTP.

Everything else stays as strict as aiohttp: two Content-Length headers, a Transfer-Encoding
other than exactly ``chunked`` (any case, surrounding blanks allowed) next to a
Content-Length, two Transfer-Encoding headers, obs-fold lines, a bare LF or CR anywhere
but in the stray ``\\n\\r`` of a header value, an upgrade or CONNECT with a quirk: all are
handed to aiohttp untouched and it refuses them (400). Long lines are aiohttp's business:
it honours the configured max_line_size/max_field_size in both parsers (400 past them);
the framer never holds more of an unfinished head than those limits allow.

Layout:

- :func:`normalise_head` is the pure decision over one request head (bytes in, decision
  out). A clean head costs one regex pass.
- :class:`RequestFramer` cuts the byte stream of one connection into requests (request
  head, Content-Length counting, chunked scanning) so that every head of a keep-alive or
  pipelined connection is seen, and applies the decisions. Whenever it cannot be sure of
  the framing (upgrades, CONNECT, a framing aiohttp may read differently, a head or chunk
  line beyond the configured limits) it stops inspecting and passes the rest of the
  connection through unchanged: from there on, behaviour is stock aiohttp, which is the
  safe side. It never changes bytes it has not positively identified as a request head.
- :class:`LenientProtocol` is a thin ``asyncio.Protocol`` in front of aiohttp's
  ``RequestHandler``: it only filters ``data_received`` and forwards everything else.

aiohttp dependence (re-check on upgrade; pyproject pins the tested range). This module
touches no private aiohttp API. It relies on documented behaviour: ``web.Server`` is the
protocol factory for ``loop.create_server``. It also mirrors aiohttp 3.14's request framing
(identical in both parsers, checked by tests/test_lenient.py): heads end at the first empty
line, lines end with CRLF, leading empty lines are skipped, Content-Length is digits only,
chunked when the last Transfer-Encoding coding is ``chunked``, no body otherwise, and
``Connection: close`` closes the connection after the answer. The one private attribute
used for the wiring (``BaseSite._server``) is in shim/inbound/listener.py.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import re
from collections.abc import Callable
from typing import NamedTuple, Protocol

from shim.inbound.connections import (
    HEAD_TIMEOUT,
    HEAD_TOO_LARGE,
    TOO_MANY_CONNECTIONS,
    ConnectionPolicy,
    client_address,
)

log = logging.getLogger(__name__)

_CRLF = b"\r\n"
_HEAD_END = b"\r\n\r\n"
_CLOSE_HEADER = b"Connection: close"
_HEX = re.compile(rb"[0-9A-Fa-f]+")
# The stray bytes of quirk 2, and how they look with the line's own CRLF.
_STRAY = b"\n\r"
_STRAY_LINE_END = b"\n\r\r\n"
# An unfinished head must start like a request line (a method token, then a space) to be
# held back; anything else (TLS sent to the plain port, scanners) goes to aiohttp at once.
_REQUEST_START = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}(?: |\Z)")


def _caseless(name: bytes) -> bytes:
    """`name` as a case-insensitive pattern without re.IGNORECASE (which costs SRE its fast
    scan for the literal first byte: 20x slower on a 64 KiB head)."""
    return b"".join(b"[%c%c]" % (c, c ^ 32) if 97 <= c <= 122 else re.escape(bytes([c])) for c in name)


# The headers that frame a body (or end HTTP) at the start of a line, and the stray "\n\r"
# of quirk 2 (in a clean head "\n\r" occurs only inside the final "\r\n\r\n"). findall
# gives the header name, or b"" for the stray.
_FRAMING_OR_STRAY = re.compile(
    rb"\n(?:\r(?!\n)|(" + b"|".join(map(_caseless, (b"content-length", b"transfer-encoding", b"upgrade"))) + rb"):)"
)

QUIRK_TE_WITH_CL = "transfer-encoding-with-content-length"
QUIRK_STRAY_CRLF = "stray-crlf-in-header-value"


class Framing(enum.Enum):
    """How the body after a head is delimited."""

    LENGTH = "length"  # `length` bytes (0: no body)
    CHUNKED = "chunked"
    UNKNOWN = "unknown"  # stop inspecting: hand the rest of the connection to aiohttp as is


class HeadDecision(NamedTuple):
    """What to do with one request head.

    `head` is the replacement to hand to aiohttp, or None to hand over the original bytes
    unchanged. `close` means: after this request's body, discard whatever else the client
    sends (the replacement head carries ``Connection: close``). `quirks` names what was
    normalised, for logging. (A NamedTuple: a frozen dataclass costs 5x more to build, on
    the path of every request with a body.)
    """

    head: bytes | None
    framing: Framing
    length: int = 0
    close: bool = False
    quirks: tuple[str, ...] = ()


# Enum members as globals: looking one up on the class costs ~150 ns on Python 3.11.
_LENGTH = Framing.LENGTH
_CHUNKED_FRAMING = Framing.CHUNKED
_NO_BODY = HeadDecision(None, Framing.LENGTH)
_CHUNKED = HeadDecision(None, Framing.CHUNKED)
_UNTOUCHED = HeadDecision(None, Framing.UNKNOWN)


def normalise_head(head: bytes) -> HeadDecision:
    """Decide about one request head: request line and header lines ending in ``\\r\\n\\r\\n``.

    The head is the bytes up to and including the first ``\\r\\n\\r\\n`` (leading empty lines
    already skipped). Clean heads come back with ``head=None``; heads with the two legacy
    quirks come back rewritten; anything else odd comes back untouched with
    ``Framing.UNKNOWN`` so that aiohttp decides (and refuses) on its own.
    """
    if head[:1] in b"Cc" and head[:8].upper() == b"CONNECT ":
        return _UNTOUCHED  # aiohttp stops parsing HTTP after CONNECT: so do we
    # One regex pass finds the first header that frames the body, or a stray "\n\r"; a
    # clean GET matches nothing. Other bare LFs are not looked for: aiohttp refuses them.
    first = _FRAMING_OR_STRAY.search(head)
    if first is None:
        return _NO_BODY
    name = first.group(1)
    if name is not None and _FRAMING_OR_STRAY.search(head, first.end()) is None:
        # The common POST: a single framing header.
        name = name.lower()
        if name == b"upgrade":
            return _UNTOUCHED  # aiohttp stops parsing HTTP after an upgrade: so do we
        value = _value_after(head, first.end())
        if name == b"content-length":
            if not value.isdigit():
                return _UNTOUCHED  # aiohttp refuses it
            length = int(value)
            return HeadDecision(None, _LENGTH, length) if length else _NO_BODY
        if not _ends_with_chunked(value):
            return _UNTOUCHED  # aiohttp refuses it, or reads it in a way we do not track
        return _CHUNKED
    names = [name.lower() for name in _FRAMING_OR_STRAY.findall(head)]
    if b"" in names or (b"content-length" in names and b"transfer-encoding" in names):
        return _normalise_quirky(head)
    # A repeated framing header (aiohttp refuses it) or one with an upgrade: not ours.
    return _UNTOUCHED


def _value_after(head: bytes, start: int) -> bytes:
    """The OWS-stripped header value starting at `start` (just after the colon)."""
    return head[start : head.find(_CRLF, start)].strip(b" \t")


def _ends_with_chunked(te_value: bytes) -> bool:
    return te_value.rsplit(b",", 1)[-1].strip(b" \t").lower() == b"chunked"


def _normalise_quirky(head: bytes) -> HeadDecision:
    """The slow path: a head with a bare LF, or with both Content-Length and Transfer-Encoding."""
    lines = head[: -len(_HEAD_END)].split(_CRLF)
    request_line = lines[0]
    if b"\n" in request_line or b"\r" in request_line:
        return _UNTOUCHED
    stray = False
    kept: list[bytes] = [request_line]
    cl_values: list[bytes] = []
    te_values: list[bytes] = []
    te_index = -1
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t"):
            return _UNTOUCHED  # obs-fold: aiohttp refuses it, and it could hide framing
        if b"\n" in line or b"\r" in line:
            if not line.endswith(_STRAY):
                return _UNTOUCHED
            # Only the known quirk: the value ends in "\n\r" right before the line's CRLF.
            line = line[: -len(_STRAY)]
            if b"\n" in line or b"\r" in line:
                return _UNTOUCHED
            stray = True
        name, colon, value = line.partition(b":")
        if not colon or not name:
            return _UNTOUCHED
        name = name.lower()
        if name == b"content-length":
            cl_values.append(value.strip(b" \t"))
        elif name == b"transfer-encoding":
            te_values.append(value.strip(b" \t").lower())
            te_index = len(kept)
        elif name == b"connection":
            continue  # replaced by Connection: close
        elif name == b"upgrade":
            return _UNTOUCHED
        kept.append(line)

    if len(cl_values) > 1 or len(te_values) > 1 or (cl_values and not cl_values[0].isdigit()):
        return _UNTOUCHED
    quirks = (QUIRK_STRAY_CRLF,) if stray else ()
    if cl_values and te_values:
        if te_values[0] != b"chunked":
            return _UNTOUCHED
        del kept[te_index]  # Content-Length wins
        quirks += (QUIRK_TE_WITH_CL,)
        framing, length = Framing.LENGTH, int(cl_values[0])
    elif te_values:
        if not _ends_with_chunked(te_values[0]):
            return _UNTOUCHED
        framing, length = Framing.CHUNKED, 0
    else:
        framing, length = Framing.LENGTH, int(cl_values[0]) if cl_values else 0
    if not quirks:
        return _UNTOUCHED  # not one of the two known quirks: aiohttp decides
    kept.append(_CLOSE_HEADER)
    return HeadDecision(_CRLF.join(kept) + _HEAD_END, framing, length, close=True, quirks=quirks)


# First bytes the fast path of RequestFramer.feed leaves to the full loop: a leading empty
# line (CR) and CONNECT (C or c), which normalise_head treats apart.
_SLOW_FIRST_BYTES = frozenset(b"\rCc")

# Framer states: plain ints, not an Enum (an Enum member lookup costs ~150 ns on 3.11, and
# the framer does a few per request).
_HEAD = 1  # waiting for / reading a request head
_BODY = 2  # Content-Length body
_CHUNK_SIZE = 3
_CHUNK_DATA = 4
_CHUNK_CRLF = 5
_TRAILERS = 6
_PASSTHROUGH = 7  # no longer inspecting: everything goes to aiohttp as it is
_DISCARD = 8  # after a normalised request: everything is dropped


class Limits(Protocol):
    """The parser limits handed to aiohttp (shim.inbound.listener.HttpLimits satisfies this).

    The framer gives up on an unfinished head or chunk line past them and leaves the
    connection to aiohttp, which refuses it: it never holds more than aiohttp would.
    """

    @property
    def max_line_size(self) -> int: ...

    @property
    def max_field_size(self) -> int: ...

    @property
    def max_headers(self) -> int: ...

    @property
    def max_head_size(self) -> int: ...


class RequestFramer:
    """Cuts one connection's byte stream into requests and normalises quirky heads.

    `feed` takes what arrived from the client and returns what aiohttp's parser should
    see. Unfinished heads and chunk lines are held back until complete (aiohttp buffers
    them too); a head arriving in many small pieces costs time linear in its size, never
    quadratic. When nothing needed changing the input object itself is returned.
    """

    __slots__ = (
        "_limits",
        "_max_line",
        "_max_head",
        "_state",
        "_remaining",
        "_trailers",
        "_close_after",
        "_held",
        "_bare_lf",
        "_stray",
        "_line_start",
        "quirks_seen",
        "head_too_large",
    )

    def __init__(self, limits: Limits) -> None:
        self._limits = limits
        self._max_line = max(limits.max_line_size, limits.max_field_size)
        # A whole head: aiohttp's per-line limits allow max_headers lines of max_field_size
        # (8 MiB with the defaults); max_head_size bounds what one unfinished head may hold.
        self._max_head = min(limits.max_line_size + limits.max_headers * (limits.max_field_size + 2),
                             limits.max_head_size)
        self._state = _HEAD
        self._remaining = 0  # body or chunk bytes still to forward
        self._trailers = 0
        self._close_after = False  # the request being read was normalised
        # An unfinished head or chunk line, not forwarded yet, and what is known about it.
        self._held = bytearray()
        self._bare_lf = 0
        self._stray = 0
        self._line_start = 0
        # Quirks normalised on this connection; for logging and tests.
        self.quirks_seen: tuple[str, ...] = ()
        # An unfinished head went past max_head_size: the connection is to be refused (431).
        self.head_too_large = False

    @property
    def passthrough(self) -> bool:
        return self._state == _PASSTHROUGH

    @property
    def discarding(self) -> bool:
        return self._state == _DISCARD

    @property
    def holding_head(self) -> bool:
        """An unfinished request head is waiting for its end (what the head timeout bounds)."""
        return self._state == _HEAD and bool(self._held)

    def feed(self, data: bytes) -> bytes:
        state = self._state
        if (state == _HEAD and not self._held and data.find(_HEAD_END) == len(data) - 4
                and data[0] not in _SLOW_FIRST_BYTES and _FRAMING_OR_STRAY.search(data) is None):
            # The usual piece: exactly one whole head without a body and without quirks
            # (what normalise_head answers _NO_BODY for), so nothing to cut or hold.
            return data
        if state == _PASSTHROUGH:
            return data
        if state == _DISCARD:
            return b""
        if self._held:
            held = self._held
            old = len(held)
            held += data
            if not self._held_is_complete(held, old):
                if self._state != _PASSTHROUGH:
                    return b""  # still waiting
                data = bytes(held)
                self._held = bytearray()
                return data
            data = bytes(held)
            self._held = bytearray()
            state = self._state
        out: list[bytes] = []  # finished pieces, once something was changed or held back
        mark = 0  # start of the run of input not yet in `out`, forwarded unchanged
        pos = 0
        size = len(data)
        while pos < size:
            if state == _HEAD:
                if data[pos] == 13:  # CR
                    while data.startswith(_CRLF, pos):
                        pos += 2  # aiohttp skips empty lines before a request line
                    if pos >= size:
                        break
                end = data.find(_HEAD_END, pos)
                if end < 0:
                    if not self._hold(data, pos):
                        state = _PASSTHROUGH  # aiohttp refuses it
                        break
                    out.append(data[mark:pos])
                    mark = size
                    break
                end += len(_HEAD_END)
                decision = normalise_head(data[pos:end])
                if decision.head is not None:
                    out.append(data[mark:pos])
                    out.append(decision.head)
                    mark = end
                    self.quirks_seen += decision.quirks
                    log.debug("normalised a legacy client's request head: %s", ", ".join(decision.quirks))
                pos = end
                state = self._after_head(decision)
                if state == _PASSTHROUGH:
                    break
            elif state == _BODY or state == _CHUNK_DATA:
                take = min(self._remaining, size - pos)
                pos += take
                self._remaining -= take
                if self._remaining == 0:
                    state = _HEAD if state == _BODY else _CHUNK_CRLF
            elif state == _CHUNK_CRLF:
                if data.startswith(_CRLF, pos):
                    pos += 2
                    state = _CHUNK_SIZE
                elif size - pos == 1 and data[pos] == 13:  # the CR came alone
                    out.append(data[mark:pos])
                    self._held = bytearray(data[pos:])
                    mark = size
                    break
                else:
                    state = _PASSTHROUGH  # aiohttp refuses it
                    break
            else:  # CHUNK_SIZE or TRAILERS: a line
                end = data.find(_CRLF, pos)
                if end < 0:
                    if data.find(b"\n", pos) >= 0 or size - pos > self._max_line:
                        state = _PASSTHROUGH  # aiohttp refuses it
                        break
                    out.append(data[mark:pos])
                    self._held = bytearray(data[pos:])
                    mark = size
                    break
                line = data[pos:end]
                pos = end + 2
                if b"\n" in line:
                    state = _PASSTHROUGH  # aiohttp refuses it
                    break
                if state == _TRAILERS:
                    if not line:
                        state = _HEAD
                    else:
                        self._trailers += 1
                        if self._trailers > self._limits.max_headers:
                            state = _PASSTHROUGH  # aiohttp refuses it
                            break
                else:
                    size_hex = line.split(b";", 1)[0]
                    if not _HEX.fullmatch(size_hex):
                        state = _PASSTHROUGH  # aiohttp refuses it
                        break
                    self._remaining = int(size_hex, 16)
                    self._trailers = 0
                    state = _CHUNK_DATA if self._remaining else _TRAILERS
            if state == _HEAD and self._close_after:
                # A normalised request just ended: whatever follows is dropped.
                state = _DISCARD
                break
        self._state = state
        stop = pos if state == _DISCARD else size
        if not out:
            return data if mark == 0 and stop == size else data[mark:stop]
        out.append(data[mark:stop])
        return b"".join(out)

    def _after_head(self, decision: HeadDecision) -> int:
        self._close_after = decision.close
        if decision.framing is _LENGTH:
            self._remaining = decision.length
            return _BODY if decision.length else _HEAD
        if decision.framing is _CHUNKED_FRAMING:
            return _CHUNK_SIZE
        return _PASSTHROUGH

    def _held_is_complete(self, held: bytearray, old: int) -> bool:
        """Whether the held bytes, `old` of them already looked at, now end their head or
        line; if they never can, switches to passthrough. Looks only at the new bytes."""
        state = self._state
        if state == _HEAD:
            if held.find(_HEAD_END, max(0, old - 3)) >= 0:
                return True
            if not self._may_hold(held, old):
                self._state = _PASSTHROUGH
            return False
        if state == _CHUNK_CRLF:
            return True  # two bytes at least: the loop decides
        if held.find(_CRLF, old - 1) >= 0:
            return True
        if held.find(b"\n", old) >= 0 or len(held) > self._max_line:
            self._state = _PASSTHROUGH  # aiohttp refuses it
        return False

    def _hold(self, data: bytes, pos: int) -> bool:
        """Start holding the unfinished head at data[pos:], if it may still become acceptable."""
        self._held = held = bytearray(data[pos:])
        self._bare_lf = self._stray = self._line_start = 0
        if self._may_hold(held, 0):
            return True
        self._held = bytearray()
        return False

    def _may_hold(self, held: bytearray, old: int) -> bool:
        """Whether to wait for the rest of an unfinished head (else aiohttp gets it now).

        Waiting is only for heads that can still become acceptable: within the limits,
        starting like a request line, with bare LFs only as (the start of) the stray
        ``\\n\\r`` quirk. aiohttp refuses the others at once, so must we, rather than let a
        client wait for an answer to a head it considers complete. The counts are kept
        up to date from the new bytes only (patterns cut by a piece boundary included).
        """
        size = len(held)
        if size > self._max_head:
            self.head_too_large = True
            return False
        if old < 40 and not _REQUEST_START.match(held):
            return False
        last_crlf = held.rfind(_CRLF, max(0, old - 1))
        if last_crlf >= 0:
            self._line_start = last_crlf + 2
        # A CR at the very end may be the start of the line's CRLF, which no limit counts.
        if size - self._line_start - (held[-1] == 13) > self._max_line:
            return False
        self._bare_lf += held.count(b"\n", old) - held.count(_CRLF, max(0, old - 1))
        self._stray += held.count(_STRAY_LINE_END, max(0, old - 3))
        if not self._bare_lf:
            return True
        # A stray "\n\r\r\n" may be cut off by the end of what arrived so far.
        cut = held.rfind(b"\n", max(0, size - 3))
        pending = cut >= 0 and held[cut - 1 : cut] != b"\r" and _STRAY_LINE_END.startswith(held[cut:])
        return self._bare_lf <= self._stray + pending


# How long a refused connection's further bytes are read and dropped before it is closed.
REFUSED_LINGER_SECONDS = 2.0


class LenientProtocol(asyncio.Protocol):
    """A thin protocol in front of aiohttp's RequestHandler (or any asyncio protocol).

    Only what the client sends is touched, through a RequestFramer; the transport is the
    real one, so the handler's writes, flow control and TLS details are unaffected. With a
    ConnectionPolicy (shim.inbound.connections) it also refuses a client address past its
    connection cap, a head past max_head_size (431) and a head slower than the head timeout
    (408), each answered with a fixed text before the connection closes.
    """

    __slots__ = ("_inner", "framer", "_policy", "_client", "_transport", "_head_timer", "_refused")

    def __init__(self, inner: asyncio.Protocol, framer: RequestFramer, policy: ConnectionPolicy | None = None) -> None:
        self._inner = inner
        self.framer = framer
        self._policy = policy
        self._client: str | None = None
        self._transport: asyncio.Transport | None = None
        self._head_timer: asyncio.TimerHandle | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        policy = self._policy
        if policy is not None:
            client = client_address(transport.get_extra_info("peername"))
            if not policy.connections.admit(client):
                # aiohttp never hears of this connection.
                self._refuse(transport, TOO_MANY_CONNECTIONS)  # type: ignore[arg-type]
                return
            self._client = client
            self._transport = transport  # type: ignore[assignment]
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        framer = self.framer
        data = framer.feed(data)
        if self._policy is not None:
            if framer.head_too_large:
                self._refuse(self._transport, HEAD_TOO_LARGE)
                return
            if framer.holding_head:
                if self._head_timer is None:
                    self._head_timer = asyncio.get_running_loop().call_later(
                        self._policy.head_timeout, self._head_timed_out)
            elif self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None
        if data:
            self._inner.data_received(data)

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.framer.holding_head and not self._refused:
            self._refuse(self._transport, HEAD_TIMEOUT)

    def _refuse(self, transport: asyncio.Transport | None, answer: bytes) -> None:
        """Answer, then close; what the client still sends meanwhile is read and dropped for a
        moment, so its kernel does not turn our close into a reset that swallows the answer."""
        self._refused = True
        if transport is None or transport.is_closing():
            return
        transport.write(answer)
        if transport.can_write_eof():
            transport.write_eof()
            asyncio.get_running_loop().call_later(REFUSED_LINGER_SECONDS, transport.close)
        else:
            transport.close()

    def eof_received(self) -> bool | None:
        if self._refused:
            if self._transport is not None:
                self._transport.close()  # the client is done too
            return None
        return self._inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        if self._client is not None and self._policy is not None:
            self._policy.connections.release(self._client)
            self._client = None
        if self._refused and self._transport is None:
            return  # refused before aiohttp saw it
        self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()


def lenient_protocol_factory(
    make_protocol: Callable[[], asyncio.Protocol], limits: Limits, policy: ConnectionPolicy | None = None
) -> Callable[[], LenientProtocol]:
    """Wrap a protocol factory, e.g. an aiohttp ``web.Server``, for ``loop.create_server``."""

    def factory() -> LenientProtocol:
        return LenientProtocol(make_protocol(), RequestFramer(limits), policy)

    return factory
