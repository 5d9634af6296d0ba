"""API 2's own api2_columns / api2_filter / api2_sort / api2_paginate over a recipe's rows
(translation/api2meta), as cPanel 11.120's API 2 dispatcher applied them. Pure: whole results."""

import pytest

from shim.translation.api2meta import Backend, reshape

POPS = [
    {"email": "info@example.com", "quota": "250", "used": "12", "ip": "10.0.0.20", "tags": ["a", "b"]},
    {"email": "Sales@example.com", "quota": "unlimited", "used": "0", "ip": "10.0.0.3", "tags": ["c"]},
    {"email": "ops@shop.test", "quota": "0", "used": "7", "ip": "9.1.1.1", "tags": []},
    {"email": "zed@example.com", "quota": "1000", "used": "12", "ip": "10.0.0.100", "tags": ["b"]},
]


def emails(rows):
    return [row["email"] for row in rows]


def test_no_api2_arguments_leave_the_rows_and_add_nothing():
    assert reshape(POPS, {"domain": "example.com"}) == (POPS, {})


def test_rows_that_are_not_all_objects_are_left_as_they_are():
    assert reshape(["a", "b"], {"api2_sort": "1", "api2_sort_column": "x"}) == (["a", "b"], {})


def test_the_callers_rows_are_not_changed_in_place():
    rows = [dict(row) for row in POPS]
    reshape(rows, {"api2_columns": "1", "api2_columns_1": "email"})
    assert rows == POPS


@pytest.mark.parametrize(("args", "expected"), [
    ({"api2_filter": "1", "api2_filter_column": "email", "api2_filter_term": "SALES"}, ["Sales@example.com"]),
    ({"api2_filter": "1", "api2_filter_column": "email", "api2_filter_type": "begins", "api2_filter_term": "o"},
     ["ops@shop.test"]),
    ({"api2_filter": "1", "api2_filter_column": "email", "api2_filter_type": "ends", "api2_filter_term": ".TEST"},
     ["ops@shop.test"]),
    ({"api2_filter": "1", "api2_filter_column": "email", "api2_filter_type": "matches", "api2_filter_term": "^[a-z]+@ex"},
     ["info@example.com", "zed@example.com"]),
    ({"api2_filter": "1", "api2_filter_column": "used", "api2_filter_type": "eq", "api2_filter_term": "12"},
     ["info@example.com", "zed@example.com"]),
    ({"api2_filter": "1", "api2_filter_column": "used", "api2_filter_type": "ne", "api2_filter_term": "12"},
     ["Sales@example.com", "ops@shop.test"]),
    # `lt` keeps an unlimited quota and `gt` drops it: cPanel kept that for compatibility.
    ({"api2_filter": "1", "api2_filter_column": "quota", "api2_filter_type": "lt", "api2_filter_term": "300"},
     ["info@example.com", "Sales@example.com", "ops@shop.test"]),
    ({"api2_filter": "1", "api2_filter_column": "quota", "api2_filter_type": "gt", "api2_filter_term": "100"},
     ["info@example.com", "zed@example.com"]),
    # The _handle_unlimited forms treat 0 and "unlimited" as no limit at all.
    ({"api2_filter": "1", "api2_filter_column": "quota", "api2_filter_type": "lt_handle_unlimited",
      "api2_filter_term": "300"}, ["info@example.com"]),
    ({"api2_filter": "1", "api2_filter_column": "quota", "api2_filter_type": "gt_handle_unlimited",
      "api2_filter_term": "300"}, ["Sales@example.com", "ops@shop.test", "zed@example.com"]),
    # A list value matches when one of its items does; `*` looks at every value.
    ({"api2_filter": "1", "api2_filter_column": "tags", "api2_filter_type": "eq", "api2_filter_term": "b"},
     ["info@example.com", "zed@example.com"]),
    ({"api2_filter": "1", "api2_filter_column": "*", "api2_filter_term": "shop"}, ["ops@shop.test"]),
    # Two filters: both must keep the row.
    ({"api2_filter": "1", "api2_filter_column_0": "email", "api2_filter_term_0": "example",
      "api2_filter_column_1": "used", "api2_filter_type_1": "eq", "api2_filter_term_1": "12"},
     ["info@example.com", "zed@example.com"]),
    # Filters cPanel skipped: an unknown type, an empty term (eq excepted), no column.
    ({"api2_filter": "1", "api2_filter_column": "email", "api2_filter_type": "like", "api2_filter_term": "x"},
     emails(POPS)),
    ({"api2_filter": "1", "api2_filter_column": "email", "api2_filter_term": ""}, emails(POPS)),
    ({"api2_filter": "1", "api2_filter_term": "x"}, emails(POPS)),
    # api2_filter false: the filter arguments are ignored.
    ({"api2_filter": "0", "api2_filter_column": "email", "api2_filter_term": "zzz"}, emails(POPS)),
])
def test_filters(args, expected):
    rows, extra = reshape(POPS, args)
    assert emails(rows) == expected
    assert extra == ({"records_before_filter": 4} if args["api2_filter"] == "1" else {})


