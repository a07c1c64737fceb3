"""The person's own account: preferences, logging out everywhere, the streamed export and
closing the account (what is deleted, what is kept, signing up again)."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlmodel import Session, select

from kivra_app.auth.sessions import user_for_session
from kivra_app.mailbox import account
from kivra_app.mailbox.invoices import set_handled
from kivra_app.mailbox.sender_choices import set_sender_enabled
from kivra_app.models import (
    AuditLog,
    Blob,
    Letter,
    Mailbox,
    SenderEvent,
    SenderPreference,
    User,
    WebSession,
)
from tests.unit.mailbox_data import letter, login, minimal_pdf, person, sender


def test_preferences_default_and_saved(engine) -> None:
    me = person(engine)
    assert account.preferences(engine, me) == account.Preferences(True, False, "sv")
    saved = account.save_preferences(engine, me, email_new_mail=False, sms_invoice=True,
                                     language="en")
    assert saved == account.Preferences(False, True, "en")
    assert account.preferences(engine, me) == saved
    assert account.save_preferences(engine, me, email_new_mail="no", sms_invoice=True,
                                    language="en") is None
    account.save_preferences(engine, me, email_new_mail=True, sms_invoice=True, language="xx")
    assert account.preferences(engine, me).language == "en"  # a crafted language is ignored


def test_logout_everywhere_ends_every_session_of_the_person_only(engine) -> None:
    me, other = person(engine), person(engine)
    mine = [login(engine, me), login(engine, me)]
    theirs = login(engine, other)
    assert account.logout_everywhere(engine, me) == 2
    assert all(user_for_session(engine, s) is None for s in mine)
    assert user_for_session(engine, theirs) == other


def test_export_streams_a_zip_with_every_document_and_the_account_json(engine) -> None:
    me = person(engine, "Karin")
    el = sender(engine, "Elbolaget AB")
    letter(engine, me, subject="Avtal", sender_id=el, pdf=minimal_pdf("Avtal"))
    letter(engine, me, subject="Faktura", sender_id=el, pdf=minimal_pdf("Faktura"), invoice={})
    letter(engine, person(engine, "Olle"), subject="Olles", pdf=minimal_pdf("Olle"))
    chunks = list(account.export_stream(engine, me))
    assert len([c for c in chunks if c]) > 2  # written piece by piece
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    names = archive.namelist()
    assert names[0] == "account.json"
    pdfs = [n for n in names if n.endswith(".pdf")]
    assert len(pdfs) == 2 and all(archive.read(n).startswith(b"%PDF-") for n in pdfs)
    data = json.loads(archive.read("account.json"))
    assert data["person"]["given_name"] == "Karin"
    assert sorted(x["subject"] for x in data["letters"]) == ["Avtal", "Faktura"]
    assert {f for x in data["letters"] for f in x["files"]} == set(pdfs)
    assert [x for x in data["letters"] if x["invoice"]][0]["invoice"]["amount_ore"] == 123_450
    assert "Olles" not in archive.read("account.json").decode()


def test_closing_deletes_the_person_keeps_the_senders_feed_and_allows_a_new_signup(engine) -> None:
    me = person(engine, "Karin", email="karin@example.se")
    other = person(engine, "Olle")
    el, sk = sender(engine, "Elbolaget AB"), sender(engine, "Skatteverket")
    inv = letter(engine, me, sender_id=el, pdf=minimal_pdf(), invoice={})
    letter(engine, me, sender_id=sk, pdf=minimal_pdf())
    theirs = letter(engine, other, sender_id=el, pdf=minimal_pdf())
    set_handled(engine, me, inv, True)
    set_sender_enabled(engine, me, sk, False, grace_days=10)
    secret = login(engine, me)
    with Session(engine) as session:
        pnr = session.get(User, me).personnummer
    mails: list[dict] = []

    class Mailer:
        async def send(self, **kw):
            mails.append(kw)

    closed = asyncio.run(account.close_account(SimpleNamespace(engine=engine, mailer=Mailer()),
                                               me))
    assert closed
    with Session(engine) as session:
        assert session.get(User, me) is None
        assert session.exec(select(Mailbox).where(Mailbox.user_id == me)).first() is None
        assert [r.id for r in session.exec(select(Letter)).all()] == [theirs]
        assert len(session.exec(select(Blob)).all()) == 1  # only Olle's file is left
        assert session.exec(select(SenderPreference)).all() == []
        assert session.exec(select(WebSession).where(WebSession.user_id == me)).all() == []
        events = [(e.sender_id, e.type) for e in session.exec(select(SenderEvent)).all()]
        assert (el, "handled") in events  # kept: the sender's own record
        assert {s for s, ty in events if ty == "recipient_opted_out"} == {el, sk}
        assert session.exec(select(AuditLog).where(AuditLog.action == "account.closed")).one()
    assert user_for_session(engine, secret) is None
    assert mails[0]["to"] == "karin@example.se" and "avslutat" in mails[0]["subject"]
    # the same person can sign up again from scratch
    with Session(engine) as session:
        session.add(User(personnummer=pnr, given_name="Karin", email="karin@example.se",
                         phone="+46701740605", created_at=datetime.now(UTC)))
        session.commit()
