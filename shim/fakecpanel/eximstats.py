"""The server's delivery log as cPanel's eximstats database holds it, and what WHM API 1's
emailtrack_search / emailtrack_stats read from it.

cPanel 11.120: WHM API 1 `emailtrack_search` and `emailtrack_stats` (Whostmgr/API/1/Exim.pm)
hand their whole form to Whostmgr/EmailTrack.pm, which builds a Cpanel::DeliveryReporter
restricted to `user` for a caller with root privileges (the `all` ACL), or to every account
the caller owns plus itself for a reseller (whose `user`, if it owns that account, is then
only a search key), and runs its `query` (search) or its one-row `stats`. Modelled here from
Cpanel/DeliveryReporter.pm and Cpanel/DeliveryReporter/Basic.pm:

  * search: one row per delivery event (the smtp, failures and defers tables joined to the
    message's sends row) of the kinds asked (`success`, `failure`, `defer`, `inprogress`: a
    message with no event, sent within two hours of now). Restricted to a user, the rows are
    the mail the user sent, plus the mail others sent that was delivered to the user (there
    the `user` and `domain` search keys read the delivery's user and domain). Search keys
    `FIELD` or `FIELD-N` with `searchmatch_FIELD[-N]` (eq/== exact, contains/regex anywhere,
    begins/begin at the start; exact by default, anywhere for `all`), minsize/maxsize,
    startdate/enddate (and their legacy names), deliverytype (remote/local: only successful
    deliveries of that kind), sort/dir (newest first by default), startIndex/results, each
    kind's own cap `max_results_by_type` (250, at most 5000). The total counts every match;
    above 5000 it is 5000 and `overflowed` is 1.
  * stats: one row of sums over the mail the restricted users sent: SENDCOUNT, SUCCESSCOUNT,
    INPROGRESSCOUNT, TOTALSIZE (bytes delivered), and FAILCOUNT, DEFERCOUNT, DEFERFAILCOUNT
    unless deliverytype is remote or local; every sum null when nothing matched.

Simplifications (no database here): SQLite's LIKE is read as a case-insensitive substring or
prefix (a `%` or `_` in a term is not a wildcard), values compare as text, and an empty search
key is skipped (cPanel stopped reading the remaining keys there, in hash order).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any, Mapping

MAX_RESULTS_BY_TYPE_DEFAULT = 250
MAX_RESULTS_BY_TYPE_MAXIMUM = 5000


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event of a message: a row of the smtp (success), failures or defers table."""

    kind: str  # "success", "failure" or "defer"
    recipient: str
    unixtime: int
    deliveryuser: str | None = None
    deliverydomain: str | None = None
    router: str = ""
    host: str = ""
    ip: str = ""
    transport: str = ""
    message: str = ""  # failures and defers: the SMTP text; smtp rows say Accepted/Filtered/Archived
    deliveredto: str | None = None  # smtp only
    remote: int = 0  # smtp only: transport_is_remote


@dataclass(frozen=True, slots=True)
class SentMessage:
    """One row of the sends table and its events."""

    msgid: str
    user: str
    domain: str
    sender: str
    email: str
    size: int
    sendunixtime: int
    senderhost: str = ""
    senderip: str = ""
    senderauth: str = ""
    spamscore: int = 0
    deliveries: tuple[Delivery, ...] = ()


