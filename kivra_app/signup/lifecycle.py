"""A signup's secret from start to end: begin, view, language, and the secret rotation after
BankID (R-24: continue ticket, rotate_secret). See docs/signup-service.md, "Secret rotation"."""

from __future__ import annotations

import logging
import secrets

from sqlalchemy import update
from sqlmodel import Session, select

from kivra_app.db import session_scope
from kivra_app.models import Signup
from kivra_app.signup.audit import security_event
from kivra_app.signup.core import SignupCore, secret_hash
from kivra_app.signup.errors import SignupError
from kivra_app.signup.steps import Step
from kivra_app.signup.views import LANGUAGES, SignupView, rotation_due, signup_language


def begin(core: SignupCore, language: str) -> str:
    secret = secrets.token_urlsafe(32)
    now = core.now()
    with session_scope(core.engine) as session:
        signup = Signup(
            secret_hash=secret_hash(secret),  # type: ignore[arg-type]
            step=Step.PERSONNUMMER.value,
            language=signup_language(language),
            created_at=now,
            updated_at=now,
            expires_at=now + core.idle_timeout,
        )
        session.add(signup)
        session.flush()
        security_event("signup_started", signup=signup.id)
    return secret


def view(core: SignupCore, secret: str) -> SignupView | None:
    try:
        with Session(core.engine) as session:
            return core.build_view(session, core.load(session, secret, unrotated_ok=True))
    except SignupError:
        return None


def set_language(core: SignupCore, secret: str, language: str) -> SignupView:
    with session_scope(core.engine) as session:
        signup = core.load(session, secret)
        if language in LANGUAGES:
            signup.language = language
        return core.save_and_view(session, signup)


def continue_ticket(core: SignupCore, secret: str, *, tab: str) -> str:
    """A new one-time continue ticket for the holder of the not yet rotated secret (a reload
    or a lost redirect after BankID); replaces any earlier ticket. Only the tab that started
    the completed BankID order gets one: another tab with the same cookie (a planted cookie,
    #12 finding 1) is refused."""
    from kivra_app.bankid_flow import tab_hash

    with session_scope(core.engine) as session:
        signup = core.load(session, secret, unrotated_ok=True)
        if not rotation_due(signup):
            security_event("sequence_fail", level=logging.WARNING, signup=signup.id,
                           step=signup.step, action="continue_ticket")
            raise SignupError("signup.wrong_step")
        if signup.continue_tab_hash is not None and signup.continue_tab_hash != tab_hash(tab):
            security_event("sequence_fail", level=logging.WARNING, signup=signup.id,
                           step=signup.step, action="continue_ticket", reason="other_tab")
            raise SignupError("signup.wrong_step")
        ticket = secrets.token_urlsafe(32)
        signup.continue_ticket_hash = secret_hash(ticket)
        signup.continue_ticket_expires_at = core.now() + core.continue_ticket_ttl
        session.add(signup)
        signup_id = signup.id
    security_event("signup_continue_ticket", signup=signup_id)
    return ticket


def rotate_secret(core: SignupCore, secret: str, ticket: str) -> str | None:
    """GET /api/signup/continue: exchange the pre-BankID secret plus its live continue
    ticket for a new secret (256 bits). One use; the old secret and the ticket die. None
    when the ticket does not belong to this secret's signup, is used or expired."""
    old_hash, ticket_hash = secret_hash(secret), secret_hash(ticket)
    if old_hash is None or ticket_hash is None:
        return None
    now = core.now()
    new_secret = secrets.token_urlsafe(32)
    with session_scope(core.engine) as session:
        signup_id = session.exec(
            select(Signup.id).where(Signup.secret_hash == old_hash)
        ).first()
        rotated = 0
        if signup_id is not None:
            rotated = session.exec(  # type: ignore[call-overload]
                update(Signup).execution_options(synchronize_session=False)
                .where(
                    Signup.id == signup_id,
                    Signup.secret_hash == old_hash,
                    Signup.continue_ticket_hash == ticket_hash,
                    Signup.continue_ticket_expires_at > now,  # type: ignore[operator]
                    Signup.bankid_verified_at.is_not(None),  # type: ignore[union-attr]
                    Signup.secret_rotated_at.is_(None),  # type: ignore[union-attr]
                    Signup.closed_at.is_(None),  # type: ignore[union-attr]
                    Signup.expires_at > now,  # type: ignore[operator]
                )
                .values(secret_hash=secret_hash(new_secret), secret_rotated_at=now,
                        continue_ticket_hash=None, continue_ticket_expires_at=None,
                        continue_tab_hash=None,
                        updated_at=now, expires_at=now + core.idle_timeout)
            ).rowcount
    if rotated != 1:
        security_event("signup_rotation_fail", level=logging.WARNING, signup=signup_id)
        return None
    security_event("signup_secret_rotated", signup=signup_id)
    return new_secret
