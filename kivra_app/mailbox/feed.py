"""What the person's actions tell the sender (its pull feed) and the audit trail, through the
senders package's one helper for each. Rows join the caller's session, so they commit with the
change they describe, or not at all."""

from __future__ import annotations

from sqlmodel import Session

from kivra_app.senders.audit import audit as _audit
from kivra_app.senders.feed import record_event

__all__ = ["audit", "record_event"]


def audit(session: Session, user_id: int, action: str, *, object_type: str | None = None,
          object_id: str | None = None, outcome: str = "ok", details: str | None = None) -> None:
    """An audit row by the person: ids and outcomes only, never a personnummer, subject or
    amount."""
    _audit(session, actor_type="user", actor_id=str(user_id), action=action, outcome=outcome,
           object_type=object_type, object_id=object_id, details=details)
