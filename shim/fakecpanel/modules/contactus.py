"""UAPI module Contactus: the contact form is enabled (cPanel's default)."""

from __future__ import annotations

from ..registry import Args, UapiContext, UapiOutcome, uapi_function


@uapi_function("Contactus", "is_enabled", samples=[{}])
def is_enabled(ctx: UapiContext, args: Args) -> UapiOutcome:
    return UapiOutcome.ok({"enabled": 1})
