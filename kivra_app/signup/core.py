"""What every signup step needs: the adapters, the clock, the code store, and loading a signup
by the SHA-256 of its secret with the expiry, rotation and step checks of service.py."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kivra_app.models import Signup, as_utc
from kivra_app.signup.audit import security_event
from kivra_app.signup.codes import CodeStore, identity_hash
from kivra_app.signup.errors import SignupError
from kivra_app.signup.steps import Step, check_transition
from kivra_app.signup.views import SignupView, build_view, rotation_due

_MAX_SECRET_LENGTH = 200


def secret_hash(secret: object) -> str | None:
    """SHA-256 of a secret or ticket as stored; None for anything that cannot be one."""
    if not isinstance(secret, str) or not 0 < len(secret) <= _MAX_SECRET_LENGTH:
        return None
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(eq=False, repr=False)  # no repr: settings hold the secret key
class SignupCore:
    """The dependencies the step modules share, and the checks every public method starts with."""

    engine: Engine
    settings: Any
    bankid: Any  # BankIdClient or a fake with auth/collect/cancel
    mailer: Any  # messaging.mail.Mailer
    sms: Any  # messaging.sms.SmsSender
    clock: Callable[[], datetime]
    key: bytes = field(init=False)
    codes: CodeStore = field(init=False)

    def __post_init__(self) -> None:
        self.key = self.settings.secret_key_bytes()
        self.codes = CodeStore(self.engine, self.key, self.settings, self.clock)

    def now(self) -> datetime:
        return self.clock()

    @property
    def idle_timeout(self) -> timedelta:
        """A signup without activity for this long expires (KIVRA_SIGNUP_IDLE_TIMEOUT)."""
        return timedelta(seconds=self.settings.signup_idle_timeout)

    @property
    def continue_ticket_ttl(self) -> timedelta:
        return timedelta(seconds=self.settings.continue_ticket_ttl)

    def load(self, session: Session, secret: object, *, unrotated_ok: bool = False) -> Signup:
        """The signup of `secret`: unknown, expired or closed -> `signup.expired`; after BankID
        with the pre-BankID secret -> `signup.wrong_step` unless `unrotated_ok`."""
        digest = secret_hash(secret)
        signup = None
        if digest is not None:
            signup = session.exec(select(Signup).where(Signup.secret_hash == digest)).first()
        if (
            signup is None
            or signup.closed_at is not None
            or self.now() >= as_utc(signup.expires_at)  # type: ignore[operator]
        ):
            raise SignupError("signup.expired")
        if not unrotated_ok and rotation_due(signup):
            security_event("sequence_fail", level=logging.WARNING, signup=signup.id,
                           step=signup.step, action="unrotated_secret")
            raise SignupError("signup.wrong_step")
        return signup

    def require(self, signup: Signup, *steps: Step, action: str) -> None:
        if signup.step not in steps:
            security_event(
                "sequence_fail", level=logging.WARNING, signup=signup.id, step=signup.step,
                action=action,
            )
            raise SignupError("signup.wrong_step")

    def snapshot(self, secret: object, *steps: Step, action: str) -> Signup:
        """A detached copy of the signup after the step check (for async methods)."""
        with Session(self.engine, expire_on_commit=False) as session:
            signup = self.load(session, secret)
            self.require(signup, *steps, action=action)
            session.expunge(signup)
            return signup

    def touch(self, signup: Signup) -> None:
        now = self.now()
        signup.updated_at = now
        signup.expires_at = now + self.idle_timeout

    def change_step(self, session: Session, signup_id: int, source: Step, target: Step,
                    *conditions: Any, **values: object) -> Signup:
        """THE one way a signup changes step: the move must be in steps.py's table
        (IllegalStepChange otherwise), and one conditional UPDATE moves the row only if it is
        still at `source` (and matches `conditions`), with `values` and a fresh idle timeout.
        No row moved (another tab, a double click or a crafted call got there first) ->
        `signup.wrong_step`, nothing changed. Returns the row as now stored."""
        source, target = check_transition(source, target)
        now = self.now()
        moved = session.exec(  # type: ignore[call-overload]
            update(Signup).execution_options(synchronize_session=False)
            .where(Signup.id == signup_id, Signup.step == source.value, *conditions)
            .values(step=target.value, updated_at=now, expires_at=now + self.idle_timeout,
                    **values)
        ).rowcount
        if moved != 1:
            raise SignupError("signup.wrong_step")
        row = session.get(Signup, signup_id, populate_existing=True)
        assert row is not None
        return row

    def identity(self, signup: Signup) -> str:
        assert signup.verified_personnummer, "identity is known from BANKID on"
        return identity_hash(self.key, signup.verified_personnummer)

    def save_and_view(self, session: Session, signup: Signup) -> SignupView:
        """Save a changed signup (its idle timeout starts again) and return what it shows."""
        self.touch(signup)
        session.add(signup)
        session.flush()
        return self.build_view(session, signup)

    def build_view(self, session: Session, signup: Signup) -> SignupView:
        return build_view(session, signup, self.codes)

    def view_by_id(self, signup_id: int) -> SignupView:
        with Session(self.engine) as session:
            signup = session.get(Signup, signup_id)
            assert signup is not None
            return self.build_view(session, signup)
