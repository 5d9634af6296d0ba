"""UAPI module SSL, per account and stateful: keys, CSRs, certificates, installed hosts.

No real cryptography: a PEM block made by `fake_pem` carries a small JSON description
(the key's modulus; a certificate's domains, issuer, dates and key modulus) in base64,
so the fake can "parse" what it issued and what tests build, and reject anything else as
an invalid key or certificate. A certificate matches a key when their moduli are equal.
Error texts are assumed (no live server), in cPanel's style.

Demo seed for each account: key `<domain>` (RSA 2048) and a self-signed certificate for
the primary domain and its `www.`, installed on the primary domain.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from ..state import USER_DOMAIN, CpanelAccount

CREATED = 1_700_000_000
YEAR = 365 * 86400
KEY_SIZES = (2048, 3072, 4096)
DEFAULT_KEY_SIZE = 2048
SELF_SIGNED_ISSUER = "Self-signed"
_PEM = re.compile(r"-----BEGIN ([A-Z ]+)-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END \1-----")
_SAFE = re.compile(r"[^A-Za-z0-9]+")
_SUBJECT = ("countryName", "stateOrProvinceName", "localityName", "organizationName")


def fake_pem(kind: str, payload: dict[str, Any]) -> str:
    """A PEM block ("PRIVATE KEY", "CERTIFICATE", "CERTIFICATE REQUEST") the fake can read back."""
    body = base64.b64encode(json.dumps(payload, sort_keys=True).encode()).decode()
    lines = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN {kind}-----\n{lines}\n-----END {kind}-----\n"


def read_pem(kind: str, text: str) -> dict[str, Any] | None:
    match = _PEM.search(text or "")
    if not match or match.group(1) != kind:
        return None
    try:
        payload = json.loads(base64.b64decode("".join(match.group(2).split())))
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def modulus_for(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def _id(friendly: str, modulus: str, created: int) -> str:
    return f"{_SAFE.sub('_', friendly)}_{modulus[:5]}_{modulus[5:10]}_{created}"


def seed_key_id(domain: str) -> str:
    """The id of the key every account is seeded with."""
    return _id(domain, modulus_for(domain), CREATED)


@dataclass(slots=True)
class SslData:
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> record (with text)
    csrs: dict[str, dict[str, Any]] = field(default_factory=dict)
    certs: dict[str, dict[str, Any]] = field(default_factory=dict)
    installed: dict[str, dict[str, str]] = field(default_factory=dict)  # domain -> {cert_id, key_id, cabundle}
    clock: int = CREATED  # creation times, advanced per item so ids stay unique


def _key_record(friendly: str, modulus: str, bits: int, created: int) -> dict[str, Any]:
    return {
        "created": created,
        "ecdsa_curve_name": None,
        "ecdsa_public": None,
        "friendly_name": friendly,
        "id": _id(friendly, modulus, created),
        "key_algorithm": "rsaEncryption",
        "modulus": modulus,
        "modulus_length": bits,
        "text": fake_pem("PRIVATE KEY", {"bits": bits, "modulus": modulus}),
    }


def _cert_record(payload: dict[str, Any], text: str, friendly: str, created: int) -> dict[str, Any]:
    domains = list(payload["domains"])
    issuer = payload.get("issuer", SELF_SIGNED_ISSUER)
    return {
        "created": created,
        "domains": domains,
        "ecdsa_curve_name": None,
        "ecdsa_public": None,
        "friendly_name": friendly or domains[0],
        "id": _id(domains[0], payload["modulus"], payload.get("not_after", created)),
        "is_self_signed": int(issuer == SELF_SIGNED_ISSUER),
        "issuer.commonName": issuer,
        "issuer.organizationName": issuer,
        "key_algorithm": "rsaEncryption",
        "modulus": payload["modulus"],
        "modulus_length": payload.get("bits", DEFAULT_KEY_SIZE),
        "not_after": payload.get("not_after", created + YEAR),
        "not_before": payload.get("not_before", created),
        "serial": payload["modulus"][:16],
        "signature_algorithm": "sha256WithRSAEncryption",
        "subject.commonName": domains[0],
        "text": text,
        "validation_type": None,
    }


def certificate(domains: list[str], modulus: str, issuer: str = SELF_SIGNED_ISSUER, **extra: Any) -> str:
    """A certificate text for tests and the seed (`extra` may pad it or set dates)."""
    payload = {"domains": domains, "issuer": issuer, "modulus": modulus, "not_after": CREATED + YEAR,
               "not_before": CREATED, **extra}
    return fake_pem("CERTIFICATE", payload)


def _seed(account: CpanelAccount) -> SslData:
    data = SslData()
    key = _key_record(account.domain, modulus_for(account.domain), DEFAULT_KEY_SIZE, CREATED)
    data.keys[key["id"]] = key
    text = certificate([account.domain, f"www.{account.domain}"], key["modulus"])
    cert = _cert_record(read_pem("CERTIFICATE", text) or {}, text, account.domain, CREATED)
    data.certs[cert["id"]] = cert
    data.installed[account.domain] = {"cert_id": cert["id"], "key_id": key["id"], "cabundle": ""}
    return data


def ssl_data(account: CpanelAccount) -> SslData:
    return account.module_state("SSL", _seed)


def _tick(data: SslData) -> int:
    data.clock += 1
    return data.clock


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "text"}


def _required(args: Args, name: str) -> str:
    value = args.get(name, "")
    if not value:
        raise UapiError(f"You must specify the “{name}” parameter.")
    return value


def _key_text(text: str) -> dict[str, Any]:
    payload = read_pem("PRIVATE KEY", text) or read_pem("RSA PRIVATE KEY", text)
    if not payload or "modulus" not in payload:
        raise UapiError("The system could not parse the private key.")
    return payload


def _cert_text(text: str) -> dict[str, Any]:
    payload = read_pem("CERTIFICATE", text)
    if not payload or not payload.get("domains") or "modulus" not in payload:
        raise UapiError("The system could not parse the certificate.")
    return payload


def _covers(domains: list[str], domain: str) -> bool:
    for name in domains:
        if name == domain or (name.startswith("*.") and domain.split(".", 1)[-1] == name[2:]):
            return True
    return False


@uapi_function("SSL", "generate_key", samples=[{"friendly_name": "shop", "keysize": "4096"}, {}])
def generate_key(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = ssl_data(ctx.account)
    size_text = args.get("keysize", str(DEFAULT_KEY_SIZE))
    if not size_text.isdigit() or int(size_text) not in KEY_SIZES:
        raise UapiError(f"“{size_text}” is not a valid key size. Use one of: {', '.join(map(str, KEY_SIZES))}.")
    created = _tick(data)
    friendly = args.get("friendly_name") or f"key_{created}"
    key = _key_record(friendly, modulus_for(f"{ctx.account.user}:{friendly}:{created}"), int(size_text), created)
    data.keys[key["id"]] = key
    return UapiOutcome.ok(dict(key))


@uapi_function("SSL", "list_keys", samples=[{}])
def list_keys(ctx: UapiContext, args: Args) -> UapiOutcome:
    return UapiOutcome.ok([_public(k) for k in ssl_data(ctx.account).keys.values()])


@uapi_function("SSL", "upload_key", samples=[{"key": fake_pem("PRIVATE KEY", {"bits": 2048, "modulus": "ab" * 32})}])
def upload_key(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = ssl_data(ctx.account)
    payload = _key_text(_required(args, "key"))
    if any(k["modulus"] == payload["modulus"] for k in data.keys.values()):
        raise UapiError("This private key is already on the account.")
    created = _tick(data)
    friendly = args.get("friendly_name") or f"key_{created}"
    key = _key_record(friendly, payload["modulus"], int(payload.get("bits", DEFAULT_KEY_SIZE)), created)
    data.keys[key["id"]] = key
    return UapiOutcome.ok([_public(key)])


def _subject_call(ctx: UapiContext, args: Args) -> tuple[SslData, dict[str, Any], list[str]]:
    data = ssl_data(ctx.account)
    for name in ("domains", *_SUBJECT, "key_id"):
        _required(args, name)
    key = data.keys.get(args["key_id"])
    if key is None:
        raise UapiError(f"No key with the ID “{args['key_id']}” exists.")
    domains = [d.strip() for d in args["domains"].split(",") if d.strip()]
    return data, key, domains


@uapi_function("SSL", "generate_csr", samples=[{
    "domains": "example.com,www.example.com", "countryName": "US", "stateOrProvinceName": "TX",
    "localityName": "Houston", "organizationName": "Example", "key_id": seed_key_id(USER_DOMAIN)}])
def generate_csr(ctx: UapiContext, args: Args) -> UapiOutcome:
    data, key, domains = _subject_call(ctx, args)
    created = _tick(data)
    text = fake_pem("CERTIFICATE REQUEST", {"domains": domains, "modulus": key["modulus"]})
    csr = {k: v for k, v in key.items() if k in ("ecdsa_curve_name", "ecdsa_public", "key_algorithm", "modulus")}
    csr.update(commonName=domains[0], created=created, domains=domains, text=text,
               friendly_name=args.get("friendly_name") or domains[0], id=_id(domains[0], key["modulus"], created))
    data.csrs[csr["id"]] = csr
    return UapiOutcome.ok(dict(csr))


@uapi_function("SSL", "list_csrs", samples=[{}])
def list_csrs(ctx: UapiContext, args: Args) -> UapiOutcome:
    return UapiOutcome.ok([_public(c) for c in ssl_data(ctx.account).csrs.values()])


@uapi_function("SSL", "generate_cert", samples=[{
    "domains": "example.com", "countryName": "US", "stateOrProvinceName": "TX",
    "localityName": "Houston", "organizationName": "Example", "key_id": seed_key_id(USER_DOMAIN)}])
def generate_cert(ctx: UapiContext, args: Args) -> UapiOutcome:
    data, key, domains = _subject_call(ctx, args)
    created = _tick(data)
    text = certificate(domains, key["modulus"], not_after=created + YEAR, not_before=created)
    cert = _cert_record(_cert_text(text), text, args.get("friendly_name", ""), created)
    data.certs[cert["id"]] = cert
    return UapiOutcome.ok(dict(cert))


@uapi_function("SSL", "list_certs", samples=[{}])
def list_certs(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = ssl_data(ctx.account)
    installed = {v["cert_id"] for v in data.installed.values()}
    records = []
    for cert in data.certs.values():
        record = _public(cert)
        record.update(domain_is_configured=int(cert["id"] in installed),
                      issuer_text=f"commonName\n{cert['issuer.commonName']}",
                      subject_text=f"commonName\n{cert['subject.commonName']}")
        records.append(record)
    return UapiOutcome.ok(records)


@uapi_function("SSL", "upload_cert", samples=[{"crt": certificate(["shop.example.com"], "cd" * 32)}])
def upload_cert(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = ssl_data(ctx.account)
    text = _required(args, "crt")
    cert = _cert_record(_cert_text(text), text, args.get("friendly_name", ""), _tick(data))
    if cert["id"] in data.certs:
        raise UapiError("This certificate is already on the account.")
    data.certs[cert["id"]] = cert
    return UapiOutcome.ok([{k: v for k, v in _public(cert).items() if k != "serial"}])


@uapi_function("SSL", "install_ssl", samples=[{
    "domain": "example.com",
    "cert": certificate(["example.com"], modulus_for("sample")),
    "key": fake_pem("PRIVATE KEY", {"bits": 2048, "modulus": modulus_for("sample")})}])
def install_ssl(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = ssl_data(ctx.account)
    domain, cert_text, key_text = _required(args, "domain"), _required(args, "cert"), _required(args, "key")
    if not ctx.account.owns_domain(domain):
        raise UapiError(f"The account “{ctx.account.user}” does not own the domain “{domain}”.")
    cert, key = _cert_text(cert_text), _key_text(key_text)
    if cert["modulus"] != key["modulus"]:
        raise UapiError("The certificate does not match the private key.")
    if not _covers(cert["domains"], domain):
        raise UapiError(f"The certificate does not cover the domain “{domain}”.")
    created = _tick(data)
    record = _cert_record(cert, cert_text, "", created)
    data.certs.setdefault(record["id"], record)
    key_record = next((k for k in data.keys.values() if k["modulus"] == key["modulus"]), None)
    if key_record is None:
        key_record = _key_record(domain, key["modulus"], int(key.get("bits", DEFAULT_KEY_SIZE)), created)
        data.keys[key_record["id"]] = key_record
    data.installed[domain] = {"cert_id": record["id"], "key_id": key_record["id"], "cabundle": args.get("cabundle", "")}
    working = [d for d in (domain, f"www.{domain}") if _covers(cert["domains"], d)]
    message = f"The SSL certificate is now installed onto the domain “{domain}” using the IP address “{ctx.account.ip}”."
    # cPanel 11.120's UAPI adds this message after the install (Cpanel/API/SSL.pm).
    installed = f"The certificate was successfully installed on the domain “{domain}”."
    return UapiOutcome.ok({
        "action": "install", "cert_id": record["id"], "domain": domain, "extra_certificate_domains": [],
        "html": f"<p>{message}</p>", "ip": ctx.account.ip, "key_id": key_record["id"], "message": message,
        "statusmsg": message, "user": ctx.account.user, "warning_domains": [], "working_domains": working,
    }, messages=[installed])


@uapi_function("SSL", "fetch_best_for_domain", samples=[{"domain": "example.com"}])
def fetch_best_for_domain(ctx: UapiContext, args: Args) -> UapiOutcome:
    data = ssl_data(ctx.account)
    domain = _required(args, "domain")
    if not ctx.account.owns_domain(domain):
        raise UapiError(f"The account “{ctx.account.user}” does not own the domain “{domain}”.")
    installed = data.installed.get(domain)
    if installed is None:
        raise UapiError(f"The system could not find an SSL certificate for “{domain}”.")
    user = ctx.account.user
    return UapiOutcome.ok({
        "cab": installed["cabundle"], "crt": data.certs[installed["cert_id"]]["text"], "crt_origin": user,
        "domain": domain, "ip": ctx.account.ip, "key": data.keys[installed["key_id"]]["text"], "key_origin": user,
        "searched_users": [user], "status": 1, "statusmsg": "ok", "user": user,
    })


SERVICES = ("cpanel", "imap", "pop3", "smtp")
ITEM_TYPES = {"key": "keys", "csr": "csrs", "crt": "certs"}


@uapi_function("SSL", "get_cabundle", samples=[{"cert": certificate(["shop.example.com"], "ef" * 32, issuer="R3")}])
def get_cabundle(ctx: UapiContext, args: Args) -> UapiOutcome:
    """The issuer's CA bundle for a certificate (the fake issues one per issuer name)."""
    cert = _cert_text(_required(args, "cert"))
    issuer = cert.get("issuer", SELF_SIGNED_ISSUER)
    cab = "" if issuer == SELF_SIGNED_ISSUER else certificate([f"ca.{_SAFE.sub('-', issuer).lower()}.example"],
                                                               modulus_for(f"ca:{issuer}"), issuer=issuer)
    return UapiOutcome.ok({"bundle": cab, "cab": cab, "domain": cert["domains"][0]})


