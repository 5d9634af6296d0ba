"""The translated call's form body is byte for byte what urlencode gives."""

from urllib.parse import urlencode

import pytest

from shim.upstream.services import form_body

FORMS = [
    [],
    [("api.version", "1"), ("cpanel.user", "user"), ("pass", "12345luggage")],
    [("a b", "c&d=e"), ("pass", "p@ss w+rd/?#%"), ("k", "")],
    [("name", "é ü ☃"), ("", ""), ("x~y.z-_", "A-Z_0.9~")],
    [("multi\nline", "tab\there"), ("quote", "'\"<>")],
]


@pytest.mark.parametrize("form", FORMS)
def test_form_body_matches_urlencode(form):
    assert form_body(form) == urlencode(form, doseq=True, encoding="utf-8").encode()
