"""Delivering a letter or an invoice: POST /messages without the HTTP.

Order (mailbox-and-senders.md §9.2): shape (pydantic) -> personnummer -> invoice data ->
parts (size before decoding, then what the bytes are) -> claim the Idempotency-Key -> in ONE
transaction: reachability, the letter, its parts and blobs, the invoice, the "delivered" event,
the notification outbox rows and the stored answer for the key. Anything refused stores
nothing (a claimed key is released again).
"""

from __future__ import annotations

import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from kivra_app.db import session_scope
from kivra_app.models import (
    EVENT_DELIVERED,
    Blob,
    IdempotencyRecord,
    Invoice,
    Letter,
    LetterPart,
    Mailbox,
    SenderEvent,
    SenderPreference,
    User,
    as_utc,
    utcnow,
)
from kivra_app.senders import pdfcheck, validators
from kivra_app.senders.audit import audit
from kivra_app.senders.notifications import enqueue_notifications
from kivra_app.senders.problems import Problem, invalid
from kivra_app.senders.schemas import MessageRequest

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Answer:
    """An HTTP answer to replay: status, JSON body, Location."""

    status: int
    body: dict[str, object]
    location: str | None = None


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


# --- the Idempotency-Key -------------------------------------------------------------------


def _claim_key(engine: Engine, sender_id: str, key: str, payload_sha256: str, *,
               ttl: timedelta) -> Answer | None:
    """None: we own the key now. An Answer: replay it. Raises 409/422 problems."""
    for _ in range(3):
        now = utcnow()
        try:
            with session_scope(engine) as session:
                session.add(IdempotencyRecord(sender_id=sender_id, key=key,
                                              request_sha256=payload_sha256, created_at=now,
                                              expires_at=now + ttl))
            return None
        except IntegrityError:
            pass
        with session_scope(engine) as session:
            record = session.get(IdempotencyRecord, (sender_id, key))
            if record is None:
                continue  # released meanwhile: claim again
            if as_utc(record.expires_at) <= now:  # type: ignore[operator]
                session.delete(record)
                continue
            if record.request_sha256 != payload_sha256:
                raise Problem("idempotency-key-reused")
            if record.status != "done" or record.response_body is None:
                raise Problem("idempotency-request-in-progress", headers={"Retry-After": "1"})
            stored = json.loads(record.response_body)
            return Answer(int(record.response_code or 200), stored["body"], stored.get("location"))
    raise Problem("idempotency-request-in-progress", headers={"Retry-After": "1"})


def _release_key(engine: Engine, sender_id: str, key: str) -> None:
    with session_scope(engine) as session:
        session.exec(delete(IdempotencyRecord).where(  # type: ignore[call-overload]
            IdempotencyRecord.sender_id == sender_id, IdempotencyRecord.key == key,
            IdempotencyRecord.status == "in_progress"))


# --- reachability and storing -------------------------------------------------------------


def reachable_user(session: Session, sender_id: str, personnummer: str,
                   now: datetime) -> tuple[User, Mailbox] | None:
    """The person and mailbox a delivery may go to: an active mailbox, and this sender not
    turned off (or turned off, but still within the grace period)."""
    row = session.exec(
        select(User, Mailbox).join(Mailbox, Mailbox.user_id == User.id)  # type: ignore[arg-type]
        .where(User.personnummer == personnummer, Mailbox.status == "active")
    ).first()
    if row is None:
        return None
    pref = session.get(SenderPreference, (row[0].id, sender_id))
    if pref is not None and not pref.enabled:
        grace = as_utc(pref.grace_until)
        if grace is None or grace <= now:
            return None
    return row


def _created(letter: Letter) -> Answer:
    delivered = as_utc(letter.received_at)
    return Answer(201, {"id": letter.public_id, "status": "delivered",
                        "delivered_at": delivered.isoformat().replace("+00:00", "Z")},  # type: ignore[union-attr]
                  f"/api/sender/v1/messages/{letter.public_id}")


