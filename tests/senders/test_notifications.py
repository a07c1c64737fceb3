"""The notification outbox and its worker: coalescing, languages, channels, what a mail may
say, retries and failures, two workers at once and a worker killed mid-send (PostgreSQL), and
the real SMTP adapter into the dev outbox."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from kivra_app.db import make_engine
from kivra_app.messaging.mail import SmtpMailer
from kivra_app.messaging.smtp_server import DevSmtpServer
from kivra_app.models import NotificationOutbox, OutboxMessage, SenderEvent, utcnow
from kivra_app.senders import credentials
from kivra_app.senders.notifications import NotificationWorker
from kivra_app.settings import PROJECT_ROOT
from tests.senders.harness import (
    RecordingMailer,
    RecordingSms,
    deliver_direct,
    invoice_body,
    letter_body,
    make_settings,
    new_person,
)


def _sender(engine, name="Telia Sverige AB", orgnr="5564300142") -> str:
    return credentials.create_sender(engine, name=name, orgnr=orgnr).sender_id


def _worker(engine, settings, mailer=None, sms=None, clock=utcnow) -> NotificationWorker:
    return NotificationWorker(engine, settings, mailer or RecordingMailer(), sms or RecordingSms(),
                              clock=clock)


def test_a_batch_gives_one_mail_naming_the_senders_and_nothing_else(tmp_path, sqlite_engine) -> None:
    settings = make_settings(tmp_path, str(sqlite_engine.url), notification_window=60.0)
    telia = _sender(sqlite_engine)
    skatt = _sender(sqlite_engine, "Skatteverket", "2021005448")
    _, pnr = new_person(sqlite_engine, email="karin@example.se")
    for _ in range(5):
        deliver_direct(sqlite_engine, settings, telia, "Telia Sverige AB",
                       letter_body(pnr, subject="Hemligt provsvar", sensitivity="sensitive",
                                   body_text="Innehåll 12345"))
    deliver_direct(sqlite_engine, settings, skatt, "Skatteverket",
                   invoice_body(pnr, amount="98765.40", reference="771554193"))
    mailer = RecordingMailer()
    now = utcnow()
    assert asyncio.run(_worker(sqlite_engine, settings, mailer, clock=lambda: now).run_once()) == 0
    later = now + timedelta(seconds=60)
    assert asyncio.run(_worker(sqlite_engine, settings, mailer, clock=lambda: later).run_once()) == 1
    assert len(mailer.sent) == 1
    mail = mailer.sent[0]
    assert mail["to"] == "karin@example.se"
    assert mail["subject"] == "Du har fått ny post från 2 avsändare"
    assert "Du har fått ny post från Telia Sverige AB, Skatteverket." in mail["text"]
    assert f"{settings.base_url}/login" in mail["text"] and f"{settings.base_url}/login" in mail["html"]
    for secret in ("Hemligt", "provsvar", "12345", "98765", "987,65", "771554193", "5402",
                   pnr, pnr[2:], pnr[:8], "Faktura", "Ditt avtal"):
        assert secret not in mail["subject"] + mail["text"] + mail["html"], secret
    # Nothing more to send, and no second mail on the next run.
    assert asyncio.run(_worker(sqlite_engine, settings, mailer, clock=lambda: later).run_once()) == 0
    with Session(sqlite_engine) as session:
        assert {r.status for r in session.exec(select(NotificationOutbox)).all()} == {"sent"}


def test_one_sender_english_and_sms_only_for_invoices_when_turned_on(tmp_path, sqlite_engine) -> None:
    settings = make_settings(tmp_path, str(sqlite_engine.url))
    telia = _sender(sqlite_engine)
    _, pnr = new_person(sqlite_engine, language="en", sms_invoice=True)
    _, pnr_default = new_person(sqlite_engine)
    deliver_direct(sqlite_engine, settings, telia, "Telia Sverige AB", letter_body(pnr))
    deliver_direct(sqlite_engine, settings, telia, "Telia Sverige AB", invoice_body(pnr))
    deliver_direct(sqlite_engine, settings, telia, "Telia Sverige AB", invoice_body(pnr_default))
    mailer, sms = RecordingMailer(), RecordingSms()
    asyncio.run(_worker(sqlite_engine, settings, mailer, sms).run_once())
    subjects = sorted(m["subject"] for m in mailer.sent)
    assert subjects == ["Du har fått ny post från Telia Sverige AB",
                        "You have new mail from Telia Sverige AB"]
    assert len(sms.sent) == 1  # one invoice SMS, only for the person who turned it on
    number, text = sms.sent[0]
    assert number == "+46701740605"
    assert text == f"You have received an invoice from Telia Sverige AB in Kivra. Log in at {settings.base_url}/login"
    assert "1234" not in text and "426523791" not in text


def test_retries_with_back_off_then_sends_once(tmp_path, sqlite_engine) -> None:
    settings = make_settings(tmp_path, str(sqlite_engine.url), notification_backoff=30.0)
    telia = _sender(sqlite_engine)
    _, pnr = new_person(sqlite_engine)
    deliver_direct(sqlite_engine, settings, telia, "Telia Sverige AB", letter_body(pnr))
    mailer = RecordingMailer(fail_first=2)
    now = [utcnow()]
    worker = _worker(sqlite_engine, settings, mailer, clock=lambda: now[0])
    asyncio.run(worker.run_once())  # attempt 1 fails
    asyncio.run(worker.run_once())  # in back-off: nothing
    assert mailer.calls == 1
    now[0] += timedelta(seconds=31)
    asyncio.run(worker.run_once())  # attempt 2 fails; next back-off is 60 s
    now[0] += timedelta(seconds=31)
    asyncio.run(worker.run_once())
    assert mailer.calls == 2
    now[0] += timedelta(seconds=30)
    asyncio.run(worker.run_once())
    assert mailer.calls == 3 and len(mailer.sent) == 1
    with Session(sqlite_engine) as session:
        row = session.exec(select(NotificationOutbox)).one()
        assert (row.status, row.attempts, row.last_error) == ("sent", 3, "MailError")


def test_giving_up_records_notification_failed_for_the_sender(tmp_path, sqlite_engine) -> None:
    settings = make_settings(tmp_path, str(sqlite_engine.url), notification_max_attempts=2)
    telia = _sender(sqlite_engine)
    _, pnr = new_person(sqlite_engine)
    message_id = deliver_direct(sqlite_engine, settings, telia, "Telia Sverige AB", letter_body(pnr))
    worker = _worker(sqlite_engine, settings, RecordingMailer(fail_first=99))
    asyncio.run(worker.run_once())
    asyncio.run(worker.run_once())
    asyncio.run(worker.run_once())
    with Session(sqlite_engine) as session:
        assert session.exec(select(NotificationOutbox)).one().status == "failed"
        events = [(e.type, e.message_id) for e in session.exec(select(SenderEvent).order_by(SenderEvent.id)).all()]
    assert events == [("delivered", message_id), ("notification_failed", message_id)]


def test_pending_rows_survive_a_restart(tmp_path, sqlite_engine) -> None:
    settings = make_settings(tmp_path, str(sqlite_engine.url))
    telia = _sender(sqlite_engine)
    _, pnr = new_person(sqlite_engine)
    deliver_direct(sqlite_engine, settings, telia, "Telia Sverige AB", letter_body(pnr))
    sqlite_engine.dispose()  # "restart": a new engine, a new worker
    engine = make_engine(str(sqlite_engine.url))
    mailer = RecordingMailer()
    asyncio.run(_worker(engine, settings, mailer).run_once())
    assert len(mailer.sent) == 1


def test_real_smtp_adapter_into_the_dev_outbox(tmp_path, sqlite_engine) -> None:
    settings = make_settings(tmp_path, str(sqlite_engine.url))
    telia = _sender(sqlite_engine)
    _, pnr = new_person(sqlite_engine, email="real@example.se")
    deliver_direct(sqlite_engine, settings, telia, "Telia Sverige AB", invoice_body(pnr))
    with DevSmtpServer(sqlite_engine, port=0) as server:
        mailer = SmtpMailer(host="127.0.0.1", port=server.port, sender=settings.mail_from)
        asyncio.run(_worker(sqlite_engine, settings, mailer).run_once())
    with Session(sqlite_engine) as session:
        mails = session.exec(select(OutboxMessage)).all()
    assert [(m.recipient, m.subject) for m in mails] == [
        ("real@example.se", "Du har fått ny post från Telia Sverige AB")]
    assert "1 234,50" not in mails[0].text and "1234.50" not in mails[0].text


def test_two_workers_at_once_send_each_notification_once_postgres(tmp_path, pg_url) -> None:
    engine = make_engine(pg_url)
    settings = make_settings(tmp_path, pg_url)
    senders = [_sender(engine, "A AB", "5568402266"), _sender(engine, "B AB", "5569173544")]
    people = [new_person(engine, email=f"p{i}@example.se")[1] for i in range(30)]
    for pnr in people:
        for sender_id, name in zip(senders, ["A AB", "B AB"], strict=True):
            deliver_direct(engine, settings, sender_id, name, letter_body(pnr))
    mailers = [RecordingMailer(delay=0.005), RecordingMailer(delay=0.005)]

    def run(mailer: RecordingMailer) -> None:
        own = make_engine(pg_url)
        asyncio.run(_worker(own, settings, mailer).run_once())
        own.dispose()

    threads = [threading.Thread(target=run, args=(m,)) for m in mailers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sent = [m["to"] for mailer in mailers for m in mailer.sent]
    assert sorted(sent) == sorted(f"p{i}@example.se" for i in range(30))  # one mail per person
    assert all(mailer.sent for mailer in mailers)  # both did work
    with Session(engine) as session:
        rows = session.exec(select(NotificationOutbox)).all()
        assert len(rows) == 60 and {r.status for r in rows} == {"sent"}
        assert {r.attempts for r in rows} == {1}
    engine.dispose()


@pytest.mark.parametrize("which", ["sqlite", "postgresql"])
def test_a_worker_killed_mid_send_is_taken_over_once(which, tmp_path, request) -> None:
    url = (str(request.getfixturevalue("sqlite_engine").url) if which == "sqlite"
           else request.getfixturevalue("pg_url"))
    engine = make_engine(url)
    settings = make_settings(tmp_path, url, notification_lease=2.0)
    telia = _sender(engine)
    _, pnr = new_person(engine, email="killed@example.se")
    deliver_direct(engine, settings, telia, "Telia Sverige AB", letter_body(pnr))
    deliver_direct(engine, settings, telia, "Telia Sverige AB", invoice_body(pnr))
    proc = subprocess.Popen([sys.executable, "-m", "tests.senders.worker_proc", url, str(tmp_path)],
                            cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert line.strip() == "sending 2"
        # Meanwhile another worker finds nothing to do: the rows are claimed.
        mailer = RecordingMailer()
        asyncio.run(_worker(engine, settings, mailer).run_once())
        assert mailer.sent == []
    finally:
        proc.kill()
        proc.wait(timeout=10)
    time.sleep(2.2)  # the dead worker's lease runs out
    asyncio.run(_worker(engine, settings, mailer).run_once())
    asyncio.run(_worker(engine, settings, mailer).run_once())
    assert [m["to"] for m in mailer.sent] == ["killed@example.se"]
    with Session(engine) as session:
        rows = session.exec(select(NotificationOutbox)).all()
        assert {(r.status, r.attempts) for r in rows} == {("sent", 2)}
    engine.dispose()


def test_the_app_lifespan_runs_the_worker_and_creates_the_demo_sender(tmp_path, sqlite_engine,
                                                                       monkeypatch) -> None:
    from types import SimpleNamespace

    from kivra_app.web import sender_lifespan

    settings = make_settings(tmp_path, str(sqlite_engine.url), notification_poll=0.1)
    mailer = RecordingMailer()
    monkeypatch.setattr(sender_lifespan, "services", lambda: SimpleNamespace(
        settings=settings, engine=sqlite_engine, mailer=mailer, sms=RecordingSms()))

    async def scenario() -> None:
        async with sender_lifespan.sender_services():
            demo = (tmp_path / "dev-sender.json").read_text()
            assert "client_secret" in demo
            _, pnr = new_person(sqlite_engine, email="life@example.se")
            sender_id = _sender(sqlite_engine)
            await asyncio.to_thread(deliver_direct, sqlite_engine, settings, sender_id,
                                    "Telia Sverige AB", letter_body(pnr))
            for _ in range(100):
                if mailer.sent:
                    break
                await asyncio.sleep(0.1)

    asyncio.run(scenario())
    assert [m["to"] for m in mailer.sent] == ["life@example.se"]
