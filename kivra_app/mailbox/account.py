"""The person's own account: notification preferences and language, "Logga ut från alla
enheter", "Hämta din data" (a streamed zip) and "Avsluta konto". Plain Python, no Reflex.

Closing deletes the person: user, mailbox, letters, parts and their file bytes, invoices,
payments, preferences (notification and per-sender), pending notifications, web sessions, login
tickets, the signups that created the account (with their codes) and the BankID orders of the
account. What is kept, and why (docs/mailbox.md, "Closing an account"):
- `senderevent` rows (sender id, the letter's random public id, type, time): the senders' own
  record of what they delivered and what became of it (paid, handled, opted out); no personal
  data. A `recipient_opted_out` row per sender tells them to post on paper from now on.
- `auditlog` rows: ids, actions and outcomes only (security and accounting trail).
- `codefailurecounter`: HMACs of a personnummer + address with a count, so closing and signing
  up again cannot reset the brute-force limits; not reversible to a person.
- The payment provider's own books (a bank keeps its records by law).
Afterwards the same person can sign up again from scratch.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kivra_app.db import session_scope
from kivra_app.i18n import normalise_language, t
from kivra_app.mailbox.feed import audit, record_event
from kivra_app.models import (
    EVENT_RECIPIENT_OPTED_OUT,
    BankIdOrder,
    Blob,
    Invoice,
    Letter,
    LetterPart,
    LoginTicket,
    Mailbox,
    NotificationOutbox,
    NotificationPreference,
    Payment,
    Sender,
    SenderPreference,
    Signup,
    User,
    VerificationCode,
    WebSession,
    as_utc,
    utcnow,
)

log = logging.getLogger(__name__)


# -- preferences ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Preferences:
    email_new_mail: bool
    sms_invoice: bool
    language: str


def preferences(engine: Engine, user_id: int) -> Preferences | None:
    with Session(engine) as session:
        user = session.get(User, user_id)
        if user is None:
            return None
        pref = session.get(NotificationPreference, user_id)
        return Preferences(email_new_mail=pref.email_new_mail if pref else True,
                           sms_invoice=pref.sms_invoice if pref else False,
                           language=normalise_language(user.language))


def save_preferences(engine: Engine, user_id: int, *, email_new_mail: object,
                     sms_invoice: object, language: object) -> Preferences | None:
    if not isinstance(email_new_mail, bool) or not isinstance(sms_invoice, bool):
        return None
    with session_scope(engine) as session:
        user = session.get(User, user_id)
        if user is None:
            return None
        pref = session.get(NotificationPreference, user_id) or NotificationPreference(user_id=user_id)
        pref.email_new_mail, pref.sms_invoice, pref.updated_at = email_new_mail, sms_invoice, utcnow()
        session.add(pref)
        if isinstance(language, str) and language in ("sv", "en"):
            user.language = language
            session.add(user)
        audit(session, user_id, "account.preferences")
        return Preferences(email_new_mail, sms_invoice, normalise_language(user.language))


def logout_everywhere(engine: Engine, user_id: int, now: datetime | None = None) -> int:
    """End every live session of the person (this one too). Returns how many."""
    now = now or utcnow()
    with session_scope(engine) as session:
        ended = session.exec(  # type: ignore[call-overload]
            update(WebSession).execution_options(synchronize_session=False)
            .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))  # type: ignore[union-attr]
            .values(ended_at=now)
        ).rowcount
        audit(session, user_id, "account.logout_all", details=f"sessions={ended}")
    return int(ended)


# -- export -----------------------------------------------------------------------------------
def _iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value else None  # type: ignore[union-attr]


def account_json(session: Session, user_id: int) -> dict:
    user = session.get(User, user_id)
    mailbox = session.exec(select(Mailbox).where(Mailbox.user_id == user_id)).first()
    pref = session.get(NotificationPreference, user_id)
    letters = session.exec(select(Letter).where(Letter.mailbox_id == (mailbox.id if mailbox else -1))
                           .order_by(Letter.received_at, Letter.id)).all()  # type: ignore[arg-type]
    out_letters = []
    for letter in letters:
        invoice = session.get(Invoice, letter.id)
        parts = session.exec(select(LetterPart).where(LetterPart.letter_id == letter.id)
                             .order_by(LetterPart.ordinal)).all()
        payments = session.exec(select(Payment).where(Payment.letter_id == letter.id)).all()
        out_letters.append({
            "id": letter.public_id, "sender": letter.sender, "subject": letter.subject,
            "kind": letter.kind, "sensitivity": letter.sensitivity,
            "received_at": _iso(letter.received_at), "read_at": _iso(letter.read_at),
            "trashed_at": _iso(letter.trashed_at), "body": letter.body or None,
            "files": [f"letters/{letter.public_id}/{p.ordinal}-{_safe(p.filename)}" for p in parts],
            "invoice": None if invoice is None else {
                "amount_ore": invoice.amount_ore, "currency": invoice.currency,
                "due_date": invoice.due_date.isoformat(), "account_type": invoice.account_type,
                "account_number": invoice.account_number, "reference_type": invoice.reference_type,
                "reference": invoice.reference, "status": invoice.status},
            "payments": [{"amount_ore": p.amount_ore, "pay_date": p.pay_date.isoformat(),
                          "status": p.status, "from_account": p.from_account,
                          "created_at": _iso(p.created_at)} for p in payments],
        })
    senders = session.exec(select(Sender.name, SenderPreference)
                           .join(SenderPreference, SenderPreference.sender_id == Sender.id)  # type: ignore[arg-type]
                           .where(SenderPreference.user_id == user_id)).all()
    return {
        "exported_at": utcnow().isoformat(),
        "person": {"personnummer": user.personnummer, "given_name": user.given_name,  # type: ignore[union-attr]
                   "surname": user.surname, "email": user.email, "phone": user.phone,  # type: ignore[union-attr]
                   "language": user.language, "created_at": _iso(user.created_at)},  # type: ignore[union-attr]
        "notifications": {"email_new_mail": pref.email_new_mail if pref else True,
                          "sms_invoice": pref.sms_invoice if pref else False},
        "senders": [{"name": name, "receive_digitally": p.enabled,
                     "paper_from": _iso(p.grace_until) if not p.enabled else None}
                    for name, p in senders],
        "letters": out_letters,
    }


def _safe(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "._- " else "_" for ch in name).strip(" .")
    return cleaned[:100] or "fil"


class _Sink(io.RawIOBase):
    """What zipfile writes goes here; the stream hands it on and forgets it."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # noqa: ANN001
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def export_stream(engine: Engine, user_id: int) -> Iterator[bytes]:
    """The zip, piece by piece: `account.json`, then every file of every letter, one file's
    bytes in memory at a time (never the whole archive). Blocking: iterate in a thread."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with Session(engine) as session:
            data = account_json(session, user_id)
            ids = session.exec(
                select(LetterPart.id, Letter.public_id)
                .join(Letter, Letter.id == LetterPart.letter_id)  # type: ignore[arg-type]
                .join(Mailbox, Mailbox.id == Letter.mailbox_id)  # type: ignore[arg-type]
                .where(Mailbox.user_id == user_id).order_by(Letter.received_at, LetterPart.ordinal)
            ).all()
        archive.writestr("account.json", json.dumps(data, ensure_ascii=False, indent=2))
        yield sink.take()
        for part_id, letter_public_id in ids:
            with Session(engine) as session:
                part = session.get(LetterPart, part_id)
                blob = session.get(Blob, part.blob_id) if part else None
                if part is None or blob is None:
                    continue
                name = f"letters/{letter_public_id}/{part.ordinal}-{_safe(part.filename)}"
                with archive.open(name, "w") as target:
                    view = memoryview(blob.data)
                    for start in range(0, len(view), 64 * 1024):
                        target.write(view[start:start + 64 * 1024])
                        chunk = sink.take()
                        if chunk:
                            yield chunk
            yield sink.take()
    yield sink.take()


def record_export(engine: Engine, user_id: int) -> None:
    with session_scope(engine) as session:
        audit(session, user_id, "account.export")


# -- closing ----------------------------------------------------------------------------------
def delete_account(engine: Engine, user_id: int, now: datetime | None = None) -> tuple[str, str] | None:
    """Delete everything of the person in one transaction (see the module docstring for what
    is kept). Returns (email, language) for the confirmation mail, or None if there is no
    such account."""
    now = now or utcnow()
    with session_scope(engine) as session:
        user = session.get(User, user_id)
        if user is None:
            return None
        email, language = user.email, normalise_language(user.language)
        mailbox = session.exec(select(Mailbox).where(Mailbox.user_id == user_id)).first()
        letter_ids: list[int] = []
        if mailbox is not None:
            letter_ids = list(session.exec(select(Letter.id).where(Letter.mailbox_id == mailbox.id)).all())  # type: ignore[arg-type]
        senders = set(session.exec(select(Letter.sender_id).where(
            Letter.id.in_(letter_ids), Letter.sender_id.is_not(None))).all()) if letter_ids else set()  # type: ignore[union-attr]
        senders |= set(session.exec(select(SenderPreference.sender_id).where(
            SenderPreference.user_id == user_id)).all())
        blob_ids = list(session.exec(select(LetterPart.blob_id).where(
            LetterPart.letter_id.in_(letter_ids))).all()) if letter_ids else []  # type: ignore[attr-defined]
        signup_ids = list(session.exec(select(Signup.id).where(Signup.user_id == user_id)).all())

        def gone(stmt) -> None:  # noqa: ANN001
            session.exec(stmt.execution_options(synchronize_session=False))  # type: ignore[call-overload]

        gone(delete(NotificationOutbox).where(NotificationOutbox.user_id == user_id))
        gone(delete(SenderPreference).where(SenderPreference.user_id == user_id))
        gone(delete(NotificationPreference).where(NotificationPreference.user_id == user_id))
        gone(delete(Payment).where(Payment.user_id == user_id))
        if letter_ids:
            gone(delete(Payment).where(Payment.letter_id.in_(letter_ids)))  # type: ignore[attr-defined]
            gone(delete(Invoice).where(Invoice.letter_id.in_(letter_ids)))  # type: ignore[attr-defined]
            gone(delete(LetterPart).where(LetterPart.letter_id.in_(letter_ids)))  # type: ignore[attr-defined]
            gone(delete(NotificationOutbox).where(NotificationOutbox.letter_id.in_(letter_ids)))  # type: ignore[attr-defined]
            gone(delete(Letter).where(Letter.id.in_(letter_ids)))  # type: ignore[attr-defined]
        if blob_ids:
            gone(delete(Blob).where(Blob.id.in_(blob_ids)))  # type: ignore[attr-defined]
        gone(delete(WebSession).where(WebSession.user_id == user_id))
        gone(delete(LoginTicket).where(LoginTicket.user_id == user_id))
        if signup_ids:
            gone(delete(LoginTicket).where(LoginTicket.signup_id.in_(signup_ids)))  # type: ignore[union-attr]
            gone(delete(VerificationCode).where(VerificationCode.signup_id.in_(signup_ids)))  # type: ignore[attr-defined]
            gone(delete(Signup).where(Signup.id.in_(signup_ids)))  # type: ignore[union-attr]
        gone(delete(BankIdOrder).where(BankIdOrder.owner == f"user:{user_id}"))
        if mailbox is not None:
            gone(delete(Mailbox).where(Mailbox.id == mailbox.id))
        gone(delete(User).where(User.id == user_id))
        for sender_id in senders:
            record_event(session, sender_id, EVENT_RECIPIENT_OPTED_OUT, None)
        audit(session, user_id, "account.closed", details=f"letters={len(letter_ids)}")
    return email, language


async def close_account(services, user_id: int, *, lang: str | None = None) -> bool:  # noqa: ANN001
    """Delete the account, then the confirmation mail (a failing mail does not undo the
    deletion: the person asked for it and has seen it done; the failure is logged)."""
    import asyncio

    from kivra_app.messaging.mail import MailError

    found = await asyncio.to_thread(delete_account, services.engine, user_id)
    if found is None:
        return False
    email, language = found
    language = normalise_language(lang or language)
    text = t(language, "notice.closed_body")
    try:
        await services.mailer.send(to=email, subject=t(language, "notice.closed_subject"),
                                   text=text, html="<p>" + "</p><p>".join(
                                       _html(p) for p in text.split("\n\n")) + "</p>")
    except MailError:
        log.warning("account_closed_mail_fail")
    return True


def _html(text: str) -> str:
    import html

    return html.escape(text).replace("\n", "<br>")
