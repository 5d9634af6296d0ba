"""Rand::getranddata: random text made by the shim itself (cPanel 11.120 Cpanel/Rand.pm).

API 2 answered {random: TEXT} with `length` characters (16 when absent or 0) drawn from
letters, digits and `_`, from the system's random source; so does this, from `secrets`.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from shim.recipes.ui import perl_int
from shim.translation.recipe import Api2Failure, RecipeCall

ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase + "_"
DEFAULT_LENGTH = 16
MAX_LENGTH = 4096  # a bound of the shim's own: one call never builds an unbounded string


def getranddata(call: RecipeCall) -> list[Any]:
    length = perl_int(call.arg("length")) or DEFAULT_LENGTH
    if not 0 < length <= MAX_LENGTH:
        raise Api2Failure(f"The length must be a whole number from 1 to {MAX_LENGTH}.")
    return [{"random": "".join(secrets.choice(ALPHABET) for _ in range(length))}]
