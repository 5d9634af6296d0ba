"""Where requests come in: listeners, lenient framing, TLS, the guard, the caller's account.

Everything here runs before a request is known to be translated or passed through: it
accepts connections, frames what old clients send, refuses what may not pass and answers
requests aiohttp cannot parse without echoing them.

May import: `shim.config`, `shim.translation` (to recognise an API 2 path and answer in its
envelope), `shim.observability`. Never `shim.upstream` or `shim.operations`.
"""
