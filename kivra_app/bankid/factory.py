"""Build the BankID client from `kivra_app.settings.Settings` (the dev simulator is built in
`devtools.bankid_sim.mount`, outside the production code path)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from kivra_app.bankid.client import BankIdClient
from kivra_app.bankid.tls import CertificateConfigError, build_ssl_context

if TYPE_CHECKING:
    from kivra_app.settings import Settings


def build_client(settings: Settings) -> BankIdClient:
    """An RP client for `settings.effective_bankid_url`.

    https URLs need `bankid_ca` (the pinned BankID root) and `bankid_cert` (PEM with
    `bankid_key`, or .p12/.pfx with `bankid_cert_password`). http URLs (the simulator)
    use no TLS at all.
    """
    url = settings.effective_bankid_url
    if httpx.URL(url).scheme != "https":
        return BankIdClient(url)
    if settings.bankid_ca is None:
        raise CertificateConfigError("KIVRA_BANKID_CA must name the BankID root CA (PEM)")
    if settings.bankid_cert is None:
        raise CertificateConfigError("KIVRA_BANKID_CERT must name the RP certificate")
    password = settings.bankid_cert_password
    context = build_ssl_context(
        ca_file=settings.bankid_ca,
        cert_file=settings.bankid_cert,
        key_file=settings.bankid_key,
        password=password.get_secret_value() if password is not None else None,
    )
    return BankIdClient(url, ssl_context=context)