@uapi_function("SSL", "get_cn_name", samples=[{"domain": "example.com", "service": "imap"}])
def get_cn_name(ctx: UapiContext, args: Args) -> UapiOutcome:
    """The name to use for SSL connections to a service: the domain when an installed
    certificate covers it, else the server's hostname (whose certificate always exists)."""
    data = ssl_data(ctx.account)
    domain, service = _required(args, "domain"), _required(args, "service")
    if service not in SERVICES:
        raise UapiError(f"“{service}” is not a valid service. Use one of: {', '.join(SERVICES)}.")
    if args.get("add_mail_subdomain") == "1":
        domain = f"mail.{domain}"
    for installed in data.installed.values():
        cert = data.certs[installed["cert_id"]]
        if _covers(cert["domains"], domain):
            return UapiOutcome.ok({
                "cert_match_method": "exact" if domain in cert["domains"] else "exact-wildcard",
                "cert_valid_not_after": cert["not_after"], "is_currently_valid": 1,
                "is_self_signed": cert["is_self_signed"], "is_wild_card": int(domain not in cert["domains"]),
                "ssldomain": domain, "ssldomain_matches_cert": 1,
            })
    return UapiOutcome.ok({
        "cert_match_method": "hostname", "cert_valid_not_after": CREATED + YEAR, "is_currently_valid": 1,
        "is_self_signed": 0, "is_wild_card": 0, "ssldomain": ctx.state.hostname, "ssldomain_matches_cert": 0,
    })


@uapi_function("SSL", "list_ssl_items", samples=[{}, {"item": "crt", "domains": "example.com"}])
def list_ssl_items(ctx: UapiContext, args: Args) -> UapiOutcome:
    """Keys, CSRs or certificates (`item`, default key; the fake also takes a pipe list)
    for the given pipe-separated domains (all when none)."""
    data = ssl_data(ctx.account)
    wanted = {d for d in args.get("domains", "").split("|") if d}
    records = []
    for item in args.get("item", "key").split("|"):
        if item not in ITEM_TYPES:
            raise UapiError(f"“{item}” is not a valid item type. Use one of: {', '.join(ITEM_TYPES)}.")
        for record in getattr(data, ITEM_TYPES[item]).values():
            hosts = record.get("domains") or [record["friendly_name"]]
            for host in hosts:
                if not wanted or host in wanted:
                    records.append({"host": host, "id": record["id"], "type": item})
    return UapiOutcome.ok(records)