def demo_log() -> list[SentMessage]:
    """A few days' mail of the demo accounts `user` (example.com) and `other` (other.example)."""
    t = 1_700_000_000
    return [
        SentMessage("1rAAAA-000001-AA", "user", "example.com", "admin@example.com", "admin@example.com", 2048, t,
                    "localhost", "127.0.0.1", "admin@example.com", 0, (
                        Delivery("success", "bob@remote.example", t + 4, router="dkim_lookuphost",
                                 host="mx.remote.example", ip="192.0.2.10", transport="dkim_remote_smtp",
                                 deliveredto="bob@remote.example", remote=1),)),
        SentMessage("1rAAAB-000002-AB", "user", "example.com", "admin@example.com", "admin@example.com", 4096, t + 60,
                    "localhost", "127.0.0.1", "admin@example.com", 0, (
                        Delivery("failure", "nobody@gone.example", t + 63, router="lookuphost",
                                 host="mx.gone.example", ip="192.0.2.20", transport="remote_smtp",
                                 message="550 5.1.1 No such user here"),)),
        SentMessage("1rAAAC-000003-AC", "other", "other.example", "sales@other.example", "sales@other.example", 1024,
                    t + 120, "localhost", "127.0.0.1", "sales@other.example", 0, (
                        Delivery("success", "info@example.com", t + 121, deliveryuser="user",
                                 deliverydomain="example.com", router="virtual_user",
                                 transport="virtual_userdelivery", deliveredto="info@example.com", remote=0),)),
        SentMessage("1rAAAD-000004-AD", "other", "other.example", "sales@other.example", "sales@other.example", 512,
                    t + 180, "localhost", "127.0.0.1", "sales@other.example", 0, (
                        Delivery("defer", "friend@slow.example", t + 185, router="lookuphost",
                                 host="mx.slow.example", ip="192.0.2.30", transport="remote_smtp",
                                 message="451 4.7.1 Try again later"),)),
        SentMessage("1rAAAE-000005-AE", "user", "example.com", "admin@example.com", "admin@example.com", 8192, t + 240,
                    "localhost", "127.0.0.1", "admin@example.com", 0, (
                        Delivery("success", "sales@other.example", t + 242, deliveryuser="other",
                                 deliverydomain="other.example", router="virtual_user",
                                 transport="virtual_userdelivery", deliveredto="sales@other.example", remote=0),)),
    ]


Restriction = str | list[str] | None


def _allowed(user: str, restriction: Restriction) -> bool:
    return user in restriction if isinstance(restriction, list) else user == restriction


def perl_int(value: Any) -> int:
    """Perl's int() of a form value: its leading integer, 0 when there is none."""
    found = re.match(r"\s*([-+]?\d+)", str(value or ""))
    return int(found.group(1)) if found else 0


# --- search --------------------------------------------------------------------------------

_LEGACY_KEYS = {"transport_method": "transport", "starttime": "startdate", "endtime": "enddate",
                "startunixtime": "startdate", "endunixtime": "enddate", "startsendunixtime": "startdate",
                "endsendunixtime": "enddate", "minsendunixtime": "startdate", "maxsendunixtime": "enddate"}
_SEARCH_FIELDS = ("domain", "user", "deliveryuser", "deliverydomain", "email", "sender", "deliveredto", "senderip",
                  "senderhost", "spamscore", "senderauth", "ip", "host", "router", "message", "msgid", "recipient",
                  "transport", "all")
_SEARCH_KEY = re.compile(r"(%s)(?:-[0-9a-z]{1,23})?" % "|".join(_SEARCH_FIELDS))
# The searchmatch_ types DeliveryReporter reads (any other: exact, or anywhere for `all`).
_MATCH_KINDS = {"eq": "exact", "==": "exact", "contains": "regex", "regex": "regex", "begins": "begin",
                "begin": "begin"}
_TEXT_COLUMNS = ("user", "domain", "email", "sender", "size", "msgid", "senderhost", "senderip", "spamscore",
                 "senderauth", "message", "recipient", "deliveredto", "router", "host", "ip", "deliveryuser",
                 "deliverydomain", "transport")
_SORTABLE = {"type": "type", "sender": "sender", "email": "email", "size": "size", "user": "user",
             "sendunixtime": "sendunixtime", "sendtime": "sendunixtime", "msgid": "msgid", "transport": "transport",
             "transport_method": "transport", "recipient": "recipient", "deliveredto": "deliveredto",
             "domain": "domain", "router": "router", "senderhost": "senderhost", "senderip": "senderip",
             "senderauth": "senderauth", "spamscore": "spamscore", "host": "host", "ip": "ip",
             "actionunixtime": "actiontime", "actiontime": "actiontime", "message": "message"}


def _legacy(opts: Mapping[str, str]) -> dict[str, str]:
    renamed = {}
    for key, value in opts.items():
        bare = key.removeprefix("searchmatch_").split("-", 1)[0]
        if bare in _LEGACY_KEYS:
            key = key.replace(bare, _LEGACY_KEYS[bare], 1)
        renamed[key] = value
    return renamed


def _search_keys(opts: Mapping[str, str]) -> list[tuple[str, str, str]]:
    keys = []
    for key, value in opts.items():
        found = _SEARCH_KEY.fullmatch(key)
        if not found or not value:
            continue
        field = found.group(1)
        match = opts.get(f"searchmatch_{key}", "")
        kind = _MATCH_KINDS.get(match) or ("regex" if field == "all" else "exact")
        if match == "==":
            value = str(perl_int(value))
        keys.append((field, kind, value))
    return keys


