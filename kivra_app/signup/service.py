"""SignupService: the server-side step machine of docs/signup-service.md.

Every public method loads the signup by the SHA-256 of its secret, refuses an unknown or
expired signup (`signup.expired`) and checks the stored step first (`signup.wrong_step`, logged
as `sequence_fail`); nothing the browser sends can skip a step, mark anything verified or create
an account. Nothing returned ever contains an orderRef, a qrStartSecret, a code or a hash.

Decisions (see also the module docs of validation.py and codes.py):
- Signups expire after SIGNUP_IDLE_TIMEOUT (1 h) without activity.
- BankID: `requirement.personalNumber` is the typed number; the identity stored is
  `completionData.user` of this signup's own orderRef, persisted in the same transaction that
  moves the step, before the answer goes back. Collect runs at most once per second per signup
  (an atomic claim on `bankid_last_collect_at`); a poll that comes too soon gets the last known
  progress. An order nobody picked up (`startFailed`) is renewed silently for the QR flow until
  3 minutes after the user pressed start (same-device orders are not: the app did not open, so
  the user gets RFA17A and a button to try again).
- Existing account: after BankID, a person who already has a User gets `existing_user_id` and
  the signup ends at DONE with `welcome_back`; nothing before BankID depends on it (R-18).
- Secret rotation (R-24): the poll that observes BankID completion (one, atomically) gets a
  one-time continue ticket (120 s) in `BankIdProgress.continue_ticket`; the browser takes it to
  GET /api/signup/continue, which calls `rotate_secret` with the cookie's (pre-BankID) secret and
  sets the new one. Until then the pre-BankID secret only sees a `continue_required` view, a
  late `poll_bankid`, and can ask `continue_ticket` for a fresh ticket (a reload); every other
  method refuses it (`signup.wrong_step`). After rotation the old secret is dead.
- One login ticket per signup: `issue_login_ticket` closes the signup (`closed_at`); a closed
  signup's secret resolves to nothing (`view` None, `signup.expired`), and the ticket can only be
  claimed with that signup's cookie (auth.sessions.claim_ticket).
- BankID starts are capped: at most BANKID_MAX_STARTS orders per BANKID_START_WINDOW per
  signup (`bankid.start_limit`), counted atomically; silent renewals of an unopened QR order do
  not count (they need a `startFailed` from BankID and stop 3 minutes after the start).
- Email already used by another account (R-17, R-51): submit_email behaves exactly the same
  (same answer, a code row, a mail sent), but the mail sent is a notice "this address is already
  used by a Kivra account" instead of a code, so the flow cannot continue with that address and
  nothing is revealed on screen. If the address is taken between the code and account creation,
  the signup goes back to EMAIL with `email.invalid`.
- Phone numbers are not unique (a shared family phone is legitimate).
- Mail/SMS/BankID failures or timeouts raise ServiceUnavailable; the step does not advance and
  the unsent code row is invalidated (a resend of an earlier live code keeps it live).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import case, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from kivra_app.auth.sessions import create_login_ticket
from kivra_app.bankid import errors as bankid_errors
from kivra_app.bankid.links import is_mobile, launch_url
from kivra_app.bankid.messages import user_message
from kivra_app.bankid.models import AuthRequest, Requirement, WebDeviceData
from kivra_app.bankid.qr import qr_data
from kivra_app.db import session_scope
from kivra_app.mailbox.service import welcome_letter
from kivra_app.messaging.texts import code_sms_text
from kivra_app.models import Mailbox, Signup, User, VerificationCode, as_utc, utcnow
from kivra_app.signup.audit import security_event
from kivra_app.signup.codes import CHANNEL_EMAIL, CHANNEL_SMS, CodeStore, identity_hash
from kivra_app.signup.errors import ServiceUnavailable, SignupError
from kivra_app.signup.steps import Step
from kivra_app.signup.validation import (
    mask_email,
    mask_personnummer,
    mask_phone,
    parse_personnummer,
    phone_national,
    validate_email,
    validate_personnummer,
    validate_phone,
)

__all__ = [
    "BankIdProgress",
    "BankIdStart",
    "ServiceUnavailable",
    "SignupError",
    "SignupService",
    "SignupView",
    "Step",
]

SIGNUP_IDLE_TIMEOUT = timedelta(hours=1)
BANKID_RENEW_WINDOW = timedelta(minutes=3)
COLLECT_MIN_INTERVAL = timedelta(seconds=1)
BANKID_CALL_TIMEOUT = 20.0
SEND_CLAIM = timedelta(seconds=60)  # a send in progress blocks a second one (double click)
CONTINUE_TICKET_TTL = timedelta(seconds=120)
BANKID_MAX_STARTS = 10
BANKID_START_WINDOW = timedelta(minutes=3)
SWEDEN = ZoneInfo("Europe/Stockholm")
LANGUAGES = ("sv", "en")
_QR_HINTS = (None, "outstandingTransaction", "noClient")
_MAX_SECRET_LENGTH = 200


@dataclass(frozen=True)
class SignupView:
    step: Step
    language: str
    personnummer: str
    personnummer_masked: str
    given_name: str
    email: str
    phone_national: str
    code_expires_at: datetime | None
    resend_available_at: datetime | None
    user_id: int | None
    welcome_back: bool = False  # addition: DONE because BankID showed an existing account
    # addition: BankID is done but this (pre-BankID) secret was not rotated yet: the browser
    # must exchange a continue ticket (GET /api/signup/continue). Nothing personal is shown.
    continue_required: bool = False


@dataclass(frozen=True)
class BankIdStart:
    launch_url: str | None


@dataclass(frozen=True)
class BankIdProgress:
    state: Literal["pending", "failed", "complete"]
    message: str
    hint_code: str | None
    show_qr: bool
    existing_user_id: int | None
    view: SignupView
    # Set once, for the poll that observed the completion: the one-time ticket for
    # GET /api/signup/continue?ticket=… (secret rotation). Never logged, never stored plain.
    continue_ticket: str | None = None


def _secret_hash(secret: object) -> str | None:
    if not isinstance(secret, str) or not 0 < len(secret) <= _MAX_SECRET_LENGTH:
        return None
    return hashlib.sha256(secret.encode()).hexdigest()


def _rotation_due(signup: Signup) -> bool:
    """BankID done, the pre-BankID secret not yet replaced."""
    return signup.bankid_verified_at is not None and signup.secret_rotated_at is None


def _lang(language: object) -> str:
    return language if language in LANGUAGES else "sv"  # type: ignore[return-value]


def _clear_order(signup: Signup, *, keep_ref: bool = False) -> None:
    if not keep_ref:
        signup.bankid_order_ref = None
    signup.bankid_qr_start_token = None
    signup.bankid_qr_start_secret = None
    signup.bankid_auto_start_token = None
    signup.bankid_order_started_at = None
    signup.bankid_last_collect_at = None


class SignupService:
    def __init__(
        self,
        *,
        engine: Engine,
        settings,  # noqa: ANN001
        bankid,  # noqa: ANN001 - BankIdClient or a fake with auth/collect/cancel
        mailer,  # noqa: ANN001 - messaging.mail.Mailer
        sms,  # noqa: ANN001 - messaging.sms.SmsSender
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.bankid = bankid
        self.mailer = mailer
        self.sms = sms
        self.clock = clock
        self._key = settings.secret_key_bytes()
        self.codes = CodeStore(engine, self._key, settings, clock)

    # ================================================================== helpers

    def _now(self) -> datetime:
        return self.clock()

    def _load(self, session: Session, secret: object, *, unrotated_ok: bool = False) -> Signup:
        """The signup of `secret`: unknown, expired or closed -> `signup.expired`; after BankID
        with the pre-BankID secret -> `signup.wrong_step` unless `unrotated_ok`."""
        digest = _secret_hash(secret)
        signup = None
        if digest is not None:
            signup = session.exec(select(Signup).where(Signup.secret_hash == digest)).first()
        if (
            signup is None
            or signup.closed_at is not None
            or self._now() >= as_utc(signup.expires_at)  # type: ignore[operator]
        ):
            raise SignupError("signup.expired")
        if not unrotated_ok and _rotation_due(signup):
            security_event("sequence_fail", level=logging.WARNING, signup=signup.id,
                           step=signup.step, action="unrotated_secret")
            raise SignupError("signup.wrong_step")
        return signup

    def _require(self, signup: Signup, *steps: Step, action: str) -> None:
        if signup.step not in steps:
            security_event(
                "sequence_fail", level=logging.WARNING, signup=signup.id, step=signup.step,
                action=action,
            )
            raise SignupError("signup.wrong_step")

    def _touch(self, signup: Signup) -> None:
        now = self._now()
        signup.updated_at = now
        signup.expires_at = now + SIGNUP_IDLE_TIMEOUT

    def _identity(self, signup: Signup) -> str:
        assert signup.verified_personnummer, "identity is known from BANKID on"
        return identity_hash(self._key, signup.verified_personnummer)

    def _build_view(self, session: Session, signup: Signup) -> SignupView:
        step = Step(signup.step)
        if _rotation_due(signup):
            # The pre-BankID secret learns nothing from BankID (name, number): only "continue".
            return SignupView(
                step=step, language=_lang(signup.language), personnummer="",
                personnummer_masked="", given_name="", email="", phone_national="",
                code_expires_at=None, resend_available_at=None, user_id=None,
                continue_required=True,
            )
        code_expires_at = resend_at = None
        channel_dest = {
            Step.EMAIL_CODE: (CHANNEL_EMAIL, signup.email),
            Step.PHONE_CODE: (CHANNEL_SMS, signup.phone_e164),
        }.get(step)
        if channel_dest is not None:
            channel, destination = channel_dest
            live = self.codes.live_code(session, signup.id, channel)  # type: ignore[arg-type]
            if (
                live is not None
                and live.destination == destination
                and live.used_at is None
                and live.invalidated_at is None
            ):
                code_expires_at = as_utc(live.expires_at)
            resend_at = self.codes.resend_available_at(
                session, signup.id, channel, destination  # type: ignore[arg-type]
            )
        return SignupView(
            step=step,
            language=_lang(signup.language),
            personnummer=(signup.personnummer_typed or "") if step == Step.PERSONNUMMER else "",
            personnummer_masked=mask_personnummer(
                signup.verified_personnummer or signup.personnummer_typed
            ),
            given_name=signup.verified_given_name or "",
            email=signup.email or "",
            phone_national=phone_national(signup.phone_e164),
            code_expires_at=code_expires_at,
            resend_available_at=resend_at,
            user_id=signup.user_id if step == Step.DONE else None,
            welcome_back=signup.welcome_back,
        )

    def _view_by_id(self, signup_id: int) -> SignupView:
        with Session(self.engine) as session:
            signup = session.get(Signup, signup_id)
            assert signup is not None
            return self._build_view(session, signup)

    def _new_continue_ticket(self, signup: Signup) -> str:
        """Set a fresh one-time continue ticket on `signup` (the caller saves it)."""
        ticket = secrets.token_urlsafe(32)
        signup.continue_ticket_hash = _secret_hash(ticket)
        signup.continue_ticket_expires_at = self._now() + CONTINUE_TICKET_TTL
        return ticket

    def _snapshot(self, secret: object, *steps: Step, action: str) -> Signup:
        """A detached copy of the signup after the step check (for async methods)."""
        with Session(self.engine, expire_on_commit=False) as session:
            signup = self._load(session, secret)
            self._require(signup, *steps, action=action)
            session.expunge(signup)
            return signup

    # ================================================================== sessions

    def begin(self, language: str) -> str:
        secret = secrets.token_urlsafe(32)
        now = self._now()
        with session_scope(self.engine) as session:
            signup = Signup(
                secret_hash=_secret_hash(secret),  # type: ignore[arg-type]
                step=Step.PERSONNUMMER.value,
                language=_lang(language),
                created_at=now,
                updated_at=now,
                expires_at=now + SIGNUP_IDLE_TIMEOUT,
            )
            session.add(signup)
            session.flush()
            security_event("signup_started", signup=signup.id)
        return secret

    def view(self, secret: str) -> SignupView | None:
        try:
            with Session(self.engine) as session:
                return self._build_view(session, self._load(session, secret, unrotated_ok=True))
        except SignupError:
            return None

    def continue_ticket(self, secret: str) -> str:
        """A new one-time continue ticket for the holder of the not yet rotated secret (a reload
        or a lost redirect after BankID); replaces any earlier ticket."""
        with session_scope(self.engine) as session:
            signup = self._load(session, secret, unrotated_ok=True)
            if not _rotation_due(signup):
                security_event("sequence_fail", level=logging.WARNING, signup=signup.id,
                               step=signup.step, action="continue_ticket")
                raise SignupError("signup.wrong_step")
            ticket = self._new_continue_ticket(signup)
            session.add(signup)
            signup_id = signup.id
        security_event("signup_continue_ticket", signup=signup_id)
        return ticket

    def rotate_secret(self, secret: str, ticket: str) -> str | None:
        """GET /api/signup/continue: exchange the pre-BankID secret plus its live continue
        ticket for a new secret (256 bits). One use; the old secret and the ticket die. None
        when the ticket does not belong to this secret's signup, is used or expired."""
        old_hash, ticket_hash = _secret_hash(secret), _secret_hash(ticket)
        if old_hash is None or ticket_hash is None:
            return None
        now = self._now()
        new_secret = secrets.token_urlsafe(32)
        with session_scope(self.engine) as session:
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
                    .values(secret_hash=_secret_hash(new_secret), secret_rotated_at=now,
                            continue_ticket_hash=None, continue_ticket_expires_at=None,
                            updated_at=now, expires_at=now + SIGNUP_IDLE_TIMEOUT)
                ).rowcount
        if rotated != 1:
            security_event("signup_rotation_fail", level=logging.WARNING, signup=signup_id)
            return None
        security_event("signup_secret_rotated", signup=signup_id)
        return new_secret

    def set_language(self, secret: str, language: str) -> SignupView:
        with session_scope(self.engine) as session:
            signup = self._load(session, secret)
            if language in LANGUAGES:
                signup.language = language
            self._touch(signup)
            session.add(signup)
            session.flush()
            return self._build_view(session, signup)

    # ================================================================== step 1

    def submit_personnummer(self, secret: str, raw: str) -> SignupView:
        with session_scope(self.engine) as session:
            signup = self._load(session, secret)
            if signup.step == Step.BANKID and signup.bankid_order_ref is None:
                # A double click: the same number again is a no-op.
                try:
                    if parse_personnummer(raw).number == signup.personnummer_typed:
                        return self._build_view(session, signup)
                except SignupError:
                    pass
            self._require(signup, Step.PERSONNUMMER, action="submit_personnummer")
            try:
                parsed = validate_personnummer(
                    raw,
                    today=self._now().astimezone(SWEDEN).date(),
                    minimum_age=self.settings.minimum_age,
                    allow_test_numbers=self.settings.test_personnummer_allowed,
                )
            except SignupError as exc:
                security_event("input_validation_fail", signup=signup.id, field="personnummer",
                               reason=exc.key)
                raise
            signup.personnummer_typed = parsed.number
            signup.step = Step.BANKID.value
            signup.bankid_last_status = None
            signup.bankid_last_hint = None
            self._touch(signup)
            session.add(signup)
            session.flush()
            return self._build_view(session, signup)

    # ================================================================== step 2: BankID

    def _auth_request(self, signup: Signup) -> AuthRequest:
        web = None
        if signup.bankid_user_agent:
            host = urlsplit(self.settings.base_url).hostname or "localhost"
            web = WebDeviceData(
                referring_domain=host,
                user_agent=signup.bankid_user_agent,
                device_identifier=signup.secret_hash,
            )
        return AuthRequest(
            end_user_ip=signup.bankid_end_user_ip or "127.0.0.1",
            requirement=Requirement(personal_number=signup.personnummer_typed),
            return_url=signup.bankid_return_url if signup.bankid_same_device else None,
            web=web,
        )

    async def _bankid_call(self, coro):  # noqa: ANN001, ANN202
        try:
            async with asyncio.timeout(BANKID_CALL_TIMEOUT):
                return await coro
        except TimeoutError as exc:
            raise bankid_errors.BankIdTimeout("timeout") from exc

    async def _cancel_quietly(self, order_ref: str | None) -> None:
        if not order_ref:
            return
        try:
            await self._bankid_call(self.bankid.cancel(order_ref))
        except bankid_errors.BankIdError:
            pass  # unknown, finished or already cancelled: nothing to do

    async def start_bankid(
        self,
        secret: str,
        *,
        end_user_ip: str,
        same_device: bool,
        user_agent: str,
        return_url: str,
    ) -> BankIdStart:
        signup = self._snapshot(secret, Step.BANKID, action="start_bankid")
        self._count_start(signup.id)  # type: ignore[arg-type]
        await self._cancel_quietly(signup.bankid_order_ref)
        signup.bankid_same_device = bool(same_device)
        signup.bankid_end_user_ip = (end_user_ip or "")[:64] or None
        signup.bankid_user_agent = (user_agent or "")[:512] or None
        signup.bankid_return_url = (return_url or "")[:512] or None
        try:
            order = await self._bankid_call(self.bankid.auth(self._auth_request(signup)))
        except bankid_errors.BankIdError as exc:
            security_event("bankid_start_fail", level=logging.WARNING, signup=signup.id,
                           error=exc.error_code or type(exc).__name__)
            with session_scope(self.engine) as session:
                row = session.get(Signup, signup.id)
                if row is not None and row.step == Step.BANKID:
                    _clear_order(row)
                    session.add(row)
            raise ServiceUnavailable(
                "service.bankid", {"message": exc.user_message(_lang(signup.language)).text}
            ) from exc
        now = self._now()
        with session_scope(self.engine) as session:
            row = session.get(Signup, signup.id)
            if row is None or row.step != Step.BANKID:
                raise SignupError("signup.wrong_step")
            row.bankid_order_ref = order.order_ref
            row.bankid_qr_start_token = order.qr_start_token
            row.bankid_qr_start_secret = order.qr_start_secret
            row.bankid_auto_start_token = order.auto_start_token
            row.bankid_order_started_at = now
            row.bankid_first_order_at = now
            row.bankid_same_device = signup.bankid_same_device
            row.bankid_end_user_ip = signup.bankid_end_user_ip
            row.bankid_user_agent = signup.bankid_user_agent
            row.bankid_return_url = signup.bankid_return_url
            row.bankid_last_collect_at = None
            row.bankid_last_status = "pending"
            row.bankid_last_hint = "outstandingTransaction"
            self._touch(row)
            session.add(row)
        security_event("bankid_started", signup=signup.id, same_device=bool(same_device))
        link = None
        if same_device and order.auto_start_token:
            link = launch_url(order.auto_start_token, user_agent, return_url or "null")
        return BankIdStart(launch_url=link)

    def _count_start(self, signup_id: int) -> None:
        """Count one order start, atomically; refuse beyond BANKID_MAX_STARTS per window."""
        now = self._now()
        window_open = Signup.bankid_start_window_at.is_not(None) & (  # type: ignore[union-attr]
            Signup.bankid_start_window_at > now - BANKID_START_WINDOW  # type: ignore[operator]
        )
        with session_scope(self.engine) as session:
            counted = session.exec(  # type: ignore[call-overload]
                update(Signup).execution_options(synchronize_session=False)
                .where(Signup.id == signup_id,
                       ~window_open | (Signup.bankid_start_count < BANKID_MAX_STARTS))
                .values(
                    bankid_start_count=case((window_open, Signup.bankid_start_count + 1),
                                            else_=1),
                    bankid_start_window_at=case((window_open, Signup.bankid_start_window_at),
                                                else_=now),
                )
            ).rowcount
        if counted != 1:
            security_event("excess_rate_limit_exceeded", level=logging.WARNING,
                           signup=signup_id, action="start_bankid")
            raise SignupError("bankid.start_limit")

    def bankid_qr(self, secret: str) -> str | None:
        try:
            with Session(self.engine) as session:
                signup = self._load(session, secret)
        except SignupError:
            return None
        if (
            signup.step != Step.BANKID
            or signup.bankid_same_device
            or not signup.bankid_qr_start_token
            or not signup.bankid_qr_start_secret
            or signup.bankid_order_started_at is None
            or signup.bankid_last_status != "pending"
            or signup.bankid_last_hint not in _QR_HINTS
        ):
            return None
        elapsed = self._now() - as_utc(signup.bankid_order_started_at)  # type: ignore[operator]
        return qr_data(
            signup.bankid_qr_start_token,
            signup.bankid_qr_start_secret,
            max(0, int(elapsed.total_seconds())),
        )

    def _message(self, signup: Signup, status: str | None, hint: str | None,
                 error_code: str | None = None) -> str:
        msg = user_message(
            status=status,
            hint_code=hint,
            error_code=error_code,
            lang=_lang(signup.language),  # type: ignore[arg-type]
            same_device=signup.bankid_same_device,
            started_with_qr=not signup.bankid_same_device,
            mobile=is_mobile(signup.bankid_user_agent),
        )
        return msg.text if msg is not None else ""

    def _progress(self, session: Session, signup: Signup,
                  existing_user_id: int | None = None) -> BankIdProgress:
        view = self._build_view(session, signup)
        if signup.bankid_verified_at is not None and signup.step != Step.BANKID:
            return BankIdProgress("complete", "", None, False,
                                  signup.user_id if signup.welcome_back else existing_user_id,
                                  view)
        status = signup.bankid_last_status or "failed"
        hint = signup.bankid_last_hint
        state: Literal["pending", "failed", "complete"] = (
            "pending" if status == "pending" else "failed"
        )
        show_qr = state == "pending" and not signup.bankid_same_device and hint in _QR_HINTS
        return BankIdProgress(state, self._message(signup, state, hint), hint, show_qr, None, view)

    async def poll_bankid(self, secret: str) -> BankIdProgress:
        now = self._now()
        with session_scope(self.engine) as session:
            signup = self._load(session, secret, unrotated_ok=True)
            if signup.bankid_verified_at is not None and signup.step != Step.BANKID:
                # A late poll after completion: no ticket (the first observer got it; the
                # cookie holder can ask continue_ticket, e.g. after a reload).
                return self._progress(session, signup)
            self._require(signup, Step.BANKID, action="poll_bankid")
            order_ref = signup.bankid_order_ref
            if order_ref is None or signup.bankid_last_status != "pending":
                if signup.bankid_last_status is None:
                    raise SignupError("signup.wrong_step")  # nothing was started
                return self._progress(session, signup)
            claimed = session.exec(  # type: ignore[call-overload]
                update(Signup).execution_options(synchronize_session=False)
                .where(
                    Signup.id == signup.id,
                    Signup.bankid_order_ref == order_ref,
                    (Signup.bankid_last_collect_at.is_(None))  # type: ignore[union-attr]
                    | (Signup.bankid_last_collect_at <= now - COLLECT_MIN_INTERVAL),  # type: ignore[operator]
                )
                .values(bankid_last_collect_at=now)
            ).rowcount
            if claimed != 1:
                return self._progress(session, signup)
            signup_id = signup.id
        assert signup_id is not None

        try:
            result = await self._bankid_call(self.bankid.collect(order_ref))
        except bankid_errors.InvalidParameters:
            # The order is gone (cancelled elsewhere, or too old): start over with a button.
            return self._finish_failed(signup_id, order_ref, "failed", None, error="invalidParameters")
        except bankid_errors.BankIdError as exc:
            security_event("bankid_collect_fail", level=logging.WARNING, signup=signup_id,
                           error=exc.error_code or type(exc).__name__)
            raise ServiceUnavailable("service.bankid") from exc

        if result.status == "pending":
            with session_scope(self.engine) as session:
                row = session.get(Signup, signup_id)
                assert row is not None
                if row.bankid_order_ref == order_ref:
                    row.bankid_last_hint = result.hint_code
                    self._touch(row)
                    session.add(row)
                session.flush()
                return self._progress(session, row)

        if result.status == "complete" and result.completion_data is not None:
            return self._complete(signup_id, order_ref, result.completion_data)

        hint = result.hint_code
        if result.status == "failed" and hint == "startFailed":
            renewed = await self._renew(signup_id, order_ref)
            if renewed is not None:
                return renewed
        return self._finish_failed(signup_id, order_ref, "failed", hint)

    async def _renew(self, signup_id: int, order_ref: str) -> BankIdProgress | None:
        with Session(self.engine, expire_on_commit=False) as session:
            signup = session.get(Signup, signup_id)
            assert signup is not None
            session.expunge(signup)
        first = as_utc(signup.bankid_first_order_at)
        if signup.bankid_same_device or first is None or self._now() - first >= BANKID_RENEW_WINDOW:
            return None
        try:
            order = await self._bankid_call(self.bankid.auth(self._auth_request(signup)))
        except bankid_errors.BankIdError as exc:
            security_event("bankid_renew_fail", level=logging.WARNING, signup=signup_id,
                           error=exc.error_code or type(exc).__name__)
            return None
        now = self._now()
        with session_scope(self.engine) as session:
            row = session.get(Signup, signup_id)
            assert row is not None
            if row.bankid_order_ref != order_ref or row.step != Step.BANKID:
                await_cancel = order.order_ref
            else:
                await_cancel = None
                row.bankid_order_ref = order.order_ref
                row.bankid_qr_start_token = order.qr_start_token
                row.bankid_qr_start_secret = order.qr_start_secret
                row.bankid_auto_start_token = order.auto_start_token
                row.bankid_order_started_at = now
                row.bankid_last_collect_at = now
                row.bankid_last_status = "pending"
                row.bankid_last_hint = "outstandingTransaction"
                self._touch(row)
                session.add(row)
            session.flush()
            progress = self._progress(session, row)
        if await_cancel:
            await self._cancel_quietly(await_cancel)
        security_event("bankid_renewed", signup=signup_id)
        return progress

    def _finish_failed(self, signup_id: int, order_ref: str, status: str, hint: str | None,
                       *, error: str | None = None) -> BankIdProgress:
        with session_scope(self.engine) as session:
            row = session.get(Signup, signup_id)
            assert row is not None
            if row.bankid_order_ref == order_ref and row.step == Step.BANKID:
                _clear_order(row)
                row.bankid_last_status = "failed"
                row.bankid_last_hint = hint
                self._touch(row)
                session.add(row)
            session.flush()
            security_event("bankid_failed", level=logging.WARNING, signup=signup_id,
                           hint=hint, error=error)
            view = self._build_view(session, row)
            message = self._message(row, "failed", hint, error)
            return BankIdProgress("failed", message, hint, False, None, view)

    def _complete(self, signup_id: int, order_ref: str, completion) -> BankIdProgress:  # noqa: ANN001
        """Persist completionData.user and move the step in ONE conditional UPDATE (this order,
        still BANKID): exactly one observer of the completion moves it and gets the continue
        ticket; any other gets the already stored progress."""
        person = completion.user
        verified = str(person.personal_number or "")
        try:
            parsed = parse_personnummer(verified)
        except SignupError:
            security_event("bankid_identity_invalid", level=logging.ERROR, signup=signup_id)
            return self._finish_failed(signup_id, order_ref, "failed", None, error="identity")
        today = self._now().astimezone(SWEDEN).date()
        underage = parsed.age(today) < self.settings.minimum_age
        now = self._now()
        cleared = dict(bankid_order_ref=None, bankid_qr_start_token=None,
                       bankid_qr_start_secret=None, bankid_auto_start_token=None,
                       bankid_order_started_at=None, bankid_last_collect_at=None,
                       updated_at=now, expires_at=now + SIGNUP_IDLE_TIMEOUT)
        ticket = existing = None
        with session_scope(self.engine) as session:
            if underage:
                values: dict[str, object] = dict(cleared, bankid_last_status="failed",
                                                 bankid_last_hint=None)
            else:
                existing = session.exec(
                    select(User.id).where(User.personnummer == parsed.number)
                ).first()
                ticket = secrets.token_urlsafe(32)
                values = dict(
                    cleared,
                    verified_personnummer=parsed.number,
                    verified_given_name=str(person.given_name or "")[:200],
                    verified_surname=str(person.surname or "")[:200],
                    verified_name=str(person.name or "")[:400],
                    bankid_verified_at=now,
                    bankid_last_status="complete",
                    bankid_last_hint=None,
                    continue_ticket_hash=_secret_hash(ticket),
                    continue_ticket_expires_at=now + CONTINUE_TICKET_TTL,
                    secret_rotated_at=None,
                )
                if existing is not None:
                    values.update(user_id=existing, welcome_back=True, step=Step.DONE.value)
                else:
                    values.update(step=Step.EMAIL.value)
            moved = session.exec(  # type: ignore[call-overload]
                update(Signup).execution_options(synchronize_session=False)
                .where(Signup.id == signup_id, Signup.step == Step.BANKID.value,
                       Signup.bankid_order_ref == order_ref)
                .values(**values)
            ).rowcount
        if moved != 1:  # another poll (or a cancel) got there first
            with Session(self.engine) as session:
                row = session.get(Signup, signup_id)
                assert row is not None
                return self._progress(session, row)
        if underage:
            security_event("bankid_underage", level=logging.WARNING, signup=signup_id)
            raise SignupError("bankid.underage", {"age": self.settings.minimum_age})
        security_event("bankid_complete", signup=signup_id,
                       who=mask_personnummer(parsed.number),
                       existing_account=existing is not None)
        with Session(self.engine) as session:
            row = session.get(Signup, signup_id)
            assert row is not None
            return replace(self._progress(session, row, existing), continue_ticket=ticket)

    async def cancel_bankid(self, secret: str) -> SignupView:
        signup = self._snapshot(secret, Step.BANKID, action="cancel_bankid")
        await self._cancel_quietly(signup.bankid_order_ref)
        with session_scope(self.engine) as session:
            row = session.get(Signup, signup.id)
            assert row is not None
            if row.step == Step.BANKID:
                _clear_order(row)
                row.bankid_last_status = None
                row.bankid_last_hint = None
                row.step = Step.PERSONNUMMER.value
                self._touch(row)
                session.add(row)
            session.flush()
            security_event("bankid_cancelled", signup=signup.id)
            return self._build_view(session, row)

    def back_to_personnummer(self, secret: str) -> SignupView:
        with session_scope(self.engine) as session:
            signup = self._load(session, secret)
            self._require(signup, Step.BANKID, action="back_to_personnummer")
            # Keep the orderRef so that the next start_bankid cancels it first.
            _clear_order(signup, keep_ref=True)
            signup.bankid_last_status = None
            signup.bankid_last_hint = None
            signup.step = Step.PERSONNUMMER.value
            self._touch(signup)
            session.add(signup)
            session.flush()
            return self._build_view(session, signup)

    # ================================================================== sending codes

    def _claim_send(self, signup_id: int, step: Step) -> None:
        now = self._now()
        with session_scope(self.engine) as session:
            claimed = session.exec(  # type: ignore[call-overload]
                update(Signup).execution_options(synchronize_session=False)
                .where(
                    Signup.id == signup_id,
                    Signup.step == step.value,
                    (Signup.sending_until.is_(None)) | (Signup.sending_until < now),  # type: ignore[union-attr,operator]
                )
                .values(sending_until=now + SEND_CLAIM)
            ).rowcount
        if claimed != 1:
            raise SignupError("code.resend_wait", {"seconds": int(SEND_CLAIM.total_seconds())})

    def _release_send(self, signup_id: int) -> None:
        with session_scope(self.engine) as session:
            session.exec(  # type: ignore[call-overload]
                update(Signup).execution_options(synchronize_session=False).where(Signup.id == signup_id).values(sending_until=None)
            )

    async def _send_code(
        self,
        signup: Signup,
        *,
        channel: str,
        destination: str,
        client_ip: str,
        from_step: Step,
        to_step: Step,
        deliver: Callable[[str], object],
        fields: dict[str, object],
    ) -> SignupView:
        identity = self._identity(signup)
        ip = (client_ip or "")[:64] or None
        try:
            self.codes.check_can_send(signup_id=signup.id, channel=channel,  # type: ignore[arg-type]
                                      destination=destination, identity=identity, client_ip=ip)
        except SignupError as exc:
            security_event("excess_rate_limit_exceeded", level=logging.WARNING, signup=signup.id,
                           channel=channel, reason=exc.key, ip=ip)
            raise
        self._claim_send(signup.id, from_step)  # type: ignore[arg-type]
        code_id = None
        try:
            code_id, code = self.codes.prepare(signup_id=signup.id, channel=channel,  # type: ignore[arg-type]
                                               destination=destination, identity=identity,
                                               client_ip=ip)
            timeout = (self.settings.smtp_timeout if channel == CHANNEL_EMAIL
                       else self.settings.sms_timeout) + 5
            async with asyncio.timeout(timeout):
                await deliver(code)  # type: ignore[misc]
        except Exception as exc:  # noqa: BLE001 - any gateway failure: nothing advances
            if code_id is not None:
                self.codes.mark_failed(code_id)
            self._release_send(signup.id)  # type: ignore[arg-type]
            key = "service.mail" if channel == CHANNEL_EMAIL else "service.sms"
            security_event("verification_send_fail", level=logging.WARNING, signup=signup.id,
                           channel=channel, error=type(exc).__name__)
            raise ServiceUnavailable(key) from exc

        def on_sent(session: Session) -> None:
            values: dict[str, object] = dict(fields)
            now = self._now()
            values.update(step=to_step.value, sending_until=None, updated_at=now,
                          expires_at=now + SIGNUP_IDLE_TIMEOUT)
            session.exec(  # type: ignore[call-overload]
                update(Signup).execution_options(synchronize_session=False)
                .where(Signup.id == signup.id, Signup.step == from_step.value)
                .values(**values)
            )

        self.codes.mark_sent(code_id, on_sent)
        masked = mask_email(destination) if channel == CHANNEL_EMAIL else mask_phone(destination)
        security_event("verification_code_sent", signup=signup.id, channel=channel, to=masked)
        return self._view_by_id(signup.id)  # type: ignore[arg-type]

    def _email_taken(self, email: str) -> bool:
        with Session(self.engine) as session:
            return session.exec(select(User.id).where(User.email == email)).first() is not None

    def _email_sender(self, signup: Signup, email: str) -> Callable[[str], object]:
        language = _lang(signup.language)
        minutes = max(1, self.settings.email_code_ttl // 60)
        taken = self._email_taken(email)

        async def deliver(code: str) -> None:
            if taken:  # the same screen and the same kind of work; the owner gets a notice
                await self.mailer.send_address_in_use(email, language)
            else:
                await self.mailer.send_code(email, code, language, valid_minutes=minutes)

        return deliver

    def _sms_sender(self, signup: Signup, phone: str) -> Callable[[str], object]:
        language = _lang(signup.language)

        async def deliver(code: str) -> None:
            await self.sms.send(phone, code_sms_text(code, language))

        return deliver

    # ================================================================== steps 3-4: email

    async def submit_email(self, secret: str, raw: str, *, client_ip: str) -> SignupView:
        signup = self._snapshot(secret, Step.EMAIL, Step.EMAIL_CODE, action="submit_email")
        if signup.step == Step.EMAIL_CODE:
            try:
                if validate_email(raw) == signup.email:
                    return self._view_by_id(signup.id)  # type: ignore[arg-type]  # double click
            except SignupError:
                pass
            self._require(signup, Step.EMAIL, action="submit_email")
        try:
            email = validate_email(raw)
        except SignupError as exc:
            security_event("input_validation_fail", signup=signup.id, field="email",
                           reason=exc.key)
            raise
        return await self._send_code(
            signup, channel=CHANNEL_EMAIL, destination=email, client_ip=client_ip,
            from_step=Step.EMAIL, to_step=Step.EMAIL_CODE,
            deliver=self._email_sender(signup, email),
            fields={"email": email, "email_verified_at": None},
        )

    async def resend_email_code(self, secret: str, *, client_ip: str) -> SignupView:
        signup = self._snapshot(secret, Step.EMAIL_CODE, action="resend_email_code")
        assert signup.email
        return await self._send_code(
            signup, channel=CHANNEL_EMAIL, destination=signup.email, client_ip=client_ip,
            from_step=Step.EMAIL_CODE, to_step=Step.EMAIL_CODE,
            deliver=self._email_sender(signup, signup.email), fields={},
        )

    def _verify(self, signup: Signup, channel: str, destination: str, code: object,
                on_success: Callable[[Session], None]) -> None:
        try:
            self.codes.verify(signup_id=signup.id, channel=channel,  # type: ignore[arg-type]
                              destination=destination, identity=self._identity(signup),
                              code=code, on_success=on_success)
        except SignupError as exc:
            if exc.key in ("code.locked", "code.blocked"):
                security_event("authn_login_fail_max", level=logging.WARNING, signup=signup.id,
                               channel=channel, reason=exc.key)
            elif exc.key.startswith("code."):
                security_event("authn_login_fail", level=logging.WARNING, signup=signup.id,
                               channel=channel, reason=exc.key,
                               attempts_left=exc.params.get("attempts_left"))
            raise

    def _advance(self, session: Session, signup_id: int, from_step: Step,
                 **values: object) -> None:
        now = self._now()
        moved = session.exec(  # type: ignore[call-overload]
            update(Signup).execution_options(synchronize_session=False)
            .where(Signup.id == signup_id, Signup.step == from_step.value)
            .values(updated_at=now, expires_at=now + SIGNUP_IDLE_TIMEOUT, **values)
        ).rowcount
        if moved != 1:
            raise SignupError("signup.wrong_step")

    def verify_email_code(self, secret: str, code: str) -> SignupView:
        signup = self._snapshot(secret, Step.EMAIL_CODE, action="verify_email_code")
        assert signup.email

        def on_success(session: Session) -> None:
            self._advance(session, signup.id, Step.EMAIL_CODE,  # type: ignore[arg-type]
                          step=Step.PHONE.value, email_verified_at=self._now())

        self._verify(signup, CHANNEL_EMAIL, signup.email, code, on_success)
        security_event("verification_success", signup=signup.id, channel=CHANNEL_EMAIL)
        return self._view_by_id(signup.id)  # type: ignore[arg-type]

    def change_email(self, secret: str) -> SignupView:
        with session_scope(self.engine) as session:
            signup = self._load(session, secret)
            self._require(signup, Step.EMAIL_CODE, action="change_email")
            self.codes.invalidate_all(session, signup.id, CHANNEL_EMAIL)  # type: ignore[arg-type]
            signup.step = Step.EMAIL.value
            signup.email_verified_at = None
            self._touch(signup)
            session.add(signup)
            session.flush()
            return self._build_view(session, signup)

    # ================================================================== steps 5-6: phone

    async def submit_phone(self, secret: str, raw: str, *, client_ip: str) -> SignupView:
        signup = self._snapshot(secret, Step.PHONE, Step.PHONE_CODE, action="submit_phone")
        if signup.step == Step.PHONE_CODE:
            try:
                if validate_phone(raw).e164 == signup.phone_e164:
                    return self._view_by_id(signup.id)  # type: ignore[arg-type]  # double click
            except SignupError:
                pass
            self._require(signup, Step.PHONE, action="submit_phone")
        try:
            phone = validate_phone(raw)
        except SignupError as exc:
            security_event("input_validation_fail", signup=signup.id, field="phone",
                           reason=exc.key)
            raise
        return await self._send_code(
            signup, channel=CHANNEL_SMS, destination=phone.e164, client_ip=client_ip,
            from_step=Step.PHONE, to_step=Step.PHONE_CODE,
            deliver=self._sms_sender(signup, phone.e164),
            fields={"phone_e164": phone.e164, "phone_verified_at": None},
        )

    async def resend_phone_code(self, secret: str, *, client_ip: str) -> SignupView:
        signup = self._snapshot(secret, Step.PHONE_CODE, action="resend_phone_code")
        assert signup.phone_e164
        return await self._send_code(
            signup, channel=CHANNEL_SMS, destination=signup.phone_e164, client_ip=client_ip,
            from_step=Step.PHONE_CODE, to_step=Step.PHONE_CODE,
            deliver=self._sms_sender(signup, signup.phone_e164), fields={},
        )

    def verify_phone_code(self, secret: str, code: str) -> SignupView:
        """The last code: creates User + Mailbox + welcome Letter in ONE transaction -> DONE."""
        signup = self._snapshot(secret, Step.PHONE_CODE, action="verify_phone_code")
        assert signup.phone_e164 and signup.email and signup.verified_personnummer
        created: dict[str, int] = {}

        def on_success(session: Session) -> None:
            self._create_account(session, signup, created)

        try:
            self._verify(signup, CHANNEL_SMS, signup.phone_e164, code, on_success)
        except IntegrityError:
            return self._account_conflict(signup)
        security_event("verification_success", signup=signup.id, channel=CHANNEL_SMS)
        security_event("user_created", signup=signup.id, user=created.get("user_id"))
        return self._view_by_id(signup.id)  # type: ignore[arg-type]

    def _create_account(self, session: Session, signup: Signup, created: dict[str, int]) -> None:
        now = self._now()
        user = User(
            personnummer=signup.verified_personnummer,  # type: ignore[arg-type]
            given_name=signup.verified_given_name or "",
            surname=signup.verified_surname or "",
            email=signup.email,  # type: ignore[arg-type]
            phone=signup.phone_e164,  # type: ignore[arg-type]
            language=_lang(signup.language),
            created_at=now,
        )
        session.add(user)
        session.flush()  # unique personnummer / email: IntegrityError here
        mailbox = Mailbox(user_id=user.id, created_at=now)  # type: ignore[arg-type]
        session.add(mailbox)
        session.flush()
        session.add(welcome_letter(mailbox.id, user.language, user.given_name, now=now))  # type: ignore[arg-type]
        self._advance(session, signup.id, Step.PHONE_CODE,  # type: ignore[arg-type]
                      step=Step.DONE.value, phone_verified_at=now, user_id=user.id)
        session.flush()
        created["user_id"] = user.id  # type: ignore[assignment]

    def _account_conflict(self, signup: Signup) -> SignupView:
        """Another signup created the account (two tabs) or took the email meanwhile."""
        now = self._now()
        with session_scope(self.engine) as session:
            existing = session.exec(
                select(User.id).where(User.personnummer == signup.verified_personnummer)
            ).first()
            row = session.get(Signup, signup.id)
            assert row is not None
            session.exec(  # type: ignore[call-overload]
                update(VerificationCode).execution_options(synchronize_session=False)
                .where(VerificationCode.signup_id == signup.id,
                       VerificationCode.channel == CHANNEL_SMS,
                       VerificationCode.used_at.is_(None))  # type: ignore[union-attr]
                .values(used_at=now)
            )
            if existing is not None:
                row.user_id = existing
                row.welcome_back = True
                row.phone_verified_at = now
                row.step = Step.DONE.value
                self._touch(row)
                session.add(row)
                security_event("signup_existing_account", signup=signup.id, user=existing)
                session.flush()
                return self._build_view(session, row)
            row.step = Step.EMAIL.value
            row.email_verified_at = None
            row.phone_verified_at = None
            self._touch(row)
            session.add(row)
            security_event("signup_email_conflict", level=logging.WARNING, signup=signup.id)
        raise SignupError("email.invalid")

    def change_phone(self, secret: str) -> SignupView:
        with session_scope(self.engine) as session:
            signup = self._load(session, secret)
            self._require(signup, Step.PHONE_CODE, action="change_phone")
            self.codes.invalidate_all(session, signup.id, CHANNEL_SMS)  # type: ignore[arg-type]
            signup.step = Step.PHONE.value
            signup.phone_verified_at = None
            self._touch(signup)
            session.add(signup)
            session.flush()
            return self._build_view(session, signup)

    # ================================================================== after DONE

    def issue_login_ticket(self, secret: str) -> str:
        """The one login ticket of this signup (60 s, bound to it); issuing it closes the
        signup, so the secret cannot mint more tickets or extend anything."""
        now = self._now()
        with session_scope(self.engine) as session:
            signup = self._load(session, secret)
            self._require(signup, Step.DONE, action="issue_login_ticket")
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
