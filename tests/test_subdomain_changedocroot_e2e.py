"""SubDomain::changedocroot through the real shim: UAPI SubDomain::changedocroot on cPanel
11.136.0.25+ answers API 2's own row, a directory that does not exist yet stays with native
API 2 (which created it), and older upstreams get the untouched API 2 call."""

import pytest
from api2calls import Api2Calls, stack_for_upstream, stack_with

from shim.fakecpanel import FakeState
from shim.fakecpanel.modules._domains import domains
from shim.fakecpanel.modules.fileman import file_tree
from shim.fakecpanel.modules.variables import server_settings
from shim.recipes.subdomain import api2_document_root, api2_label

HOME = "/home/user"
IMAGES = {"result": 1, "reason": None, "dir": f"{HOME}/public_html/images", "reldir": "public_html/images"}


def blog_dir(stack) -> str:
    return domains(stack.state.accounts["user"]).subdomains["blog.example.com"].dir


async def test_changedocroot_answers_api2s_row_with_a_null_reason(stack):
    calls = Api2Calls(stack, "SubDomain")
    got = await calls.whm("changedocroot", subdomain="blog", rootdomain="example.com", dir="public_html/images")
    assert got == (200, calls.ok("changedocroot", [IMAGES]))
    assert calls.last_uapi() == ("SubDomain", "changedocroot",
                                 {"domain": ["blog.example.com"], "docroot": ["public_html/images"]})
    assert blog_dir(stack) == "public_html/images"


async def test_changedocroot_cleans_the_directory_and_the_label_as_api2_did(stack):
    calls = Api2Calls(stack, "SubDomain")
    got = await calls.cpanel("changedocroot", subdomain=" Blog. ", rootdomain="example.com",
                             dir=f"{HOME}/public_html//ima ges/../images/<")
    assert got == (200, calls.ok("changedocroot", [IMAGES]))
    assert blog_dir(stack) == "public_html/images"


async def test_changedocroot_refuses_as_api2_did_without_writing(stack):
    calls = Api2Calls(stack, "SubDomain")
    for args, text in [
        ({"subdomain": "blog", "dir": "public_html/images"}, "You must specify a main domain."),
        ({"subdomain": "www", "rootdomain": "example.com", "dir": "public_html/images"},
         "You cannot create the “www” subdomain, because the system adds the “www” subdomain to all "
         "newly-created domains."),
        ({"subdomain": "blog", "rootdomain": "example.com", "dir": "0"}, "You must specify a new document root."),
        ({"subdomain": "blog", "rootdomain": "example.com", "dir": "public_html/../etc"},
         f"The system reserves the “{HOME}/etc” document root. You must specify a document root that the system "
         "does not reserve."),
    ]:
        got = await calls.whm("changedocroot", **args)
        assert got == (200, calls.failed("changedocroot", text, [
            {"result": 0, "reason": text, "dir": None, "reldir": None}])), args
    # Answered by the shim itself: nothing reached native API 2 or UAPI's changedocroot.
    assert not any(seen.path == "/json-api/cpanel" or seen.form.get("cpanel.function") == ["changedocroot"]
                   for seen in stack.state.requests)
    assert blog_dir(stack) == "public_html/blog"


async def test_changedocroot_failure_from_uapi_keeps_dir_and_reldir(stack):
    calls = Api2Calls(stack, "SubDomain")
    got = await calls.whm("changedocroot", subdomain="nope", rootdomain="example.com", dir="public_html/images")
    error = "The domain “nope.example.com” does not belong to this account."
    assert got == (200, calls.failed("changedocroot", error, [
        {"result": 0, "reason": error, "dir": f"{HOME}/public_html/images", "reldir": "public_html/images"}]))


async def test_changedocroot_keeps_document_roots_in_public_html_when_the_server_does(stack):
    server_settings(stack.state.accounts["user"])["docroots_in_public_html_only"] = 1
    calls = Api2Calls(stack, "SubDomain")
    got = await calls.whm("changedocroot", subdomain="blog", rootdomain="example.com", dir="images")
    assert got == (200, calls.ok("changedocroot", [IMAGES]))
    assert calls.last_uapi()[2] == {"domain": ["blog.example.com"], "docroot": ["public_html/images"]}


