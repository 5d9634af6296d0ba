"""SourceIPCheck: the two answers of cPanel's Security Policy that need no security-policy
data (cPanel 11.120 Cpanel/SourceIPCheck.pm and Cpanel/Security/Policy/SourceIPCheck/Util.pm).

samplequestions: API 2 answered cPanel's fixed list of 28 sample security questions as a flat
list of texts, in that order (two questions appear twice in it), translated into the account's
locale. The shim holds the English texts only: a call for an account whose locale is not `en`
is left to cPanel's own API 2 (NativeOnly: passed through while the upstream serves it).

getaccount: [{account}] — the account the Security Policy pages act on. The `account` argument
is URL-decoded (`+` is a space); with no `@` in it the answer is the cPanel user; with an `@`,
the address itself when its domain (the part after the first `@`) is exactly one of the
account's main, addon or parked domains; otherwise API 2's lookup fell through and answered
the number 0.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from shim.translation.recipe import NativeOnly, RecipeCall

# The sample questions as an English-locale account read them, in cPanel 11.120's order.
SAMPLE_QUESTIONS = (
    "What is your primary frequent flyer number?",
    "What is your library card number?",
    "What was your first phone number?",
    "What was your first teacher’s name?",
    "What is your father’s middle name?",
    "What is your maternal grandmother’s first name?",
    "In what city was your high school?",
    "What was the name of your first boyfriend or girlfriend?",
    "What is your maternal grandfather’s first name?",
    "In what city were you born (Enter full name of city only)?",
    "What was the name of your first pet?",
    "What was your high school mascot?",
    "How old were you at your wedding (Enter age as digits)?",
    "In what year (YYYY) did you graduate from high school?",
    "In what city did you honeymoon (Enter full name of city only)?",
    "What is the first name of the best man/maid of honor at your wedding?",
    "What is your paternal grandmother’s first name?",
    "What is your mother’s middle name?",
    "In what city were you married?",
    "In what city is your vacation home?",
    "What is the first name of your first child?",
    "What is your paternal grandfather’s first name?",
    "What is the name of your first employer?",
    "When is your wedding anniversary (Enter the full name of month)?",
    "What is your paternal grandfather’s first name?",
    "What is the first name of the best man/maid of honor at your wedding?",
    "In what city was your mother born (Enter full name of city only)?",
    "In what city was your father born (Enter full name of city only)?",
)
ENGLISH = "en"  # the only English locale cPanel 11.120 ships; its lexicon keeps these texts as written


async def samplequestions(call: RecipeCall) -> list[Any]:
    attributes = await call.uapi_data("Locale", "get_attributes", died=True)
    locale = str(attributes.get("locale", "")) if isinstance(attributes, dict) else ""
    if locale != ENGLISH:
        raise NativeOnly(f"SourceIPCheck::samplequestions answers in the account's locale “{locale}”; "
                         "the shim holds cPanel's English texts only")
    return list(SAMPLE_QUESTIONS)


def form_decoded(text: str) -> str:
    """A form value URL-decoded the way cPanel decoded `account`: `+` is a space, %XX a byte
    (bytes that are not UTF-8 become U+FFFD: the answer must stay valid JSON)."""
    return unquote(text.replace("+", " "), errors="replace")


def account_for(requested: str | None, user: str, domains: frozenset[str] | None) -> Any:
    """The account a Security Policy call acts on; `domains` is needed only for an address."""
    if requested is None or "@" not in requested:
        return user
    _, domain = requested.split("@", 1)
    return requested if domains is not None and domain in domains else 0


async def getaccount(call: RecipeCall) -> list[Any]:
    info = await call.uapi_data("Variables", "get_user_information", {"name": "user"}, died=True)
    user = str(info.get("user", "")) if isinstance(info, dict) else ""
    requested = form_decoded(call.args["account"]) if "account" in call.args else None
    domains = None
    if requested is not None and "@" in requested:
        listed = await call.uapi_data("DomainInfo", "list_domains", died=True)
        domains = frozenset(_names(listed))
    return [{"account": account_for(requested, user, domains)}]


def _names(listed: Any) -> list[str]:
    """The main, addon and parked domains of a DomainInfo::list_domains answer (cPanel's
    DOMAINS list: subdomains are not in it). `main_domain` may be a name or a list of names."""
    if not isinstance(listed, dict):
        return []
    names: list[str] = []
    for key in ("main_domain", "addon_domains", "parked_domains"):
        value = listed.get(key)
        names.extend([value] if isinstance(value, str) else [str(v) for v in value or []])
    return names
