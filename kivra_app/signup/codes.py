"""Verification codes for the email and SMS steps (security-requirements R-01 to R-14, PD-1/PD-2).

- 6 digits from `secrets`, kept as a string (leading zeros kept).
- Only HMAC-SHA256(server key, code | verification id | channel | destination) is stored and it
  is compared with `hmac.compare_digest`.
- Lifetime from settings (`email_code_ttl` / `sms_code_ttl`), counted from the moment the message
  was handed to the gateway; valid while `now < expires_at` (29:59 yes, 30:00 no).
- A successful (re)send kills every older code of the same signup and channel.
- Attempts are counted with one atomic `UPDATE ... WHERE attempts < max` BEFORE comparing; the
  code is invalidated at `code_max_attempts` wrong tries (`code.locked`, a new code is needed).
- Consecutive failures per identity (HMAC of the BankID-verified personnummer) + channel +
  destination are counted across resends, also atomically before comparing; at
  `code_max_consecutive_failures` verification and sending are refused (`code.blocked`).
  A correct code resets the count.
- Use is single: `UPDATE ... SET used_at WHERE used_at IS NULL` with a rowcount check, in the
  same transaction as the caller's `on_success` (step change, account creation).
- Sending (issue #12 finding 6): the cooldown (`code_resend_cooldown`) and the cap
  (`code_max_sends_per_window` per `code_send_window`) count one person's sends to one
  destination: the BankID identity (whichever of their signups sent; correcting a typo in the
  address needs no wait). A separate, larger ceiling (`code_max_sends_per_destination`) counts
  everyone's sends to it, so one verified person can no longer use up another's address;
  plus per-signup and per-IP caps (`code_max_sends_per_signup`, `code_max_sends_per_ip`).

Input is strictly typed (R-33): a `str`; surrounding whitespace and inner ASCII spaces are
deliberately dropped ("123 456" as printed in the mail); then exactly six ASCII digits.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, literal, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from kivra_app.db import session_scope
from kivra_app.models import CodeFailureCounter, VerificationCode, as_utc
from kivra_app.signup.errors import SignupError

CHANNEL_EMAIL = "email"
CHANNEL_SMS = "sms"
CHANNELS = (CHANNEL_EMAIL, CHANNEL_SMS)

_CODE_RE = re.compile(r"[0-9]{6}")


def generate_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def code_hash(key: bytes, code: str, verification_id: int, channel: str, destination: str) -> str:
    message = "\x1f".join((code, str(verification_id), channel, destination)).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def hashes_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def identity_hash(key: bytes, personnummer: str) -> str:
    return hmac.new(key, b"identity\x1f" + personnummer.encode(), hashlib.sha256).hexdigest()


def normalise_code_input(code: object) -> str:
    if not isinstance(code, str):
        raise SignupError("code.format")
    cleaned = code.strip().replace(" ", "")
    if not cleaned:
        raise SignupError("code.required")
    if not _CODE_RE.fullmatch(cleaned):
        raise SignupError("code.format")
    return cleaned


@dataclass(frozen=True)
class CodePolicy:
    ttl: int
    max_attempts: int
    max_failures: int
    cooldown: int
    max_sends: int  # per (destination, identity)
    window: int
    destination_ceiling: int  # per destination, everyone together
    max_per_signup: int
    max_per_ip: int

    @classmethod
    def from_settings(cls, settings, channel: str) -> CodePolicy:  # noqa: ANN001
        return cls(
            ttl=settings.email_code_ttl if channel == CHANNEL_EMAIL else settings.sms_code_ttl,
            max_attempts=settings.code_max_attempts,
            max_failures=settings.code_max_consecutive_failures,
            cooldown=settings.code_resend_cooldown,
            max_sends=settings.code_max_sends_per_window,
            window=settings.code_send_window,
            destination_ceiling=settings.code_max_sends_per_destination,
            max_per_signup=settings.code_max_sends_per_signup,
            max_per_ip=settings.code_max_sends_per_ip,
        )


class CodeStore:
    """All code bookkeeping. Each public method runs its own short transactions."""

    def __init__(self, engine: Engine, key: bytes, settings, clock: Callable[[], datetime]):  # noqa: ANN001
        self.engine = engine
        self.key = key
        self.settings = settings
        self.clock = clock

    def policy(self, channel: str) -> CodePolicy:
        return CodePolicy.from_settings(self.settings, channel)

    # ------------------------------------------------------------ reading

    @staticmethod
    def live_code(session: Session, signup_id: int, channel: str) -> VerificationCode | None:
        """The newest delivered code of this signup and channel, whatever its state."""
        return session.exec(
            select(VerificationCode)
            .where(
                VerificationCode.signup_id == signup_id,
                VerificationCode.channel == channel,
                VerificationCode.sent_at.is_not(None),  # type: ignore[union-attr]
            )
            .order_by(VerificationCode.id.desc())  # type: ignore[union-attr]
            .limit(1)
        ).first()

    def resend_available_at(
        self, session: Session, signup_id: int, channel: str, destination: str | None,
        identity: str | None = None,
    ) -> datetime | None:
        last = self._last_sent_at(session, signup_id, channel, destination, identity)
        if last is None:
            return None
        return last + timedelta(seconds=self.policy(channel).cooldown)

    def _last_sent_at(
        self, session: Session, signup_id: int, channel: str, destination: str | None,
        identity: str | None = None,
    ) -> datetime | None:
        query = self._last_sent_query(signup_id, channel, destination, identity)
        return as_utc(session.exec(query).one())

    @staticmethod
    def _last_sent_query(signup_id: int, channel: str, destination: str | None,
                         identity: str | None) -> Select:
        # Per destination and identity (any of that person's signups); else per signup.
        conditions = [VerificationCode.signup_id == signup_id]
        if destination and identity:
            conditions = [VerificationCode.destination == destination,
                          VerificationCode.identity_hash == identity]
        return select(func.max(VerificationCode.sent_at)).where(
            VerificationCode.channel == channel, *conditions
        )

    def _failures(self, session: Session, identity: str, channel: str, destination: str) -> int:
        value = session.exec(self._failures_query(identity, channel, destination)).first()
        return value or 0

    @staticmethod
    def _failures_query(identity: str, channel: str, destination: str) -> Select:
        return select(CodeFailureCounter.failures).where(
            CodeFailureCounter.identity_hash == identity,
            CodeFailureCounter.channel == channel,
            CodeFailureCounter.destination == destination,
        )

    # ------------------------------------------------------------ sending

    def check_can_send(
        self,
        *,
        signup_id: int,
        channel: str,
        destination: str,
        identity: str,
        client_ip: str | None,
    ) -> None:
        """Raise code.blocked / code.resend_wait / code.send_limit, or return.

        Every figure the caps need comes from one SELECT of scalar subqueries (one round trip
        instead of six: this ran twice in every signup)."""
        policy = self.policy(channel)
        now = self.clock()
        since = now - timedelta(seconds=policy.window)
        sent = VerificationCode.sent_at
        to_destination = (VerificationCode.channel == channel,
                          VerificationCode.destination == destination,
                          sent >= since)  # type: ignore[operator]

        def count(*where: object) -> object:
            return select(func.count()).where(*where).scalar_subquery()  # type: ignore[arg-type]

        figures = select(
            self._failures_query(identity, channel, destination).scalar_subquery(),
            self._last_sent_query(signup_id, channel, destination, identity).scalar_subquery(),
            count(*to_destination, VerificationCode.identity_hash == identity),
            count(*to_destination),
            count(VerificationCode.channel == channel, VerificationCode.signup_id == signup_id,
                  sent >= since),  # type: ignore[operator]
            count(VerificationCode.client_ip == client_ip, sent >= since)  # type: ignore[operator]
            if client_ip else literal(0),
        )
        with Session(self.engine) as session:
            failures, last, mine, everyone, per_signup, per_ip = session.exec(figures).one()
        if (failures or 0) >= policy.max_failures:
            raise SignupError("code.blocked")
        last = as_utc(last)
        if last is not None and now < last + timedelta(seconds=policy.cooldown):
            wait = math.ceil((last + timedelta(seconds=policy.cooldown) - now).total_seconds())
            raise SignupError("code.resend_wait", {"seconds": max(1, wait)})
        if (mine >= policy.max_sends or everyone >= policy.destination_ceiling
                or per_signup >= policy.max_per_signup or per_ip >= policy.max_per_ip):
            raise SignupError("code.send_limit")

    def prepare(
        self,
        *,
        signup_id: int,
        channel: str,
        destination: str,
        identity: str,
        client_ip: str | None,
    ) -> tuple[int, str]:
        """Create a not-yet-delivered code row; returns (verification id, plaintext code).

        The row cannot be verified until `mark_sent`; a failed send calls `mark_failed`.
        """
        self._ensure_counter(identity, channel, destination)
        now = self.clock()
        code = generate_code()
        with session_scope(self.engine) as session:
            row = VerificationCode(
                signup_id=signup_id,
                channel=channel,
                destination=destination,
                identity_hash=identity,
                client_ip=(client_ip or "")[:64] or None,
                created_at=now,
                expires_at=now + timedelta(seconds=self.policy(channel).ttl),
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            row.code_hash = code_hash(self.key, code, row.id, channel, destination)
            session.add(row)
            code_id = row.id
        return code_id, code

    def mark_sent(self, code_id: int, on_sent: Callable[[Session], None] | None = None) -> None:
        """The gateway accepted the message: the code becomes live and older ones die."""
        now = self.clock()
        with session_scope(self.engine) as session:
            row = session.get(VerificationCode, code_id)
            assert row is not None
            session.exec(  # type: ignore[call-overload]
                update(VerificationCode).execution_options(synchronize_session=False)
                .where(
                    VerificationCode.signup_id == row.signup_id,
                    VerificationCode.channel == row.channel,
                    VerificationCode.id != code_id,
                    VerificationCode.used_at.is_(None),  # type: ignore[union-attr]
                    VerificationCode.invalidated_at.is_(None),  # type: ignore[union-attr]
                )
                .values(invalidated_at=now)
            )
            row.sent_at = now
            row.expires_at = now + timedelta(seconds=self.policy(row.channel).ttl)
            session.add(row)
            if on_sent is not None:
                on_sent(session)

    def mark_failed(self, code_id: int) -> None:
        """The message never left: the row can never be used."""
        now = self.clock()
        with session_scope(self.engine) as session:
            session.exec(  # type: ignore[call-overload]
                update(VerificationCode).execution_options(synchronize_session=False)
                .where(VerificationCode.id == code_id)
                .values(invalidated_at=now, code_hash="")
            )

    def invalidate_all(self, session: Session, signup_id: int, channel: str) -> None:
        session.exec(  # type: ignore[call-overload]
            update(VerificationCode).execution_options(synchronize_session=False)
            .where(
                VerificationCode.signup_id == signup_id,
                VerificationCode.channel == channel,
                VerificationCode.used_at.is_(None),  # type: ignore[union-attr]
                VerificationCode.invalidated_at.is_(None),  # type: ignore[union-attr]
            )
            .values(invalidated_at=self.clock())
        )

    def _ensure_counter(self, identity: str, channel: str, destination: str) -> None:
        with Session(self.engine) as session:
            if session.exec(
                select(CodeFailureCounter.id).where(
                    CodeFailureCounter.identity_hash == identity,
                    CodeFailureCounter.channel == channel,
                    CodeFailureCounter.destination == destination,
                )
            ).first():
                return
        try:
            with session_scope(self.engine) as session:
                session.add(
                    CodeFailureCounter(
                        identity_hash=identity,
                        channel=channel,
                        destination=destination,
                        updated_at=self.clock(),
                    )
                )
        except IntegrityError:
            pass  # another request created it first

    # ------------------------------------------------------------ verifying

    def verify(
        self,
        *,
        signup_id: int,
        channel: str,
        destination: str,
        identity: str,
        code: object,
        on_success: Callable[[Session], None] | None = None,
    ) -> None:
        """Return on success (after `on_success` ran in the consuming transaction), else raise.

        Raises SignupError with code.required, code.format, code.blocked, code.expired,
        code.locked or code.wrong (params attempts_left).
        """
        cleaned = normalise_code_input(code)
        policy = self.policy(channel)
        now = self.clock()
        counter_filter = (
            CodeFailureCounter.identity_hash == identity,
            CodeFailureCounter.channel == channel,
            CodeFailureCounter.destination == destination,
        )
        with Session(self.engine) as session:
            if self._failures(session, identity, channel, destination) >= policy.max_failures:
                raise SignupError("code.blocked")
            row = self.live_code(session, signup_id, channel)
            if row is None or row.destination != destination or row.used_at is not None:
                raise SignupError("code.expired")
            if row.invalidated_at is not None:
                if row.attempts >= policy.max_attempts:
                    raise SignupError("code.locked")
                raise SignupError("code.expired")
            if now >= as_utc(row.expires_at):  # type: ignore[operator]
                raise SignupError("code.expired")
            code_id, stored_hash = row.id, row.code_hash
        assert code_id is not None

        # Count the attempt (per code and per identity) atomically, before comparing.
        blocked = False
        with session_scope(self.engine) as session:
            counted = session.exec(  # type: ignore[call-overload]
                update(VerificationCode).execution_options(synchronize_session=False)
                .where(
                    VerificationCode.id == code_id,
                    VerificationCode.attempts < policy.max_attempts,
                    VerificationCode.used_at.is_(None),  # type: ignore[union-attr]
                    VerificationCode.invalidated_at.is_(None),  # type: ignore[union-attr]
                )
                .values(attempts=VerificationCode.attempts + 1)
            ).rowcount
            if counted == 1:
                identity_counted = session.exec(  # type: ignore[call-overload]
                    update(CodeFailureCounter).execution_options(synchronize_session=False)
                    .where(*counter_filter, CodeFailureCounter.failures < policy.max_failures)
                    .values(failures=CodeFailureCounter.failures + 1, updated_at=now)
                ).rowcount
                blocked = identity_counted == 0
            attempts = session.exec(
                select(VerificationCode.attempts).where(VerificationCode.id == code_id)
            ).one()
        if counted != 1:
            raise SignupError("code.locked" if attempts >= policy.max_attempts else "code.expired")
        if blocked:
            raise SignupError("code.blocked")

        expected = code_hash(self.key, cleaned, code_id, channel, destination)
        if stored_hash and hashes_equal(stored_hash, expected):
            with session_scope(self.engine) as session:
                consumed = session.exec(  # type: ignore[call-overload]
                    update(VerificationCode).execution_options(synchronize_session=False)
                    .where(
                        VerificationCode.id == code_id,
                        VerificationCode.used_at.is_(None),  # type: ignore[union-attr]
                        VerificationCode.invalidated_at.is_(None),  # type: ignore[union-attr]
                    )
                    .values(used_at=now)
                ).rowcount
                if consumed != 1:
                    raise SignupError("code.expired")
                session.exec(  # type: ignore[call-overload]
                    update(CodeFailureCounter).execution_options(synchronize_session=False).where(*counter_filter).values(failures=0, updated_at=now)
                )
                if on_success is not None:
                    on_success(session)
            return

        attempts_left = max(0, policy.max_attempts - attempts)
        with Session(self.engine) as session:
            failures = self._failures(session, identity, channel, destination)
        if attempts_left == 0 or failures >= policy.max_failures:
            with session_scope(self.engine) as session:
                session.exec(  # type: ignore[call-overload]
                    update(VerificationCode).execution_options(synchronize_session=False)
                    .where(
                        VerificationCode.id == code_id,
                        VerificationCode.invalidated_at.is_(None),  # type: ignore[union-attr]
                    )
                    .values(invalidated_at=now)
                )
            raise SignupError("code.blocked" if failures >= policy.max_failures else "code.locked")
        raise SignupError("code.wrong", {"attempts_left": attempts_left})
