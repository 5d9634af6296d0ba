"""Every translated SSL and SSLInfo function through the real shim: success and failure."""

import logging

from api2calls import Api2Calls
from conftest import USER_AUTH

from shim.fakecpanel import USER_DOMAIN
from shim.fakecpanel.modules.ssl import (
    certificate,
    fake_pem,
    modulus_for,
    seed_key_id,
    ssl_data,
)

INVALID_KEY = "The system could not parse the private key."


def ok(func, data, module="SSL"):
    return {"cpanelresult": {"apiversion": 2, "func": func, "data": data, "event": {"result": 1}, "module": module}}


def failed(func, row, reason, module="SSL"):
    return {"cpanelresult": {"apiversion": 2, "func": func, "module": module, "event": {"result": 1},
                             "data": [row], "error": reason}}


async def api2_whm(stack, func, module="SSL", **args):
    return await Api2Calls(stack, module).whm(func, **args)


async def api2_cpanel(stack, func, module="SSL", **args):
    return await Api2Calls(stack, module).cpanel(func, **args)


def key_pair(name):
    modulus = modulus_for(name)
    return fake_pem("PRIVATE KEY", {"bits": 2048, "modulus": modulus}), modulus


async def test_genkey_then_listkeys(stack):
    got = await api2_whm(stack, "genkey", host="shop.example.com", keysize="4096")
    [key] = [k for k in ssl_data(stack.state.accounts["user"]).keys.values() if k["friendly_name"] == "shop.example.com"]
    assert got == (200, ok("genkey", [{"key": key["text"], "result": 1, "output": "Private key generated!"}]))
    assert key["modulus_length"] == 4096
    assert await api2_cpanel(stack, "listkeys") == (200, ok("listkeys", [{"host": USER_DOMAIN}, {"host": "shop.example.com"}]))


async def test_genkey_failure_and_listkeys_failure(stack):
    reason = "“1234” is not a valid key size. Use one of: 2048, 3072, 4096."
    assert await api2_whm(stack, "genkey", host="x.example.com", keysize="1234") == (
        200, failed("genkey", {"result": 0, "output": reason}, reason))
    stack.state.faults.add("/execute/SSL/list_keys", "invalid_json", times=1)
    status, document = await api2_cpanel(stack, "listkeys")
    assert (status, document["cpanelresult"]["error"]) == (502, "upstream answered something that is not JSON")


async def test_uploadkey_keeps_the_key_secret(stack, caplog):
    caplog.set_level(logging.DEBUG)
    text, modulus = key_pair("uploaded")
    assert await api2_whm(stack, "uploadkey", key=text, host="up.example.com") == (
        200, ok("uploadkey", [{"result": 1, "output": ""}]))
    assert any(k["modulus"] == modulus for k in ssl_data(stack.state.accounts["user"]).keys.values())
    assert await api2_whm(stack, "uploadkey", key="not a key", host="up.example.com") == (
        200, failed("uploadkey", {"result": 0, "output": INVALID_KEY}, INVALID_KEY))
    assert text not in caplog.text and "not a key" not in caplog.text


async def test_listcsrs_and_its_failure(stack):
    data = ssl_data(stack.state.accounts["user"])
    data.csrs["c1"] = {"id": "c1", "friendly_name": "shop.example.com", "commonName": "shop.example.com"}
    assert await api2_cpanel(stack, "listcsrs") == (200, ok("listcsrs", [{"host": "shop.example.com"}]))
    stack.state.faults.add("/execute/SSL/list_csrs", "status:503", times=1)
    status, document = await api2_cpanel(stack, "listcsrs")
    assert (status, document["cpanelresult"]["event"]) == (502, {"result": 0, "reason": "upstream answered HTTP 503"})


async def test_listcrts_and_its_failure(stack):
    assert await api2_whm(stack, "listcrts") == (200, ok("listcrts", [
        {"host": USER_DOMAIN, "issuer": "Self-signed", "expiredate": 1_700_000_000 + 365 * 86400}]))
    stack.state.faults.add("/json-api/uapi_cpanel", "html", times=1)
    status, document = await api2_whm(stack, "listcrts")
    assert (status, document["cpanelresult"]["data"]) == (502, [])