def test_eq_with_an_empty_term_keeps_rows_whose_value_is_empty_or_missing():
    rows = [{"a": ""}, {"a": "x"}, {"b": "y"}]
    assert reshape(rows, {"api2_filter": "1", "api2_filter_column": "a", "api2_filter_type": "eq"}) == (
        [{"a": ""}, {"b": "y"}], {"records_before_filter": 3})


def test_non_ascii_letters_are_not_folded_as_cpanels_byte_strings_were_not():
    rows = [{"n": "ÉCOLE"}, {"n": "école"}]
    assert reshape(rows, {"api2_filter": "1", "api2_filter_column": "n", "api2_filter_term": "éc"})[0] == [{"n": "école"}]


@pytest.mark.parametrize(("args", "expected"), [
    ({"api2_sort": "1", "api2_sort_column": "email"},
     ["Sales@example.com", "info@example.com", "ops@shop.test", "zed@example.com"]),
    ({"api2_sort": "1", "api2_sort_column": "quota", "api2_sort_method": "numeric"},
     ["Sales@example.com", "ops@shop.test", "info@example.com", "zed@example.com"]),
    ({"api2_sort": "1", "api2_sort_column": "quota", "api2_sort_method": "numeric_zero_as_max"},
     ["info@example.com", "zed@example.com", "Sales@example.com", "ops@shop.test"]),
    ({"api2_sort": "1", "api2_sort_column": "quota", "api2_sort_method": "numeric_zero_as_max",
      "api2_sort_reverse": "1"}, ["Sales@example.com", "ops@shop.test", "zed@example.com", "info@example.com"]),
    ({"api2_sort": "1", "api2_sort_column": "ip", "api2_sort_method": "ipv4"},
     ["ops@shop.test", "Sales@example.com", "info@example.com", "zed@example.com"]),
    # Reversed, equal rows keep their order (info before zed, both 12).
    ({"api2_sort": "1", "api2_sort_column": "used", "api2_sort_method": "numeric", "api2_sort_reverse": "1"},
     ["info@example.com", "zed@example.com", "ops@shop.test", "Sales@example.com"]),
    # Two columns: the first is the main key.
    ({"api2_sort": "1", "api2_sort_column_0": "used", "api2_sort_method_0": "numeric",
      "api2_sort_column_1": "email", "api2_sort_reverse_1": "1"},
     ["Sales@example.com", "ops@shop.test", "zed@example.com", "info@example.com"]),
    # An unknown method sorts as text (cPanel's fallback).
    ({"api2_sort": "1", "api2_sort_column": "quota", "api2_sort_method": "bogus"},
     ["ops@shop.test", "zed@example.com", "info@example.com", "Sales@example.com"]),
    ({"api2_sort": "", "api2_sort_column": "email"}, emails(POPS)),
])
def test_sorts(args, expected):
    rows, extra = reshape(POPS, args)
    assert (emails(rows), extra) == (expected, {})


def test_paginate_reports_the_page_with_the_clients_text_and_the_counts_as_numbers():
    rows = [{"n": str(i)} for i in range(1, 8)]
    assert reshape(rows, {"api2_paginate": "1", "api2_paginate_start": "4", "api2_paginate_size": "3"}) == (
        [{"n": "4"}, {"n": "5"}, {"n": "6"}],
        {"paginate": {"start_result": "4", "results_per_page": "3", "total_results": 7,
                      "current_page": 2, "total_pages": 3}})


def test_paginate_defaults_are_numbers_and_the_last_page_is_short():
    rows = [{"n": str(i)} for i in range(1, 8)]
    assert reshape(rows, {"api2_paginate": "1", "api2_paginate_start": "0", "api2_paginate_size": "x"}) == (
        rows, {"paginate": {"start_result": 1, "results_per_page": 100, "total_results": 7,
                            "current_page": 1, "total_pages": 1}})
    assert reshape(rows, {"api2_paginate": "1", "api2_paginate_start": "7", "api2_paginate_size": "3"})[0] == [{"n": "7"}]