async def test_a_directory_that_does_not_exist_yet_stays_with_native_api2(stack):
    calls = Api2Calls(stack, "SubDomain")
    got = await calls.whm("changedocroot", subdomain="blog", rootdomain="example.com", dir="public_html/fresh")
    assert got == (200, calls.ok("changedocroot", [
        {"result": 1, "reason": None, "dir": f"{HOME}/public_html/fresh", "reldir": "public_html/fresh"}]))
    assert stack.state.requests[-1].path == "/json-api/cpanel"
    assert not any(seen.form.get("cpanel.function") == ["changedocroot"] for seen in stack.state.requests)
    assert file_tree(stack.state.accounts["user"]).nodes[f"{HOME}/public_html/fresh"].mode == "0755"


async def test_a_directory_that_does_not_exist_yet_has_no_route_without_native_api2():
    state = FakeState.demo()
    state.native_api2 = False
    async with stack_with({"upstream_api2": "absent"}, state=state) as stack:
        calls = Api2Calls(stack, "SubDomain")
        got = await calls.whm("changedocroot", subdomain="blog", rootdomain="example.com", dir="public_html/fresh")
        assert got == (200, {"cpanelresult": {
            "apiversion": 2, "error": "Could not find function 'changedocroot' in module 'SubDomain'",
            "func": "changedocroot", "module": "SubDomain"}})
        assert blog_dir(stack) == "public_html/blog"
        # An existing directory needs no native API 2.
        assert await calls.whm("changedocroot", subdomain="blog", rootdomain="example.com",
                               dir="public_html/images") == (200, calls.ok("changedocroot", [IMAGES]))


@pytest.mark.parametrize("version, path", [
    ("11.120", "/json-api/cpanel"),            # older: API 2 passes through untouched
    ("11.136.0.24", "/json-api/cpanel"),
    ("11.136.0.25", "/json-api/uapi_cpanel"),  # UAPI SubDomain::changedocroot from here on
    ("11.138", "/json-api/uapi_cpanel"),
])
async def test_version_gate_gives_the_same_answer_on_both_sides(version, path):
    async with stack_for_upstream(version) as stack:
        calls = Api2Calls(stack, "SubDomain")
        got = await calls.whm("changedocroot", subdomain="blog", rootdomain="example.com", dir="public_html/images")
        assert got == (200, calls.ok("changedocroot", [IMAGES]))
        assert stack.state.requests[-1].path == path
        assert blog_dir(stack) == "public_html/images"


@pytest.mark.parametrize("wanted, public_html_only, expected", [
    ("public_html/new/", False, f"{HOME}/public_html/new"),
    (f"{HOME}/public_html/x", True, f"{HOME}/public_html/x"),
    ("../../etc", False, f"{HOME}/etc"),                      # never above home
    ("../../etc", True, f"{HOME}/public_html/etc"),
    ("a b\\c<>", False, f"{HOME}/abc"),                       # whitespace, backslashes, <> dropped
    ("public_html//x/./y/../z", False, f"{HOME}/public_html/x/z"),
    ("/home/user2/x", False, f"{HOME}/home/user2/x"),          # another home is a name under this one
    ("../../home/user2/x", False, f"{HOME}/2/x"),             # homedirfixup strips the home prefix as text
    (".", True, f"{HOME}/public_html"),
    ("public_htmlx/a..b", True, f"{HOME}/public_html/x/ab"),  # publichtmldirfixup drops every ".."
])
def test_api2_document_root(wanted, public_html_only, expected):
    assert api2_document_root(wanted, HOME, public_html_only) == expected


@pytest.mark.parametrize("label, expected", [
    (" Blog. ", "blog"), ("www.shop", "shop"), ("WWW.shop", "www.shop"),  # Perl's s/^www\.// is case-sensitive
    ("a.b.", "a.b"),
])
def test_api2_label(label, expected):
    assert api2_label(label) == expected
