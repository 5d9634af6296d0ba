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
