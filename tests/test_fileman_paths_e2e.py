"""Fileman's path helpers getdir and getpath through the real shim (recipes over the home
directory from UAPI Variables::get_user_information)."""

import pytest
from api2calls import Api2Calls

from shim.recipes.fileman import safe_dir


async def test_getdir(stack):
    calls = Api2Calls(stack, "Fileman")
    assert await calls.whm("getdir", dir="public_html/images") == (
        200, calls.ok("getdir", [{"dir": "%2Fhome%2Fuser%2Fpublic_html%2Fimages"}]))
    assert calls.last_uapi() == ("Variables", "get_user_information", {"name": ["home"]})
    assert await calls.cpanel("getdir", dir="public_html/images", up="1") == (
        200, calls.ok("getdir", [{"dir": "%2Fhome%2Fuser%2Fpublic_html"}]))
    # Never above the home directory.
    assert await calls.cpanel("getdir", dir="public_html", up="9") == (200, calls.ok("getdir", [{"dir": "%2Fhome%2Fuser"}]))
    assert await calls.cpanel("getdir") == (200, calls.ok("getdir", [{"dir": "%2Fhome%2Fuser"}]))


async def test_getpath(stack):
    calls = Api2Calls(stack, "Fileman")
    assert await calls.whm("getpath", dir="/home/user/public_html/images/") == (200, calls.ok("getpath", [{
        "dirparts": [{"dirurl": "/public_html/", "dirpart": "public_html"},
                     {"dirurl": "/public_html/images/", "dirpart": "images"}],
        "dir": "/home/user/public_html/images"}]))
    assert await calls.cpanel("getpath") == (200, calls.ok("getpath", [{"dirparts": [], "dir": "/home/user"}]))
    reason = "upstream answered HTTP 500"
    stack.state.faults.add("/execute/Variables/get_user_information", "status:500", times=1)
    assert await calls.cpanel("getpath") == (502, {"cpanelresult": {
        "apiversion": 2, "func": "getpath", "module": "Fileman", "data": [],
        "event": {"result": 0, "reason": reason}, "error": reason}})


@pytest.mark.parametrize("given, safe", [
    ("public_html", "/home/user/public_html"),
    ("/home/user/public_html/", "/home/user/public_html"),
    ("public_html/../../etc", "/home/user/public_html/etc"),
    ("/etc/passwd", "/home/user/etc/passwd"),
    ("./a//b/.", "/home/user/a/b"),
])
def test_paths_stay_under_the_home_directory(given, safe):
    assert safe_dir("/home/user", given) == safe
