"""DenyIp::listdenyips through the real shim: public_html/.htaccess read with UAPI Fileman."""

from api2calls import Api2Calls

from shim.fakecpanel.modules.fileman import file_tree

HTACCESS = (
    "Options -Indexes\n"
    "deny from 198.51.100.7\n"
    "# deny from 192.0.2.1\n"
    "Deny From 10.1.\n"
    "deny from 300.1.1.1\n"
    "deny from 0\n"
    "<Limit GET>\n"
    "deny from 192.0.2.2\n"
    "</Limit>\n"
    "deny from 192.0.2.9/24 extra\r\n"
    "deny from 2001:db8::/32\n"
    "deny from 203.0.113.0/255.255.255.0\n"
    "deny from 2001:db8::1\n"
)


def row(ip, start, end, range_=None):
    return {"ip": ip, "start": start, "end": end, "range": range_ if range_ is not None else f"{start}-{end}"}


async def test_listdenyips_reads_the_deny_lines_as_cpanel_did(stack):
    calls = Api2Calls(stack, "DenyIp")
    tree = file_tree(stack.state.accounts["user"])
    assert await calls.cpanel("listdenyips") == (200, calls.ok("listdenyips", []))  # no deny line yet
    tree.nodes["/home/user/public_html/.htaccess"].content = HTACCESS
    assert await calls.whm("listdenyips") == (200, calls.ok("listdenyips", [
        row("198.51.100.7", "198.51.100.7", "198.51.100.7", "198.51.100.7"),
        row("10.1.", "10.1.0.0", "10.1.0.0"),
        row("192.0.2.9/24", "192.0.2.9", "192.0.2.255"),
        row("2001:db8::/32", "2001:0db8:0000:0000:0000:0000:0000:0000", "2001:0db8:ffff:ffff:ffff:ffff:ffff:ffff"),
        # cPanel turned the netmask into a bare "24" and could not read that as a range.
        row("203.0.113.0/255.255.255.0", None, None, "-"),
        row("2001:db8::1", "2001:db8::1", "2001:db8::1", "2001:db8::1"),
    ]))
    # No .htaccess at all: cPanel read nothing and answered no rows.
    del tree.nodes["/home/user/public_html/.htaccess"]
    before = len(stack.state.requests)
    assert await calls.cpanel("listdenyips") == (200, calls.ok("listdenyips", []))
    assert [r.path for r in stack.state.requests[before:]][-1].endswith("/list_files")
