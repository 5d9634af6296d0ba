"""The hand-written contract schemas for UAPI functions newer than 11.125 stay honest."""

import uapi_newer
import uapi_openapi


def test_newer_schemas_only_cover_functions_the_11_125_file_lacks():
    # `absent`: the fake's functions the description lacks (tests/uapi_snapshot.json).
    absent = set(uapi_openapi.load_snapshot()["absent"])
    assert [f"{module}::{name}" for module, name in uapi_newer.NEWER if f"{module}::{name}" not in absent] == []
    assert all(url.startswith("https://api.docs.cpanel.net/") for url, _ in uapi_newer.NEWER.values())


def test_newer_schema_catches_wrong_records():
    schema = uapi_openapi.result_schema(uapi_newer.operation_schema("AddonDomain", "listaddondomains"))
    good = {"basedir": "public_html/shop", "dir": "/home/user/public_html/shop", "domain": "shop.test",
            "domainkey": "shop_example.com", "fullsubdomain": "shop.example.com", "reldir": "home:public_html/shop",
            "rootdomain": "example.com", "status": "not redirected", "subdomain": "shop"}
    result = {"data": [good], "errors": None, "messages": None, "metadata": {}, "status": 1, "warnings": None}
    assert uapi_openapi.errors(schema, result) == []
    assert uapi_openapi.errors(schema, {**result, "data": [{**good, "domain": "192.0.2.1"}]})
    assert uapi_openapi.errors(schema, {**result, "data": [{k: v for k, v in good.items() if k != "domainkey"}]})
    assert uapi_openapi.errors(schema, {**result, "status": 2})
    assert uapi_newer.operation_schema("AddonDomain", "no_such_function") is None
