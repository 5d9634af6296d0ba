"""WebDisk through the real shim: API 2's `login` becomes UAPI's `user`; success and failure each."""

import logging

from api2calls import Api2Calls

from shim.fakecpanel.modules.webdisk import WEBDISK_LOGIN, webdisks

SECRET = "Dav-Pa55-word"


def account(stack):
    return webdisks(stack.state.accounts["user"])


async def test_delwebdisk_keeps_files_unless_asked_and_fails_for_unknown_logins(stack):
    calls = Api2Calls(stack, "WebDisk")
    assert await calls.whm("delwebdisk", login=WEBDISK_LOGIN) == (200, calls.status_ok("delwebdisk"))
    # UAPI requires destroy; API 2 had none, so 0 is sent.
    assert calls.last_uapi() == ("WebDisk", "delete_user", {"user": [WEBDISK_LOGIN], "destroy": ["0"]})
    assert account(stack) == {}
    assert await calls.whm("delwebdisk", login=WEBDISK_LOGIN, destroy="yes") == (
        200, calls.failed("delwebdisk", f"The Web Disk account “{WEBDISK_LOGIN}” does not exist."))
    assert calls.last_uapi()[2]["destroy"] == ["1"]


async def test_passwdwebdisk_hides_the_password(stack, caplog):
    caplog.set_level(logging.DEBUG)
    calls = Api2Calls(stack, "WebDisk")
    got = await calls.whm("passwdwebdisk", login=WEBDISK_LOGIN, password=SECRET, enabledigest="1")
    assert got == (200, calls.status_ok("passwdwebdisk"))
    assert (account(stack)[WEBDISK_LOGIN].password, account(stack)[WEBDISK_LOGIN].digest) == (SECRET, True)
    assert await calls.cpanel("passwdwebdisk", login="ghost@example.com", password=SECRET) == (
        200, calls.failed("passwdwebdisk", "The Web Disk account “ghost@example.com” does not exist."))
    assert SECRET not in caplog.text


async def test_set_digest_auth_goes_through_set_password(stack):
    calls = Api2Calls(stack, "WebDisk")
    got = await calls.whm("set_digest_auth", login=WEBDISK_LOGIN, password=SECRET, enabledigest="0")
    assert got == (200, calls.status_ok("set_digest_auth"))
    assert calls.last_uapi() == ("WebDisk", "set_password", {
        "user": [WEBDISK_LOGIN], "password": [SECRET], "enabledigest": ["0"]})
    assert await calls.whm("set_digest_auth", login=WEBDISK_LOGIN, enabledigest="1") == (
        200, calls.failed("set_digest_auth", "You must specify the “password” parameter."))


async def test_set_homedir(stack):
    calls = Api2Calls(stack, "WebDisk")
    got = await calls.whm("set_homedir", login=WEBDISK_LOGIN, homedir="public_html/dav2", private="true")
    assert got == (200, calls.status_ok("set_homedir"))
    found = account(stack)[WEBDISK_LOGIN]
    assert (found.homedir, found.private) == ("public_html/dav2", True)
    assert await calls.cpanel("set_homedir", login=WEBDISK_LOGIN) == (
        200, calls.failed("set_homedir", "You must specify the “homedir” parameter."))


async def test_set_perms(stack):
    calls = Api2Calls(stack, "WebDisk")
    assert await calls.whm("set_perms", login=WEBDISK_LOGIN, perms="ro") == (200, calls.status_ok("set_perms"))
    assert calls.last_uapi() == ("WebDisk", "set_permissions", {"user": [WEBDISK_LOGIN], "perms": ["ro"]})
    assert account(stack)[WEBDISK_LOGIN].perms == "ro"
    assert await calls.whm("set_perms", login=WEBDISK_LOGIN, perms="all") == (
        200, calls.failed("set_perms", "The “perms” parameter must be “ro” or “rw”, not “all”."))


def webdisk_row(user, domain, reldir, *, private=0, hasdigest=0, perms="rw"):
    return {"login": f"{user}@{domain}", "domain": domain, "user": user, "homedir": f"/home/user/{reldir}",
            "reldir": reldir, "private": private, "sslport": "2078", "mainport": "2077", "hasdigest": hasdigest,
            "perms": perms}


