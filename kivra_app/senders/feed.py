"""What a sender may read back: reachability (match), one message's status, its event feed.
Every query is filtered by the authenticated sender: another sender's id is simply not found."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kivra_app.models import (
    Invoice,
    Letter,
    Mailbox,
    SenderEvent,
    SenderPreference,
    User,
    as_utc,
    utcnow,
)
from kivra_app.senders import validators

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_CHUNK = 900  # below SQLite's bound-parameter limit


def iso(value: datetime) -> str:
    return as_utc(value).isoformat().replace("+00:00", "Z")  # type: ignore[union-attr]


def match(engine: Engine, sender_id: str, numbers: list[str]) -> list[str]:
    """The numbers (as the sender wrote them) of people with an active mailbox who have not
    turned this sender off. Invalid numbers simply do not match. A person who turned the sender
    off is no longer matched at once, even while deliveries are still accepted in the grace
    period: the sender learns early to go back to paper, and nothing sent meanwhile is lost."""
    wanted: dict[str, list[str]] = {}
    for raw in numbers:
        try:
            normal = validators.recipient_personnummer(raw)
        except validators.InvalidValue:
            continue
        wanted.setdefault(normal, [])
        if raw not in wanted[normal]:
            wanted[normal].append(raw)
    found: set[str] = set()
    keys = list(wanted)
    with Session(engine) as session:
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i:i + _CHUNK]
            rows = session.exec(
                select(User.personnummer, SenderPreference.enabled)
                .join(Mailbox, Mailbox.user_id == User.id)  # type: ignore[arg-type]
                .join(SenderPreference,
                      (SenderPreference.user_id == User.id)  # type: ignore[arg-type]
                      & (SenderPreference.sender_id == sender_id), isouter=True)
                .where(User.personnummer.in_(chunk), Mailbox.status == "active")  # type: ignore[attr-defined]
            ).all()
            found.update(pnr for pnr, enabled in rows if enabled is None or enabled)
    out: list[str] = []
    for normal, originals in wanted.items():
        if normal in found:
            out.extend(originals)
    return out


def message_status(engine: Engine, sender_id: str, message_id: str) -> dict[str, object] | None:
    if not _UUID.match(message_id or ""):
        return None
    with Session(engine) as session:
        row = session.exec(
            select(Letter, Invoice).join(Invoice, Invoice.letter_id == Letter.id, isouter=True)  # type: ignore[arg-type]
            .where(Letter.public_id == message_id, Letter.sender_id == sender_id)
        ).first()
        if row is None:
            return None
        letter, invoice = row
        return {"id": letter.public_id, "external_id": letter.external_id, "type": letter.kind,
                "status": "delivered", "delivered_at": iso(letter.received_at),
                "invoice_status": invoice.status if invoice else None}


def events(engine: Engine, sender_id: str, after: int, limit: int) -> tuple[list[dict[str, object]], int]:
    """This sender's events with id > after, oldest first, and the next cursor."""
    with Session(engine) as session:
        rows = session.exec(
            select(SenderEvent).where(SenderEvent.sender_id == sender_id, SenderEvent.id > after)  # type: ignore[operator]
            .order_by(SenderEvent.id).limit(limit)  # type: ignore[arg-type]
        ).all()
    out = [{"id": str(e.id), "type": e.type, "message_id": e.message_id, "at": iso(e.at)}
           for e in rows]
    return out, (rows[-1].id if rows else after)  # type: ignore[return-value]


def record_event(session: Session, sender_id: str | None, event_type: str,
                 message_id: str | None, *, at: datetime | None = None) -> None:
    """For the mailbox side (payment scheduled/paid, handled, opted out): add a feed row to the
    caller's transaction. Letters without a sender (Kivra's own) have no feed."""
    if sender_id is None:
        return
    session.add(SenderEvent(sender_id=sender_id, message_id=message_id, type=event_type,
                            at=at or utcnow()))
