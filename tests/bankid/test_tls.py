"""Mutual TLS: a CA, server and client certificates generated in the test (conftest.pki)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.bankid_sim.mount import build_simulator
from devtools.bankid_sim.store import memory_engine
from kivra_app.bankid import errors
from kivra_app.bankid.client import BankIdClient
from kivra_app.bankid.factory import build_client
from kivra_app.bankid.models import AuthRequest
from kivra_app.bankid.qr import qr_data, qr_seconds
from kivra_app.bankid.tls import CertificateConfigError, build_ssl_context
from kivra_app.settings import Settings
from tests.bankid.conftest import P12_PASSWORD, Pki, Sim

REQUEST = AuthRequest(end_user_ip="198.51.100.4")


async def test_pem_client_certificate(tls_sim: Sim, pki: Pki) -> None:
    ctx = build_ssl_context(ca_file=pki.ca, cert_file=pki.client_cert, key_file=pki.client_key)
    async with BankIdClient(tls_sim.rp_url, ssl_context=ctx, clock=tls_sim.clock) as client:
        order = await client.auth(REQUEST)
        assert (await client.collect(order.order_ref)).hint_code == "outstandingTransaction"
        frame = qr_data(
            order.qr_start_token,
            order.qr_start_secret,
            qr_seconds(order.started_at, tls_sim.clock()),
        )
        tls_sim.engine.scan(frame, identity="elsa", action="approve")
        done = await client.collect(order.order_ref)
        assert done.completion_data is not None
        assert done.completion_data.user.personal_number == "191911612388"


async def test_pkcs12_client_certificate(tls_sim: Sim, pki: Pki) -> None:
    ctx = build_ssl_context(ca_file=pki.ca, cert_file=pki.client_p12, password=P12_PASSWORD)
    async with BankIdClient(tls_sim.rp_url, ssl_context=ctx) as client:
        order = await client.auth(REQUEST)
        await client.cancel(order.order_ref)


async def test_wrong_ca_is_a_clear_error(tls_sim: Sim, pki: Pki) -> None:
    ctx = build_ssl_context(
        ca_file=pki.other_ca, cert_file=pki.client_cert, key_file=pki.client_key
    )
    async with BankIdClient(tls_sim.rp_url, ssl_context=ctx) as client:
        with pytest.raises(errors.BankIdTlsError, match="not trusted by the pinned BankID CA"):
            await client.auth(REQUEST)


async def test_missing_client_certificate_is_a_clear_error(tls_sim: Sim, pki: Pki) -> None:
    ctx = build_ssl_context(ca_file=pki.ca)
    async with BankIdClient(tls_sim.rp_url, ssl_context=ctx) as client:
        with pytest.raises(errors.BankIdTlsError, match="rejected our client certificate") as err:
            await client.auth(REQUEST)
    assert err.value.user_message("sv").rfa_id == "RFA5"


async def test_client_certificate_from_another_ca_is_rejected(tls_sim: Sim, pki: Pki) -> None:
    ctx = build_ssl_context(ca_file=pki.ca, cert_file=pki.stranger_cert, key_file=pki.stranger_key)
    async with BankIdClient(tls_sim.rp_url, ssl_context=ctx) as client:
        with pytest.raises(errors.BankIdTlsError, match="rejected our client certificate"):
            await client.auth(REQUEST)


def test_https_without_a_context_is_refused() -> None:
    with pytest.raises(ValueError, match="SSLContext"):
        BankIdClient("https://appapi2.test.bankid.com/rp/v6.0/")


def test_bad_certificate_configuration(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(CertificateConfigError, match="wrong password"):
        build_ssl_context(ca_file=pki.ca, cert_file=pki.client_p12, password="nope")
    with pytest.raises(CertificateConfigError, match="CA file not found"):
        build_ssl_context(ca_file=tmp_path / "missing.pem")
    with pytest.raises(CertificateConfigError, match="client certificate not found"):
        build_ssl_context(ca_file=pki.ca, cert_file=tmp_path / "missing.p12")
    with pytest.raises(CertificateConfigError):
        build_ssl_context(ca_file=pki.ca, cert_file=pki.client_cert, key_file=pki.stranger_key)


async def test_factory_builds_an_mtls_client_from_settings(tls_sim: Sim, pki: Pki) -> None:
    settings = Settings(
        _env_file=None,
        bankid_url=tls_sim.rp_url,
        bankid_ca=pki.ca,
        bankid_cert=pki.client_p12,
        bankid_cert_password=P12_PASSWORD,
    )
    async with build_client(settings) as client:
        assert (await client.auth(REQUEST)).order_ref


def test_factory_defaults_to_the_embedded_simulator() -> None:
    settings = Settings(
        _env_file=None, port=8123, bankid_start_deadline=5, bankid_order_lifetime=20
    )
    client = build_client(settings)
    assert client.base_url == "http://127.0.0.1:8123/bankid-sim/rp/v6.0/"
    app = build_simulator(settings, db=memory_engine())
    config = app.state.engine.config
    assert (config.start_deadline, config.order_lifetime) == (5, 20)


def test_factory_needs_a_ca_for_https() -> None:
    settings = Settings(_env_file=None, bankid_url="https://appapi2.test.bankid.com/rp/v6.0/")
    with pytest.raises(CertificateConfigError, match="KIVRA_BANKID_CA"):
        build_client(settings)


@pytest.fixture
def standalone_port(pki: Pki) -> Iterator[int]:
    """`python -m devtools.bankid_sim` with mutual TLS, as a separate process."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devtools.bankid_sim",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--cert",
            str(pki.server_cert),
            "--key",
            str(pki.server_key),
            "--client-ca",
            str(pki.ca),
        ],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120  # a loaded machine takes long to import (seen: 25 s)
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("standalone simulator did not start")
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def test_standalone_simulator_with_mutual_tls(pki: Pki, standalone_port: int) -> None:
    ctx = build_ssl_context(ca_file=pki.ca, cert_file=pki.client_cert, key_file=pki.client_key)
    url = f"https://localhost:{standalone_port}/rp/v6.0/"
    async with BankIdClient(url, ssl_context=ctx) as client:
        order = await client.auth(REQUEST)
        assert (await client.collect(order.order_ref)).is_pending
    async with BankIdClient(url, ssl_context=build_ssl_context(ca_file=pki.ca)) as client:
        with pytest.raises(errors.BankIdTlsError):
            await client.auth(REQUEST)
