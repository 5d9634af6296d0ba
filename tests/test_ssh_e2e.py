"""Billing-list functions with no UAPI route reach upstream untouched (SSH, Cron, Email::clearpopcache, Fileman::fileop)."""

import pytest
from conftest import USER_AUTH


@pytest.mark.parametrize("module, func, args", [
    ("SSH", "listkeys", {"keys": "1"}),
    ("SSH", "importkey", {"name": "id_new", "key": "ssh-rsa AAAA"}),
    ("Cron", "listcron", {}),
    ("Email", "clearpopcache", {}),
    ("Fileman", "fileop", {"op": "copy", "sourcefiles": "a.txt", "destfiles": "tmp"}),
])
async def test_passes_through_byte_for_byte(stack, module, func, args):
    query = {"cpanel_jsonapi_apiversion": "2", "cpanel_jsonapi_module": module, "cpanel_jsonapi_func": func, **args}
    via_shim = await stack.get_json(f"{stack.cpanel}/json-api/cpanel", params=query, headers=USER_AUTH)
    direct = await stack.get_json(f"{stack.fake_cpanel}/json-api/cpanel", params=query, headers=USER_AUTH)
    assert via_shim == direct
    seen = stack.state.requests[-2]
    assert (seen.method, seen.path, seen.query) == ("GET", "/json-api/cpanel", {k: [v] for k, v in query.items()})
