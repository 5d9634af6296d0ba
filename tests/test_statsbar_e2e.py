"""StatsBar::stat through the real shim: translated to UAPI StatsBar::get_stats."""

from conftest import ROOT_AUTH, USER_AUTH


def query(**args):
    return {"cpanel_jsonapi_apiversion": "2", "cpanel_jsonapi_module": "StatsBar", "cpanel_jsonapi_func": "stat", **args}


async def test_stat_returns_the_uapi_rows_unchanged(stack):
    display = "ftpaccounts|diskusage|hostname|nosuch"
    got = await stack.get_json(f"{stack.cpanel}/json-api/cpanel", params=query(display=display), headers=USER_AUTH)
    # The server's own API 2 answer is the reference: the shim's must be identical.
    native = await stack.get_json(f"{stack.fake_cpanel}/json-api/cpanel", params=query(display=display), headers=USER_AUTH)
    assert got == native
    assert [r["name"] for r in got[1]["cpanelresult"]["data"]] == ["ftpaccounts", "diskusage", "hostname"]
    assert stack.state.requests[-2].path == "/execute/StatsBar/get_stats"


async def test_stat_without_display_fails(stack):
    got = await stack.post_json(f"{stack.whm}/json-api/cpanel", data=query(cpanel_jsonapi_user="user"), headers=ROOT_AUTH)
    # cPanel 11.120 (StatsBar.pm) returned UAPI's data as is: undef on failure, no error set.
    assert got == (200, {"cpanelresult": {"apiversion": 2, "func": "stat", "module": "StatsBar", "event": {"result": 1},
                                          "data": [None]}})

