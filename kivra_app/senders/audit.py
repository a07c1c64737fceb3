"""The audit trail of sender calls and admin actions: ids, counts and outcomes only."""

from __future__ import annotations

from sqlmodel import Session

from kivra_app.models import AuditLog, utcnow


def audit_row(*, actor_type: str, actor_id: str | None, action: str, outcome: str = "ok",
              object_type: str | None = None, object_id: str | None = None,
              request_id: str | None = None, details: str | None = None) -> dict[str, object]:
    """The `auditlog` row's values, for a Core insert in the caller's transaction. Never pass
    personal data in `details`."""
    return {"at": utcnow(), "actor_type": actor_type, "actor_id": actor_id, "action": action,
            "outcome": outcome, "object_type": object_type, "object_id": object_id,
            "request_id": request_id, "details": (details or None) and details[:500]}


def audit(session: Session, *, actor_type: str, actor_id: str | None, action: str,
          outcome: str = "ok", object_type: str | None = None, object_id: str | None = None,
          request_id: str | None = None, details: str | None = None) -> None:
    """Add one row to the caller's transaction. Never pass personal data in `details`."""
    session.add(AuditLog(**audit_row(actor_type=actor_type, actor_id=actor_id, action=action,
                                     outcome=outcome, object_type=object_type,
                                     object_id=object_id, request_id=request_id,
                                     details=details)))
