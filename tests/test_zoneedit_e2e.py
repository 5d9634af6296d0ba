"""ZoneEdit through the real shim: resetzone on both sides of the 11.137 gate; the record
functions translated to DNS::parse_zone / DNS::mass_edit_zone (success and failure each,
whole documents), a certbot DNS-01 flow, and fetchzones passing through."""

import asyncio
import json

import pytest
from api2calls import Api2Calls, stack_for_upstream
from conftest import USER_AUTH

RESET = [{"result": {"checkmx": {"detected": "local", "isprimary": 1, "issecondary": 0, "local": 1,
                                 "mxcheck": "auto", "remote": 0}, "status": 1, "statusmsg": "Zone Reset"}}]
SERIAL = "2024042301"


def done(newserial):
    """The zone admin's reply to a write (cPanel 11.120 zone.pm ADD/EDIT/DELETE): the serial
    written, and dnsadmin's output, which a single BIND server leaves empty."""
    return [{"result": {"status": 1, "statusmsg": "", "newserial": newserial}}]


# cPanel 11.120's zone parser (Cpanel/Net/DNS/ZoneFile/LDNS.pm): a comment is {Line, type
# :RAW, raw} (no name), a $TTL line {Line, type $TTL, ttl}; the SOA alone has Lines (one
# line in the fake's zone); TXT adds char_str_list and unencoded.
def raw(line, text):
    return {"Line": line, "line": line, "type": ":RAW", "raw": text, "record": None}


def rr(line, name, type_, ttl="14400", **data):
    return {"Line": line, "line": line, "name": name, "ttl": ttl, "class": "IN", "type": type_,
            "record": None, **data}


# The fake's seeded example.com zone as API 2 listed it (see shim/fakecpanel/modules/dns.py).
ZONE = [
    raw(1, "; cPanel first:11.120.0.5 Cpanel::ZoneFile::VERSION:1.3 hostname:server.example.com"),
    raw(2, "; Zone file for example.com"),
    {"Line": 3, "line": 3, "type": "$TTL", "ttl": "14400", "record": None},
    rr(4, "example.com.", "SOA", "86400", Lines=1, mname="ns1.example.com", rname="admin.example.com", serial=SERIAL,
       refresh="3600", retry="1800", expire="1209600", minimum="86400"),
    rr(5, "example.com.", "NS", "86400", nsdname="ns1.example.com"),
    rr(6, "example.com.", "NS", "86400", nsdname="ns2.example.com"),
    rr(7, "example.com.", "A", address="192.0.2.10", record="192.0.2.10"),
    rr(8, "mail.example.com.", "A", address="192.0.2.10", record="192.0.2.10"),
    rr(9, "www.example.com.", "CNAME", cname="example.com", record="example.com"),
    rr(10, "example.com.", "MX", preference="0", exchange="example.com"),
    rr(11, "example.com.", "TXT", txtdata="v=spf1 +a +mx ~all", record="v=spf1 +a +mx ~all",
       char_str_list=["v=spf1 +a +mx ~all"], unencoded=1),
]


def mutation_failed(calls, func, why):
    return calls.ok(func, [{"result": {"status": 0, "statusmsg": why}}])


def uapi_calls(stack):
    return [(r.form["cpanel.function"][0], {k: v for k, v in r.form.items() if not k.startswith(("cpanel.", "api."))})
            for r in stack.state.requests if r.path.endswith("/json-api/uapi_cpanel")]


async def test_resetzone_copies_the_rebuild_reply_and_fails_for_foreign_zones(stack):
    calls = Api2Calls(stack, "ZoneEdit")
    assert await calls.whm("resetzone", domain="example.com") == (200, calls.ok("resetzone", RESET))
    assert calls.last_uapi() == ("ZoneEdit", "resetzone", {"domain": ["example.com"]})
    assert await calls.cpanel("resetzone", domain="other.example") == (
        200, calls.failed("resetzone", "You do not have a DNS zone for the domain “other.example”."))


@pytest.mark.parametrize("version, path", [("11.120", "/json-api/cpanel"), ("11.138", "/json-api/uapi_cpanel")])
async def test_resetzone_version_gate(version, path):
    async with stack_for_upstream(version) as stack:
        calls = Api2Calls(stack, "ZoneEdit")
        assert await calls.whm("resetzone", domain="shop.test") == (200, calls.ok("resetzone", RESET))
        assert stack.state.requests[-1].path == path