def _like(value: Any, kind: str, term: str) -> bool:
    text = "" if value is None else str(value)
    if kind == "exact":
        return text == term
    if kind == "begin":
        return text.lower().startswith(term.lower())
    return term.lower() in text.lower()


def _row(message: SentMessage, delivery: Delivery | None) -> dict[str, Any]:
    row: dict[str, Any] = {"type": "inprogress", "user": message.user, "domain": message.domain,
                           "sender": message.sender, "email": message.email, "size": message.size,
                           "msgid": message.msgid, "senderhost": message.senderhost, "senderip": message.senderip,
                           "senderauth": message.senderauth, "spamscore": message.spamscore,
                           "sendunixtime": message.sendunixtime}
    if delivery is None:
        row.update(message="In progress", recipient="unknown", deliveredto="unknown", deliveryuser=None,
                   deliverydomain=None, router="unknown", host="unknown", ip="unknown", transport="unknown",
                   actiontime=_localtime(message.sendunixtime), actionunixtime=message.sendunixtime,
                   transport_is_remote=0)
        return row
    kind, text = delivery.kind, delivery.message
    if kind == "success":
        if delivery.transport == "**bypassed**":
            kind, text = "filtered", "Filtered"
        elif delivery.transport.startswith("archiver_"):
            kind, text = "archive", "Archived"
        else:
            text = "Accepted"
    elif kind == "failure" and delivery.transport == "**rejected**":
        kind = "rejected"
    row.update(type=kind, message=text, recipient=delivery.recipient,
               deliveredto=delivery.deliveredto if delivery.kind == "success" else None,
               deliveryuser=delivery.deliveryuser, deliverydomain=delivery.deliverydomain, router=delivery.router,
               host=delivery.host, ip=delivery.ip, transport=delivery.transport,
               actiontime=_localtime(delivery.unixtime), actionunixtime=delivery.unixtime,
               transport_is_remote=delivery.remote if delivery.kind == "success" else 0)
    return row


def _localtime(epoch: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


def _order(value: Any) -> tuple[int, Any]:
    """SQLite's order of values: NULL, then numbers, then text."""
    if value is None:
        return (0, 0)
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, str(value))


