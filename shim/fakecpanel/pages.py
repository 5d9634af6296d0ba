"""The few HTML pages the fake serves: login, failed login, the "web UI", error pages.

Legacy clients recognise a login page by `<html>`, the text "Login Attempt Failed" and
`action="/login/"` (cPanel's xmlapi-php does), so those markers are kept.
"""

from __future__ import annotations

from html import escape

_TITLES = {"whm": "WHM", "cpanel": "cPanel"}


def login_page(service: str, *, failed: bool = False) -> str:
    notice = '<div id="login-status" class="error">Login Attempt Failed!</div>' if failed else ""
    title = _TITLES.get(service, "cPanel")
    return f"""<!DOCTYPE html>
<html><head><title>{title} Login</title></head>
<body>
{notice}
<form id="login_form" action="/login/" method="post">
<input name="user" id="user" type="text"> <input name="pass" id="pass" type="password">
<button type="submit" id="login_submit">Log in</button>
</form>
</body></html>
"""


def ui_page(service: str, user: str, path: str) -> str:
    title = _TITLES.get(service, "cPanel")
    return f"""<!DOCTYPE html>
<html><head><title>{title}</title></head>
<body><h1>{title}</h1><p>Logged in as {escape(user)}.</p><p>Page: {escape(path)}</p></body></html>
"""


def error_page(status: int, reason: str) -> str:
    return f"""<!DOCTYPE html>
<html><head><title>{status} {escape(reason)}</title></head>
<body><h1>{status} {escape(reason)}</h1><p>cpsrvd could not complete the request.</p></body></html>
"""


def logged_out_page(service: str) -> str:
    title = _TITLES.get(service, "cPanel")
    return f"""<!DOCTYPE html>
<html><head><title>{title}</title></head><body><p>You have logged out.</p></body></html>
"""