async def test_fetchzone_records_whole_zone_filters_and_unknown_zone(stack):
    calls = Api2Calls(stack, "ZoneEdit")
    assert await calls.whm("fetchzone_records", domain="example.com", customonly="0") == (
        200, calls.ok("fetchzone_records", ZONE))
    assert calls.last_uapi() == ("DNS", "parse_zone", {"zone": ["example.com"]})
    # API 2's own filters: several values joined by | or ,; `line` matches Line.
    assert await calls.cpanel("fetchzone_records", domain="example.com", type="CNAME|MX", name="www.example.com.") == (
        200, calls.ok("fetchzone_records", [ZONE[8]]))
    assert await calls.cpanel("fetchzone_records", domain="example.com", line="7,8", ttl="14400") == (
        200, calls.ok("fetchzone_records", ZONE[6:8]))
    # A zone the account lacks: cPanel's code answered an empty list, no error.
    assert await calls.whm("fetchzone_records", domain="other.example") == (200, calls.ok("fetchzone_records", []))


async def test_fetchzone_wraps_the_records_and_fails_inside_the_row(stack):
    calls = Api2Calls(stack, "ZoneEdit")
    assert await calls.cpanel("fetchzone", domain="example.com", type="A") == (200, calls.ok("fetchzone", [
        {"status": 1, "statusmsg": "Zone Serialized", "serialnum": SERIAL, "record": ZONE[6:8]}]))
    assert await calls.whm("fetchzone", domain="other.example") == (200, calls.ok("fetchzone", [
        {"status": 0, "statusmsg": "You do not have a DNS zone named “other.example”."}]))


async def test_certbot_dns01_flow_add_find_remove(stack):
    """What certbot-dns-cpanel does: add the challenge TXT record, find its line with a
    filtered fetchzone_records, remove it by that line."""
    calls = Api2Calls(stack, "ZoneEdit")
    token = "Xk9_challenge-token"
    assert await calls.whm("add_zone_record", domain="example.com", name="_acme-challenge", type="TXT",
                           txtdata=token, ttl="60") == (200, calls.ok("add_zone_record", done("2024042302")))
    read, write = uapi_calls(stack)
    assert read == ("parse_zone", {"zone": ["example.com"]})
    assert write[0] == "mass_edit_zone"
    assert write[1]["serial"] == [SERIAL] and write[1]["zone"] == ["example.com"]
    assert json.loads(write[1]["add"][0]) == {"dname": "_acme-challenge", "ttl": 60, "record_type": "TXT", "data": [token]}
    challenge = rr(12, "_acme-challenge.example.com.", "TXT", "60", txtdata=token, record=token,
                   char_str_list=[token], unencoded=1)
    found = await calls.whm("fetchzone_records", domain="example.com", name="_acme-challenge.example.com.",
                            type="TXT", txtdata=token, ttl="60")
    assert found == (200, calls.ok("fetchzone_records", [challenge]))
    line = found[1]["cpanelresult"]["data"][0]["line"]
    assert await calls.whm("remove_zone_record", domain="example.com", line=str(line)) == (
        200, calls.ok("remove_zone_record", done("2024042303")))
    assert json.loads(uapi_calls(stack)[-1][1]["serial"][0]) == int(SERIAL) + 1
    assert await calls.whm("fetchzone_records", domain="example.com") == (200, calls.ok(
        "fetchzone_records", [*ZONE[:3], dict(ZONE[3], serial=str(int(SERIAL) + 2)), *ZONE[4:]]))


async def test_add_zone_record_failures_read_first_and_never_write(stack):
    calls = Api2Calls(stack, "ZoneEdit")
    # The read fails: that is the answer, and nothing is written.
    assert await calls.whm("add_zone_record", domain="other.example", name="a", type="A", address="192.0.2.1") == (
        200, mutation_failed(calls, "add_zone_record", "You do not have a DNS zone named “other.example”."))
    assert [func for func, _ in uapi_calls(stack)] == ["parse_zone"]
    # The write refuses the record: its error, inside the row.
    assert await calls.cpanel("add_zone_record", domain="example.com", name="a", type="A") == (
        200, mutation_failed(calls, "add_zone_record", "A “A” record needs 1 data value."))
    # A type an account may not add and a ttl that is not a number never reach upstream.
    before = len(stack.state.requests)
    # They are answered in the same rows: certbot reads data[0].result.status. The type
    # refusal is cPanel 11.120's zone admin text (zone.pm ADD): MX and PTR included.
    for kind in ("HINFO", "MX", "PTR"):
        assert await calls.whm("add_zone_record", domain="example.com", name="a", type=kind) == (
            200, mutation_failed(calls, "add_zone_record", "You may only add A, AAAA, CAA, CNAME, NS, SRV or TXT records."))
    assert await calls.whm("add_zone_record", domain="example.com", name="a", type="A", address="192.0.2.1",
                           ttl="soon") == (200, mutation_failed(calls, "add_zone_record", "“ttl” must be a whole number, not “soon”."))
    assert len(stack.state.requests) == before


