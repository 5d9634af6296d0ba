"""The hand-written contract schemas for UAPI functions newer than 11.125 stay honest."""

from pathlib import Path

import uapi_newer
import uapi_openapi

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_newer_schemas_only_cover_functions_the_11_125_file_lacks():
    spec = uapi_openapi.load_spec(uapi_openapi.find_spec(REPO_ROOT))
    shadowing = [key for key in uapi_newer.NEWER if uapi_openapi.operation_schema(spec, *key) is not None]
    assert shadowing == []
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
