"""Who a cPanel-port call acts as, read from its credentials (never the secret itself)."""

from __future__ import annotations

from shim.observability.redact import auth_user

# cpsrvd's own `scheme user:secret` schemes and HTTP Basic name a cPanel account.
_ACCOUNT_SCHEMES = frozenset({"cpanel", "whm", "webmail", "basic"})


def account_of(authorization: str) -> str | None:
    """The user an `Authorization` value names (`cpanel user:token`, `Basic b64(user:pass)`).

    Parsed by the same rules as the logs' summary, so a value without a `user:` part names
    nobody rather than turning the secret into an account name.
    """
    found = auth_user(authorization)
    if found is None or found[0] not in _ACCOUNT_SCHEMES:
        return None
    return found[1]
