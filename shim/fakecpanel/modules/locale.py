"""UAPI module Locale, per account: the interface locale (default English, `en`), and the
server's locales (list_locales: each locale's English name and its name in itself).

Known locales are a small fixed table; set_locale rejects others with cPanel's usual
wording (assumed).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from ..state import CpanelAccount

MODULE = "Locale"
DEFAULT_LOCALE = "en"
# locale -> (name in its own language, text direction)
LOCALES = {"en": ("English", "ltr"), "fr": ("français", "ltr"), "de": ("Deutsch", "ltr"), "ar": ("العربية", "rtl")}
ENGLISH_NAMES = {"en": "English", "fr": "French", "de": "German", "ar": "Arabic"}


@dataclass(slots=True)
class LocaleState:
    locale: str = DEFAULT_LOCALE


def locale_state(account: CpanelAccount) -> LocaleState:
    return account.module_state(MODULE, lambda _: LocaleState())


@uapi_function(MODULE, "get_attributes", samples=[{}])
def get_attributes(ctx: UapiContext, args: Args) -> UapiOutcome:
    locale = locale_state(ctx.account).locale
    name, direction = LOCALES[locale]
    return UapiOutcome.ok({"direction": direction, "encoding": "utf-8", "locale": locale, "name": name})


@uapi_function(MODULE, "set_locale", samples=[{"locale": "fr"}, {"locale": "en"}])
def set_locale(ctx: UapiContext, args: Args) -> UapiOutcome:
    locale = args.get("locale", "")
    if not locale:
        raise UapiError("You must specify the “locale” parameter.")
    if locale not in LOCALES:
        raise UapiError(f"The locale “{locale}” is not available.")
    locale_state(ctx.account).locale = locale
    return UapiOutcome.ok()


@uapi_function(MODULE, "list_locales", samples=[{}])
def list_locales(ctx: UapiContext, args: Args) -> UapiOutcome:
    return UapiOutcome.ok([
        {"direction": direction, "local_name": local_name, "locale": locale, "name": ENGLISH_NAMES[locale]}
        for locale, (local_name, direction) in sorted(LOCALES.items())
    ])
