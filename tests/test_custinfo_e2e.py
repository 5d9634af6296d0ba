"""CustInfo::contactemails through the real shim (a recipe over UAPI Variables)."""

from api2calls import Api2Calls

from shim.fakecpanel.modules.variables import contact_state, server_settings


def fields(email, second, token, reset=True):
    note = " and password reset confirmations" if reset else ""
    return [
        {"enabled": 1, "type": "string", "value": email, "name": "email",
         "descp": f"Enter an email address to receive account notifications{note}."},
        {"enabled": 1, "type": "string", "value": second, "name": "second_email",
         "descp": f"Enter a second email address to receive account notifications{note}."},
        {"enabled": 1, "type": "string", "value": token, "name": "pushbullet_access_token",
         "descp": "An access token for Pushbullet."},
    ]


async def test_contactemails(stack):
    calls = Api2Calls(stack, "CustInfo")
    assert await calls.whm("contactemails") == (200, calls.ok("contactemails", fields("admin@example.com", "", "")))
    account = stack.state.accounts["user"]
    contact_state(account).second_email = "o'brien@example.net"
    contact_state(account).pushbullet_access_token = "tok<en>"
    server_settings(account)["allow_reset_password"] = 0
    assert await calls.whm("contactemails", username="user") == (200, calls.ok("contactemails", fields(
        "admin@example.com", "o&#39;brien@example.net", "tok&lt;en&gt;", reset=False)))
    assert calls.last_uapi() == ("Variables", "get_server_information", {"name": ["allow_reset_password"]})


async def test_contactemails_of_a_mail_account_is_refused(stack):
    calls = Api2Calls(stack, "CustInfo")
    error = "The shim answers the contact information of the cPanel account “user” only."
    assert await calls.cpanel("contactemails", username="info@example.com") == (
        200, calls.failed("contactemails", error, rows=[]))
