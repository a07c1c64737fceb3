"""Reading the mailbox. Letter bodies are plain text: render them escaped (R-35, R-44)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kivra_app.db import session_scope
from kivra_app.models import Invoice, Letter, Mailbox, User, as_utc, utcnow
from kivra_app.signup.validation import phone_national

MAX_PAGE = 100

WELCOME_SENDER = "Kivra"
WELCOME_SUBJECT = {"sv": "Välkommen till Kivra", "en": "Welcome to Kivra"}
WELCOME_BODY = {
    "sv": (
        "Hej {name}!\n\n"
        "Välkommen till Kivra. Din digitala brevlåda är nu klar.\n\n"
        "Här får du brev, fakturor och andra dokument från företag och myndigheter som är "
        "anslutna till Kivra. Vi meddelar dig på din verifierade mailadress när du får ny post, "
        "men det är bra att själv logga in då och då.\n\n"
        "Du loggar alltid in med BankID.\n\n"
        "Hälsningar,\nKivra"
    ),
    "en": (
        "Hi {name}!\n\n"
        "Welcome to Kivra. Your digital mailbox is ready.\n\n"
        "Here you receive letters, invoices and other documents from companies and authorities "
        "connected to Kivra. We notify you at your verified email address when new mail "
        "arrives, but it is a good idea to log in now and then.\n\n"
        "You always log in with BankID.\n\n"
        "Regards,\nKivra"
    ),
}


@dataclass(frozen=True)
class LetterSummary:
    id: int
    sender: str
    subject: str
    kind: str  # "letter" | "invoice"
    received_at: datetime
    read: bool
    amount_ore: int | None = None
    currency: str | None = None
    due_date: date | None = None


@dataclass(frozen=True)
class UserDisplay:
    given_name: str
    email: str
    phone_national: str


def welcome_letter(mailbox_id: int, language: str, given_name: str, *, now: datetime) -> Letter:
    lang = "en" if language == "en" else "sv"
    name = given_name.strip() or ("där" if lang == "sv" else "there")
    return Letter(
        mailbox_id=mailbox_id,
        sender=WELCOME_SENDER,
        subject=WELCOME_SUBJECT[lang],
        body=WELCOME_BODY[lang].format(name=name),
        kind="letter",
        received_at=now,
    )


def _mailbox_id(session: Session, user_id: int) -> int | None:
    return session.exec(select(Mailbox.id).where(Mailbox.user_id == user_id)).first()


def list_letters(engine: Engine, user_id: int, *, offset: int = 0, limit: int = 25) -> list[LetterSummary]:
    offset = max(0, int(offset))
    limit = max(1, min(MAX_PAGE, int(limit)))
    with Session(engine) as session:
        mailbox_id = _mailbox_id(session, user_id)
        if mailbox_id is None:
            return []
        rows = session.exec(
            select(Letter, Invoice)
            .join(Invoice, Invoice.letter_id == Letter.id, isouter=True)  # type: ignore[arg-type]
            .where(Letter.mailbox_id == mailbox_id, Letter.trashed_at.is_(None))  # type: ignore[union-attr]
            .order_by(Letter.received_at.desc(), Letter.id.desc())  # type: ignore[attr-defined,union-attr]
            .offset(offset)
            .limit(limit)
        ).all()
        return [
            LetterSummary(
                id=row.id,  # type: ignore[arg-type]
                sender=row.sender,
                subject=row.subject,
                kind=row.kind,
                received_at=as_utc(row.received_at),  # type: ignore[arg-type]
                read=row.read_at is not None,
                amount_ore=invoice.amount_ore if invoice else None,
                currency=invoice.currency if invoice else None,
                due_date=invoice.due_date if invoice else None,
            )
            for row, invoice in rows
        ]


def get_letter(engine: Engine, user_id: int, letter_id: int) -> Letter | None:
    """The letter if it is in this user's mailbox (else None); marks it read."""
    try:
        letter_id = int(letter_id)
    except (TypeError, ValueError):
        return None
    with session_scope(engine) as session:
        mailbox_id = _mailbox_id(session, user_id)
        if mailbox_id is None:
            return None
        letter = session.exec(
            select(Letter).where(Letter.id == letter_id, Letter.mailbox_id == mailbox_id)
        ).first()
        if letter is None:
            return None
        if letter.read_at is None:
            letter.read_at = utcnow()
            session.add(letter)
        session.flush()
        session.refresh(letter)
        letter.received_at = as_utc(letter.received_at)  # type: ignore[assignment]
        letter.read_at = as_utc(letter.read_at)
        session.expunge(letter)
        return letter


def unread_count(engine: Engine, user_id: int) -> int:
    with Session(engine) as session:
        mailbox_id = _mailbox_id(session, user_id)
        if mailbox_id is None:
            return 0
        return len(
            session.exec(
                select(Letter.id).where(Letter.mailbox_id == mailbox_id, Letter.read_at.is_(None))  # type: ignore[union-attr]
            ).all()
        )


def user_display(engine: Engine, user_id: int) -> UserDisplay | None:
    with Session(engine) as session:
        user = session.get(User, user_id)
        if user is None:
            return None
        return UserDisplay(
            given_name=user.given_name, email=user.email, phone_national=phone_national(user.phone)
        )