# cPanel 11.120's API 2 wrapper (ZoneEdit.pm) refused a record without a name itself: no
# row, the error in cpanelresult.error, event.result 1; nothing reaches upstream.
@pytest.mark.parametrize("name", [None, "", "0"])
async def test_add_zone_record_without_a_name_is_the_wrappers_own_error(stack, name):
    calls = Api2Calls(stack, "ZoneEdit")
    args = {"domain": "example.com", "type": "A", "address": "192.0.2.1", **({} if name is None else {"name": name})}
    before = len(stack.state.requests)
    assert await calls.whm("add_zone_record", **args) == (200, {"cpanelresult": {
        "apiversion": 2, "func": "add_zone_record", "module": "ZoneEdit", "data": [], "event": {"result": 1},
        "error": "Invalid DNS record: No name provided."}})
    assert len(stack.state.requests) == before


async def test_add_zone_record_without_a_ttl_takes_the_zones_ttl(stack):
    calls = Api2Calls(stack, "ZoneEdit")
    assert await calls.whm("add_zone_record", domain="example.com", name="srv", type="SRV", priority="0",
                           weight="5", port="443", target="example.com.") == (
        200, calls.ok("add_zone_record", done("2024042302")))
    write = uapi_calls(stack)[-1][1]
    assert json.loads(write["add"][0]) == {"dname": "srv", "ttl": 14400, "record_type": "SRV",
                                           "data": ["0", "5", "443", "example.com."]}


async def test_edit_zone_record_replaces_the_line_and_fails_for_non_records(stack):
    calls = Api2Calls(stack, "ZoneEdit")
    assert await calls.whm("edit_zone_record", domain="example.com", Line="8", name="mail", type="A",
                           address="192.0.2.20", ttl="300", **{"class": "IN"}) == (200, calls.ok("edit_zone_record", done("2024042302")))
    assert json.loads(uapi_calls(stack)[-1][1]["edit"][0]) == {
        "dname": "mail", "ttl": 300, "record_type": "A", "data": ["192.0.2.20"], "line_index": 7}
    assert await calls.cpanel("fetchzone_records", domain="example.com", line="8") == (200, calls.ok(
        "fetchzone_records", [rr(8, "mail.example.com.", "A", "300", address="192.0.2.20", record="192.0.2.20")]))
    # cPanel 11.120's zone admin texts (Cpanel/Admin/Modules/Cpanel/zone.pm EDIT).
    assert await calls.whm("edit_zone_record", domain="example.com", Line="2", name="x", type="A", address="192.0.2.1") == (
        200, mutation_failed(calls, "edit_zone_record", "You may only edit A, AAAA, CAA, CNAME, SRV or TXT records."))
    assert await calls.whm("edit_zone_record", domain="example.com", Line="99", address="192.0.2.1") == (
        200, mutation_failed(calls, "edit_zone_record", "Failed to fetch record on line: 99"))
    assert await calls.whm("edit_zone_record", domain="example.com", name="x", type="A", address="192.0.2.1") == (
        200, mutation_failed(calls, "edit_zone_record", "You must specify a valid line when you call EDIT."))


async def test_edit_zone_record_changes_only_the_fields_given(stack):
    # API 2 merged the fields given into the record at that line: no type, no name, no ttl.
    calls = Api2Calls(stack, "ZoneEdit")
    assert await calls.whm("edit_zone_record", domain="example.com", line="8", address="192.0.2.99") == (
        200, calls.ok("edit_zone_record", done("2024042302")))
    assert await calls.cpanel("fetchzone_records", domain="example.com", line="8") == (200, calls.ok(
        "fetchzone_records", [rr(8, "mail.example.com.", "A", "14400", address="192.0.2.99", record="192.0.2.99")]))
    writes = [args for func, args in uapi_calls(stack) if func == "mass_edit_zone"]
    assert len(writes) == 1


async def test_remove_zone_record_failure(stack):
    # cPanel 11.120's zone admin texts (zone.pm DELETE); nothing is written.
    calls = Api2Calls(stack, "ZoneEdit")
    not_removable = "You may only delete A, AAAA, CAA, CNAME, NS, SRV or TXT records."
    for line in ("99", "4", "10", "1"):  # past the end, the SOA, an MX record, a comment
        assert await calls.cpanel("remove_zone_record", domain="example.com", line=line) == (
            200, mutation_failed(calls, "remove_zone_record", not_removable))
    for line in ("0", "x"):
        assert await calls.whm("remove_zone_record", domain="example.com", line=line) == (
            200, mutation_failed(calls, "remove_zone_record", "You must specify a valid line when you call DELETE: "))
    assert await calls.whm("remove_zone_record", domain="other.example", Line="7") == (
        200, mutation_failed(calls, "remove_zone_record", "You do not have a DNS zone named “other.example”."))
    writes = [r for r in stack.state.requests if "mass_edit_zone" in r.path or r.form.get("cpanel.function") == ["mass_edit_zone"]]
    assert writes == []


