"""Delivering a letter or an invoice: POST /messages without the HTTP.

Order (mailbox-and-senders.md §9.2): shape (pydantic) -> personnummer -> invoice data ->
parts (size before decoding, then what the bytes are) -> in ONE transaction: claim the
Idempotency-Key (idempotency.py), reachability, the letter, its parts and blobs, the invoice,
the "delivered" event, the notification outbox rows and the audit row. Anything refused rolls
the transaction back and so stores nothing, the key's claim included.

The rows are written with SQLAlchemy Core, not ORM flushes: a delivery is the API's hot path
(issue #8, ~200 a second), and the ORM's unit of work cost more CPU than the SQL itself.
"""

from __future__ import annotations

import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from pydantic import ValidationError
from sqlalchemy import and_, bindparam, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from kivra_app.db import insert_or_ignore
from kivra_app.models import (
    EVENT_DELIVERED,
    INVOICE_UNPAID,
    AuditLog,
    Blob,
    Invoice,
    Letter,
    LetterPart,
    Mailbox,
    NotificationOutbox,
    NotificationPreference,
    SenderEvent,
    SenderPreference,
    User,
    as_utc,
    new_uuid,
    utcnow,
)
from kivra_app.senders import delivery_pg, idempotency, pdfcheck, validators
from kivra_app.senders.audit import audit_row
from kivra_app.senders.idempotency import Answer
from kivra_app.senders.notifications import outbox_rows
from kivra_app.senders.problems import Problem, invalid
from kivra_app.senders.schemas import MessageRequest

MAX_KEY_LENGTH = 255
__all__ = ["Answer", "Prepared", "canonical_sha256", "deliver", "prepare", "validation_problem"]


@dataclass(frozen=True)
class _Part:
    filename: str
    content_type: str
    data: bytes
    sha256: str


@dataclass(frozen=True)
class _Invoice:
    amount_ore: int
    due_date: object
    account_type: str
    account_number: str
    reference_type: str
    reference: str


@dataclass(frozen=True)
class Prepared:
    request: MessageRequest
    personnummer: str
    parts: list[_Part]
    invoice: _Invoice | None
    payload_sha256: str


def validation_problem(exc: ValidationError) -> Problem:
    errors = []
    for err in exc.errors()[:20]:
        pointer = "/" + "/".join(str(p) for p in err.get("loc", ()))
        errors.append({"pointer": pointer if pointer != "/" else "", "code": err.get("type", "invalid")})
    return Problem("validation-failed", detail="The body does not match the schema.", errors=errors)


def canonical_sha256(data: object) -> str:
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()


def _invoice(request: MessageRequest) -> _Invoice | None:
    if request.type == "letter":
        if request.invoice is not None:
            raise invalid("validation-failed", "/invoice", "only_for_invoices")
        return None
    data = request.invoice
    if data is None:
        raise invalid("validation-failed", "/invoice", "required")
    try:
        amount = validators.amount_ore(data.amount)
    except validators.InvalidValue as exc:
        raise invalid("validation-failed", "/invoice/amount", exc.code) from None
    try:
        due = validators.due_date(data.due_date)
    except validators.InvalidValue as exc:
        raise invalid("validation-failed", "/invoice/due_date", exc.code) from None
    try:
        account = validators.account(data.account_type, data.account_number)
    except validators.InvalidValue as exc:
        raise invalid("invalid-account", "/invoice/account_number", exc.code) from None
    if data.reference_type == "ocr":
        try:
            reference = validators.ocr_reference(data.reference)
        except validators.InvalidValue as exc:
            raise invalid("invalid-ocr", "/invoice/reference", exc.code) from None
    else:
        reference = " ".join(data.reference.split())
        if not reference or not reference.isprintable():
            raise invalid("validation-failed", "/invoice/reference", "invalid")
    return _Invoice(amount, due, data.account_type, account, data.reference_type, reference)


