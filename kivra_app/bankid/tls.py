"""Mutual-TLS context for the BankID RP API.

The server is trusted only through the pinned CA file (BankID's root), never the system
store. The client certificate comes from a PEM pair or from a PKCS#12 bundle, which is
read with `cryptography` and handed to `ssl` through short-lived files in a private
temporary directory (the `ssl` module only loads certificates from paths).
"""

from __future__ import annotations

import os
import ssl
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

PKCS12_SUFFIXES = (".p12", ".pfx")


class CertificateConfigError(ValueError):
    """The configured certificate, key or CA cannot be used."""


def _password_bytes(password: str | bytes | None) -> bytes | None:
    if password is None or isinstance(password, bytes):
        return password
    return password.encode("utf-8")


def server_context(ca_file: str | Path) -> ssl.SSLContext:
    """A client-side context that trusts only `ca_file` (no client certificate yet)."""
    ca_path = Path(ca_file)
    if not ca_path.is_file():
        raise CertificateConfigError(f"BankID CA file not found: {ca_path}")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.check_hostname = True
    try:
        ctx.load_verify_locations(cafile=str(ca_path))
    except ssl.SSLError as exc:
        raise CertificateConfigError(f"cannot read BankID CA file {ca_path}: {exc}") from exc
    return ctx


def load_pkcs12_as_pem(p12_file: str | Path, password: str | bytes | None) -> tuple[bytes, bytes]:
    """(certificate chain PEM, unencrypted private key PEM) from a .p12/.pfx file."""
    data = Path(p12_file).read_bytes()
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, _password_bytes(password))
    except ValueError as exc:
        raise CertificateConfigError(
            f"cannot open PKCS#12 file {p12_file} (wrong password?): {exc}"
        ) from exc
    if key is None or cert is None:
        raise CertificateConfigError(f"PKCS#12 file {p12_file} lacks a key or a certificate")
    chain = cert.public_bytes(serialization.Encoding.PEM) + b"".join(
        c.public_bytes(serialization.Encoding.PEM) for c in extra or ()
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return chain, key_pem


def _load_pem_chain(
    ctx: ssl.SSLContext, cert_pem: bytes, key_pem: bytes, password: bytes | None = None
) -> None:
    with tempfile.TemporaryDirectory(prefix="bankid-") as tmp:
        os.chmod(tmp, 0o700)
        cert_path = Path(tmp) / "cert.pem"
        key_path = Path(tmp) / "key.pem"
        for path, data in ((cert_path, cert_pem), (key_path, key_pem)):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        ctx.load_cert_chain(str(cert_path), str(key_path), password=password)


def build_ssl_context(
    *,
    ca_file: str | Path,
    cert_file: str | Path | None = None,
    key_file: str | Path | None = None,
    password: str | bytes | None = None,
) -> ssl.SSLContext:
    """Context for `httpx.AsyncClient(verify=...)`.

    `cert_file` is a PEM certificate (with `key_file`, or with the key in the same file)
    or a PKCS#12 bundle (`.p12`/`.pfx`, with `password`).
    """
    ctx = server_context(ca_file)
    if cert_file is None:
        return ctx
    cert_path = Path(cert_file)
    if not cert_path.is_file():
        raise CertificateConfigError(f"BankID client certificate not found: {cert_path}")
    try:
        if cert_path.suffix.lower() in PKCS12_SUFFIXES:
            chain, key_pem = load_pkcs12_as_pem(cert_path, password)
            _load_pem_chain(ctx, chain, key_pem)
        else:
            ctx.load_cert_chain(
                str(cert_path),
                str(key_file) if key_file is not None else None,
                password=_password_bytes(password),
            )
    except ssl.SSLError as exc:
        raise CertificateConfigError(
            f"cannot load BankID client certificate {cert_path}: {exc}"
        ) from exc
    return ctx