async def test_fetchzones_reads_the_domains_then_each_zone_on_the_whm_port(stack):
    # The whole document, on the cPanel port, is in tests/test_flows_no_api2_e2e.py.
    calls = Api2Calls(stack, "ZoneEdit")
    status, got = await calls.whm("fetchzones")
    row = got["cpanelresult"]["data"][0]
    assert (status, row["status"], row["statusmsg"]) == (200, 1, "Zones fetched")
    assert sorted(row["zones"]) == ["blog.example.com", "example.com", "example.net", "shop.example.com", "shop.test"]
    reads = [r.form["cpanel.function"][0] for r in stack.state.requests if r.path.endswith("uapi_cpanel")]
    assert reads == ["list_domains", *["parse_zone"] * 5]


async def test_a_write_made_stale_by_another_client_fails_and_is_not_retried(stack):
    """Read, then one write: when another client changes the zone between them, the serial
    no longer matches and the client gets that failure; the shim sends no second write."""
    calls = Api2Calls(stack, "ZoneEdit")
    stack.state.faults.add("/execute/DNS/mass_edit_zone", "delay:0.3", times=1)
    adding = asyncio.ensure_future(calls.cpanel("add_zone_record", domain="example.com", name="late", type="A",
                                                address="192.0.2.7"))
    while not stack.state.requests_to("/execute/DNS/mass_edit_zone"):
        await asyncio.sleep(0.01)
    other = json.dumps({"dname": "first", "ttl": 60, "record_type": "A", "data": ["192.0.2.8"]})
    direct = await stack.post_json(f"{stack.fake_cpanel}/execute/DNS/mass_edit_zone", headers=USER_AUTH,
                                   data={"zone": "example.com", "serial": SERIAL, "add": other})
    assert direct[1]["data"] == {"new_serial": int(SERIAL) + 1}
    assert await adding == (200, mutation_failed(calls, "add_zone_record", (
        f"The given serial number ({SERIAL}) does not match the DNS zone’s serial number ({int(SERIAL) + 1}). "
        "Refresh your view of the DNS zone, then resubmit.")))
    assert len(stack.state.requests_to("/execute/DNS/mass_edit_zone")) == 2  # the shim's one write and the other client's
    names = [r["name"] for r in (await calls.cpanel("fetchzone_records", domain="example.com", type="A"))[1]["cpanelresult"]["data"]]
    assert names == ["example.com.", "mail.example.com.", "first.example.com."]


async def test_fake_mass_edit_zone_refuses_a_stale_serial_and_applies_all_or_nothing(stack):
    """The fake's own contract, which the read-before-write relies on."""
    calls = Api2Calls(stack, "ZoneEdit")
    url = f"{stack.fake_cpanel}/execute/DNS/mass_edit_zone"
    add = json.dumps({"dname": "new", "ttl": 60, "record_type": "A", "data": ["192.0.2.5"]})
    stale = await stack.post_json(url, data={"zone": "example.com", "serial": "1", "add": add}, headers=USER_AUTH)
    assert stale == (200, {"data": None, "errors": [
        "The given serial number (1) does not match the DNS zone’s serial number (2024042301). "
        "Refresh your view of the DNS zone, then resubmit."], "messages": None, "metadata": {}, "status": 0, "warnings": None})
    # One bad item (line 3 is the $TTL line) refuses the whole edit: the add is not applied.
    mixed = await stack.post_json(url, data={"zone": "example.com", "serial": SERIAL, "add": add, "remove": "2"},
                                  headers=USER_AUTH)
    assert mixed[1]["errors"] == ["The zone has no editable record at line index 2."]
    assert await calls.whm("fetchzone_records", domain="example.com") == (200, calls.ok("fetchzone_records", ZONE))


def test_parse_zone_contract_schema_tells_records_from_comments():
    """The contract test's discriminator handling can fail: a record with a text ttl, or a
    line of an unknown kind, is rejected."""
    import uapi_openapi

    spec = uapi_openapi.load_snapshot()
    schema = uapi_openapi.result_schema(uapi_openapi.operation_schema(spec, "DNS", "parse_zone"))
    record = {"type": "record", "line_index": 3, "dname_b64": "eA==", "data_b64": ["eA=="], "record_type": "A", "ttl": 60}
    comment = {"type": "comment", "line_index": 0, "text_b64": "Ow=="}

    def result(*data):
        return {"data": list(data), "errors": None, "messages": None, "metadata": {}, "status": 1, "warnings": None}

    assert uapi_openapi.errors(schema, result(record, comment)) == []
    assert uapi_openapi.errors(schema, result(dict(record, ttl="60")))
    assert uapi_openapi.errors(schema, result(dict(comment, type="blank")))
