"""Fixtures: a manual clock, a certificate authority made in the test, and simulator servers."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from starlette.applications import Starlette
from starlette.routing import Mount

from devtools.bankid_sim import SimulatorConfig, SimulatorEngine, create_simulator_app

P12_PASSWORD = "qwerty123"


class ManualClock:
    """A clock that only moves when told to; shared with the server thread."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# --- certificates ---------------------------------------------------------------------


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _make_ca(cn: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = _key()
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _issue(
    ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate, cn: str, *, server: bool
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = _key()
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    return key, builder.sign(ca_key, hashes.SHA256())


def _write_pem(path: Path, *objs: object) -> Path:
    data = b""
    for obj in objs:
        if isinstance(obj, x509.Certificate):
            data += obj.public_bytes(serialization.Encoding.PEM)
        else:
            data += obj.private_bytes(  # type: ignore[attr-defined]
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
    path.write_bytes(data)
    return path


@dataclass(frozen=True)
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    client_p12: Path
    other_ca: Path  # trusts nothing we serve
    stranger_cert: Path  # a client certificate from other_ca
    stranger_key: Path


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    d = tmp_path_factory.mktemp("pki")
    ca_key, ca_cert = _make_ca("Test BankID Root CA (test suite)")
    server_key, server_cert = _issue(ca_key, ca_cert, "localhost", server=True)
    client_key, client_cert = _issue(ca_key, ca_cert, "FP Testcert (test suite)", server=False)
    other_key, other_cert = _make_ca("Some Other CA")
    stranger_key, stranger_cert = _issue(other_key, other_cert, "Stranger RP", server=False)
    p12 = pkcs12.serialize_key_and_certificates(
        b"rp",
        client_key,
        client_cert,
        [ca_cert],
        serialization.BestAvailableEncryption(P12_PASSWORD.encode()),
    )
    (d / "client.p12").write_bytes(p12)
    return Pki(
        ca=_write_pem(d / "ca.pem", ca_cert),
        server_cert=_write_pem(d / "server.pem", server_cert),
        server_key=_write_pem(d / "server.key", server_key),
        client_cert=_write_pem(d / "client.pem", client_cert),
        client_key=_write_pem(d / "client.key", client_key),
        client_p12=d / "client.p12",
        other_ca=_write_pem(d / "other-ca.pem", other_cert),
        stranger_cert=_write_pem(d / "stranger.pem", stranger_cert),
        stranger_key=_write_pem(d / "stranger.key", stranger_key),
    )


# --- servers ----------------------------------------------------------------------------


class ServerThread:
    """uvicorn on a free 127.0.0.1 port in a background thread."""

    def __init__(self, app: Starlette, **tls: object) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", **tls)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("simulator server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@dataclass
class Sim:
    engine: SimulatorEngine
    clock: ManualClock
    base: str  # the mount point, ending in "/"

    @property
    def rp_url(self) -> str:
        return self.base + "rp/v6.0/"

    def configure(self, **overrides: object) -> SimulatorConfig:
        """Fresh orders, no faults, and a config with these overrides."""
        config = SimulatorConfig(**overrides)  # type: ignore[arg-type]
        self.engine.reset(config)
        return config


@pytest.fixture(scope="session")
def shared_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="session")
def shared_engine(shared_clock: ManualClock) -> SimulatorEngine:
    return SimulatorEngine(SimulatorConfig(), clock=shared_clock)


@pytest.fixture(scope="session")
def http_server(shared_engine: SimulatorEngine) -> Iterator[ServerThread]:
    # Mounted under a prefix, as the main app does.
    app = Starlette(routes=[Mount("/bankid-sim", create_simulator_app(engine=shared_engine))])
    with ServerThread(app) as server:
        yield server


@pytest.fixture(scope="session")
def mtls_server(shared_engine: SimulatorEngine, pki: Pki) -> Iterator[ServerThread]:
    with ServerThread(
        create_simulator_app(engine=shared_engine),
        ssl_certfile=str(pki.server_cert),
        ssl_keyfile=str(pki.server_key),
        ssl_ca_certs=str(pki.ca),
        ssl_cert_reqs=ssl.CERT_REQUIRED,
    ) as server:
        yield server


@pytest.fixture
def sim(
    http_server: ServerThread, shared_engine: SimulatorEngine, shared_clock: ManualClock
) -> Sim:
    shared_engine.reset(SimulatorConfig())
    return Sim(shared_engine, shared_clock, f"http://127.0.0.1:{http_server.port}/bankid-sim/")


@pytest.fixture
def tls_sim(
    mtls_server: ServerThread, shared_engine: SimulatorEngine, shared_clock: ManualClock
) -> Sim:
    shared_engine.reset(SimulatorConfig())
    return Sim(shared_engine, shared_clock, f"https://localhost:{mtls_server.port}/")
