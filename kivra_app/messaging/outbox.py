"""Query helpers for the dev outbox (the dev page and tests)."""

from __future__ import annotations

import re

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kivra_app.models import OutboxMessage

_CODE_RE = re.compile(r"(?<![0-9])([0-9]{6})(?![0-9])")


def latest_messages(
    engine: Engine, *, limit: int = 50, channel: str | None = None, recipient: str | None = None
) -> list[OutboxMessage]:
    with Session(engine, expire_on_commit=False) as session:
        query = select(OutboxMessage)
        if channel:
            query = query.where(OutboxMessage.channel == channel)
        if recipient:
            query = query.where(OutboxMessage.recipient == recipient.lower())
        query = query.order_by(OutboxMessage.id.desc()).limit(limit)  # type: ignore[union-attr]
        return list(session.exec(query).all())


def extract_code(text: str) -> str | None:
    match = _CODE_RE.search(text or "")
    return match.group(1) if match else None


def latest_code(engine: Engine, recipient: str, *, channel: str | None = None) -> str | None:
    """The 6-digit code in the newest outbox message to `recipient` (email or E.164)."""
    for message in latest_messages(engine, limit=1, channel=channel, recipient=recipient):
        return extract_code(message.text)
    return None


def clear(engine: Engine) -> int:
    from sqlalchemy import delete

    with Session(engine) as session:
        count = session.exec(delete(OutboxMessage)).rowcount  # type: ignore[call-overload]
        session.commit()
        return count
