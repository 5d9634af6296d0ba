"""StatsBar's row counters: page-render helpers with no upstream call (cPanel 11.120
Cpanel/StatsBar.pm).

The counters lived in the cPanel process that rendered one page; every API 2 request over
json-api runs in a process of its own, so each call starts from no counters: rowcounter
always answers the first row's class (`even`), getrowcounter 0, and setrowcounter the
whole number Perl's int() makes of it ("12abc" 12, "1e2" 100, none 0).
"""

from __future__ import annotations

from typing import Any

from shim.recipes.ui import perl_int
from shim.translation.recipe import RecipeCall


def rowcounter(call: RecipeCall) -> list[Any]:
    # The counter goes from 0 to 1, an odd count, which cPanel named "even".
    return [{"rowtype": "even"}]


def getrowcounter(call: RecipeCall) -> list[Any]:
    return [{"name": call.args.get("rowcounter"), "value": 0}]


def setrowcounter(call: RecipeCall) -> list[Any]:
    return [{"name": call.args.get("rowcounter"), "value": perl_int(call.arg("rowcountervalue"))}]
