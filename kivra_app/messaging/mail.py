"""Sending mail over SMTP (aiosmtplib): the verification-code mail and the address-in-use notice."""

from __future__ import annotations

import asyncio
import logging
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

import aiosmtplib

from kivra_app.messaging.texts import code_mail_text, in_use_mail_text

log = logging.getLogger("kivra.messaging.mail")


class MailError(Exception):
    """The mail could not be handed to the SMTP server (refused, unreachable or timed out)."""


class Mailer(Protocol):
    async def send_code(self, to: str, code: str, language: str, *, valid_minutes: int) -> None: ...

    async def send_address_in_use(self, to: str, language: str) -> None: ...


def build_message(
    *, sender: str, to: str, subject: str, text: str, html: str
) -> EmailMessage:
    """multipart/alternative (plain + HTML). Header values with CR/LF are refused by the policy."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain="kivra.example")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


class SmtpMailer:
    """Mailer over SMTP; host/port/credentials/STARTTLS/timeout from settings.

    `starttls`: None = opportunistic (upgrade when the server offers STARTTLS; aiosmtplib's
    default), True = required, False = never. aiosmtplib treats False as "never", so passing the
    old default False disabled even the opportunistic upgrade."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings, *, port: int | None = None) -> SmtpMailer:  # noqa: ANN001
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        return cls(
            host=settings.smtp_host or "127.0.0.1",
            port=port if port is not None else settings.smtp_port,
            sender=settings.mail_from,
            username=settings.smtp_username,
            password=password,
            starttls=settings.smtp_starttls,
            timeout=settings.smtp_timeout,
        )

    async def send_code(self, to: str, code: str, language: str, *, valid_minutes: int) -> None:
        subject, text, html = code_mail_text(code, language, valid_minutes)
        await self.send(to=to, subject=subject, text=text, html=html)

    async def send_address_in_use(self, to: str, language: str) -> None:
        subject, text, html = in_use_mail_text(language)
        await self.send(to=to, subject=subject, text=text, html=html)

    async def send(self, *, to: str, subject: str, text: str, html: str) -> None:
        try:
            message = build_message(sender=self.sender, to=to, subject=subject, text=text, html=html)
        except (ValueError, TypeError) as exc:  # e.g. CR/LF in a header value
            raise MailError("invalid message") from exc
        try:
            async with asyncio.timeout(self.timeout + 1):
                await aiosmtplib.send(
                    message,
                    hostname=self.host,
                    port=self.port,
                    username=self.username,
                    password=self.password,
                    start_tls=self.starttls,
                    use_tls=False,
                    timeout=self.timeout,
                )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            log.warning("mail_send_fail host=%s port=%s error=%s", self.host, self.port,
                        type(exc).__name__)
            raise MailError(type(exc).__name__) from exc
