"""Htaccess::listusers and its second name listuser through the real shim (UAPI DirectoryPrivacy)."""

import pytest
from api2calls import Api2Calls

from shim.fakecpanel.modules.directoryprivacy import privacy_state


@pytest.mark.parametrize("func", ["listusers", "listuser"])
async def test_the_users_of_a_protected_directory(stack, func):
    calls = Api2Calls(stack, "Htaccess")
    assert await calls.whm(func, dir="public_html/images") == (
        200, calls.ok(func, [{"user": "editor"}, {"user": "viewer"}]))
    assert calls.last_uapi() == ("DirectoryPrivacy", "list_users", {"dir": ["public_html/images"]})
    privacy_state(stack.state.accounts["user"]).users["/home/user/public_html/images"].append("zed")
    assert await calls.cpanel(func, dir="/home/user/public_html/images") == (
        200, calls.ok(func, [{"user": "editor"}, {"user": "viewer"}, {"user": "zed"}]))
    # An unprotected directory has no users.
    assert await calls.cpanel(func, dir="public_html") == (200, calls.ok(func, []))


async def test_a_missing_directory_is_an_empty_list_without_error(stack):
    # API 2 returned nothing and set no error for a directory it could not use.
    calls = Api2Calls(stack, "Htaccess")
    assert await calls.whm("listusers", dir="public_html/nope") == (200, calls.ok("listusers", []))
    assert await calls.cpanel("listuser") == (200, calls.ok("listuser", []))
