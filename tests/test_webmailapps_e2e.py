"""WebmailApps::listwebmailapps through the real shim."""

from api2calls import Api2Calls


async def test_listwebmailapps(stack):
    calls = Api2Calls(stack, "WebmailApps")
    assert await calls.cpanel("listwebmailapps", theme="paper_lantern") == (200, calls.ok("listwebmailapps", [{
        "displayname": "Roundcube", "icon": "/webmail/paper_lantern/images/roundcube_logo.png", "id": "roundcube",
        "url": "/3rdparty/roundcube/index.php"}]))
    stack.state.faults.add("/execute/WebmailApps/list_webmail_apps", "status:500", times=1)
    status, document = await calls.cpanel("listwebmailapps")
    assert (status, document) == (502, {"cpanelresult": {
        "apiversion": 2, "func": "listwebmailapps", "module": "WebmailApps", "data": [],
        "event": {"result": 0, "reason": "upstream answered HTTP 500"}, "error": "upstream answered HTTP 500"}})
