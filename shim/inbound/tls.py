"""TLS for the listeners: the certificate and key cpsrvd served on 2087/2083.

One pair serves both listeners, as cpsrvd uses one service certificate for WHM and cPanel.
Without a pair the listeners speak plain HTTP, for running behind a TLS terminator.
Upstream (client-side) TLS lives in shim/upstream/services.py.
"""

from __future__ import annotations

import ssl
from pathlib import Path

# Old billing modules run on old PHP/OpenSSL builds; TLS 1.2 is what cpsrvd still accepts.
MINIMUM_VERSION = ssl.TLSVersion.TLSv1_2
_MISMATCH = "the key does not belong to the certificate"
_NOT_PEM = "not a PEM certificate chain and its private key"


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = MINIMUM_VERSION
    context.load_cert_chain(str(cert), str(key))
    return context


def server_files_error(cert: Path, key: Path) -> tuple[str, str] | None:
    """(config field, message) for a pair that cannot serve, or None when it can.

    The message names the file but never its content: a key is a secret.
    """
    for field_name, label, path in (("tls_cert", "cert", cert), ("tls_key", "key", key)):
        if not path.is_file():
            return field_name, f"tls.{label}: no such file '{path}'"
    try:
        server_context(cert, key)
    except ssl.SSLError as exc:
        reason = _MISMATCH if exc.reason == "KEY_VALUES_MISMATCH" else _NOT_PEM
        return "tls_cert", f"tls: cannot use cert '{cert}' with key '{key}': {reason}"
    except OSError as exc:
        return "tls_cert", f"tls: cannot read cert '{cert}' or key '{key}': {exc.strerror or exc}"
    return None


def ca_file_error(ca_file: Path) -> str | None:
    """Why a CA bundle for verifying upstream cannot be used, or None."""
    if not ca_file.is_file():
        return f"upstream_tls.ca_file: no such file '{ca_file}'"
    try:
        ssl.create_default_context(cafile=str(ca_file))
    except (ssl.SSLError, OSError):
        return f"upstream_tls.ca_file: '{ca_file}' holds no PEM certificate"
    return None
