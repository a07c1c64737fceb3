"""The sender API on a real socket (uvicorn in a thread) over a given database, plus helpers
to create senders, people and message bodies."""

from __future__ import annotations

import base64
import socket
import threading
import time
import uuid
from dataclasses import dataclass

import httpx
import uvicorn
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.applications import Starlette

from kivra_app.models import Mailbox, NotificationPreference, User
from kivra_app.ratelimit import DatabaseBackend, RateLimiter
from kivra_app.senders import credentials
from kivra_app.senders.api import BASE_PATH, SenderApiMount, build_sender_api
from kivra_app.senders.pdfwriter import make_pdf
from kivra_app.settings import Settings
from tests.unit.fakes import make_pnr


def make_settings(tmp_path, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = dict(
        _env_file=None, data_dir=tmp_path, secret_key="senders-test-key",
        database_url=database_url, sender_rate_burst=10_000, sender_rate_per_second=10_000.0,
        notification_window=0.0, notification_backoff=0.0,
        # The contract tests expire and revoke tokens in the database behind the API's back;
        # the token cache and what it delays have their own tests (test_token_cache.py).
        sender_token_cache_seconds=0.0,
    )
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


class ServerThread:
    def __init__(self, app) -> None:  # noqa: ANN001
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("sender API server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


def mounted_app(settings: Settings, engine: Engine, limiter: RateLimiter | None = None) -> Starlette:
    """As kivra_app/web/api.py mounts it."""
    api = build_sender_api(settings, engine, limiter or RateLimiter(DatabaseBackend(engine)))
    return Starlette(routes=[SenderApiMount(api)])


@dataclass
class SenderClient:
    """One sender's HTTP client with a token."""

    http: httpx.Client
    sender_id: str
    client_id: str
    client_secret: str
    token: str = ""

    def login(self) -> str:
        r = self.http.post("/oauth/token", data={"grant_type": "client_credentials"},
                           auth=(self.client_id, self.client_secret))
        assert r.status_code == 200, r.text
        self.token = r.json()["access_token"]
        return self.token

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def send(self, body: dict, key: str | None = None, **kw: object) -> httpx.Response:
        headers = {**self.auth, "Idempotency-Key": key or str(uuid.uuid4())}
        return self.http.post("/messages", json=body, headers=headers, **kw)  # type: ignore[arg-type]


_counter = iter(range(100, 999))


def new_sender(engine: Engine, base_url: str, name: str = "Telia Sverige AB",
               orgnr: str = "5564300142") -> SenderClient:
    issued = credentials.create_sender(engine, name=name, orgnr=orgnr)
    http = httpx.Client(base_url=base_url + BASE_PATH, timeout=30)
    client = SenderClient(http, issued.sender_id, issued.client_id, issued.client_secret)
    client.login()
    return client


def new_person(engine: Engine, *, language: str = "sv", sms_invoice: bool = False,
               email: str | None = None) -> tuple[int, str]:
    """(user id, personnummer) of a signed-up person with an active mailbox."""
    serial = f"{next(_counter):03d}"
    pnr = make_pnr("19850709", serial)
    with Session(engine) as session:
        user = User(personnummer=pnr, given_name="Karin", surname="Ek",
                    email=email or f"karin{serial}@example.se", phone="+46701740605",
                    language=language)
        session.add(user)
        session.flush()
        session.add(Mailbox(user_id=user.id))  # type: ignore[arg-type]
        if sms_invoice:
            session.add(NotificationPreference(user_id=user.id, sms_invoice=True))  # type: ignore[arg-type]
        session.commit()
        return user.id, pnr  # type: ignore[return-value]


def pdf_b64(title: str = "Brev", pad_to: int = 0) -> str:
    return base64.b64encode(make_pdf(title, ["Rad ett", "Rad två"], pad_to=pad_to)).decode()


def letter_body(pnr: str, **overrides: object) -> dict:
    body: dict = {
        "recipient": {"personnummer": pnr}, "external_id": "ext-" + uuid.uuid4().hex,
        "type": "letter", "subject": "Ditt avtal",
        "parts": [{"filename": "avtal.pdf", "content_type": "application/pdf",
                   "data_base64": pdf_b64()}],
    }
    body.update(overrides)
    return body


def invoice_body(pnr: str, **invoice: object) -> dict:
    data = {"amount": "1234.50", "currency": "SEK", "due_date": "2026-12-31",
            "account_type": "bankgiro", "account_number": "5402-9681",
            "reference_type": "ocr", "reference": "426523791"}
    data.update(invoice)
    return letter_body(pnr, type="invoice", subject="Faktura", invoice=data)


class RecordingMailer:
    """The SmtpMailer interface the worker uses (`send`); can fail the first N sends."""

    def __init__(self, fail_first: int = 0, delay: float = 0.0) -> None:
        self.sent: list[dict[str, str]] = []
        self.fail_first = fail_first
        self.delay = delay
        self.calls = 0

    async def send(self, *, to: str, subject: str, text: str, html: str) -> None:
        import asyncio

        from kivra_app.messaging.mail import MailError

        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.calls <= self.fail_first:
            raise MailError("SMTPConnectError")
        self.sent.append({"to": to, "subject": subject, "text": text, "html": html})


class RecordingSms:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, to_e164: str, message: str):  # noqa: ANN201
        from kivra_app.messaging.sms import SmsResult

        self.sent.append((to_e164, message))
        return SmsResult(provider_id="test", status="sent")


def deliver_direct(engine: Engine, settings: Settings, sender_id: str, sender_name: str,
                   body: dict) -> str:
    """The API's delivery code without HTTP; returns the message id."""
    from kivra_app.senders import delivery

    prepared = delivery.prepare(body, max_part_bytes=settings.sender_max_part_bytes)
    answer = delivery.deliver(engine, settings, prepared, sender_id=sender_id,
                              sender_name=sender_name, idempotency_key=str(uuid.uuid4()))
    return str(answer.body["id"])
