"""LangMods: the answers of cPanel 11.120's language-module manager (Cpanel/LangMods.pm) that
need no module tool, answered by the shim.

langlist: the kinds of language modules, a fixed table. API 2 listed them in Perl's hash
order (unspecified); here they are sorted by `lang`.

search and list_available: in 11.120 both hand over to a search routine whose body is empty,
so API 2 answered no rows whatever the arguments or the server: [].

getkey: [{key}], the `key` entry of the `lang` table: only `name` and `names` hold text; an
unknown language or key is null. Every other key of a known language holds one of the module
tool's actions (code), which JSON cannot carry: what cPanel answered then is left to its own
API 2 (NativeOnly: passed through while the upstream serves it).

getprefix: [{status, prefix}], where the account installs modules of `lang`: a folder of its
home directory (cPanel runs API 2 as the account, never as root). No `lang` is
{status: 0, prefix: "Provide a language."}; an unknown one {status: 0, prefix: "Sorry LANG
does not support the action getprefix"}.
"""

from __future__ import annotations

from typing import Any

from shim.translation.recipe import NativeOnly, RecipeCall

LANGUAGES = {
    "perl": "Perl Module",
    "php-pear": "PHP Extensions and Applications Package",
    "php-pecl": "PHP PECL",
    "ruby": "Ruby Gem",
}
PLURAL_NAMES = {
    "perl": "Perl Module(s)",
    "php-pear": "PHP Extension(s) and Application(s)",
    "php-pecl": "PHP PECL(s)",
    "ruby": "Ruby Gem(s)",
}
# The names of the actions (code) in each language's table, cPanel 11.120.
_COMMON_ACTIONS = ("setup", "getprefix", "list_installed", "update_all", "uninstall", "install", "update",
                   "list_available", "search")
ACTIONS = {
    "perl": {*_COMMON_ACTIONS, "magic_status", "disable_magic", "enable_magic", "getarchname",
             "_runinstallerdynamic", "_runinstallerquiet", "_parsemodlist"},
    "ruby": {*_COMMON_ACTIONS, "magic_status", "disable_magic", "enable_magic", "_runsysgem", "_rungem",
             "_rungemdynamic", "_rungemquiet", "_parsemodlist"},
    "php-pecl": {*_COMMON_ACTIONS, "pre_run", "_runsyspecl", "_runpecl", "_runpecldynamic", "_runpeclquiet",
                 "_runinstallallowed", "list_updateable", "package_info", "_decodephplist"},
    "php-pear": {*_COMMON_ACTIONS, "magic_status", "disable_magic", "enable_magic", "pre_run", "_runsyspear",
                 "_runpear", "_runaltpear", "_altpear_get_channels", "_runpeardynamic", "list_updateable",
                 "reinstall", "_decodephplist"},
}
# Below the account's home directory, where each kind of module goes.
PREFIXES = {"perl": "perl", "php-pear": "php", "php-pecl": "php", "ruby": "ruby/gems"}


def langlist(call: RecipeCall) -> list[Any]:
    return [{"lang": lang, "name": name} for lang, name in sorted(LANGUAGES.items())]


def search(call: RecipeCall) -> list[Any]:
    return []


def list_available(call: RecipeCall) -> list[Any]:
    return []


def key_of(lang: str, key: str) -> str | None:
    if key in ACTIONS.get(lang, ()):
        raise NativeOnly(f"LangMods::getkey: “{key}” of “{lang}” is an action, which API 2 could not answer as JSON")
    texts = {"name": LANGUAGES, "names": PLURAL_NAMES}.get(key, {})
    return texts.get(lang)


def getkey(call: RecipeCall) -> list[Any]:
    return [{"key": key_of(call.arg("lang"), call.arg("key"))}]


def prefix_of(lang: str, home: str) -> dict[str, Any]:
    if not lang:
        return {"status": 0, "prefix": "Provide a language."}
    if lang not in PREFIXES:
        return {"status": 0, "prefix": f"Sorry {lang} does not support the action getprefix"}
    return {"status": 1, "prefix": f"{home}/{PREFIXES[lang]}"}


async def getprefix(call: RecipeCall) -> list[Any]:
    info = await call.uapi_data("Variables", "get_user_information", {"name": "home"}, died=True)
    home = str(info.get("home", "")) if isinstance(info, dict) else ""
    return [prefix_of(call.arg("lang"), home)]
