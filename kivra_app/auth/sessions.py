"""One-time login tickets and mailbox web sessions (cookie "kivra_session").

Secrets are `secrets.token_urlsafe(32)` (256 bits); the database holds only their SHA-256.
- Login ticket: valid 60 s, one use (atomic `UPDATE ... WHERE used_at IS NULL`), bound to the
  signup that issued it: the claim must present that signup's secret (its cookie), so a ticket
  alone cannot log another browser in (login CSRF, finding 5). The signup issues one ticket.
- A ticket issued by a BankID login (auth/login.py) is bound the same way to the login cookie
  (`login_hash`).
- Web session: absolute lifetime `KIVRA_SESSION_MAX` (12 h), idle timeout `KIVRA_SESSION_IDLE`
  (30 min) (ASVS 4.0.3 3.3.2 L2 example; security-requirements R-26). Every login creates a new
  session secret (rotation). `end_session` ends it on the server (R-27).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kivra_app.db import session_scope
from kivra_app.models import LoginTicket, Signup, WebSession, as_utc, utcnow
from kivra_app.signup.audit import security_event

LOGIN_TICKET_TTL = timedelta(seconds=60)
_MAX_TOKEN_LENGTH = 200


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _usable(token: object) -> bool:
    return isinstance(token, str) and 0 < len(token) <= _MAX_TOKEN_LENGTH


def _lifetimes() -> tuple[timedelta, timedelta]:
    """(idle, absolute) from the settings (KIVRA_SESSION_IDLE, KIVRA_SESSION_MAX)."""
    from kivra_app.settings import get_settings

    settings = get_settings()
    return timedelta(seconds=settings.session_idle), timedelta(seconds=settings.session_max)


def create_login_ticket(session: Session, user_id: int, *, signup_id: int | None = None,
                        login_hash: str | None = None, now: datetime | None = None) -> str:
    """Add a ticket to `session` (the caller commits); returns the plaintext ticket. It is
    bound to the signup that issued it, or to the login cookie (its SHA-256)."""
    assert (signup_id is None) != (login_hash is None), "bound to exactly one issuer"
    now = now or utcnow()
    ticket = new_token()
    session.add(
        LoginTicket(token_hash=token_hash(ticket), user_id=user_id, signup_id=signup_id,
                    login_hash=login_hash, created_at=now, expires_at=now + LOGIN_TICKET_TTL)
    )
    return ticket


def _same_secret(secret: object, stored_hash: str | None) -> bool:
    if not _usable(secret) or not stored_hash:
        return False
    return hmac.compare_digest(token_hash(secret), stored_hash)  # type: ignore[arg-type]


def claim_ticket(engine: Engine, ticket: str, *, signup_secret: str | None = None,
                 login_secret: str | None = None, now: datetime | None = None) -> str | None:
    """Exchange a valid, unused ticket for a new session secret (one use); else None.

    `signup_secret` / `login_secret` are the cookies of the request: the one of the issuer must
    match (the signup's current secret, or the login cookie). A refused binding does not use up
    the ticket."""
    if not _usable(ticket):
        return None
    now = now or utcnow()
    digest = token_hash(ticket)
    with session_scope(engine) as session:
        row = session.exec(select(LoginTicket).where(LoginTicket.token_hash == digest)).first()
        if row is None or row.used_at is not None or now >= as_utc(row.expires_at):  # type: ignore[operator]
            return None
        if row.login_hash is not None:
            bound = _same_secret(login_secret, row.login_hash)
        else:
            signup = session.get(Signup, row.signup_id) if row.signup_id is not None else None
            bound = signup is not None and _same_secret(signup_secret, signup.secret_hash)
        if not bound:
            security_event("login_ticket_binding_fail", level=logging.WARNING,
                           signup=row.signup_id, user=row.user_id)
            return None
        claimed = session.exec(  # type: ignore[call-overload]
            update(LoginTicket).execution_options(synchronize_session=False)
            .where(LoginTicket.id == row.id, LoginTicket.used_at.is_(None))  # type: ignore[union-attr]
            .values(used_at=now)
        ).rowcount
        if claimed != 1:
            return None
        session_secret = new_token()  # always a new secret: the session id rotates at login
        _idle, absolute = _lifetimes()
        session.add(
            WebSession(token_hash=token_hash(session_secret), user_id=row.user_id, created_at=now,
                       expires_at=now + absolute, used_at=now)
        )
        user_id = row.user_id
    security_event("session_created", user=user_id)
    return session_secret


@dataclass(frozen=True)
class SessionCheck:
    """A presented session cookie: whose it is, or why there is none. `expired` means it ran
    out (idle or absolute lifetime) and tells the mailbox to say so calmly."""

    user_id: int | None
    state: Literal["live", "expired", "none"]


def session_status(engine: Engine, session_secret: object, *,
                   now: datetime | None = None) -> SessionCheck:
    """Check a session secret (and refresh its idle timer when live)."""
    if not _usable(session_secret):
        return SessionCheck(None, "none")
    now = now or utcnow()
    idle, _absolute = _lifetimes()
    with session_scope(engine) as session:
        row = session.exec(
            select(WebSession).where(WebSession.token_hash == token_hash(session_secret))  # type: ignore[arg-type]
        ).first()
        if row is None:
            return SessionCheck(None, "none")
        if row.ended_at is not None:
            # Ended by a timeout earlier: still "expired"; by a logout: nothing to say.
            return SessionCheck(None, "expired" if row.expired else "none")
        last_seen = as_utc(row.used_at) or as_utc(row.created_at)
        if now >= as_utc(row.expires_at) or now >= last_seen + idle:  # type: ignore[operator]
            row.ended_at = now
            row.expired = True
            session.add(row)
            security_event("session_expired", user=row.user_id)
            return SessionCheck(None, "expired")
        row.used_at = now
        session.add(row)
        return SessionCheck(row.user_id, "live")


def user_for_session(
    engine: Engine, session_secret: str, *, now: datetime | None = None
) -> int | None:
    """The user of a live session (and refresh its idle timer); None if unknown/ended/expired."""
    return session_status(engine, session_secret, now=now).user_id


def end_session(engine: Engine, session_secret: str, *, now: datetime | None = None) -> None:
    if not _usable(session_secret):
        return
    now = now or utcnow()
    with session_scope(engine) as session:
        ended = session.exec(  # type: ignore[call-overload]
            update(WebSession).execution_options(synchronize_session=False)
            .where(WebSession.token_hash == token_hash(session_secret),
                   WebSession.ended_at.is_(None))  # type: ignore[union-attr]
            .values(ended_at=now)
        ).rowcount
    if ended:
        security_event("session_ended")
