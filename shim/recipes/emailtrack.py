"""EmailTrack::search and EmailTrack::stats: an account's delivery reports, through WHM API 1.

cPanel 11.120 (Cpanel/EmailTrack.pm) answered both from its eximstats admin tool, which read
the server's delivery database for the calling account. WHM API 1 `emailtrack_search` and
`emailtrack_stats` (Whostmgr/API/1/Exim.pm, Whostmgr/EmailTrack.pm) run the same reader,
Cpanel::DeliveryReporter's `query` and `stats`, over the same database with the whole form as
its options; given `user`, a caller with root's privileges (WHM's `all`) gets the reader
restricted to that one account, as the admin tool restricted it to the caller. So each
answers on the WHM port, after a read as the account (UAPI, so an unknown account gets
WHM's invalid-user answer) and WHM API 1 `myprivs` (the `all` privilege). A reseller's WHM
call is restricted to every account it owns at once instead, which drops the mail one of its
accounts received from another; such calls, a `webmail` view (the admin tool narrowed to one
mailbox, which WHM API 1 cannot) and a search for another `user` (which the admin tool
answered for the caller only) need native API 2 (NativeOnly). The admin tool's own source is
not in the 11.120 tree; that it runs DeliveryReporter the way Whostmgr/EmailTrack.pm does is
read from the arguments EmailTrack.pm gives it (the reader's own sort, page and search keys)
and the answer it reads back (status, reason, rows, total, overflowed) — the same five values
Whostmgr/EmailTrack.pm returns.

search: API 2 had the reader do its meta-arguments (EmailTrack.pm told the dispatcher so):
every api2_filter became a reader option (Cpanel/DeliveryReporter/Utils.pm: `lt`/`gt` a
max/min bound of one less/more, any other type a `FIELD-N` key with its `searchmatch_`), the
first api2_sort key became `sort` (unless the client sent one) and `dir`, and api2_paginate
became the reader's page, whose total became `paginate.total_results` (`total_pages` stayed 0:
API 2 counted the pages over no rows). The same options go to emailtrack_search, the page as
api.chunk (start and size, and its total back as metadata.chunk.records). API 2 also reported
`metadata: {overflowed}` (1 when the reader capped its total at 5000). The rows are the
reader's, as they come.

stats: one row, the reader's sums (SENDCOUNT, SUCCESSCOUNT, INPROGRESSCOUNT, TOTALSIZE,
FAILCOUNT, DEFERCOUNT, DEFERFAILCOUNT, less those the options leave out), as it comes.

A failure of the reader was `data: [0]` with its reason as `error`; here the reason is WHM's
(the admin tool's wording is not in the tree).
"""

from __future__ import annotations

import math
import re
from typing import Any

from shim.translation import api2meta
from shim.translation.api2meta import Backend
from shim.translation.perlvalues import perl_numeric, perl_true
from shim.translation.recipe import Answer, Api2Failure, NativeOnly, RecipeCall, whm_only


@whm_only
async def search(call: RecipeCall) -> Answer:
    form = await _account_view(call, "emailtrack_search")
    if call.arg("user", call.user or "") != call.user:
        raise NativeOnly("EmailTrack::search for another user: the admin tool answered the caller's own view")
    args = call.args
    filtered = perl_true(args.get("api2_filter"))
    if filtered:
        reader_options(form, api2meta.filters(args, patterns=False))
    sorted_first = False
    keys = api2meta.sort_keys(args) if perl_true(args.get("api2_sort")) else []
    if keys:
        column, reverse, _method = keys[0]
        if not perl_true(form.get("sort")):
            form["sort"] = column
        form["dir"] = "desc" if reverse else "asc"
        sorted_first = True
    pairs: list[tuple[str, str]] = list(form.items())
    page = api2meta.page(args)
    if page is not None:
        start, size = (perl_numeric(value) for value in page)
        if not (math.isfinite(start) and math.isfinite(size)) or int(size) < 1:
            raise NativeOnly("EmailTrack::search: a page start or size WHM API 1's api.chunk would read otherwise")
        pairs += [("api.chunk.enable", "1"), ("api.chunk.start", str(int(start - 1) + 1)),
                  ("api.chunk.size", str(int(size))), ("api.chunk.verbose", "1")]
    document = await call.whm("emailtrack_search", pairs)
    records = _records(document)
    metadata = document["metadata"]
    total = None
    if page is not None:
        chunk = metadata.get("chunk")
        total = int(perl_numeric(chunk.get("records"))) if isinstance(chunk, dict) else 0
    overflowed = 1 if perl_true(metadata.get("overflowed")) else 0
    return Answer(records, Backend(filtered=filtered, sorted_first=sorted_first, page_total=total),
                  {"overflowed": overflowed})


@whm_only
async def stats(call: RecipeCall) -> list[Any]:
    # The reader's stats takes no `user` option: the restriction alone decides whose mail it sums.
    form = await _account_view(call, "emailtrack_stats")
    records = _records(await call.whm("emailtrack_stats", form))
    return [records[0] if records else None]


async def _account_view(call: RecipeCall, func: str) -> dict[str, str]:
    """The form for one account's view (`user` set to it), once the caller is known to reach it."""
    privileges = await call.whm_data("myprivs")  # on the cPanel port: NoRoute, before any request
    listed = privileges.get("privileges") if isinstance(privileges, dict) else None
    if not (isinstance(listed, list) and listed and isinstance(listed[0], dict) and perl_true(listed[0].get("all"))):
        raise NativeOnly(f"EmailTrack::{call.func}: WHM API 1 {func} restricts a reseller's call to all its accounts")
    if perl_true(call.args.get("webmail")):
        raise NativeOnly(f"EmailTrack::{call.func}: a webmail view, which WHM API 1 {func} does not take")
    await call.uapi("Variables", "get_user_information", {"name": "user"})  # the account, as cpsrvd checked it
    form = {name: value for name, value in call.args.items() if not name.startswith(("api2_", "api."))}
    form["user"] = call.user or ""
    return form


def _records(document: dict[str, Any]) -> list[Any]:
    metadata = document["metadata"]
    if str(metadata.get("result")) != "1":
        raise Api2Failure(str(metadata.get("reason") or ""), [0])
    data = document.get("data")
    records = data.get("records") if isinstance(data, dict) else None
    return records if isinstance(records, list) else []


_LEADING_INTEGER = re.compile(r"\s*(-?[0-9]+)")


def reader_options(form: dict[str, str], filters: list[tuple[str, str, str]]) -> dict[str, str]:
    """API 2's filters as DeliveryReporter options, the way cPanel 11.120 converted them
    (Cpanel/DeliveryReporter/Utils.pm): `*` is the `all` column; `lt` sets maxCOLUMN to the
    term's leading integer less one, `gt` minCOLUMN to it plus one; any other type is the
    first free `COLUMN-N` key with `searchmatch_COLUMN-N` naming the type."""
    for column, kind, term in filters:
        column = "all" if column == "*" else column
        found = _LEADING_INTEGER.match(term)
        number = int(found.group(1)) if found else 0
        if kind == "lt":
            form[f"max{column}"] = str(number - 1)
        elif kind == "gt":
            form[f"min{column}"] = str(number + 1)
        else:
            counter = 0
            while f"{column}-{counter}" in form:
                counter += 1
            form[f"{column}-{counter}"] = term
            form[f"searchmatch_{column}-{counter}"] = kind
    return form
