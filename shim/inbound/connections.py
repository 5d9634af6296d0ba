"""Per-connection defences beneath aiohttp: how many connections one client address may hold,
and how long an unfinished request head may take.

aiohttp bounds the size of each head line but not the time a head takes, nor how many
connections one address opens: a client trickling heads or holding hundreds of idle
connections would tie up memory and file descriptors for as long as it liked. These checks
run in shim.inbound.framing.LenientProtocol, before a byte reaches aiohttp, and answer with
a fixed text (never the client's bytes) before closing.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any



def _answer(status: bytes, extra_headers: bytes = b"") -> bytes:
    """A whole HTTP answer whose body is its status line, then the connection closes."""
    body = status + b"\n"
    return (b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain; charset=utf-8\r\n" + extra_headers
            + b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


TOO_MANY_CONNECTIONS = _answer(b"503 Service Unavailable", b"Retry-After: 1\r\n")
HEAD_TIMEOUT = _answer(b"408 Request Timeout")
HEAD_TOO_LARGE = _answer(b"431 Request Header Fields Too Large")


def client_address(peername: Any) -> str:
    """The address a connection comes from, IPv4-mapped IPv6 as plain IPv4 (one client, one count)."""
    if not peername:
        return ""
    host = str(peername[0]) if isinstance(peername, tuple) else str(peername)
    if host.startswith("::ffff:"):
        try:
            mapped = ipaddress.IPv6Address(host.split("%", 1)[0]).ipv4_mapped
        except ValueError:
            return host
        if mapped is not None:
            return str(mapped)
    return host


@dataclass
class ClientConnections:
    """Open connections per client address, shared by every listener of a process."""

    limit: int
    open: dict[str, int] = field(default_factory=dict)

    def admit(self, address: str) -> bool:
        count = self.open.get(address, 0)
        if count >= self.limit:
            return False
        self.open[address] = count + 1
        return True

    def release(self, address: str) -> None:
        count = self.open.get(address, 0) - 1
        if count > 0:
            self.open[address] = count
        else:
            self.open.pop(address, None)

    @property
    def total(self) -> int:
        return sum(self.open.values())


@dataclass(frozen=True, slots=True)
class ConnectionPolicy:
    """What LenientProtocol enforces on each connection."""

    connections: ClientConnections
    head_timeout: float
