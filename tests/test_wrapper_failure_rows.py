"""What shipped entries answer when their UAPI call fails (pure: no sockets): Email and the small modules.

The end-to-end tests reach most of these through the fake; this table also covers the
read-only functions the fake cannot make fail with a UAPI error. Expected rows follow
cPanel 11.120's API 2 wrappers: nothing, `[null]`, a fixed record or the error text.
"""

import pytest

from shim.translation.mapping import load_table
from shim.translation.translate import to_cpanelresult

TABLE = load_table()
ERROR = "It broke."
FAILED = {"status": 0, "errors": [ERROR], "messages": None, "data": None}

EXPECTED = {
    "accountname": [{"account": None}],
    "addforward": [ERROR],
    "addmx": [],
    "addpop": [{"result": 0, "reason": ERROR}],
    "browseboxes": [],
    "changemx": [],
    "delforward": [{"status": "0", "statusmsg": "Failed to delete forwarder."}],
    "deletefilter": [{"deleted": 1, "filtername": None}],
    "delmx": [],
    "delpop": [{"result": 0, "reason": ERROR, "rawout": ""}],
    "disablefilter": [None],
    "editquota": [{"result": 0, "reason": ERROR}],
    "enablefilter": [None],
    "fetchautoresponder": [None],
    "fetchcharmaps": [],
    "filterlist": [],
    "get_default_email_quota": [{"get_default_email_quota": None}],
    "get_default_email_quota_mib": [{"get_default_email_quota_mib": None}],
    "get_max_email_quota": [{"get_max_email_quota": None}],
    "get_max_email_quota_mib": [{"get_max_email_quota_mib": None}],
    "getalwaysaccept": [],
    "getdiskusage": [None],
    "getmxcheck": [],
    "list_system_filter_info": [],
    "listaliasbackups": [],
    "listautoresponders": [],
    "listdefaultaddresses": [],
    "listdomainforwards": [],
    "listfilterbackups": [],
    "listforwards": [],
    "listlists": [],
    "listmx": [None],
    "listmxs": [None],
    "listpops": [],
    "listpopssingle": [],
    "listpopswithdisk": [],
    "loadfilter": [],
    "passwdpop": [{"result": 0, "reason": ERROR}],
    "reorderfilters": [],
    "setalwaysaccept": [],
    "setdefaultaddress": [ERROR],
    "setmxcheck": [],
    "storefilter": [],
    "tracefilter": [None],
}


def test_every_translated_email_entry_is_listed():
    translated = {func for (module, func), e in TABLE.entries.items()
                  if module == "Email" and e.mode == "translate" and e.recipe is None}
    assert translated - {"adddomainforward", "listmaildomains", "has_delegated_mailman_lists"} == set(EXPECTED)


@pytest.mark.parametrize("func", sorted(EXPECTED))
def test_failure_rows(func):
    entry = TABLE.lookup("Email", func)
    assert to_cpanelresult("Email", func, entry, FAILED, {}) == {"cpanelresult": {
        "apiversion": 2, "func": func, "module": "Email", "event": {"result": 1},
        "data": EXPECTED[func], "error": ERROR}}


def test_adddomainforward_echoes_the_request():
    entry = TABLE.lookup("Email", "adddomainforward")
    got = to_cpanelresult("Email", "adddomainforward", entry, FAILED, {"domain": "a.test", "destdomain": "b.test"})
    assert got["cpanelresult"]["data"] == [{"domain": "a.test", "destdomain": "b.test", "status": 0, "statusmsg": ERROR}]


def test_listmaildomains_died():
    entry = TABLE.lookup("Email", "listmaildomains")
    assert to_cpanelresult("Email", "listmaildomains", entry, FAILED, {}) == {"cpanelresult": {
        "apiversion": 2, "func": "listmaildomains", "module": "Email",
        "event": {"result": 0, "reason": ERROR}, "error": ERROR}}


def test_has_delegated_mailman_lists_puts_the_error_in_its_row_and_sets_no_error():
    entry = TABLE.lookup("Email", "has_delegated_mailman_lists")
    assert to_cpanelresult("Email", "has_delegated_mailman_lists", entry, FAILED, {}) == {"cpanelresult": {
        "apiversion": 2, "func": "has_delegated_mailman_lists", "module": "Email", "event": {"result": 1},
        "data": [{"has_delegated_mailman_lists": ERROR}]}}


# (module, function) -> data, for the small modules' wrappers.
SMALL = {
    ("Mime", "listredirects"): [],
    ("Mime", "list_hotlinks"): [],
    ("Mime", "redirectname"): [None],
    ("Mime", "redirecturlname"): [None],
    ("PasswdStrength", "get_required_strength"): [],
    ("SetLang", "setlocale"): [],
}


@pytest.mark.parametrize("module, func", sorted(SMALL))
def test_small_module_failure_rows(module, func):
    entry = TABLE.lookup(module, func)
    assert to_cpanelresult(module, func, entry, FAILED, {}) == {"cpanelresult": {
        "apiversion": 2, "func": func, "module": module, "event": {"result": 1},
        "data": SMALL[(module, func)], "error": ERROR}}


@pytest.mark.parametrize("func", ["listmime", "listhandlers"])
def test_mime_lists_died(func):
    entry = TABLE.lookup("Mime", func)
    assert to_cpanelresult("Mime", func, entry, FAILED, {})["cpanelresult"]["event"] == {"result": 0, "reason": ERROR}
