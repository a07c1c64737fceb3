"""What the person's actions tell the sender (its pull feed, `senderevent`) and the audit trail.

Same signature as the senders package's `record_event` (announced in the data-model notes);
when that lands, this module forwards to it. Rows are added to the caller's session, so they
commit with the change they describe, or not at all.
"""

from __future__ import annotations

from sqlmodel import Session

from kivra_app.models import AuditLog, SenderEvent, utcnow


def record_event(session: Session, sender_id: str | None, type: str,
                 message_id: str | None) -> None:
    """One feed row; nothing for Kivra's own letters (no sender)."""
    if sender_id is None:
        return
    session.add(SenderEvent(sender_id=sender_id, type=type, message_id=message_id, at=utcnow()))


def audit(session: Session, user_id: int, action: str, *, object_type: str | None = None,
          object_id: str | None = None, outcome: str = "ok", details: str | None = None) -> None:
    """An audit row: ids and outcomes only, never a personnummer, subject or amount."""
    session.add(AuditLog(actor_type="user", actor_id=str(user_id), action=action,
                         object_type=object_type, object_id=object_id, outcome=outcome,
                         details=details))
