"""A fresh BankID identification inside a mailbox session (sensitive letters): recorded on the
session row, so the page, the document route and every worker agree on it; it lapses after
inbox.STEP_UP_TTL and with the session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kivra_app.auth.sessions import token_hash, user_for_session
from kivra_app.db import session_scope
from kivra_app.models import WebSession, as_utc, utcnow


def session_user(engine: Engine, session_secret: str | None,
                 now: datetime | None = None) -> tuple[int, datetime | None] | None:
    """(user id, stepped_up_at) of a live session (refreshing its idle timer), else None."""
    if not session_secret:
        return None
    user_id = user_for_session(engine, session_secret, now=now)
    if user_id is None:
        return None
    with Session(engine) as session:
        at = session.exec(select(WebSession.stepped_up_at)
                          .where(WebSession.token_hash == token_hash(session_secret))).first()
    return user_id, as_utc(at)


def session_alive(engine: Engine, session_secret: str | None,
                  now: datetime | None = None) -> bool:
    """Is the session still live? Unlike `session_user` this does NOT refresh the idle timer:
    the inbox's background poll must not keep an idle session alive (R-26)."""
    from kivra_app.auth.sessions import _lifetimes

    idle, _absolute = _lifetimes()
    if not session_secret or len(session_secret) > 200:
        return False
    now = now or utcnow()
    with Session(engine) as session:
        row = session.exec(select(WebSession)
                           .where(WebSession.token_hash == token_hash(session_secret))).first()
        if row is None or row.ended_at is not None:
            return False
        last_seen = as_utc(row.used_at) or as_utc(row.created_at)
        return now < as_utc(row.expires_at) and now < last_seen + idle  # type: ignore[operator]


def record_step_up(engine: Engine, session_secret: str, user_id: int,
                   now: datetime | None = None) -> bool:
    """After a completed BankID identification of this session's own user."""
    with session_scope(engine) as session:
        return session.exec(  # type: ignore[call-overload]
            update(WebSession).execution_options(synchronize_session=False)
            .where(WebSession.token_hash == token_hash(session_secret),
                   WebSession.user_id == user_id, WebSession.ended_at.is_(None))  # type: ignore[union-attr]
            .values(stepped_up_at=now or utcnow())
        ).rowcount == 1
