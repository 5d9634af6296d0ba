"""API 2's api2_columns / filter / sort / paginate arguments reach the rows of a recipe (several
UAPI reads) and of a local answer, through the real shim against the fake: whole documents."""

from api2calls import Api2Calls


async def test_a_recipes_rows_are_filtered_cut_to_columns_and_sorted(stack):
    calls = Api2Calls(stack, "SubDomain")
    status, document = await calls.whm(
        "listsubdomains", api2_columns="1", api2_columns_1="domain", api2_columns_2="subdomain",
        api2_filter="1", api2_filter_column="domain", api2_filter_term="EXAMPLE.com",
        api2_sort="1", api2_sort_column="subdomain", api2_sort_reverse="1")
    assert (status, document) == (200, {"cpanelresult": {
        "apiversion": 2, "func": "listsubdomains", "module": "SubDomain", "event": {"result": 1},
        "data": [{"domain": "shop.example.com", "subdomain": "shop"},
                 {"domain": "blog.example.com", "subdomain": "blog"}],
        "records_before_filter": 2}})
    # Columns come first: a filter on a column they removed matches nothing, as in cPanel.
    for column, data in (("subdomain", []), ("dir", [{"dir": "/home/user/public_html/blog"}])):
        status, document = await calls.cpanel("listsubdomains", api2_filter="1", api2_filter_column=column,
                                              api2_filter_type="ends", api2_filter_term="blog",
                                              api2_columns="1", api2_columns_1="dir", api2_columns_2="nosuch")
        assert (status, document) == (200, {"cpanelresult": {
            "apiversion": 2, "func": "listsubdomains", "module": "SubDomain", "event": {"result": 1},
            "data": data, "invalid_columns_str": "“nosuch” is not a valid column.", "invalid_columns": ["nosuch"],
            "records_before_filter": 2}})


async def test_a_local_answer_is_paginated(stack):
    calls = Api2Calls(stack, "UI")
    status, document = await calls.cpanel("paginate_list", itemlist="10:5:20:40", itemsperpage="5",
                                          api2_paginate="1", api2_paginate_start="2", api2_paginate_size="2")
    assert (status, document) == (200, {"cpanelresult": {
        "apiversion": 2, "func": "paginate_list", "module": "UI", "event": {"result": 1},
        "data": [{"item": "10", "selected": 0}, {"item": "20", "selected": 0}],
        "paginate": {"start_result": "2", "results_per_page": "2", "total_results": 4,
                     "current_page": 1, "total_pages": 2}}})
