"""The `regex` filter many UAPI list functions take, compiled once, with cPanel's failure text."""

from __future__ import annotations

import re

from ..registry import Args, UapiError


def regex_arg(args: Args, name: str = "regex") -> re.Pattern[str] | None:
    """The case-insensitive pattern in `args[name]`, None when absent; a bad one fails the call."""
    text = args.get(name)
    if not text:
        return None
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error:
        raise UapiError(f"Invalid regular expression “{text}”.") from None
