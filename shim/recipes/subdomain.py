"""SubDomain answers the shim gives itself (cPanel 11.120 Cpanel/SubDomain.pm and
Cpanel/Validate/SubDomain.pm)."""

from __future__ import annotations

from typing import Any

from shim.translation.recipe import RecipeCall


# cPanel 11.120 (Cpanel/Validate/SubDomain.pm): the labels no subdomain may take, and the
# pattern a subdomain label must match, both answered as they are, with no upstream call.
RESERVED_SUBDOMAINS = ("www", "_wildcard_", "wildcard_safe")
SUBDOMAIN_REGEX = (r"^\*$|^(?:\*\.)?[\da-zA-Z](?:[-\da-zA-Z]*[\da-zA-Z])?"
                   r"(?:\.[\da-zA-Z](?:[-\da-zA-Z]*[\da-zA-Z])?)*$")


def getreservedsubdomains(call: RecipeCall) -> list[Any]:
    """The reserved labels as bare strings (API 2 gave them in Perl's hash order)."""
    return list(RESERVED_SUBDOMAINS)


def validregex(call: RecipeCall) -> list[Any]:
    """[pattern]: the regular expression text itself, one bare string."""
    return [SUBDOMAIN_REGEX]
