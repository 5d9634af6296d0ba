"""Production settings (TLS, client networks, limits, workers): validated at load, errors with file and line."""

import ipaddress

import pytest
import trustme

from shim.config import ConfigError, load_config


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    root = tmp_path_factory.mktemp("pair")
    ca = trustme.CA()
    cert, other = ca.issue_cert("localhost"), ca.issue_cert("localhost")
    cert.cert_chain_pems[0].write_to_path(str(root / "cert.pem"))
    cert.private_key_pem.write_to_path(str(root / "key.pem"))
    other.private_key_pem.write_to_path(str(root / "other-key.pem"))
    ca.cert_pem.write_to_path(str(root / "ca.pem"))
    (root / "junk.pem").write_text("not a certificate\n")
    return root


def errors_of(path, text):
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.errors


def test_a_complete_production_file_loads(pair):
    config_file = pair / "shim.yaml"
    config_file.write_text(
        "whm:\n  listen: 0.0.0.0:2087\n  allow: [203.0.113.0/24, 2001:db8::/32, 127.0.0.1]\n"
        "cpanel:\n  listen: 0.0.0.0:2083\n"
        "tls:\n  cert: cert.pem\n  key: key.pem\n"
        "upstream_tls:\n  ca_file: ca.pem\n"
        "limits:\n  max_passthrough_body: 1000000\n  max_concurrent: 64\n"
        "timeouts:\n  shutdown: 5\nworkers: 4\n")
    config = load_config(config_file)
    assert (config.tls_cert, config.tls_key, config.upstream_ca_file) == (pair / "cert.pem", pair / "key.pem",
                                                                          pair / "ca.pem")
    assert (config.max_passthrough_body, config.max_concurrent, config.shutdown_timeout, config.workers) == (
        1000000, 64, 5, 4)
    assert config.service("whm").allow == (ipaddress.ip_network("203.0.113.0/24"),
                                           ipaddress.ip_network("2001:db8::/32"), ipaddress.ip_network("127.0.0.1/32"))
    assert config.service("cpanel").allow == ()


def test_tls_errors_name_file_and_line(pair):
    path = pair / "bad.yaml"
    assert errors_of(path, "whm: {listen: '127.0.0.1:1'}\ntls:\n  cert: cert.pem\n") == [
        f"{path}:3: tls: give both cert and key, or neither"]
    assert errors_of(path, "whm: {listen: '127.0.0.1:1'}\ntls:\n  cert: missing.pem\n  key: key.pem\n") == [
        f"{path}:3: tls.cert: no such file '{pair / 'missing.pem'}'"]
    assert errors_of(path, "whm: {listen: '127.0.0.1:1'}\ntls:\n  cert: cert.pem\n  key: other-key.pem\n") == [
        f"{path}:3: tls: cannot use cert '{pair / 'cert.pem'}' with key '{pair / 'other-key.pem'}': "
        "the key does not belong to the certificate"]
    assert errors_of(path, "whm: {listen: '127.0.0.1:1'}\ntls:\n  cert: junk.pem\n  key: key.pem\n") == [
        f"{path}:3: tls: cannot use cert '{pair / 'junk.pem'}' with key '{pair / 'key.pem'}': "
        "not a PEM certificate chain and its private key"]
    assert errors_of(path, "whm: {listen: '127.0.0.1:1'}\ntls:\n  crt: cert.pem\n") == [
        f"{path}:3: unknown key 'crt' in tls (allowed: cert, key)"]


def test_upstream_tls_and_limit_errors_name_file_and_line(pair):
    path = pair / "bad.yaml"
    assert errors_of(path, "whm:\n  listen: 127.0.0.1:1\n  allow: [10.0.0.0/8, office]\n"
                           "upstream_tls:\n  ca_file: junk.pem\n  insecure: maybe\n"
                           "limits:\n  max_concurrent: 0\ntimeouts:\n  shutdown: -1\nworkers: two\n") == [
        f"{path}:3: whm: allow: 'office' is not an address or network like 192.0.2.0/24",
        f"{path}:10: shutdown_timeout must be a positive number of seconds, not -1",
        f"{path}:8: max_concurrent must be a positive whole number, not 0",
        f"{path}:11: workers must be a positive whole number, not 'two'",
        f"{path}:5: upstream_tls.ca_file: '{pair / 'junk.pem'}' holds no PEM certificate",
        f"{path}:6: upstream_tls.insecure must be true or false, not 'maybe'",
    ]


def test_flags_without_a_file_give_the_same_texts_without_a_place(pair):
    with pytest.raises(ConfigError) as caught:
        load_config(None, {"whm_listen": "127.0.0.1:0", "tls_key": pair / "key.pem", "workers": 0})
    assert caught.value.errors == ["workers must be a positive whole number, not 0",
                                   "tls: give both cert and key, or neither"]
