"""SubDomain (cPanel 11.120 Cpanel/SubDomain.pm and Cpanel/Validate/SubDomain.pm).

getreservedsubdomains and validregex are answered by the shim itself.

listsubdomains (cPanel 11.120, Cpanel/SubDomain.pm) gave one record per subdomain, sorted by
its domain key (`label_rootdomain`): domain, rootdomain, subdomain, domainkey, dir (absolute
document root), basedir (relative to home), reldir (`home:` + basedir), status (the URL
the subdomain redirects to, or "not redirected") and web_subdomain_aliases (which of the
labels cPanel serves on every domain — `www`... — the vhost carries). The `regex` argument
filters the domains, case-insensitively. Here: DomainInfo::domains_data (the vhosts),
Variables::get_user_information (the home directory) and Mime::list_redirects (status).
"""

from __future__ import annotations

import re
from typing import Any

from shim.translation.recipe import Api2Failure, RecipeCall, whm_only


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


NOT_REDIRECTED = "not redirected"
# Labels cPanel adds to every domain's vhost (Cpanel::WebVhosts::AutoDomains), in its order.
_BUILTIN_ALIASES = ("www", "mail", "cpanel", "webmail", "webdisk", "cpcalendars", "cpcontacts", "autodiscover",
                    "autoconfig")


async def listsubdomains(call: RecipeCall) -> list[Any]:
    pattern = None
    if call.arg("regex"):
        try:
            pattern = re.compile(call.arg("regex"), re.IGNORECASE)
        except re.error as exc:
            raise Api2Failure(f"The “regex” parameter must be a valid Perl regular expression. "
                              f"The system returned the following error: “{exc}”.") from None
    vhosts = await call.uapi_data("DomainInfo", "domains_data", {"format": "list"}, died=True) or []
    info = await call.uapi_data("Variables", "get_user_information", {"name": "home"}, died=True) or {}
    redirects = await call.uapi_data("Mime", "list_redirects", died=True) or []
    home = str(info.get("home", "")).rstrip("/") if isinstance(info, dict) else ""
    rows = []
    for vhost in vhosts if isinstance(vhosts, list) else []:
        if not isinstance(vhost, dict) or vhost.get("type") != "sub_domain" or not vhost.get("domain"):
            continue
        domain = str(vhost["domain"])
        label, _, root = domain.partition(".")
        rows.append((f"{label}_{root}", domain, label, root, vhost))
    answer = []
    for key, domain, label, root, vhost in sorted(rows):
        if pattern is not None and not pattern.search(domain):
            continue
        docroot = str(vhost.get("documentroot", ""))
        basedir = docroot[len(home) + 1:] if home and docroot.startswith(home + "/") else docroot
        aliases = str(vhost.get("serveralias", "")).split()
        answer.append({
            "domain": domain,
            "reldir": f"home:{basedir}",
            "basedir": basedir,
            "dir": docroot,
            "status": _redirect_of(domain, redirects),
            "domainkey": key,
            "subdomain": label,
            "rootdomain": root,
            "web_subdomain_aliases": [a for a in _BUILTIN_ALIASES if f"{a}.{domain}" in aliases],
        })
    return answer


def _redirect_of(domain: str, redirects: Any) -> str:
    """Where the whole subdomain redirects (a redirect of "/" for it), else "not redirected"."""
    for record in redirects if isinstance(redirects, list) else []:
        if isinstance(record, dict) and record.get("domain") == domain and record.get("sourceurl") == "/":
            return str(record.get("targeturl") or NOT_REDIRECTED)
    return NOT_REDIRECTED


# cPanel 11.120's texts (Cpanel/SubDomain.pm, Cpanel/Sub.pm).
NO_SUBDOMAIN = "You must specify a subdomain."
REMOVED = "The subdomain “{domain}” has been removed."


@whm_only
async def delsubdomain(call: RecipeCall) -> list[Any]:
    """WHM API 1 delete_domain removes the subdomain (no UAPI function does). API 2's
    `domain` is `label_rootdomain`, or a full name; one row {result, reason}, and on failure
    the same reason as `error`. One write, never retried."""
    domain = call.arg("domain")
    if not domain:
        raise Api2Failure(NO_SUBDOMAIN, [{"result": 0, "reason": NO_SUBDOMAIN}])
    if "," in domain:
        domain = domain.split(",")[1]
    if "_" in domain:
        label, _, root = domain.partition("_")
        domain = f"{label}.{root}"
    if call.arg("disallowdot") not in ("", "0"):
        label, _, root = domain.partition(".")
        domain = f"{label.replace('.', '')}.{root}"
    domain = domain.lower().rstrip(".")
    document = await call.whm("delete_domain", {"domain": domain})
    metadata = document["metadata"]
    if str(metadata.get("result")) != "1":
        reason = str(metadata.get("reason") or "")
        raise Api2Failure(reason, [{"result": 0, "reason": reason}])
    return [{"result": 1, "reason": REMOVED.format(domain=domain)}]
