"""The named value transforms a mapping entry may apply to an argument.

Mappings hold no code: an argument names one of these by its key (`transform: bool01`).
Each takes the legacy value as text and the call's context, and returns the UAPI value.
A transform raises `TransformError` for input it cannot convert; the shim then answers an
API 2 failure without calling upstream, so a bad value never half-applies a change.
"""

from __future__ import annotations

from typing import Callable, NamedTuple


class TransformError(ValueError):
    """The legacy value cannot be converted; the message is safe to show the client."""


class CallContext(NamedTuple):  # built per call: a tuple, cheaper than a frozen dataclass
    """What a transform may know about the call besides the value itself."""

    user: str | None  # the cPanel account the call acts as, when known


Transform = Callable[[str, CallContext], str]

_TRUE = frozenset({"1", "yes", "y", "true", "on"})
_FALSE = frozenset({"0", "no", "n", "false", "off", ""})


def bool01(value: str, ctx: CallContext) -> str:
    """API 2 took yes/no, true/false, on/off or 1/0; UAPI wants 1 or 0."""
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return "1"
    if lowered in _FALSE:
        return "0"
    raise TransformError(f"expected a yes/no value, not '{value}'")


def integer(value: str, ctx: CallContext) -> str:
    """Whole number; a decimal is truncated as cPanel's own code truncates quotas."""
    text = value.strip()
    try:
        return str(int(float(text))) if text else text
    except ValueError:
        raise TransformError(f"expected a number, not '{value}'") from None


def lower(value: str, ctx: CallContext) -> str:
    return value.lower()


def account_prefix(value: str, ctx: CallContext) -> str:
    """MySQL names: API 2 added the `<account>_` prefix itself; UAPI wants it given."""
    if not ctx.user or not value or value.startswith(ctx.user + "_"):
        return value
    return f"{ctx.user}_{value}"


def domainkey(value: str, ctx: CallContext) -> str:
    """A subdomain in cPanel's underscore key form: `shop.example.com` → `shop_example.com`.

    cPanel names a subdomain's configuration `label_rootdomain`; newer UAPI calls want that
    form where API 2 also took the dotted name. A value already holding `_` is kept. The
    label is taken to be the part before the first dot (addon labels have no dots).
    """
    text = value.strip()
    if not text or "_" in text or "." not in text:
        return text
    return text.replace(".", "_", 1)


def pipes_to_commas(value: str, ctx: CallContext) -> str:
    """A list API 2 took pipe-separated (`a|b`) where UAPI wants commas (`a,b`)."""
    return ",".join(part for part in value.split("|") if part)


def zero_based(value: str, ctx: CallContext) -> str:
    """API 2's 1-based zone line number → UAPI's 0-based line_index (ZoneEdit `line`)."""
    text = value.strip()
    if not text.isdigit() or int(text) < 1:
        raise TransformError(f"expected a line number of 1 or more, not '{value}'")
    return str(int(text) - 1)


TRANSFORMS: dict[str, Transform] = {
    "zero_based": zero_based,
    "bool01": bool01,
    "integer": integer,
    "lower": lower,
    "account_prefix": account_prefix,
    "domainkey": domainkey,
    "pipes_to_commas": pipes_to_commas,
}
