"""Who is calling: Authorization schemes and login sessions, per service.

WHM accepts `whm user:TOKEN` / `WHM user:ACCESSHASH` (one scheme, matched without
regard to case), Basic for WHM users, and the `whostmgrsession` cookie. cPanel accepts
`cpanel user:TOKEN`, Basic for account users and the `cpsession` cookie. A cookie only
counts together with its session's /cpsessNNNNNNNNNN prefix; header credentials ignore
the prefix. A present but wrong Authorization header fails outright (no cookie fallback).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass
from typing import Mapping

from .state import CPANEL, WHM, FakeState, Session

SESSION_COOKIES = {WHM: "whostmgrsession", CPANEL: "cpsession"}


@dataclass(frozen=True, slots=True)
class Principal:
    user: str
    method: str  # "token", "accesshash", "basic" or "session"
    session: Session | None = None


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _split_credentials(value: str) -> tuple[str, str] | None:
    user, sep, secret = value.partition(":")
    return (user, secret) if sep and user and secret else None


def check_password(state: FakeState, service: str, user: str, password: str) -> bool:
    if service == WHM:
        whm_user = state.whm_users.get(user)
        return whm_user is not None and _same(whm_user.password, password)
    account = state.accounts.get(user)
    return account is not None and not account.suspended and _same(account.password, password)


def _from_header(state: FakeState, service: str, header: str) -> Principal | None:
    # Some billing modules end the header with stray "\n\r"; cpsrvd shrugs that off.
    scheme, _, rest = header.strip().partition(" ")
    scheme = scheme.lower()
    rest = rest.strip()
    if scheme == "basic":
        try:
            decoded = base64.b64decode(rest, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        credentials = _split_credentials(decoded)
        if credentials and check_password(state, service, *credentials):
            return Principal(credentials[0], "basic")
        return None
    credentials = _split_credentials(rest)
    if credentials is None:
        return None
    user, secret = credentials
    if scheme == "whm" and service == WHM:
        whm_user = state.whm_users.get(user)
        if whm_user is None:
            return None
        if any(_same(token, secret) for token in whm_user.api_tokens):
            return Principal(user, "token")
        access_hash = "".join((whm_user.access_hash or "").split())
        if access_hash and _same(access_hash, "".join(secret.split())):
            return Principal(user, "accesshash")
        return None
    if scheme == "cpanel" and service == CPANEL:
        account = state.accounts.get(user)
        if account is not None and not account.suspended and any(_same(t, secret) for t in account.api_tokens):
            return Principal(user, "token")
    return None


def authenticate(
    state: FakeState, service: str, headers: Mapping[str, str], cookies: Mapping[str, str], cpsess: str | None
) -> Principal | None:
    header = headers.get("Authorization")
    if header is not None:
        return _from_header(state, service, header)
    cookie = cookies.get(SESSION_COOKIES[service])
    if not cookie:
        return None
    session = state.sessions.get((service, cookie))
    if session is None or cpsess is None or not _same(session.token, cpsess):
        return None
    return Principal(session.user, "session", session)
