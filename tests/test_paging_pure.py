"""API 2's generic paging and filtering results, from UAPI metadata (pure functions)."""

from shim.translation.mapping import Entry, OutputRule
from shim.translation.translate import to_cpanelresult

LIST = Entry(module="Email", func="listpops", mode="translate", uapi_module="Email", uapi_func="list_pops",
             output=OutputRule("list"))
PAGE = {"start_result": "3", "current_page": 2, "total_pages": 3, "results_per_page": 2, "total_results": 5}


def test_paginate_and_records_before_filter_sit_beside_data():
    result = {"status": 1, "data": [{"email": "c@example.com"}],
              "metadata": {"transformed": 1, "paginate": PAGE, "records_before_filter": 9}}
    assert to_cpanelresult("Email", "listpops", LIST, result) == {"cpanelresult": {
        "apiversion": 2, "func": "listpops", "data": [{"email": "c@example.com"}], "event": {"result": 1},
        "module": "Email", "paginate": PAGE, "records_before_filter": 9}}


def test_no_paging_keys_without_paging_or_filtering():
    result = {"status": 1, "data": [], "metadata": {"transformed": 1, "paginate": "bogus"}}
    assert to_cpanelresult("Email", "listpops", LIST, result) == {"cpanelresult": {
        "apiversion": 2, "func": "listpops", "data": [], "event": {"result": 1}, "module": "Email"}}
