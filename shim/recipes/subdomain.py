"""SubDomain (cPanel 11.120 Cpanel/SubDomain.pm and Cpanel/Validate/SubDomain.pm).

getreservedsubdomains and validregex are answered by the shim itself.

changedocroot (cPanel 11.120, Cpanel/SubDomain.pm api2_changedocroot → the `subdomain` admin
call CHANGEDOCROOT → Cpanel::Sub::change_doc_root): API 2 cleaned the `dir` it was given into
an absolute directory under the home directory (below), created it with mode 0755 when it was
missing, and pointed `subdomain.rootdomain` at it. Its one row is {result, reason, dir,
reldir}: `dir` the cleaned directory, `reldir` the same without the home directory, and on
success `reason` null — change_doc_root's message is the second value of the vhost rewrite
(Cpanel::ConfigFiles::Apache::vhost::replace_vhost), which returns a lone 1 when it succeeds.
Here: UAPI SubDomain::changedocroot (cPanel 11.136.0.25+), after reads of the home directory,
the server's public_html rule and the directory itself. UAPI does not create the directory
and no UAPI function (Fileman included, up to 11.137) creates one, so a directory that does
not exist yet is left to cPanel's own API 2.

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

from shim.translation.perlvalues import perl_true
from shim.translation.recipe import Api2Failure, NativeOnly, RecipeCall, errors_of, whm_only


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


# cPanel 11.120's texts (Cpanel/SubDomain.pm _changedocroot), in the order it checked.
NO_MAIN_DOMAIN = "You must specify a main domain."
WWW_TAKEN = ("You cannot create the “www” subdomain, because the system adds the “www” subdomain to all "
             "newly-created domains.")
NO_DOCROOT = "You must specify a new document root."
RESERVED_DOCROOT = ("The system reserves the “{dir}” document root. You must specify a document root that the "
                    "system does not reserve.")
# Directories under home that may not be a document root (Cpanel/SubDomain.pm), when the
# server does not force document roots into public_html.
RESERVED_DOCROOTS = (".cpanel", ".trash", "etc", "mail", "ssl", "tmp", "logs", ".spamassassin", ".htpasswds",
                     "var", "cgi-bin", ".ssh", "perl5")
_PERL_SPACES = " \t\n\r\f\x0b"  # Perl's \s on ASCII text
_PERL_SPACE = re.compile(f"[{_PERL_SPACES}]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")  # Perl's tr/A-Z/a-z/


def api2_document_root(wanted: str, home: str, public_html_only: bool) -> str:
    """The absolute directory API 2 made of `dir`, in its steps: a leading "/" added,
    whitespace, backslashes and angle brackets dropped, repeated slashes collapsed, a leading
    home directory dropped; then the path under home with "." and ".." resolved (never
    above home: Cpanel::Path::Normalize and Cpanel::SafeDir::Fixup::homedirfixup, whose home
    prefix is stripped as text, without a "/" boundary), and with the server's
    publichtmlsubsonly rule forced under public_html (publichtmldirfixup, which also drops
    every ".." left in the name)."""
    path = _PERL_SPACE.sub("", "/" + wanted).replace("\\", "")
    path = re.sub(r"//+", "/", path).replace("<", "").replace(">", "")
    if path.startswith(home + "/"):
        path = path[len(home) + 1:]
    parts: list[str] = []
    for part in f"{home}/{path}".split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part and part != ".":
            parts.append(part)
    path = "/" + "/".join(parts)
    if path.startswith(home):
        path = path[len(home):]
    path = "/" + "/".join(part for part in f"{home}/{path}".split("/") if part and part != "..")
    if public_html_only:
        rest = path[len(home):] if path.startswith(home) else path
        if rest.startswith("/public_html"):
            rest = rest[len("/public_html"):]
        path = re.sub(r"//+", "/", f"{home}/public_html/{rest.replace('..', '')}")
        if path.endswith("/"):
            path = path[:-1]
    return path


def api2_label(label: str) -> str:
    """The subdomain label as API 2 cleaned it before naming the domain: outer whitespace and a
    leading "www." dropped, A-Z lowered, one final dot dropped (the root domain stays as given)."""
    label = re.sub(r"^www\.", "", label.strip(_PERL_SPACES)).translate(_ASCII_LOWER)
    return label[:-1] if label.endswith(".") else label


async def _public_html_only(call: RecipeCall) -> bool:
    """The server's publichtmlsubsonly setting (cpanel.config), as UAPI names it."""
    server = await call.uapi_data("Variables", "get_server_information", {"name": "docroots_in_public_html_only"})
    return perl_true(server.get("docroots_in_public_html_only") if isinstance(server, dict) else None)


def _changed_row(result: int, reason: str | None, directory: str | None, home: str) -> dict[str, Any]:
    relative = None
    if directory is not None:
        relative = directory[len(home):] if directory.startswith(home) else directory
        relative = relative[1:] if relative.startswith("/") else relative
    return {"result": result, "reason": reason, "dir": directory, "reldir": relative}


async def changedocroot(call: RecipeCall) -> list[Any]:
    """Reads (home, the public_html rule, the directory), then the one write, never retried."""
    info = await call.uapi_data("Variables", "get_user_information", {"name": "home"}) or {}
    home = str(info.get("home", "")).rstrip("/") if isinstance(info, dict) else ""
    label, rootdomain, wanted = call.arg("subdomain"), call.arg("rootdomain"), call.arg("dir")
    refusal = (NO_MAIN_DOMAIN if not label or not rootdomain else WWW_TAKEN if label == "www"
               else NO_DOCROOT if wanted in ("", "0") else None)
    if refusal:
        raise Api2Failure(refusal, [_changed_row(0, refusal, None, home)])
    public_html_only = await _public_html_only(call)
    directory = api2_document_root(wanted, home, public_html_only)
    if not public_html_only and (directory == home or directory in {f"{home}/{r}" for r in RESERVED_DOCROOTS}):
        text = RESERVED_DOCROOT.format(dir=directory)
        raise Api2Failure(text, [_changed_row(0, text, None, home)])
    row = _changed_row(1, None, directory, home)
    found = await call.uapi("Fileman", "get_file_information", {"path": row["reldir"]})
    data = found.get("data")
    if found.get("status") != 1 or not isinstance(data, dict) or data.get("type") != "dir":
        raise NativeOnly(f"“{directory}” is not an existing directory: API 2 created it (mode 0755), "
                         "and no UAPI function creates one")
    result = await call.uapi("SubDomain", "changedocroot", {"domain": f"{api2_label(label)}.{rootdomain}",
                                                           "docroot": row["reldir"]})
    if result.get("status") != 1:
        text = errors_of(result)
        raise Api2Failure(text, [_changed_row(0, text, directory, home)])
    return [row]

