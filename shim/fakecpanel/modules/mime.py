"""UAPI module Mime, per account: MIME types, Apache handlers, redirects, hotlink protection.

Seed: system MIME types and handlers (a few of Apache's), one user MIME type
(`application/x-demo` → `.demo`), one user handler (`.cgi-demo` → `cgi-script`), one
permanent redirect `/old` → `https://example.net/new` on example.com, hotlink protection
enabled for example.com with jpg/png.

Assumed where the description is silent: list_mime/list_handlers without `type` list the
system then the user entries (cPanel's own API 2 wrappers call them without `type` unless
the caller said system=no or user=no); redirect_info works with `domain` or `url` alone
(cPanel's API 2 redirectname/redirecturlname wrappers send only one) and shows the
catch-all domain `.*` as "** All Public Domains **".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from ..state import CpanelAccount
from ._regex import regex_arg

MODULE = "Mime"
ALL_DOMAINS = "** All Public Domains **"
SYSTEM_MIME = {"text/html": "html htm", "image/png": "png", "application/pdf": "pdf"}
SYSTEM_HANDLERS = {"cgi-script": "cgi pl", "server-parsed": "shtml"}
_TYPES = ("system", "user")


@dataclass(slots=True)
class MimeState:
    mime: dict[str, str] = field(default_factory=dict)  # user MIME type -> extensions
    handlers: dict[str, str] = field(default_factory=dict)  # user extension -> handler
    redirects: list[dict] = field(default_factory=list)
    hotlink_urls: list[str] = field(default_factory=list)
    hotlink_extensions: str = "jpg,jpeg,gif,png,bmp"
    hotlink_enabled: bool = False

    @classmethod
    def demo(cls, account: CpanelAccount) -> "MimeState":
        state = cls(mime={"application/x-demo": "demo"}, handlers={"cgi-demo": "cgi-script"})
        state.redirects.append({"domain": account.domain, "source": "/old", "destination": "https://example.net/new",
                                "type": "permanent", "wildcard": 0, "matchwww": 1})
        state.hotlink_urls = [f"http://{account.domain}", f"http://www.{account.domain}"]
        state.hotlink_extensions = "jpg,png"
        state.hotlink_enabled = True
        return state


def mime_state(account: CpanelAccount) -> MimeState:
    return account.module_state(MODULE, MimeState.demo)


def _kinds(args: Args) -> tuple[str, ...]:
    kind = args.get("type", "")
    if not kind:
        return _TYPES
    if kind not in _TYPES:
        raise UapiError(f"The “type” parameter must be “system” or “user”, not “{kind}”.")
    return (kind,)


@uapi_function(MODULE, "list_mime", samples=[{"type": "system"}, {"type": "user"}])
def list_mime(ctx: UapiContext, args: Args) -> UapiOutcome:
    sources = {"system": SYSTEM_MIME, "user": mime_state(ctx.account).mime}
    records = [
        {"extension": extensions, "origin": kind, "type": mime}
        for kind in _kinds(args)
        for mime, extensions in sorted(sources[kind].items())
    ]
    return UapiOutcome.ok(records)


@uapi_function(MODULE, "list_handlers", samples=[{"type": "system"}, {"type": "user"}])
def list_handlers(ctx: UapiContext, args: Args) -> UapiOutcome:
    records = []
    for kind in _kinds(args):
        if kind == "system":
            pairs = [(ext, handler) for handler, exts in SYSTEM_HANDLERS.items() for ext in exts.split()]
        else:
            pairs = list(mime_state(ctx.account).handlers.items())
        records.extend({"extension": ext, "handler": handler, "origin": kind} for ext, handler in sorted(pairs))
    return UapiOutcome.ok(records)


def _redirect_record(account: CpanelAccount, redirect: dict) -> dict:
    domain = redirect["domain"]
    shown = ALL_DOMAINS if domain == ".*" else domain
    kind = "temporary" if redirect["type"] == "temp" else redirect["type"]
    record = {
        "destination": redirect["destination"],
        "displaydomain": "ALL",
        "displaysourceurl": redirect["source"],
        "docroot": f"{account.home}/public_html",
        "domain": account.domain if domain == ".*" else domain,
        "kind": "redirect",
        "matchwww": redirect["matchwww"],
        "opts": "L",
        "source": redirect["source"],
        "sourceurl": redirect["source"],
        "statuscode": "301" if kind == "permanent" else "302",
        "targeturl": redirect["destination"],
        "type": kind,
        "urldomain": account.domain if domain == ".*" else domain,
        "wildcard": redirect["wildcard"],
    }
    if shown != ALL_DOMAINS:
        del record["displaydomain"]
    if redirect["matchwww"]:
        record["matchwww_text"] = "checked"
    if redirect["wildcard"]:
        record["wildcard_text"] = "checked"
    return record


@uapi_function(MODULE, "list_redirects", samples=[{}, {"regex": "old"}, {"destination": "https://example.net/new"}])
def list_redirects(ctx: UapiContext, args: Args) -> UapiOutcome:
    pattern = regex_arg(args)
    destination = args.get("destination")
    records = [
        _redirect_record(ctx.account, r)
        for r in mime_state(ctx.account).redirects
        if (pattern is None or pattern.search(r["source"]))
        and (not destination or r["destination"] == destination)
    ]
    return UapiOutcome.ok(records)


@uapi_function(MODULE, "redirect_info", samples=[{"domain": "example.com", "url": "https://example.net/new"}])
def redirect_info(ctx: UapiContext, args: Args) -> UapiOutcome:
    domain, url = args.get("domain", ""), args.get("url", "")
    if not domain and not url:
        raise UapiError("You must specify a domain or a URL.")
    if domain and domain != ".*" and not ctx.account.owns_domain(domain.lower()):
        raise UapiError(f"The domain “{domain}” does not belong to this account.")
    return UapiOutcome.ok({"domain": ALL_DOMAINS if domain == ".*" else domain, "url": url})


@uapi_function(MODULE, "list_hotlinks", samples=[{}])
def list_hotlinks(ctx: UapiContext, args: Args) -> UapiOutcome:
    state = mime_state(ctx.account)
    return UapiOutcome.ok({
        "allow_null": 1,
        "extensions": state.hotlink_extensions,
        "redirect_url": "",
        "state": "enabled" if state.hotlink_enabled else "disabled",
        "urls": list(state.hotlink_urls),
    })