def _store(session: Session, prepared: Prepared, *, sender_id: str, sender_name: str,
           user: User, mailbox: Mailbox, now: datetime, settings) -> Letter:  # noqa: ANN001
    request = prepared.request
    letter = Letter(mailbox_id=mailbox.id, sender=sender_name, sender_id=sender_id,  # type: ignore[arg-type]
                    external_id=request.external_id, subject=" ".join(request.subject.split()),
                    body=request.body_text or "", kind=request.type,
                    sensitivity=request.sensitivity, received_at=now,
                    payload_sha256=prepared.payload_sha256)
    session.add(letter)
    session.flush()  # unique (sender_id, external_id): IntegrityError here
    for ordinal, part in enumerate(prepared.parts):
        blob = Blob(sha256=part.sha256, size_bytes=len(part.data), data=part.data)
        session.add(blob)
        session.flush()
        session.add(LetterPart(letter_id=letter.id, ordinal=ordinal, filename=part.filename,  # type: ignore[arg-type]
                               content_type=part.content_type, size_bytes=len(part.data),
                               sha256=part.sha256, blob_id=blob.id))  # type: ignore[arg-type]
    if prepared.invoice is not None:
        inv = prepared.invoice
        session.add(Invoice(letter_id=letter.id, amount_ore=inv.amount_ore, currency="SEK",  # type: ignore[arg-type]
                            due_date=inv.due_date, account_type=inv.account_type,  # type: ignore[arg-type]
                            account_number=inv.account_number,
                            reference_type=inv.reference_type, reference=inv.reference,
                            status_changed_at=now))
    session.add(SenderEvent(sender_id=sender_id, message_id=letter.public_id,
                            type=EVENT_DELIVERED, at=now))
    enqueue_notifications(session, user=user, letter=letter, sender_id=sender_id,
                          sender_name=sender_name, now=now, settings=settings)
    return letter


def _existing_by_external_id(session: Session, sender_id: str, external_id: str) -> Letter | None:
    return session.exec(select(Letter).where(Letter.sender_id == sender_id,
                                             Letter.external_id == external_id)).first()


def deliver(engine: Engine, settings, prepared: Prepared, *, sender_id: str, sender_name: str,  # noqa: ANN001
            idempotency_key: str, request_id: str | None = None) -> Answer:
    """Store the delivery (or replay the key's answer). The audit row of a delivery is written
    in the delivery's own transaction (one commit less per message)."""
    ttl = timedelta(hours=settings.idempotency_ttl_hours)
    replay = _claim_key(engine, sender_id, idempotency_key, prepared.payload_sha256, ttl=ttl)
    if replay is not None:
        return replay
    try:
        for _ in range(2):
            now = utcnow()
            try:
                with session_scope(engine) as session:
                    existing = _existing_by_external_id(session, sender_id,
                                                        prepared.request.external_id)
                    if existing is not None:
                        if existing.payload_sha256 != prepared.payload_sha256:
                            raise invalid("validation-failed", "/external_id", "already_used",
                                          "external_id was used before with another body.")
                        answer = _created(existing)  # the same delivery under a new key
                    else:
                        target = reachable_user(session, sender_id, prepared.personnummer, now)
                        if target is None:
                            raise Problem("recipient-not-reachable")
                        letter = _store(session, prepared, sender_id=sender_id,
                                        sender_name=sender_name, user=target[0],
                                        mailbox=target[1], now=now, settings=settings)
                        answer = _created(letter)
                    record = session.get(IdempotencyRecord, (sender_id, idempotency_key))
                    if record is None:  # pragma: no cover - only we release our own claim
                        raise Problem("idempotency-request-in-progress")
                    record.status = "done"
                    record.response_code = answer.status
                    record.response_body = json.dumps({"body": answer.body,
                                                       "location": answer.location})
                    session.add(record)
                    audit(session, actor_type="sender", actor_id=sender_id,
                          action="message.create", object_type="message",
                          object_id=str(answer.body["id"]), request_id=request_id)
                return answer
            except IntegrityError:
                continue  # the same external_id committed concurrently: look again
        raise Problem("idempotency-request-in-progress", headers={"Retry-After": "1"})
    except BaseException:
        _release_key(engine, sender_id, idempotency_key)
        raise