def search(log: list[SentMessage], form: Mapping[str, str], restriction: Restriction,
           now: float | None = None) -> tuple[list[dict[str, Any]], int, int | None]:
    """(the page of rows, the total of matches, overflowed 1 or None) of DeliveryReporter's query."""
    now = time.time() if now is None else now
    opts = _legacy(form)
    wanted = {kind for kind in ("success", "failure", "defer", "inprogress") if opts.get(kind) not in (None, "", "0")}
    deliverytype = opts.get("deliverytype", "")
    deliverytype = deliverytype if deliverytype in ("remote", "local") else ""
    keys = _search_keys(opts)
    minsize, maxsize = perl_int(opts.get("minsize")), perl_int(opts.get("maxsize"))
    startdate, enddate = perl_int(opts.get("startdate")), perl_int(opts.get("enddate"))
    cap = perl_int(opts["max_results_by_type"]) if "max_results_by_type" in opts else MAX_RESULTS_BY_TYPE_DEFAULT
    cap = min(cap, MAX_RESULTS_BY_TYPE_MAXIMUM)
    descending = not (opts.get("dir") and opts["dir"].lower() == "asc")

    def keep(row: dict[str, Any], delivery_side: bool, event_time: int | None) -> bool:
        """`event_time` None: a message in progress, which the dates do not restrict."""
        if minsize and row["size"] < minsize or maxsize and row["size"] > maxsize:
            return False
        if event_time is not None and startdate and (event_time < startdate or row["sendunixtime"] < startdate):
            return False
        if event_time is not None and enddate and row["sendunixtime"] > enddate:
            return False
        for field, kind, term in keys:
            if field == "all":
                continue  # read over the union below
            column = f"delivery{field}" if delivery_side and field in ("user", "domain") else field
            if not _like(row.get(column), kind, term):
                return False
        return True

    groups: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for message in log:
        sent_by = restriction is None or _allowed(message.user, restriction)
        if not message.deliveries and "inprogress" in wanted and sent_by:
            low = startdate if startdate and startdate > now - 7200 else now - 7200
            row = _row(message, None)
            if low <= message.sendunixtime <= now + 7200 and keep(row, False, None):
                groups.setdefault("inprogress", []).append((message.sendunixtime, row))
        for delivery in message.deliveries:
            if delivery.kind not in wanted:
                continue
            if deliverytype and (delivery.kind != "success" or delivery.remote != (deliverytype == "remote")):
                continue
            received = (restriction is not None and not sent_by and delivery.deliveryuser is not None
                        and _allowed(delivery.deliveryuser, restriction)
                        and (delivery.kind != "success" or deliverytype != "remote"))
            if not (sent_by or received):
                continue
            row = _row(message, delivery)
            if keep(row, received, delivery.unixtime):
                groups.setdefault(f"{delivery.kind}:{received}", []).append((delivery.unixtime, row))
    def anywhere(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for field, kind, term in keys:
            if field == "all":
                rows = [row for row in rows if any(_like(row.get(c), kind, term) for c in _TEXT_COLUMNS)]
        return rows

    # cPanel's count query reads every match; its rows come from each kind's newest `cap`.
    total = len(anywhere([row for members in groups.values() for _, row in members]))
    rows = []
    for members in groups.values():
        members.sort(key=lambda pair: pair[0], reverse=descending)
        rows.extend(row for _, row in (members[:cap] if cap else members))
    rows = anywhere(rows)
    column = _SORTABLE.get(opts.get("sort") or "", "sendunixtime")
    rows.sort(key=lambda row: _order(row.get(column)), reverse=descending)
    start = perl_int(opts.get("startIndex"))
    results = perl_int(opts.get("results")) or cap
    results = min(results, MAX_RESULTS_BY_TYPE_MAXIMUM)
    page = rows[start:] if results < 0 else rows[start:start + results] if results else rows[start:]
    if not page:
        return [], 0, None
    overflowed = None
    if total > MAX_RESULTS_BY_TYPE_MAXIMUM and cap:
        total, overflowed = MAX_RESULTS_BY_TYPE_MAXIMUM, 1
    return page, total, overflowed


# --- stats ---------------------------------------------------------------------------------

def stats(log: list[SentMessage], form: Mapping[str, str], restriction: Restriction,
          now: float | None = None) -> dict[str, Any]:
    """DeliveryReporter's one-row summary of the mail the restricted users sent."""
    now = time.time() if now is None else now
    startdate = perl_int(form.get("startdate")) or perl_int(form.get("starttime"))
    enddate = perl_int(form.get("enddate")) or perl_int(form.get("endtime"))
    raw_type = form.get("deliverytype") or ""
    deliverytype = raw_type if raw_type in ("remote", "remote_or_faildefer", "local") else ""
    needs_fail_defer = not deliverytype or deliverytype == "remote_or_faildefer"
    sender = form.get("sender")

    def chosen(message: SentMessage) -> bool:
        return (restriction is None or _allowed(message.user, restriction)) and (not sender or message.sender == sender)

    def in_window(epoch: int) -> bool:
        return (not startdate or epoch >= startdate) and (not enddate or epoch <= enddate)

    sends = [m for m in log if chosen(m) and in_window(m.sendunixtime)]
    low = startdate if startdate and startdate > now - 7200 else now - 7200
    inprogress = [m for m in log if chosen(m) and not m.deliveries and low <= m.sendunixtime <= now + 7200]
    events: dict[str, list[tuple[SentMessage, Delivery]]] = {"success": [], "failure": [], "defer": []}
    for message in log:
        if not chosen(message):
            continue
        for delivery in message.deliveries:
            if not in_window(delivery.unixtime):
                continue
            if delivery.kind == "success" and raw_type and delivery.remote != int(bool(re.search("remote", raw_type, re.I))):
                continue
            events[delivery.kind].append((message, delivery))
    empty = not (sends or inprogress or events["success"]
                 or needs_fail_defer and (events["failure"] or events["defer"]))

    def total(value: int) -> int | None:
        return None if empty else value

    row: dict[str, Any] = {"SENDCOUNT": total(len(sends))}
    if form.get("nosuccess") in (None, "", "0"):
        row["SUCCESSCOUNT"] = total(len(events["success"]))
    row["INPROGRESSCOUNT"] = total(len(inprogress))
    if form.get("nosize") in (None, "", "0"):
        row["TOTALSIZE"] = total(sum(m.size for m, _ in events["success"]))
    if needs_fail_defer:
        row["FAILCOUNT"] = total(len(events["failure"]))
        row["DEFERCOUNT"] = total(len(events["defer"]))
        row["DEFERFAILCOUNT"] = total(len(events["failure"]) + len(events["defer"]))
    return row