async def test_uploadcrt_reports_the_detected_name(stack):
    crt = certificate(["shop.example.com", "www.shop.example.com"], modulus_for("shop"))
    assert await api2_cpanel(stack, "uploadcrt", crt=crt, host="shop") == (
        200, ok("uploadcrt", [{"result": 1, "output": "shop.example.com (auto-detected)"}]))
    reason = "This certificate is already on the account."
    assert await api2_cpanel(stack, "uploadcrt", crt=crt) == (200, failed("uploadcrt", {"result": 0, "output": reason}, reason))


async def test_installssl_from_a_certbot_style_get_far_beyond_8_kib(stack, caplog):
    caplog.set_level(logging.DEBUG)
    key, modulus = key_pair("certbot")
    crt = certificate([USER_DOMAIN, f"www.{USER_DOMAIN}"], modulus, issuer="R3")
    cabundle = "".join(certificate([f"ca{i}.example.net"], modulus_for(f"ca{i}"), issuer="ISRG", pad="x" * 900)
                       for i in range(12))
    query = {"cpanel_jsonapi_apiversion": "2", "cpanel_jsonapi_module": "SSL", "cpanel_jsonapi_func": "installssl",
             "domain": USER_DOMAIN, "crt": crt, "key": key, "cabundle": cabundle}
    async with stack.http.get(f"{stack.cpanel}/json-api/cpanel", params=query, headers=USER_AUTH) as resp:
        assert len(str(resp.url)) > 16_000
        status, document = resp.status, await resp.json(content_type=None)
    # cPanel 11.120 (SSL.pm api2_installssl): output is UAPI's messages, not its statusmsg.
    message = f"The certificate was successfully installed on the domain “{USER_DOMAIN}”."
    assert (status, document) == (200, ok("installssl", [{"output": message, "result": 1}]))
    seen = stack.state.requests[-1]
    assert (seen.method, seen.path, seen.query) == ("POST", "/execute/SSL/install_ssl", {})
    assert seen.form["cabundle"] == [cabundle] and seen.form["key"] == [key]
    assert key not in caplog.text


async def test_installssl_with_a_key_that_does_not_match(stack):
    key, _ = key_pair("other")
    crt = certificate([USER_DOMAIN], modulus_for("certbot"))
    reason = "The certificate does not match the private key."
    assert await api2_whm(stack, "installssl", domain=USER_DOMAIN, crt=crt, key=key) == (
        200, failed("installssl", {"result": 0, "output": reason}, reason))


async def test_fetchinfo_under_both_module_names(stack):
    data = ssl_data(stack.state.accounts["user"])
    installed = data.installed[USER_DOMAIN]
    expected = {"cabundle": "", "crt": data.certs[installed["cert_id"]]["text"], "crt_origin": "user",
                "domain": USER_DOMAIN, "ip": "192.0.2.10", "key": data.keys[installed["key_id"]]["text"],
                "key_origin": "user", "searched_users": ["user"], "status": 1, "statusmsg": "ok", "user": "user"}
    assert await api2_whm(stack, "fetchinfo", domain=USER_DOMAIN) == (200, ok("fetchinfo", [expected]))
    assert await api2_cpanel(stack, "fetchinfo", module="SSLInfo", domain=USER_DOMAIN, crtdata="x") == (
        200, ok("fetchinfo", [expected], module="SSLInfo"))
    assert "crtdata" not in stack.state.requests[-1].form


async def test_fetchinfo_failures(stack):
    reason = "The account “user” does not own the domain “elsewhere.example”."
    row = {"result": 0, "reason": reason}
    assert await api2_whm(stack, "fetchinfo", domain="elsewhere.example") == (200, failed("fetchinfo", row, reason))
    assert await api2_cpanel(stack, "fetchinfo", module="SSLInfo", domain="elsewhere.example") == (
        200, failed("fetchinfo", row, reason, module="SSLInfo"))


SUBJECT = {"country": "US", "state": "Texas", "city": "Houston", "company": "Example Inc",
           "companydivision": "Web", "email": "admin@example.com", "pass": "challenge"}


