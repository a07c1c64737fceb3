"""The embedded development SMTP server (aiosmtpd) that stores every mail in the dev outbox.

Usage (e.g. in the app's lifespan):

    server = DevSmtpServer(engine, port=settings.smtp_port)   # port 0: pick a free port
    server.start()            # runs in its own thread; server.port is the real port
    mailer = SmtpMailer.from_settings(settings, port=server.port)
    ...
    server.stop()

`start_embedded_smtp(settings, engine)` does the same when `settings.uses_embedded_smtp`.
Binds to 127.0.0.1 only. Development only (settings refuse it in production).
"""

from __future__ import annotations

import email
import email.policy
import logging
import socket
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine

from kivra_app.db import session_scope
from kivra_app.models import OutboxMessage, utcnow

log = logging.getLogger("kivra.messaging.smtp_server")

HOST = "127.0.0.1"


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def parse_mail(raw: bytes) -> tuple[str | None, str | None, str, str | None]:
    """(sender, subject, plain text, html) of an RFC 5322 message."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    text = text_part.get_content() if text_part is not None else ""
    html = html_part.get_content() if html_part is not None else None
    subject = message.get("Subject")
    sender = message.get("From")
    return (str(sender) if sender else None, str(subject) if subject else None, text, html)


class OutboxHandler:
    """aiosmtpd handler: one OutboxMessage row per recipient."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            sender, subject, text, html = parse_mail(raw)
        except Exception:  # noqa: BLE001 - a broken mail must not kill the dev server
            log.exception("dev_smtp_parse_fail")
            return "554 Transaction failed: unparseable message"
        with session_scope(self.engine) as db:
            for recipient in envelope.rcpt_tos:
                db.add(
                    OutboxMessage(
                        channel="email", recipient=recipient.lower(), sender=sender,
                        subject=subject, text=text, html=html, created_at=utcnow(),
                    )
                )
        return "250 Message accepted for delivery"


class DevSmtpServer:
    def __init__(self, engine: Engine, *, port: int = 0, host: str = HOST) -> None:
        self.engine = engine
        self.host = host
        self.requested_port = port
        self.port: int | None = None
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> int:
        if self._controller is not None:
            assert self.port is not None
            return self.port
        port = self.requested_port or free_port(self.host)
        controller = Controller(OutboxHandler(self.engine), hostname=self.host, port=port,
                                ready_timeout=10.0)
        controller.start()
        self._controller = controller
        self.port = port
        log.info("dev_smtp_started host=%s port=%s", self.host, port)
        return port

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
            log.info("dev_smtp_stopped port=%s", self.port)

    def __enter__(self) -> DevSmtpServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_embedded_smtp(settings, engine: Engine) -> DevSmtpServer | None:  # noqa: ANN001
    """Start the dev SMTP server when no real SMTP host is configured; else None."""
    if not settings.uses_embedded_smtp:
        return None
    server = DevSmtpServer(engine, port=settings.smtp_port)
    server.start()
    return server
