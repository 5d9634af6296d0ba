"""What the client's credentials say about who is calling (never the secret itself)."""

from __future__ import annotations

import base64
import binascii


def account_of(authorization: str) -> str | None:
    """The user an `Authorization` value names: `cpanel|whm user:token`, `Basic b64(user:pass)`.

    Scheme names are matched case-insensitively, as cpsrvd does.
    """
    scheme, _, credentials = authorization.strip().partition(" ")
    scheme = scheme.lower()
    if scheme in ("cpanel", "whm", "webmail"):
        return credentials.split(":", 1)[0].strip() or None
    if scheme == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return None
        return decoded.split(":", 1)[0] or None
    return None
