"""PasswdStrength::get_required_strength through the real shim."""

from api2calls import Api2Calls


async def test_get_required_strength(stack):
    calls = Api2Calls(stack, "PasswdStrength")
    assert await calls.whm("get_required_strength", app="pop") == (
        200, calls.ok("get_required_strength", [{"strength": 65}]))
    assert await calls.cpanel("get_required_strength", app="virtual") == (
        200, calls.ok("get_required_strength", [{"strength": 50}]))
    error = ("“email” is not a valid application (cpaddons, createacct, ftp, htaccess, list, mysql, passwd, pop, "
             "postgres, sshkey, webdisk, virtual).")
    assert await calls.cpanel("get_required_strength", app="email") == (200, calls.failed("get_required_strength", error, rows=[]))
