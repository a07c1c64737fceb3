"""SmtpMailer against a real aiosmtpd server on a free port; the embedded outbox server."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from kivra_app.messaging.mail import MailError, SmtpMailer
from kivra_app.messaging.outbox import latest_code, latest_messages
from kivra_app.messaging.smtp_server import DevSmtpServer, free_port, start_embedded_smtp
from kivra_app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


class Recorder:
    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp():
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    yield recorder, port
    controller.stop()


def mailer(port: int, **kw) -> SmtpMailer:
    return SmtpMailer(host="127.0.0.1", port=port, sender="Kivra <noreply@kivra.example>",
                      timeout=5, **kw)


@pytest.mark.parametrize(
    ("language", "subject", "phrases"),
    [
        ("sv", "Verifieringskod från Kivra", ["042917", "30 minuter", "Dela inte koden"]),
        ("en", "Verification code from Kivra", ["042917", "30 minutes", "Do not share"]),
    ],
)
async def test_code_mail(smtp, language, subject, phrases):
    recorder, port = smtp
    await mailer(port).send_code("karin@example.se", "042917", language, valid_minutes=30)
    [envelope] = recorder.envelopes
    assert envelope.rcpt_tos == ["karin@example.se"]
    assert envelope.mail_from == "noreply@kivra.example"
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert message["Subject"] == subject
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for phrase in phrases:
        assert phrase in text
        assert phrase in html
    assert f'lang="{language}"' in html


async def test_address_in_use_notice(smtp):
    recorder, port = smtp
    await mailer(port).send_address_in_use("karin@example.se", "sv")
    message = email.message_from_bytes(recorder.envelopes[0].original_content,
                                       policy=email.policy.default)
    assert "används redan" in message["Subject"]
    assert not any(ch.isdigit() for ch in message.get_body(("plain",)).get_content())


async def test_header_injection_never_reaches_smtp(smtp):
    recorder, port = smtp
    with pytest.raises(MailError):
        await mailer(port).send_code("victim@x.se\r\nBcc: a@y.se", "123456", "sv",
                                     valid_minutes=30)
    assert recorder.envelopes == []


async def test_unreachable_server_is_a_mail_error():
    with pytest.raises(MailError):
        await mailer(free_port()).send_code("karin@example.se", "123456", "sv", valid_minutes=30)


async def test_embedded_server_stores_mail_in_the_outbox(engine):
    with DevSmtpServer(engine, port=0) as server:
        assert server.port and server.running
        await mailer(server.port).send_code("Karin@Example.se", "007001", "sv", valid_minutes=30)
        [message] = latest_messages(engine)
    assert not server.running
    assert (message.channel, message.recipient) == ("email", "karin@example.se")
    assert message.subject == "Verifieringskod från Kivra"
    assert "007001" in message.text and "007001" in message.html
    assert latest_code(engine, "karin@example.se") == "007001"


def test_start_embedded_smtp_follows_the_settings(engine, tmp_path):
    dev = Settings(_env_file=None, data_dir=tmp_path, smtp_port=0)
    server = start_embedded_smtp(dev, engine)
    try:
        assert server is not None and server.port > 0
    finally:
        server.stop()
    real = Settings(_env_file=None, data_dir=tmp_path, smtp_host="smtp.example.se")
    assert start_embedded_smtp(real, engine) is None


async def test_the_standalone_dev_smtp_process_stores_mail_and_stops_on_sigterm(engine, tmp_path):
    """`python -m devtools.dev_smtp`: the dev mail server outside the app's workers (the
    benchmarks run it so, as a relay stands in production), writing the app's dev outbox."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIVRA_")}
    env.update(KIVRA_ENV="development", KIVRA_DATABASE_URL=str(engine.url),
               KIVRA_DATA_DIR=str(tmp_path))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "devtools.dev_smtp", "--port", str(port), cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 30)
        assert f"127.0.0.1:{port}".encode() in line
        await mailer(port).send_code("Karin@Example.se", "314159", "en", valid_minutes=30)
        assert latest_code(engine, "karin@example.se") == "314159"
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def test_the_standalone_dev_smtp_refuses_to_run_in_production(monkeypatch):
    """It would store every code mail in the database it is given."""
    from types import SimpleNamespace

    import devtools.dev_smtp as dev_smtp

    monkeypatch.setattr(dev_smtp, "get_settings", lambda: SimpleNamespace(is_production=True))
    monkeypatch.setattr(dev_smtp, "DevSmtpServer", None)  # reaching it would fail loudly too
    with pytest.raises(SystemExit, match="development only"):
        dev_smtp.main(["--port", str(free_port())])
