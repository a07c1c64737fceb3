"""The end of a signup: the account (User, Mailbox, welcome Letter) in one transaction, a race
lost to another signup, and the one login ticket that closes the signup."""

from __future__ import annotations

import logging
from dataclasses import replace

from sqlalchemy import update
from sqlmodel import Session, select

from kivra_app.auth.sessions import create_login_ticket
from kivra_app.db import session_scope
from kivra_app.mailbox.service import welcome_letter
from kivra_app.models import Mailbox, Signup, User, VerificationCode
from kivra_app.signup.audit import security_event
from kivra_app.signup.codes import CHANNEL_SMS
from kivra_app.signup.core import SignupCore
from kivra_app.signup.errors import SignupError
from kivra_app.signup.steps import Step
from kivra_app.signup.views import SignupView, signup_language


def create_account(core: SignupCore, session: Session, signup: Signup,
                   created: dict[str, int]) -> None:
    """Inside the transaction that uses the last code: User + Mailbox + welcome Letter, and the
    signup moves PHONE_CODE -> DONE. A taken personnummer or email raises IntegrityError."""
    now = core.now()
    user = User(
        personnummer=signup.verified_personnummer,  # type: ignore[arg-type]
        given_name=signup.verified_given_name or "",
        surname=signup.verified_surname or "",
        email=signup.email,  # type: ignore[arg-type]
        phone=signup.phone_e164,  # type: ignore[arg-type]
        language=signup_language(signup.language),
        created_at=now,
    )
    session.add(user)
    session.flush()  # unique personnummer / email: IntegrityError here
    mailbox = Mailbox(user_id=user.id, created_at=now)  # type: ignore[arg-type]
    session.add(mailbox)
    session.flush()
    session.add(welcome_letter(mailbox.id, user.language, user.given_name, now=now))  # type: ignore[arg-type]
    core.change_step(session, signup.id, Step.PHONE_CODE, Step.DONE,  # type: ignore[arg-type]
                     phone_verified_at=now, user_id=user.id)
    session.flush()
    created["user_id"] = user.id  # type: ignore[assignment]


def account_conflict(core: SignupCore, signup: Signup) -> SignupView:
    """The account could not be created: another signup of the same person created it first
    (two tabs) -> DONE with `welcome_back`; or another account took the email meanwhile -> back
    to EMAIL with the typed address kept and `error_key` "email.taken" (the person proved
    they read that mailbox, so saying so reveals nothing to them they do not know)."""
    now = core.now()
    with session_scope(core.engine) as session:
        existing = session.exec(
            select(User.id).where(User.personnummer == signup.verified_personnummer)
        ).first()
        session.exec(  # type: ignore[call-overload]
            update(VerificationCode).execution_options(synchronize_session=False)
            .where(VerificationCode.signup_id == signup.id,
                   VerificationCode.channel == CHANNEL_SMS,
                   VerificationCode.used_at.is_(None))  # type: ignore[union-attr]
            .values(used_at=now)
        )
        if existing is not None:
            row = core.change_step(session, signup.id, Step.PHONE_CODE, Step.DONE,  # type: ignore[arg-type]
                                   user_id=existing, welcome_back=True, phone_verified_at=now)
            security_event("signup_existing_account", signup=signup.id, user=existing)
            return core.build_view(session, row)
        row = core.change_step(session, signup.id, Step.PHONE_CODE, Step.EMAIL,  # type: ignore[arg-type]
                               email_verified_at=None, phone_verified_at=None)
        security_event("signup_email_conflict", level=logging.WARNING, signup=signup.id)
        return replace(core.build_view(session, row), error_key="email.taken")


def issue_login_ticket(core: SignupCore, secret: str) -> str:
    """The one login ticket of this signup (60 s, bound to it); issuing it closes the
    signup, so the secret cannot mint more tickets or extend anything."""
    now = core.now()
    with session_scope(core.engine) as session:
        signup = core.load(session, secret)
        core.require(signup, Step.DONE, action="issue_login_ticket")
        if signup.user_id is None or signup.bankid_verified_at is None:
            raise SignupError("signup.wrong_step")
        closed = session.exec(  # type: ignore[call-overload]
            update(Signup).execution_options(synchronize_session=False)
            .where(Signup.id == signup.id, Signup.closed_at.is_(None))  # type: ignore[union-attr]
            .values(closed_at=now, updated_at=now)
        ).rowcount
        if closed != 1:  # a concurrent call (double click) got the ticket
            raise SignupError("signup.expired")
        ticket = create_login_ticket(session, signup.user_id, signup_id=signup.id,  # type: ignore[arg-type]
                                     now=now)
        signup_id, user_id = signup.id, signup.user_id
    security_event("login_ticket_issued", signup=signup_id, user=user_id)
    security_event("signup_closed", signup=signup_id)
    return ticket