async def test_gencsr_finds_the_key_by_host_first(stack):
    got = await api2_whm(stack, "gencsr", host=USER_DOMAIN, **SUBJECT)
    assert got == (200, ok("gencsr", [{"result": 1, "output": ""}]))
    listed, made = stack.state.requests[-2:]
    assert (listed.form["cpanel.function"], made.form["cpanel.function"]) == (["list_keys"], ["generate_csr"])
    key_id = seed_key_id(USER_DOMAIN)
    assert {k: v for k, v in made.form.items() if not k.startswith("cpanel.") and k != "api.version"} == {
        "domains": [USER_DOMAIN], "countryName": ["US"], "stateOrProvinceName": ["Texas"], "localityName": ["Houston"],
        "organizationName": ["Example Inc"], "organizationalUnitName": ["Web"], "emailAddress": ["admin@example.com"],
        "key_id": [key_id]}
    assert await api2_cpanel(stack, "listcsrs") == (200, ok("listcsrs", [{"host": USER_DOMAIN}]))


async def test_gencsr_without_a_key_for_the_host(stack):
    reason = "No private key named “nokey.example.com” exists. Generate or upload a key for it first."
    got = await api2_whm(stack, "gencsr", host="nokey.example.com", **SUBJECT)
    assert got == (200, failed("gencsr", {"result": 0, "output": reason}, reason))
    assert stack.state.requests[-1].form["cpanel.function"] == ["list_keys"]  # nothing generated


async def test_gencrt_and_its_failures(stack):
    assert await api2_cpanel(stack, "gencrt", host=USER_DOMAIN, **SUBJECT) == (200, ok("gencrt", [{"result": 1, "output": ""}]))
    assert [c["is_self_signed"] for c in ssl_data(stack.state.accounts["user"]).certs.values()] == [1, 1]
    # A key exists but UAPI refuses the call: its error is the answer.
    reason = "You must specify the “countryName” parameter."
    got = await api2_cpanel(stack, "gencrt", host=USER_DOMAIN, state="Texas", city="Houston", company="Example")
    assert got == (200, failed("gencrt", {"result": 0, "output": reason}, reason))
    # The lookup itself fails upstream: the client gets the usual upstream failure.
    stack.state.faults.add("/execute/SSL/list_keys", "status:500", times=1)
    status, document = await api2_cpanel(stack, "gencrt", host=USER_DOMAIN, **SUBJECT)
    assert (status, document["cpanelresult"]["event"]) == (502, {"result": 0, "reason": "upstream answered HTTP 500"})


async def test_fetchcabundle_and_an_unreadable_certificate(stack):
    crt = certificate(["shop.example.com"], modulus_for("shop"), issuer="R3")
    bundle = certificate(["ca.r3.example"], modulus_for("ca:R3"), issuer="R3")
    assert await api2_whm(stack, "fetchcabundle", crt=crt) == (
        200, ok("fetchcabundle", [{"bundle": bundle, "cab": bundle, "domain": "shop.example.com"}]))
    reason = "The system could not parse the certificate."
    assert await api2_whm(stack, "fetchcabundle", crt="garbage") == (
        200, failed("fetchcabundle", {"result": 0, "reason": reason}, reason))


async def test_getcnname_and_a_bad_service(stack):
    assert await api2_cpanel(stack, "getcnname", domain=f"www.{USER_DOMAIN}", service="imap") == (200, ok("getcnname", [{
        "cert_match_method": "exact", "cert_valid_not_after": 1_700_000_000 + 365 * 86400, "is_currently_valid": 1,
        "is_self_signed": 1, "is_wild_card": 0, "ssldomain": f"www.{USER_DOMAIN}", "ssldomain_matches_cert": 1}]))
    reason = "“ftp” is not a valid service. Use one of: cpanel, imap, pop3, smtp."
    assert await api2_cpanel(stack, "getcnname", domain=USER_DOMAIN, service="ftp") == (
        200, failed("getcnname", {"result": 0, "reason": reason}, reason))


async def test_listsslitems_and_a_bad_item(stack):
    assert await api2_cpanel(stack, "listsslitems", items="crt", domains=f"www.{USER_DOMAIN}") == (
        200, ok("listsslitems", [{"host": f"www.{USER_DOMAIN}", "type": "crt"}]))
    assert stack.state.requests[-1].form == {"item": ["crt"], "domains": [f"www.{USER_DOMAIN}"]}
    reason = "“cert” is not a valid item type. Use one of: key, csr, crt."
    assert await api2_cpanel(stack, "listsslitems", items="cert") == (
        200, failed("listsslitems", {"result": 0, "reason": reason}, reason))