async def test_addwebdisk_then_listwebdisks_through_usermanager(stack, caplog):
    caplog.set_level(logging.DEBUG)
    calls = Api2Calls(stack, "WebDisk")
    assert await calls.whm("addwebdisk", user="dav", domain="example.com", password=SECRET, homedir="public_html/dav",
                           perms="ro", private="1", enabledigest="1") == (200, calls.ok("addwebdisk", [
                               {"user": "dav", "domain": "example.com", "login": "dav@example.com", "enabledigest": 1,
                                "perms": "ro"}]))
    module, func, args = calls.last_uapi()
    assert (module, func, args) == ("UserManager", "create_user", {
        "username": ["dav"], "domain": ["example.com"], "password": [SECRET], "services.webdisk.enabled": ["1"],
        "services.webdisk.homedir": ["public_html/dav"], "services.webdisk.perms": ["ro"],
        "services.webdisk.private": ["1"], "services.webdisk.enabledigest": ["1"]})
    assert SECRET not in caplog.text
    # One write, after one read: no retry, nothing after it.
    writes = [r for r in stack.state.requests if r.form.get("cpanel.function") == ["create_user"]]
    assert len(writes) == 1
    assert await calls.cpanel("listwebdisks") == (200, calls.ok("listwebdisks", [
        webdisk_row("dav", "example.com", "public_html/dav", private=1, hasdigest=1, perms="ro"),
        webdisk_row("webdisk", "example.com", "public_html/webdav")]))
    assert await calls.whm("listwebdisks", regex="^WEB") == (200, calls.ok("listwebdisks", [
        webdisk_row("webdisk", "example.com", "public_html/webdav")]))
    # An invalid regex: cPanel filed its error under another module, so no rows and no error.
    assert await calls.cpanel("listwebdisks", regex="(") == (200, calls.ok("listwebdisks", []))


async def test_addwebdisk_failures_answer_api2s_texts(stack):
    calls = Api2Calls(stack, "WebDisk")
    base = {"domain": "example.com", "password": SECRET, "homedir": "dav"}
    cases = [
        ({**base, "user": " @+"}, "No username provided for web disk account creation."),
        ({**base, "user": "x", "password": ""}, "You must provide a password or a password hash to create a Web Disk account."),
        ({**base, "user": "x", "password_hash": "$6$salt$hash"},
         "You must provide a password or a password hash to create a Web Disk account."),
        ({**base, "user": "x", "homedir": ""}, "No home directory provided for Web Disk account creation."),
        ({**base, "user": "x", "perms": "all"}, "The only legal values for perms are “rw” and “ro”."),
        ({**base, "user": "webdisk"}, "The user “webdisk@example.com” already exists."),
        ({**base, "user": "x", "domain": "nope.test"},
         "The system failed to create the user: You do not own the domain “nope.test”."),
    ]
    for args, error in cases:
        assert await calls.cpanel("addwebdisk", **args) == (200, calls.failed("addwebdisk", error, [])), args
    only_hash = {"user": "x", "domain": "example.com", "homedir": "dav", "password_hash": "$6$salt$hash"}
    assert await calls.cpanel("addwebdisk", **only_hash) == (200, calls.failed("addwebdisk", (
        "api2shim cannot create a Web Disk account from a password hash: UAPI UserManager::create_user takes the "
        "password itself."), []))
    # Only the call whose refusal is UAPI's own reached create_user.
    assert [r.form["domain"] for r in stack.state.requests if r.path.endswith("/create_user")] == [["nope.test"]]
    assert sorted(account(stack)) == [WEBDISK_LOGIN]


async def test_setstatus_sets_the_directory_mode_through_set_homedir(stack):
    calls = Api2Calls(stack, "WebDisk")
    assert await calls.whm("setstatus", login=WEBDISK_LOGIN, on="1") == (200, calls.ok("setstatus", [{"private": 1}]))
    assert calls.last_uapi() == ("WebDisk", "set_homedir", {
        "user": [WEBDISK_LOGIN], "homedir": ["public_html/webdav"], "private": ["1"]})
    found = account(stack)[WEBDISK_LOGIN]
    assert (found.homedir, found.private) == ("public_html/webdav", True)
    # Perl's int() of `on`; anything but "1" makes the directory public.
    assert await calls.cpanel("setstatus", login=WEBDISK_LOGIN, on="2x") == (200, calls.ok("setstatus", [{"private": 2}]))
    assert account(stack)[WEBDISK_LOGIN].private is False
    # int("1e1") is 10 (Perl reads the exponent), and "1e1" is not the text "1": the row says 10, the directory stays public.
    assert await calls.cpanel("setstatus", login=WEBDISK_LOGIN, on="1e1") == (200, calls.ok("setstatus", [{"private": 10}]))
    assert account(stack)[WEBDISK_LOGIN].private is False
    # An unknown login (or none): API 2 changed nothing and still answered the row.
    before = len([r for r in stack.state.requests if r.path.endswith("/set_homedir")])
    assert await calls.cpanel("setstatus", login="ghost@example.com", on="1") == (
        200, calls.ok("setstatus", [{"private": 1}]))
    assert await calls.cpanel("setstatus") == (200, calls.ok("setstatus", [{"private": 0}]))
    assert len([r for r in stack.state.requests if r.path.endswith("/set_homedir")]) == before
