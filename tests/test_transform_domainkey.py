"""The domainkey transform: cPanel's underscore subdomain key from either spelling."""

import pytest

from shim.translation.arguments import TRANSFORMS, CallContext, domainkey

CTX = CallContext(user="user")


@pytest.mark.parametrize("given, sent", [
    ("shop.example.com", "shop_example.com"),      # the dotted form the API 2 docs show for unpark
    ("shop_example.com", "shop_example.com"),      # already the key form
    ("shop.example.co.uk", "shop_example.co.uk"),  # only the first dot separates label and root
    (" shop.example.com ", "shop_example.com"),
    ("shop", "shop"),                               # no root domain: nothing to convert
    ("", ""),
])
def test_domainkey(given, sent):
    assert domainkey(given, CTX) == sent
    assert TRANSFORMS["domainkey"] is domainkey
