"""TLS on both sides with real certificates (trustme): the shim serving HTTPS, and verifying WHM."""

import logging
import ssl

import aiohttp
import pytest
import trustme
from conftest import ROOT_AUTH

from shim import fakecpanel
from shim.app import TableHolder, create_app, load_configured_table
from shim.config import load_config
from shim.inbound.listener import start_listener
from shim.inbound.tls import server_context

PASSWD = ("/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd"
          "&user=user&pass=Sup3r-secret-pw")
OK = {"cpanelresult": {"apiversion": 2, "func": "passwd", "module": "Ftp", "data": [{"result": 1, "reason": "OK"}],
                       "event": {"result": 1}}}


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA playing WHM's self-signed issuer, and one for the shim's public certificate."""
    root = tmp_path_factory.mktemp("pki")
    files = {}
    for name in ("whm", "shim"):
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        files[f"{name}_ca"] = root / f"{name}-ca.pem"
        files[f"{name}_cert"] = root / f"{name}-cert.pem"
        files[f"{name}_key"] = root / f"{name}-key.pem"
        ca.cert_pem.write_to_path(str(files[f"{name}_ca"]))
        cert.cert_chain_pems[0].write_to_path(str(files[f"{name}_cert"]))
        cert.private_key_pem.write_to_path(str(files[f"{name}_key"]))
    return files


async def tls_stack(pki, **overrides):
    state = fakecpanel.FakeState.demo()
    whm_tls = server_context(pki["whm_cert"], pki["whm_key"])
    fake = await start_listener(fakecpanel.create_whm_app(state), "127.0.0.1", 0, ssl_context=whm_tls)
    config = load_config(None, {"whm_listen": "127.0.0.1:0", "whm_upstream": f"https://127.0.0.1:{fake.port}",
                                "connect_timeout": 2.0, "read_timeout": 5.0, "tls_cert": pki["shim_cert"],
                                "tls_key": pki["shim_key"], **overrides})
    shim = await start_listener(create_app(config, "whm", TableHolder(load_configured_table(config))), "127.0.0.1", 0,
                                ssl_context=server_context(config.tls_cert, config.tls_key))
    return state, shim, fake


def client_tls(pki):
    return ssl.create_default_context(cafile=str(pki["shim_ca"]))


async def test_https_both_sides_with_a_ca_file_for_whm(pki):
    state, shim, fake = await tls_stack(pki, upstream_ca_file=pki["whm_ca"])
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=client_tls(pki))) as http:
            async with http.get(f"https://127.0.0.1:{shim.port}{PASSWD}", headers=ROOT_AUTH) as resp:
                assert (resp.status, await resp.json()) == (200, OK)
            # pass-through over the verified connection too
            async with http.get(f"https://127.0.0.1:{shim.port}/json-api/version?api.version=1",
                                headers=ROOT_AUTH) as resp:
                assert resp.status == 200
        assert [r.path for r in state.requests] == ["/json-api/uapi_cpanel", "/json-api/version"]
    finally:
        await shim.close()
        await fake.close()


async def test_plain_http_client_gets_no_answer_from_a_tls_listener(pki):
    state, shim, fake = await tls_stack(pki, upstream_ca_file=pki["whm_ca"])
    try:
        async with aiohttp.ClientSession() as http:
            with pytest.raises(aiohttp.ClientError):
                async with http.get(f"http://127.0.0.1:{shim.port}{PASSWD}", headers=ROOT_AUTH) as resp:
                    await resp.read()
        assert state.requests == []
    finally:
        await shim.close()
        await fake.close()


async def test_untrusted_whm_certificate_is_refused_by_default(pki, caplog):
    caplog.set_level(logging.WARNING)
    state, shim, fake = await tls_stack(pki)  # no ca_file: WHM's self-signed CA is unknown
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=client_tls(pki))) as http:
            async with http.get(f"https://127.0.0.1:{shim.port}{PASSWD}", headers=ROOT_AUTH) as resp:
                reason = "upstream's TLS certificate is not trusted"
                assert (resp.status, await resp.json()) == (502, {"cpanelresult": {
                    "apiversion": 2, "func": "passwd", "module": "Ftp", "data": [],
                    "event": {"result": 0, "reason": reason}, "error": reason}})
            async with http.get(f"https://127.0.0.1:{shim.port}/json-api/version?api.version=1",
                                headers=ROOT_AUTH) as resp:
                assert (resp.status, await resp.text()) == (502, "502 Bad Gateway: upstream is unavailable\n")
        assert state.requests == []  # no request, so no token, went to an unverified server
        assert "set upstream_tls.ca_file" in caplog.text
        assert "Sup3r-secret-pw" not in caplog.text
    finally:
        await shim.close()
        await fake.close()


async def test_insecure_switch_works_and_says_so_loudly(pki, caplog):
    caplog.set_level(logging.WARNING)
    state, shim, fake = await tls_stack(pki, upstream_insecure=True)
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=client_tls(pki))) as http:
            async with http.get(f"https://127.0.0.1:{shim.port}{PASSWD}", headers=ROOT_AUTH) as resp:
                assert (resp.status, await resp.json()) == (200, OK)
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "verification is OFF" in r.message]
        assert len(warnings) == 1
    finally:
        await shim.close()
        await fake.close()
