"""The person's inbox: keyset pages, counts, the "latest letter" probe for live arrival, opening
a letter, "Markera som oläst", Papperskorg. Plain Python, no Reflex.

Every function takes the user id the caller got from the session and checks that each letter
id it is given belongs to that user's mailbox, in the same query that reads or changes it: a
foreign or unknown id changes nothing and comes back as None/False, exactly like a missing one.

Keyset paging: the page is ordered (received_at DESC, id DESC) and the next page starts after
the last row's (received_at, id). The index (mailbox_id, trashed_at, received_at, id) makes the
10,000th letter as cheap to reach as the 10th (bench/bench_inbox.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kivra_app.db import session_scope
from kivra_app.i18n import normalise_language, t
from kivra_app.mailbox.formatting import (
    UNREAD_COUNT_CAP,
    format_amount,
    format_date,
    format_payee_account,
    group_ocr,
    invoice_status,
)
from kivra_app.models import (
    INVOICE_HANDLED,
    INVOICE_UNPAID,
    Invoice,
    Letter,
    LetterPart,
    Mailbox,
    Payment,
    as_utc,
    utcnow,
)

PAGE_SIZE = 25
FILTERS = ("all", "unread", "invoices", "unpaid", "trash")
SENSITIVE = "sensitive"
STEP_UP_TTL = timedelta(minutes=5)  # a "fresh" BankID identification for sensitive letters
MAX_ID = 2**53


def valid_id(value: object) -> int | None:
    """A letter id from a (possibly crafted) event payload, or None."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < MAX_ID:
        return None
    return value


@dataclass(frozen=True)
class Cursor:
    received_at: datetime
    id: int


@dataclass(frozen=True)
class Row:
    """One inbox row, texts in the person's language (what the state sends to the browser)."""

    id: int
    sender: str
    subject: str
    date: str
    read: bool
    sensitive: bool
    invoice: bool
    amount: str = ""
    due: str = ""
    status: str = ""
    status_code: str = ""

    def as_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_cursor: Cursor | None


def mailbox_id_of(session: Session, user_id: int) -> int | None:
    return session.exec(select(Mailbox.id).where(Mailbox.user_id == user_id,
                                                 Mailbox.status == "active")).first()


