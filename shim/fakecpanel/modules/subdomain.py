"""UAPI SubDomain::addsubdomain (in 11.125's description): create `domain.rootdomain`.

`domain` is the label, `rootdomain` a domain the account owns; `dir` is relative to
home and defaults to public_html/<label>; disallowdot=1 strips dots from the label.
"""

from __future__ import annotations

from ..registry import Args, UapiContext, UapiOutcome, uapi_function
from . import _domains as d


@uapi_function(
    "SubDomain",
    "addsubdomain",
    samples=[
        {"domain": "news", "rootdomain": "example.com"},
        {"domain": "a.b", "rootdomain": "example.net", "dir": "/public_html/ab", "disallowdot": "1", "canoff": "0"},
    ],
)
def addsubdomain(ctx: UapiContext, args: Args) -> UapiOutcome:
    state = d.domains(ctx.account)
    label = d.valid_label(d.required(args.get("domain"), "domain"), d.flag(args.get("disallowdot")))
    rootdomain = d.required(args.get("rootdomain"), "rootdomain").lower()
    d.add_subdomain(ctx.account, state, label, rootdomain, args.get("dir"))
    return UapiOutcome.ok()