def test_paginate_present_but_false_reports_nothing_known():
    rows = [{"n": "1"}]
    assert reshape(rows, {"api2_paginate": "0"}) == (rows, {"paginate": {
        "start_result": None, "results_per_page": None, "total_results": None, "current_page": None,
        "total_pages": None}})


def test_paginate_with_a_start_or_size_that_is_not_finite_is_left_unapplied():
    rows = [{"n": "1"}, {"n": "2"}]
    assert reshape(rows, {"api2_paginate": "1", "api2_paginate_size": "inf"}) == (rows, {})


def test_columns_keep_the_named_keys_of_the_first_rows_shape_and_name_the_missing_ones():
    rows = [{"a": 1, "b": 2, "c": 3}, {"a": 4, "b": 5, "d": 6}]
    assert reshape(rows, {"api2_columns": "1", "api2_columns_1": "a"}) == (
        [{"a": 1}, {"a": 4, "d": 6}], {})  # `d` is not in the first row, so cPanel kept it
    assert reshape(rows, {"api2_columns": "1", "api2_columns_1": "a", "api2_columns_2": "x"}) == (
        [{"a": 1}, {"a": 4, "d": 6}], {"invalid_columns_str": "“x” is not a valid column.", "invalid_columns": ["x"]})
    assert reshape(rows, {"api2_columns": "1", "api2_columns_1": "x", "api2_columns_2": "y"})[1] == {
        "invalid_columns_str": "“x” and “y” are not valid columns.", "invalid_columns": ["x", "y"]}
    assert reshape(rows, {"api2_columns": "1", "api2_columns_1": "x", "api2_columns_2": "y",
                          "api2_columns_3": "z"})[1]["invalid_columns_str"] == "“x”, “y”, and “z” are not valid columns."


def test_columns_on_no_rows_bring_an_empty_row_into_being_as_cpanel_did():
    assert reshape([], {"api2_columns": "1", "api2_columns_1": "a"}) == (
        [{}], {"invalid_columns_str": "“a” is not a valid column.", "invalid_columns": ["a"]})


def test_order_is_columns_then_filter_then_sort_then_paginate():
    args = {"api2_columns": "1", "api2_columns_1": "email", "api2_columns_2": "used",
            "api2_filter": "1", "api2_filter_column": "email", "api2_filter_term": "example",
            "api2_sort": "1", "api2_sort_column": "used", "api2_sort_method": "numeric",
            "api2_paginate": "1", "api2_paginate_size": "2"}
    assert reshape(POPS, args) == (
        [{"email": "Sales@example.com", "used": "0"}, {"email": "info@example.com", "used": "12"}],
        {"records_before_filter": 4, "paginate": {"start_result": 1, "results_per_page": "2", "total_results": 3,
                                                  "current_page": 1, "total_pages": 2}})


# A backend that did part of the work (EmailTrack::search's SQL, cPanel's %STATE): only the rest.

def test_a_backend_filter_is_not_applied_again_but_still_counted():
    args = {"api2_filter": "1", "api2_filter_column": "email", "api2_filter_term": "nothing-matches"}
    assert reshape(POPS, args, Backend(filtered=True)) == (POPS, {"records_before_filter": 4})


def test_a_backend_sort_leaves_every_copy_of_the_first_key_and_applies_the_others():
    args = {"api2_sort": "1", "api2_sort_column": "email", "api2_sort_column_1": "used",
            "api2_sort_method_1": "numeric", "api2_sort_column_2": "email"}
    rows, extra = reshape(POPS, args, Backend(sorted_first=True))
    assert (emails(rows), extra) == (["Sales@example.com", "ops@shop.test", "info@example.com", "zed@example.com"], {})


def test_a_backend_page_keeps_the_rows_and_reports_its_total_with_no_pages():
    args = {"api2_paginate": "1", "api2_paginate_start": "3", "api2_paginate_size": "2"}
    assert reshape(POPS[:2], args, Backend(page_total=9)) == (POPS[:2], {"paginate": {
        "start_result": "3", "results_per_page": "2", "total_results": 9, "current_page": 2, "total_pages": 0}})
    # api2_paginate present but false: nothing was paged, every value null as always.
    assert reshape(POPS, {"api2_paginate": "0"}, Backend(page_total=9)) == (POPS, {"paginate": dict.fromkeys(
        ("start_result", "results_per_page", "total_results", "current_page", "total_pages"))})
