"""ZoneEdit's records as cPanel 11.120's zone parser gave them (Cpanel/Net/DNS/ZoneFile/LDNS.pm),
built from a UAPI DNS::parse_zone answer scripted as cPanel's own parser reports a zone file
with a multi-line SOA, blank lines, `$ORIGIN`, a split TXT record and a CAA record.

The upstream answer is scripted (this is cPanel's parser output, not the shim's); the
recipe and the API 2 filters run as in production. End to end through the fake:
tests/test_zoneedit_e2e.py.
"""

import base64

from shim.recipes import zoneedit
from shim.translation.recipe import RecipeCall
from shim.translation.recognise import LegacyCall


def b64(text):
    return base64.b64encode(text.encode()).decode()


def comment(index, text):
    return {"line_index": index, "type": "comment", "text_b64": b64(text)}


def control(index, text):
    return {"line_index": index, "type": "control", "text_b64": b64(text)}


def record(index, dname, ttl, rtype, *data):
    return {"line_index": index, "type": "record", "dname_b64": b64(dname), "ttl": ttl, "record_type": rtype,
            "data_b64": [b64(item) for item in data]}


# example.com.db as cPanel writes it: the SOA spans lines 4-10 (its comments are inside the
# parentheses, so the parser reports no item for them); line 11 is blank; $ORIGIN on 12.
PARSED = [
    comment(0, "; cPanel first:11.120.0.5 Cpanel::ZoneFile::VERSION:1.3"),
    comment(1, "; Zone file for example.com"),
    control(2, "$TTL 14400"),
    record(3, "example.com.", 86400, "SOA", "ns1.Example.com.", "admin.example.com.", "2024042301", "3600",
           "1800", "1209600", "86400"),
    record(10, "example.com.", 86400, "NS", "ns1.example.com."),
    control(12, "$ORIGIN example.com."),
    record(13, "Mail", 14400, "A", "192.0.2.10"),
    record(14, "example.com.", 14400, "TXT", "v=DKIM1; k=rsa; p=MIIB", "IjANBgkq"),
    record(15, "example.com.", 14400, "CAA", "0", "issue", "letsencrypt.org"),
]


async def run(func, **args):
    async def upstream(call):
        assert (call.module, call.func, dict(call.args)) == ("DNS", "parse_zone", {"zone": "example.com"})
        return {"status": 1, "data": PARSED, "errors": None, "messages": None, "metadata": {}}
    legacy = LegacyCall("ZoneEdit", func, "user", {"domain": "example.com", **args}, "")
    return await getattr(zoneedit, func)(RecipeCall(legacy, "user", upstream, None))


SOA = {"Line": 4, "Lines": 7, "line": 4, "class": "IN", "type": "SOA", "name": "example.com.", "ttl": "86400",
       "mname": "ns1.example.com", "rname": "admin.example.com", "serial": "2024042301", "refresh": "3600",
       "retry": "1800", "expire": "1209600", "minimum": "86400", "record": None}
RECORDS = [
    {"Line": 1, "line": 1, "type": ":RAW", "raw": "; cPanel first:11.120.0.5 Cpanel::ZoneFile::VERSION:1.3",
     "record": None},
    {"Line": 2, "line": 2, "type": ":RAW", "raw": "; Zone file for example.com", "record": None},
    {"Line": 3, "line": 3, "type": "$TTL", "ttl": "14400", "record": None},
    SOA,
    {"Line": 11, "line": 11, "class": "IN", "type": "NS", "name": "example.com.", "ttl": "86400",
     "nsdname": "ns1.example.com", "record": None},
    {"Line": 14, "line": 14, "class": "IN", "type": "A", "name": "mail.example.com.", "ttl": "14400",
     "address": "192.0.2.10", "record": "192.0.2.10"},
    {"Line": 15, "line": 15, "class": "IN", "type": "TXT", "name": "example.com.", "ttl": "14400",
     "txtdata": "v=DKIM1; k=rsa; p=MIIBIjANBgkq", "char_str_list": ["v=DKIM1; k=rsa; p=MIIB", "IjANBgkq"],
     "unencoded": 1, "record": "v=DKIM1; k=rsa; p=MIIBIjANBgkq"},
    {"Line": 16, "line": 16, "class": "IN", "type": "CAA", "name": "example.com.", "ttl": "14400", "flag": "0",
     "tag": "issue", "value": "letsencrypt.org", # RFC 3597's generic form of the CAA data (flag, tag length, tag, value).
     "value_legacy": "\\# 22 000569737375656C657473656E63727970742E6F7267", "record": None},
]


async def test_fetchzone_records_is_the_parsers_list():
    assert await run("fetchzone_records") == RECORDS


async def test_fetchzone_wraps_it_with_the_serial():
    assert await run("fetchzone") == [{"status": 1, "statusmsg": "Zone Serialized", "serialnum": "2024042301",
                                       "record": RECORDS}]


async def test_the_api2_filters_compare_text_and_split_on_bars_and_commas():
    assert await run("fetchzone_records", type="SOA|$TTL") == [RECORDS[2], SOA]
    assert await run("fetchzone_records", line="14,16") == [RECORDS[5], RECORDS[7]]
    # :RAW and $TTL lines have no name: a name filter leaves them out.
    assert await run("fetchzone_records", name="example.com.", ttl="86400") == [SOA, RECORDS[4]]
