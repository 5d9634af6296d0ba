"""LangMods::langlist: the kinds of language modules cPanel manages, a fixed list in
cPanel 11.120 (Cpanel/LangMods.pm), answered by the shim. API 2 listed them in Perl's
hash order (unspecified); here they are sorted by `lang`."""

from __future__ import annotations

from typing import Any

from shim.translation.recipe import RecipeCall

LANGUAGES = {
    "perl": "Perl Module",
    "php-pear": "PHP Extensions and Applications Package",
    "php-pecl": "PHP PECL",
    "ruby": "Ruby Gem",
}


def langlist(call: RecipeCall) -> list[Any]:
    return [{"lang": lang, "name": name} for lang, name in sorted(LANGUAGES.items())]