def _local_date(moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    return as_utc(moment).astimezone(ZoneInfo("Europe/Stockholm")).strftime("%Y-%m-%d")  # type: ignore[union-attr]


def _status(invoice: Invoice, payment: Payment | None, today: date):
    return invoice_status(
        due_date=invoice.due_date,
        payment_status=payment.status if payment is not None else (
            "paid" if invoice.status == "paid" else None),
        payment_date=payment.pay_date if payment is not None else None,
        handled=invoice.status == INVOICE_HANDLED,
        today=today,
    )


def _filter_clause(name: str):
    if name == "unread":
        return Letter.read_at.is_(None)  # type: ignore[union-attr]
    if name == "invoices":
        return Letter.kind == "invoice"
    if name == "unpaid":
        return and_(Letter.kind == "invoice", Invoice.status == INVOICE_UNPAID)
    return None


def inbox_page(engine: Engine, user_id: int, *, filter: str = "all", after: Cursor | None = None,
               limit: int = PAGE_SIZE, lang: str = "sv", today: date | None = None) -> Page:
    """One page of rows, newest first. `filter`: all | unread | invoices | unpaid | trash."""
    lang = normalise_language(lang)
    today = today or date.today()
    filter = filter if filter in FILTERS else "all"
    limit = max(1, min(100, int(limit)))
    with Session(engine) as session:
        mailbox_id = mailbox_id_of(session, user_id)
        if mailbox_id is None:
            return Page([], None)
        query = (
            select(Letter.id, Letter.sender, Letter.subject, Letter.received_at, Letter.read_at,
                   Letter.sensitivity, Invoice, Payment)
            .join(Invoice, Invoice.letter_id == Letter.id, isouter=True)  # type: ignore[arg-type]
            .join(Payment, Payment.active_letter_id == Letter.id, isouter=True)  # type: ignore[arg-type]
            .where(Letter.mailbox_id == mailbox_id)
        )
        if filter == "trash":
            query = query.where(Letter.trashed_at.is_not(None))  # type: ignore[union-attr]
        else:
            query = query.where(Letter.trashed_at.is_(None))  # type: ignore[union-attr]
        clause = _filter_clause(filter)
        if clause is not None:
            query = query.where(clause)
        if after is not None:
            query = query.where(or_(Letter.received_at < after.received_at,
                                    and_(Letter.received_at == after.received_at,
                                         Letter.id < after.id)))
        query = query.order_by(Letter.received_at.desc(), Letter.id.desc()).limit(limit + 1)  # type: ignore[attr-defined,union-attr]
        results = session.exec(query).all()
    more = len(results) > limit
    results = results[:limit]
    rows: list[Row] = []
    for (lid, sender, subject, received, read_at, sensitivity, invoice, payment) in results:
        sensitive = sensitivity == SENSITIVE
        extra: dict = {}
        if invoice is not None:
            status = _status(invoice, payment, today)
            extra = {"amount": format_amount(invoice.amount_ore, lang, invoice.currency),
                     "due": format_date(invoice.due_date, lang), "status": status.text(lang),
                     "status_code": status.code}
        rows.append(Row(id=lid, sender=sender,
                        subject=t(lang, "mbx.sensitive") if sensitive else subject,
                        date=_local_date(received), read=read_at is not None,
                        sensitive=sensitive, invoice=invoice is not None, **extra))
    next_cursor = None
    if more and results:
        last = results[-1]
        next_cursor = Cursor(received_at=last[3], id=last[0])
    return Page(rows, next_cursor)




def unread_count(engine: Engine, user_id: int) -> int:
    """Unread letters outside the trash, counted up to UNREAD_COUNT_CAP (the cap when more)."""
    with Session(engine) as session:
        mailbox_id = mailbox_id_of(session, user_id)
        if mailbox_id is None:
            return 0
        unread = (
            select(Letter.id).where(
                Letter.mailbox_id == mailbox_id, Letter.trashed_at.is_(None),  # type: ignore[union-attr]
                Letter.read_at.is_(None))  # type: ignore[union-attr]
            .limit(UNREAD_COUNT_CAP).subquery()
        )
        return int(session.exec(select(func.count()).select_from(unread)).one())


def latest_letter_id(engine: Engine, user_id: int) -> int:
    """The id of the newest letter in the inbox (0 when none): the cheap probe the open inbox
    polls to see that a letter has arrived. One row from the keyset index."""
    # The mailbox as a scalar subquery, not a join: PostgreSQL then walks the keyset index
    # backwards for one row; with the join it scanned and sorted the whole mailbox (2.7 ms at
    # 10,000 letters against 0.1 ms).
    mailbox = select(Mailbox.id).where(Mailbox.user_id == user_id).scalar_subquery()
    with Session(engine) as session:
        found = session.exec(
            select(Letter.id)
            .where(Letter.mailbox_id == mailbox, Letter.trashed_at.is_(None))  # type: ignore[union-attr]
            .order_by(Letter.received_at.desc(), Letter.id.desc())  # type: ignore[attr-defined,union-attr]
            .limit(1)
        ).first()
        return int(found or 0)


# -- one letter -------------------------------------------------------------------------------
@dataclass(frozen=True)
class PartView:
    public_id: str
    filename: str
    content_type: str
    size_bytes: int


@dataclass(frozen=True)
class LetterDetail:
    id: int
    public_id: str
    sender: str
    sender_id: str | None
    subject: str
    date: str
    kind: str
    sensitive: bool
    locked: bool  # sensitive and no fresh BankID: nothing but sender and date
    trashed: bool
    body: str = ""
    parts: list[PartView] = field(default_factory=list)


def _owned_letter(session: Session, user_id: int, letter_id: int) -> Letter | None:
    return session.exec(
        select(Letter).join(Mailbox, Mailbox.id == Letter.mailbox_id)  # type: ignore[arg-type]
        .where(Letter.id == letter_id, Mailbox.user_id == user_id, Mailbox.status == "active")
    ).first()


def step_up_fresh(stepped_up_at: datetime | None, now: datetime) -> bool:
    return stepped_up_at is not None and now - as_utc(stepped_up_at) <= STEP_UP_TTL  # type: ignore[operator]


def open_letter(engine: Engine, user_id: int, letter_id: object, *, lang: str = "sv",
                stepped_up_at: datetime | None = None,
                now: datetime | None = None) -> LetterDetail | None:
    """The letter if it is this user's (else None). Opening marks it read, except a sensitive
    letter without a fresh BankID identification (`stepped_up_at` within 5 minutes), which
    comes back locked: sender and date only."""
    lid = valid_id(letter_id)
    if lid is None:
        return None
    now = now or utcnow()
    with session_scope(engine) as session:
        letter = _owned_letter(session, user_id, lid)
        if letter is None:
            return None
        sensitive = letter.sensitivity == SENSITIVE
        locked = sensitive and not step_up_fresh(stepped_up_at, now)
        detail = {"id": letter.id, "public_id": letter.public_id, "sender": letter.sender,
                  "sender_id": letter.sender_id, "date": _local_date(letter.received_at),
                  "kind": letter.kind, "sensitive": sensitive, "locked": locked,
                  "trashed": letter.trashed_at is not None}
        if locked:
            return LetterDetail(subject=t(lang, "mbx.sensitive"), **detail)
        if letter.read_at is None:
            letter.read_at = now
            session.add(letter)
        parts = session.exec(select(LetterPart).where(LetterPart.letter_id == lid)
                             .order_by(LetterPart.ordinal)).all()
        return LetterDetail(subject=letter.subject, body=letter.body,
                            parts=[PartView(p.public_id, p.filename, p.content_type, p.size_bytes)
                                   for p in parts], **detail)


def _update_owned(engine: Engine, user_id: int, letter_id: object, **values) -> bool:
    lid = valid_id(letter_id)
    if lid is None:
        return False
    with session_scope(engine) as session:
        mailbox_id = mailbox_id_of(session, user_id)
        if mailbox_id is None:
            return False
        return session.exec(  # type: ignore[call-overload]
            update(Letter).execution_options(synchronize_session=False)
            .where(Letter.id == lid, Letter.mailbox_id == mailbox_id).values(**values)
        ).rowcount == 1


def mark_unread(engine: Engine, user_id: int, letter_id: object) -> bool:
    return _update_owned(engine, user_id, letter_id, read_at=None)


def move_to_trash(engine: Engine, user_id: int, letter_id: object,
                  now: datetime | None = None) -> bool:
    return _update_owned(engine, user_id, letter_id, trashed_at=now or utcnow())


def restore(engine: Engine, user_id: int, letter_id: object) -> bool:
    return _update_owned(engine, user_id, letter_id, trashed_at=None)


# -- documents (the HTTP route) ---------------------------------------------------------------
@dataclass(frozen=True)
class Document:
    filename: str
    content_type: str
    size_bytes: int
    blob_id: int


def owned_document(engine: Engine, user_id: int, part_public_id: str, *,
                   stepped_up_at: datetime | None, now: datetime | None = None) -> Document | None:
    """A letter part of this user's (None for anyone else's, unknown ids and a sensitive letter
    without a fresh BankID identification)."""
    if not isinstance(part_public_id, str) or not 0 < len(part_public_id) <= 36:
        return None
    now = now or utcnow()
    with Session(engine) as session:
        found = session.exec(
            select(LetterPart, Letter.sensitivity)
            .join(Letter, Letter.id == LetterPart.letter_id)  # type: ignore[arg-type]
            .join(Mailbox, Mailbox.id == Letter.mailbox_id)  # type: ignore[arg-type]
            .where(LetterPart.public_id == part_public_id, Mailbox.user_id == user_id,
                   Mailbox.status == "active")
        ).first()
        if found is None:
            return None
        part, sensitivity = found
        if sensitivity == SENSITIVE and not step_up_fresh(stepped_up_at, now):
            return None
        return Document(part.filename, part.content_type, part.size_bytes, part.blob_id)


def invoice_display(engine: Engine, user_id: int, letter_id: int, *, lang: str,
                    today: date) -> dict | None:
    """The invoice panel's texts (components/invoice.py) for one of this user's letters."""
    lid = valid_id(letter_id)
    if lid is None:
        return None
    with Session(engine) as session:
        letter = _owned_letter(session, user_id, lid)
        if letter is None:
            return None
        invoice = session.get(Invoice, lid)
        if invoice is None:
            return None
        payment = session.exec(select(Payment).where(Payment.active_letter_id == lid)).first()
        status = _status(invoice, payment, today)
        notes = {"overdue": t(lang, "invoice.overdue_note", sender=letter.sender),
                 "handled": t(lang, "invoice.handled_note"),
                 "paid": t(lang, "invoice.paid_note"),
                 "scheduled": t(lang, "invoice.scheduled_note",
                                date=format_date(payment.pay_date, lang) if payment else "")}
        is_ocr = invoice.reference_type != "message"
        return {
            "amount": format_amount(invoice.amount_ore, lang, invoice.currency),
            "due": format_date(invoice.due_date, lang),
            "payee": letter.sender,
            "account_label": t(lang, "invoice.plusgiro" if invoice.account_type == "plusgiro"
                               else "invoice.bankgiro"),
            "account": format_payee_account(invoice.account_type, invoice.account_number),
            "account_digits": invoice.account_number,
            "reference_label": t(lang, "invoice.ocr" if is_ocr else "invoice.message"),
            "reference": group_ocr(invoice.reference) if is_ocr else invoice.reference,
            "reference_digits": invoice.reference,
            "status": status.text(lang),
            "status_code": status.code,
            "note": notes.get(status.code, ""),
            "payable": status.payable,
            "handled": status.code == "handled",
        }
