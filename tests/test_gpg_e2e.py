"""Gpg's key counts through the real shim: recipes over UAPI GPG's key lists."""

import pytest
from api2calls import Api2Calls

from shim.fakecpanel.modules.gpg import GPG_BROKEN, gpg_state


@pytest.mark.parametrize("func, uapi, kind", [
    ("number_of_public_keys", "list_public_keys", "public"),
    ("number_of_private_keys", "list_secret_keys", "secret"),
])
async def test_counts_follow_the_key_lists(stack, func, uapi, kind):
    calls = Api2Calls(stack, "Gpg")
    assert await calls.whm(func) == (200, calls.ok(func, [{"count": 1}]))
    assert calls.last_uapi() == ("GPG", uapi, {})
    keys = getattr(gpg_state(stack.state.accounts["user"]), kind)
    keys.append(dict(keys[0], id="0000111122223333"))
    assert await calls.cpanel(func) == (200, calls.ok(func, [{"count": 2}]))
    keys.clear()
    assert await calls.cpanel(func) == (200, calls.ok(func, [{"count": 0}]))


@pytest.mark.parametrize("func", ["number_of_public_keys", "number_of_private_keys"])
async def test_a_failed_listing_still_answers_a_zero_count(stack, func):
    # API 2 set its error and still answered [{count: 0}].
    calls = Api2Calls(stack, "Gpg")
    gpg_state(stack.state.accounts["user"]).broken = True
    assert await calls.whm(func) == (200, calls.failed(func, GPG_BROKEN, rows=[{"count": 0}]))