def _parts(request: MessageRequest, max_part_bytes: int) -> list[_Part]:
    parts = []
    for i, part in enumerate(request.parts):
        pointer = f"/parts/{i}/data_base64"
        encoded = part.data_base64
        # Size before decoding: 4 base64 characters carry 3 bytes.
        if (len(encoded) // 4) * 3 > max_part_bytes + 3:
            raise invalid("payload-too-large", pointer, "part_too_large")
        try:
            data = binascii.a2b_base64(encoded.encode("ascii"), strict_mode=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raise invalid("validation-failed", pointer, "not_base64") from None
        if len(data) > max_part_bytes:
            raise invalid("payload-too-large", pointer, "part_too_large")
        if not data:
            raise invalid("file-not-allowed", pointer, "empty")
        try:
            pdfcheck.check_part(part.content_type, data)
        except pdfcheck.NotAllowed as exc:
            raise invalid("file-not-allowed", pointer, exc.code) from None
        parts.append(_Part(pdfcheck.safe_filename(part.filename), part.content_type, data,
                           hashlib.sha256(data).hexdigest()))
    return parts


def prepare(data: object, *, max_part_bytes: int) -> Prepared:
    """Everything that depends on the body alone; raises Problem."""
    if not isinstance(data, dict):
        raise Problem("validation-failed", detail="The body must be a JSON object.")
    try:
        request = MessageRequest.model_validate(data)
    except ValidationError as exc:
        raise validation_problem(exc) from None
    try:
        personnummer = validators.recipient_personnummer(request.recipient.personnummer)
    except validators.InvalidValue:
        raise invalid("invalid-personnummer", "/recipient/personnummer", "invalid") from None
    subject = " ".join(request.subject.split())
    if not subject or not subject.isprintable():
        raise invalid("validation-failed", "/subject", "invalid")
    invoice = _invoice(request)
    parts = _parts(request, max_part_bytes)
    return Prepared(request, personnummer, parts, invoice, canonical_sha256(data))


# --- reachability and storing (Core, in the caller's transaction) -------------------------

_USER = User.__table__  # type: ignore[attr-defined]
_MAILBOX = Mailbox.__table__  # type: ignore[attr-defined]
_SENDER_PREF = SenderPreference.__table__  # type: ignore[attr-defined]
_NOTIFY_PREF = NotificationPreference.__table__  # type: ignore[attr-defined]
_LETTER = Letter.__table__  # type: ignore[attr-defined]
_BLOB = Blob.__table__  # type: ignore[attr-defined]
_PART = LetterPart.__table__  # type: ignore[attr-defined]
_INVOICE = Invoice.__table__  # type: ignore[attr-defined]
_EVENT = SenderEvent.__table__  # type: ignore[attr-defined]
_OUTBOX = NotificationOutbox.__table__  # type: ignore[attr-defined]
_AUDIT = AuditLog.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Recipient:
    user_id: int
    mailbox_id: int
    email_on: bool | None  # the person's notification preferences; None: no row (defaults)
    sms_on: bool | None


_REACHABLE = (
    select(_USER.c.id, _MAILBOX.c.id.label("mailbox_id"), _SENDER_PREF.c.enabled,
           _SENDER_PREF.c.grace_until, _NOTIFY_PREF.c.email_new_mail, _NOTIFY_PREF.c.sms_invoice)
    .select_from(
        _USER.join(_MAILBOX, _MAILBOX.c.user_id == _USER.c.id)
        .outerjoin(_SENDER_PREF, and_(_SENDER_PREF.c.user_id == _USER.c.id,
                                      _SENDER_PREF.c.sender_id == bindparam("sender_id")))
        .outerjoin(_NOTIFY_PREF, _NOTIFY_PREF.c.user_id == _USER.c.id))
    .where(_USER.c.personnummer == bindparam("personnummer"), _MAILBOX.c.status == "active")
    .limit(1)
)
# Built once: constructing a statement per call (values(...) coerced column by column) cost
# more CPU than executing it.
_INSERT_BLOB = insert(_BLOB).returning(_BLOB.c.id)
_INSERT_PART = insert(_PART)
_INSERT_INVOICE = insert(_INVOICE)
_INSERT_EVENT = insert(_EVENT)
_INSERT_OUTBOX = insert(_OUTBOX)
_INSERT_AUDIT = insert(_AUDIT)
_EXISTING = select(_LETTER.c.public_id, _LETTER.c.received_at, _LETTER.c.payload_sha256).where(
    _LETTER.c.sender_id == bindparam("sender_id"),
    _LETTER.c.external_id == bindparam("external_id"))


@lru_cache
def _insert_letter_statement(dialect: str):  # noqa: ANN202
    return (insert_or_ignore(dialect, _LETTER)
            .on_conflict_do_nothing(index_elements=["sender_id", "external_id"])
            .returning(_LETTER.c.id))


def reachable_recipient(conn: Connection, sender_id: str, personnummer: str,
                        now: datetime) -> Recipient | None:
    """The person and mailbox a delivery may go to: an active mailbox, and this sender not
    turned off (or turned off, but still within the grace period). One statement: the
    preferences come along (outer joins) for the outbox rows."""
    row = conn.execute(_REACHABLE, {"sender_id": sender_id, "personnummer": personnummer}).first()
    if row is None:
        return None
    if row.enabled is not None and not row.enabled:
        grace = as_utc(row.grace_until)
        if grace is None or grace <= now:
            return None
    return Recipient(row.id, row.mailbox_id, row.email_new_mail, row.sms_invoice)


def _created(public_id: str, received_at: datetime) -> Answer:
    delivered = as_utc(received_at).isoformat().replace("+00:00", "Z")  # type: ignore[union-attr]
    return Answer(201, {"id": public_id, "status": "delivered", "delivered_at": delivered},
                  f"/api/sender/v1/messages/{public_id}")


def _insert_letter(conn: Connection, prepared: Prepared, *, public_id: str, sender_id: str,
                   sender_name: str, mailbox_id: int, now: datetime) -> int | None:
    """The letter's id; None when this sender's external_id exists already (committed, or
    committed meanwhile by a concurrent request: the unique index makes us wait for it)."""
    request = prepared.request
    return conn.execute(_insert_letter_statement(conn.dialect.name), {
        "public_id": public_id, "mailbox_id": mailbox_id, "sender": sender_name,
        "sender_id": sender_id, "external_id": request.external_id,
        "subject": " ".join(request.subject.split()), "body": request.body_text or "",
        "kind": request.type, "sensitivity": request.sensitivity, "received_at": now,
        "read_at": None, "trashed_at": None, "payload_sha256": prepared.payload_sha256,
    }).scalar()


def _insert_rows(conn: Connection, prepared: Prepared, *, letter_id: int, public_id: str,
                 sender_id: str, now: datetime, outbox: list[dict[str, object]]) -> None:
    """Everything of a new letter after the letter row, one statement per table: parts and
    blobs, the invoice, the "delivered" event, the outbox rows (SQLite; delivery_pg.py does
    the same in one statement)."""
    parts = []
    for ordinal, part in enumerate(prepared.parts):
        blob_id = conn.execute(_INSERT_BLOB, {"sha256": part.sha256, "size_bytes": len(part.data),
                                              "data": part.data}).scalar()
        parts.append({"public_id": new_uuid(), "letter_id": letter_id, "ordinal": ordinal,
                      "filename": part.filename, "content_type": part.content_type,
                      "size_bytes": len(part.data), "sha256": part.sha256, "blob_id": blob_id})
    conn.execute(_INSERT_PART, parts)
    if prepared.invoice is not None:
        inv = prepared.invoice
        conn.execute(_INSERT_INVOICE, {
            "letter_id": letter_id, "amount_ore": inv.amount_ore, "currency": "SEK",
            "due_date": inv.due_date, "account_type": inv.account_type,
            "account_number": inv.account_number, "reference_type": inv.reference_type,
            "reference": inv.reference, "status": INVOICE_UNPAID, "status_changed_at": now})
    conn.execute(_INSERT_EVENT, {"sender_id": sender_id, "message_id": public_id,
                                 "type": EVENT_DELIVERED, "at": now})
    if outbox:
        conn.execute(_INSERT_OUTBOX, [{**row, "letter_id": letter_id,
                                       "dedupe_key": f"{letter_id}:{row['channel']}"}
                                      for row in outbox])


def _existing_answer(conn: Connection, prepared: Prepared, sender_id: str) -> Answer:
    """The answer of the letter this sender delivered before under the same external_id."""
    row = conn.execute(_EXISTING, {"sender_id": sender_id,
                                   "external_id": prepared.request.external_id}).first()
    if row is None:  # pragma: no cover - the insert just found it
        raise idempotency.in_progress_problem()
    if row.payload_sha256 != prepared.payload_sha256:
        raise invalid("validation-failed", "/external_id", "already_used",
                      "external_id was used before with another body.")
    return _created(row.public_id, row.received_at)  # the same delivery under a new key


def deliver(engine: Engine, settings, prepared: Prepared, *, sender_id: str, sender_name: str,  # noqa: ANN001
            idempotency_key: str, request_id: str | None = None) -> Answer:
    """Store the delivery (or replay the key's answer), all in one transaction with the key's
    claim and the audit row; a Problem rolls everything back."""
    ttl = timedelta(hours=settings.idempotency_ttl_hours)
    for _ in range(2):
        now = utcnow()
        public_id = new_uuid()
        answer = _created(public_id, now)  # known before anything is stored: the key keeps it
        try:
            with engine.begin() as conn:
                replay = idempotency.claim(conn, sender_id=sender_id, key=idempotency_key,
                                           payload_sha256=prepared.payload_sha256,
                                           answer=answer, now=now, ttl=ttl)
                if replay is not None:
                    return replay
                recipient = reachable_recipient(conn, sender_id, prepared.personnummer, now)
                if recipient is None:
                    raise Problem("recipient-not-reachable")
                audit = audit_row(actor_type="sender", actor_id=sender_id,
                                  action="message.create", object_type="message",
                                  object_id=public_id, request_id=request_id)
                outbox = outbox_rows(
                    user_id=recipient.user_id, letter_id=0, kind=prepared.request.type,
                    email_on=recipient.email_on, sms_on=recipient.sms_on, sender_id=sender_id,
                    sender_name=sender_name, now=now, settings=settings)
                if conn.dialect.name == "postgresql":  # all of it in one statement
                    letter_id = delivery_pg.insert_letter_and_rows(
                        conn, prepared, public_id=public_id, sender_id=sender_id,
                        sender_name=sender_name, mailbox_id=recipient.mailbox_id, now=now,
                        outbox=outbox, audit=audit)
                else:
                    letter_id = _insert_letter(conn, prepared, public_id=public_id,
                                               sender_id=sender_id, sender_name=sender_name,
                                               mailbox_id=recipient.mailbox_id, now=now)
                    if letter_id is not None:
                        _insert_rows(conn, prepared, letter_id=letter_id, public_id=public_id,
                                     sender_id=sender_id, now=now, outbox=outbox)
                        conn.execute(_INSERT_AUDIT, audit)
                if letter_id is None:  # the same delivery under a new key: nothing was written
                    answer = _existing_answer(conn, prepared, sender_id)
                    idempotency.replace_answer(conn, sender_id=sender_id, key=idempotency_key,
                                               answer=answer)
                    conn.execute(_INSERT_AUDIT, {**audit, "object_id": str(answer.body["id"])})
            return answer
        except IntegrityError:
            continue  # a unique row committed concurrently that ON CONFLICT does not cover
    raise idempotency.in_progress_problem()
