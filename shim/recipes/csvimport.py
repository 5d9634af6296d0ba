"""CSVImport: the steps of cPanel's old import wizard that, in a json-api call, can only find
nothing (cPanel 11.120 Cpanel/CSVImport.pm), answered by the shim.

The wizard kept the parsed file in the cPanel process between its steps: loaddata or
processdata load it, then columnchoices, data, configimport and fetchimportdata read it. cpsrvd
runs every json-api call in a new cPanel process (Cpanel/XML.pm cpanel_exec_fast), where
nothing was loaded yet, so API 2 always answered:
columnchoices and data no rows; configimport its refusal; fetchimportdata its refusal too:
it read a file named after the missing data file, that is `.import` in the process's working
folder, and failed when there was none (Storable dies on a missing file). A file of that name
placed there on purpose is the one case the shim does not mimic.
"""

from __future__ import annotations

from typing import Any

from shim.translation.recipe import Api2Failure, RecipeCall

NO_DATA_FILE = "No data file specified, loaddata or processdata must be called first."
NO_IMPORT_DATA = "Could not fetch import data."


def columnchoices(call: RecipeCall) -> list[Any]:
    return []


def data(call: RecipeCall) -> list[Any]:
    return []


def configimport(call: RecipeCall) -> list[Any]:
    raise Api2Failure(NO_DATA_FILE)


def fetchimportdata(call: RecipeCall) -> list[Any]:
    raise Api2Failure(NO_IMPORT_DATA)
