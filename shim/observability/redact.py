"""What may be written down about a request: secrets never leave through logs, metrics or reports.

Pure functions. The rule is to keep only what an operator needs and is not a secret:
argument *values* whose names look like passwords, tokens or keys are masked, the
Authorization header is reduced to its scheme and user, cookies to their names, and a
logged path loses its query and its /cpsess security token.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Iterable, Mapping

MASK = "********"

# THE rule for every place the shim writes something down (logs at every level, `translate`,
# the usage report, metrics labels, error text): an argument is secret when the mapping
# table marks it `secret` anywhere, or when its name is one of SECRET_NAMES, or contains one
# of SECRET_FRAGMENTS (any case). Names are the ones cPanel, WHM and their clients use:
# pass, password, newpass, oldpass, passwd, pw, pin, token, api_token, tfa_code, otp, key,
# privkey, cert, crt, cabundle, hash, accesshash, secret, auth, cookie, session, cred.
# Certificates are public, but an SSL install's arguments travel beside the key and are
# masked with it rather than told apart.
SECRET_NAMES = frozenset({
    "pass", "password", "newpass", "oldpass", "passwd", "pw", "key", "token", "secret", "hash",
    "accesshash", "crt_key", "privkey", "private_key", "sslkey", "cabundle_key", "otp", "tfa", "secret_key",
    "pin", "tfa_code", "api_token", "cert", "crt", "cabundle", "code",
})
SECRET_FRAGMENTS = ("pass", "pwd", "secret", "token", "key", "hash", "auth", "cookie", "session", "cred", "otp",
                    "tfa", "cert", "crt", "pin_", "_pin")
# An argument name worth writing down as it is. Anything else (a JSON or XML document sent as
# an unlabelled body reads as one long argument *name*, a multipart body sent as urlencoded,
# control characters) is written as its length only, and its value masked.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_.\-\[\]]{1,64}\Z")

_CPSESS = re.compile(r"/cpsess\d+")
_COOKIE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}\Z")
# Schemes shown by name; any other first word may be a bare token, so it is shown as "other".
KNOWN_SCHEMES = frozenset({"whm", "cpanel", "webmail", "uapi", "basic", "bearer", "digest", "negotiate", "ntlm"})
# A user name worth showing: what cPanel allows for accounts and WHM resellers, plus e-mail style logins.
_USER = re.compile(r"[A-Za-z0-9_.@+-]{1,64}\Z")
# Schemes whose credentials are `user:secret` (cpsrvd's own and HTTP Basic after decoding).
_USER_COLON_SECRET = ("whm", "cpanel", "webmail", "uapi")


def is_secret_name(name: str, extra: Iterable[str] = ()) -> bool:
    lowered = name.lower()
    return lowered in SECRET_NAMES or name in extra or any(part in lowered for part in SECRET_FRAGMENTS)


def redact_args(args: Mapping[str, str] | Iterable[tuple[str, str]], extra: Iterable[str] = ()) -> dict[str, str]:
    """Arguments with secret-looking values masked; `extra` names the mapping's `secret` arguments."""
    extra = frozenset(extra)
    items = args.items() if isinstance(args, Mapping) else args
    shown: dict[str, str] = {}
    for name, value in items:
        if not _PLAIN_NAME.match(name):
            shown[shown_name(name)] = MASK
        else:
            shown[name] = MASK if is_secret_name(name, extra) else value
    return shown


def shown_name(name: str) -> str:
    """An argument name as it may be written down: itself when plain, else its length only."""
    return name if _PLAIN_NAME.match(name) else f"<unparsed name of {len(name)} characters>"


def redact_value(name: str, value: str, extra: Iterable[str] = ()) -> str:
    """One argument's value as it may be written down (the same rule as redact_args)."""
    return MASK if not _PLAIN_NAME.match(name) or is_secret_name(name, extra) else value


_USERINFO = re.compile(r"\A([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")
_PATH_PARAMETER = re.compile(r";[^/]*")


def log_path(raw_path: str) -> str:
    """The request path as logged: no query or fragment (arguments may carry secrets),
    `;` path parameters and the userinfo of an absolute-form target masked, cpsess token masked."""
    path = raw_path.partition("?")[0].partition("#")[0]
    # Most paths have none of these: skip the regexes for them (this runs for every request).
    if ";" in path:
        path = _PATH_PARAMETER.sub(";" + MASK, path)
    if "@" in path:
        path = _USERINFO.sub(r"\1" + MASK + "@", path)
    return _CPSESS.sub("/cpsess" + MASK, path) if "/cpsess" in path else path


def auth_user(header: str | None) -> tuple[str, str | None] | None:
    """(scheme, user) of an Authorization header, secret dropped; None when there is none.

    The user is given only when the scheme carries one in a known place and it looks like a
    user name; a credential without a separator is all secret.
    """
    if not header:
        return None
    scheme, _, credentials = header.strip().partition(" ")
    scheme = scheme.lower()
    if scheme not in KNOWN_SCHEMES:
        return ("other", None)
    user: str | None = None
    if scheme in _USER_COLON_SECRET:
        name, sep, _ = credentials.strip().partition(":")
        user = name.strip() if sep else None
    elif scheme == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            decoded = ""
        name, sep, _ = decoded.partition(":")
        user = name if sep else None
    elif scheme == "digest":
        match = re.search(r'username="([^"]*)"', credentials)
        user = match.group(1) if match else None
    if user is not None and not _USER.match(user):
        user = None
    return (scheme, user)


def auth_summary(header: str | None) -> str | None:
    """`scheme user` (or `scheme` alone) for logs and the usage report."""
    found = auth_user(header)
    if found is None:
        return None
    scheme, user = found
    return f"{scheme} {user}" if user else scheme


def cookie_names(header: str | None) -> list[str]:
    """Names of the cookies a request carries; their values are sessions and never kept."""
    if not header:
        return []
    names = []
    for part in header.split(";"):
        name, sep, _ = part.partition("=")
        name = name.strip()
        # A part without `=` may be a bare value: drop it rather than guess.
        if sep and _COOKIE_NAME.match(name):
            names.append(name)
    return names
