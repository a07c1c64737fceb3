"""Steps 3-6: the email address and the mobile number, each with a one-time code. Both channels
run the same code; `Channel` says what differs (steps, column, validator, sender, gateway).

Decisions (see also service.py's module docstring): a taken email gets the same answer and a
mail, but the mail is a notice instead of a code (R-17, R-51); a failed or timed-out send raises
ServiceUnavailable, the step does not advance and the unsent code row is invalidated; a send in
progress blocks a second one (KIVRA_CODE_SEND_CLAIM, a double click)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from kivra_app.db import session_scope
from kivra_app.messaging.mail import MailError
from kivra_app.messaging.sms import SmsError
from kivra_app.messaging.texts import code_sms_text
from kivra_app.models import Signup, User
from kivra_app.signup.account import account_conflict, create_account
from kivra_app.signup.audit import security_event
from kivra_app.signup.codes import CHANNEL_EMAIL, CHANNEL_SMS
from kivra_app.signup.core import SignupCore
from kivra_app.signup.errors import ServiceUnavailable, SignupError
from kivra_app.signup.steps import Step
from kivra_app.signup.validation import mask_email, mask_phone, validate_email, validate_phone
from kivra_app.signup.views import SignupView, signup_language

Deliver = Callable[[str], Awaitable[None]]
# What a failing mail server or SMS gateway raises (the adapters wrap their transport errors;
# TimeoutError is our own deadline, OSError a socket the adapter did not wrap). Anything else
# is a bug: it propagates (after the cleanup) instead of being shown as "try again".
SEND_ERRORS: tuple[type[BaseException], ...] = (MailError, SmsError, TimeoutError, OSError)


def _email_taken(core: SignupCore, email: str) -> bool:
    with Session(core.engine) as session:
        return session.exec(select(User.id).where(User.email == email)).first() is not None


def _email_sender(core: SignupCore, signup: Signup, email: str) -> Deliver:
    language = signup_language(signup.language)
    minutes = max(1, core.settings.email_code_ttl // 60)
    taken = _email_taken(core, email)

    async def deliver(code: str) -> None:
        if taken:  # the same screen and the same kind of work; the owner gets a notice
            await core.mailer.send_address_in_use(email, language)
        else:
            await core.mailer.send_code(email, code, language, valid_minutes=minutes)

    return deliver


def _sms_sender(core: SignupCore, signup: Signup, phone: str) -> Deliver:
    language = signup_language(signup.language)

    async def deliver(code: str) -> None:
        await core.sms.send(phone, code_sms_text(code, language))

    return deliver


@dataclass(frozen=True)
class Channel:
    """What differs between the email and the phone steps."""

    code_channel: str  # VerificationCode.channel and the audit log's `channel`
    field: str  # "email" | "phone": in action names and input_validation_fail
    entry_step: Step  # where the address is typed
    code_step: Step  # where its code is typed
    next_step: Step  # after the code; DONE means the account is created
    column: str  # Signup column of the normalised address
    verified_column: str  # Signup column set when the code is verified
    normalise: Callable[[str], str]  # the typed address -> stored form; raises SignupError
    mask: Callable[[str], str]  # for the log
    sender: Callable[[SignupCore, Signup, str], Deliver]
    timeout_setting: str  # Settings field: the gateway's own timeout (we allow 5 s more)
    unavailable_key: str  # ServiceUnavailable key when sending fails


EMAIL = Channel(
    code_channel=CHANNEL_EMAIL, field="email",
    entry_step=Step.EMAIL, code_step=Step.EMAIL_CODE, next_step=Step.PHONE,
    column="email", verified_column="email_verified_at",
    normalise=validate_email, mask=mask_email, sender=_email_sender,
    timeout_setting="smtp_timeout", unavailable_key="service.mail",
)
PHONE = Channel(
    code_channel=CHANNEL_SMS, field="phone",
    entry_step=Step.PHONE, code_step=Step.PHONE_CODE, next_step=Step.DONE,
    column="phone_e164", verified_column="phone_verified_at",
    normalise=lambda raw: validate_phone(raw).e164, mask=mask_phone, sender=_sms_sender,
    timeout_setting="sms_timeout", unavailable_key="service.sms",
)


CHANNELS: dict[str, Channel] = {"email": EMAIL, "phone": PHONE}


def channel(kind: object) -> Channel:
    """The channel of a ContactKind; anything else is a bug in the caller (the UI passes
    its own constants), refused like a crafted call."""
    found = CHANNELS.get(kind) if isinstance(kind, str) else None
    if found is None:
        raise SignupError("signup.wrong_step")
    return found


# ====================================================================== public steps

async def submit(core: SignupCore, channel: Channel, secret: str, raw: str, *,
                 client_ip: str) -> SignupView:
    # Every database step of a send runs in a worker thread (the loop serves the other tabs
    # meanwhile); only the mail or SMS gateway is awaited on the loop.
    checked = await asyncio.to_thread(_check_submit, core, channel, secret, raw)
    if isinstance(checked, SignupView):
        return checked
    signup, destination = checked
    return await _send_code(
        core, channel, signup, destination, client_ip=client_ip, from_step=channel.entry_step,
        fields={channel.column: destination, channel.verified_column: None},
    )


def _check_submit(core: SignupCore, channel: Channel, secret: str,
                  raw: str) -> SignupView | tuple[Signup, str]:
    """The step check and the typed address (normalised), or the current view when this is a
    double click of a send already made."""
    action = f"submit_{channel.field}"
    signup = core.snapshot(secret, channel.entry_step, channel.code_step, action=action)
    if signup.step == channel.code_step:
        try:
            if channel.normalise(raw) == getattr(signup, channel.column):
                return core.view_by_id(signup.id)  # type: ignore[arg-type]  # double click
        except SignupError:
            pass
        core.require(signup, channel.entry_step, action=action)
    try:
        return signup, channel.normalise(raw)
    except SignupError as exc:
        security_event("input_validation_fail", signup=signup.id, field=channel.field,
                       reason=exc.key)
        raise


async def resend(core: SignupCore, channel: Channel, secret: str, *,
                 client_ip: str) -> SignupView:
    signup = await asyncio.to_thread(core.snapshot, secret, channel.code_step,
                                     action=f"resend_{channel.field}_code")
    destination = getattr(signup, channel.column)
    assert destination
    return await _send_code(core, channel, signup, destination, client_ip=client_ip,
                            from_step=channel.code_step, fields={})


def verify(core: SignupCore, channel: Channel, secret: str, code: str) -> SignupView:
    signup = core.snapshot(secret, channel.code_step, action=f"verify_{channel.field}_code")
    destination = getattr(signup, channel.column)
    assert destination
    if channel.next_step == Step.DONE:
        return _verify_last_code(core, channel, signup, destination, code)

    def on_success(session: Session) -> None:
        core.change_step(session, signup.id, channel.code_step,  # type: ignore[arg-type]
                         channel.next_step, **{channel.verified_column: core.now()})

    _check_code(core, signup, channel.code_channel, destination, code, on_success)
    security_event("verification_success", signup=signup.id, channel=channel.code_channel)
    return core.view_by_id(signup.id)  # type: ignore[arg-type]


def change(core: SignupCore, channel: Channel, secret: str) -> SignupView:
    with session_scope(core.engine) as session:
        signup = core.load(session, secret)
        core.require(signup, channel.code_step, action=f"change_{channel.field}")
        core.codes.invalidate_all(session, signup.id, channel.code_channel)  # type: ignore[arg-type]
        row = core.change_step(session, signup.id, channel.code_step,  # type: ignore[arg-type]
                               channel.entry_step, **{channel.verified_column: None})
        return core.build_view(session, row)


# ====================================================================== verifying

def _verify_last_code(core: SignupCore, channel: Channel, signup: Signup, destination: str,
                      code: str) -> SignupView:
    """The last code: creates User + Mailbox + welcome Letter in ONE transaction -> DONE."""
    assert signup.email and signup.verified_personnummer
    created: dict[str, int] = {}

    def on_success(session: Session) -> None:
        create_account(core, session, signup, created)

    try:
        _check_code(core, signup, channel.code_channel, destination, code, on_success)
    except IntegrityError:
        return account_conflict(core, signup)
    security_event("verification_success", signup=signup.id, channel=channel.code_channel)
    security_event("user_created", signup=signup.id, user=created.get("user_id"))
    return core.view_by_id(signup.id)  # type: ignore[arg-type]


def _check_code(core: SignupCore, signup: Signup, code_channel: str, destination: str,
                code: object, on_success: Callable[[Session], None]) -> None:
    try:
        core.codes.verify(signup_id=signup.id, channel=code_channel,  # type: ignore[arg-type]
                          destination=destination, identity=core.identity(signup),
                          code=code, on_success=on_success)
    except SignupError as exc:
        if exc.key in ("code.locked", "code.blocked"):
            security_event("authn_login_fail_max", level=logging.WARNING, signup=signup.id,
                           channel=code_channel, reason=exc.key)
        elif exc.key.startswith("code."):
            security_event("authn_login_fail", level=logging.WARNING, signup=signup.id,
                           channel=code_channel, reason=exc.key,
                           attempts_left=exc.params.get("attempts_left"))
        raise


# ====================================================================== sending

def _claim_send(core: SignupCore, signup_id: int, step: Step) -> None:
    now = core.now()
    claim = timedelta(seconds=core.settings.code_send_claim)
    with session_scope(core.engine) as session:
        claimed = session.exec(  # type: ignore[call-overload]
            update(Signup).execution_options(synchronize_session=False)
            .where(
                Signup.id == signup_id,
                Signup.step == step.value,
                (Signup.sending_until.is_(None)) | (Signup.sending_until < now),  # type: ignore[union-attr,operator]
            )
            .values(sending_until=now + claim)
        ).rowcount
    if claimed != 1:
        raise SignupError("code.resend_wait", {"seconds": int(claim.total_seconds())})


def _release_send(core: SignupCore, signup_id: int) -> None:
    with session_scope(core.engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(Signup).execution_options(synchronize_session=False).where(Signup.id == signup_id).values(sending_until=None)
        )


async def _send_code(
    core: SignupCore,
    channel: Channel,
    signup: Signup,
    destination: str,
    *,
    client_ip: str,
    from_step: Step,
    fields: dict[str, object],
) -> SignupView:
    """Send a new code to `destination` and move `from_step` -> the code step with `fields`."""
    ip = (client_ip or "")[:64] or None
    opening = asyncio.ensure_future(asyncio.to_thread(
        _open_send, core, channel, signup, destination, ip, from_step))
    try:
        deliver, code_id, code = await asyncio.shield(opening)
    except asyncio.CancelledError:
        # Cancelled while the claim and the code row were being made: the thread finishes
        # regardless; undo what it made, or the claim would block a retry for a minute.
        opened = await _thread_outcome(opening)
        if opened is not None:
            await asyncio.to_thread(_abandon_send, core, signup.id, opened[1])  # type: ignore[arg-type]
        raise
    view = None
    try:
        timeout = getattr(core.settings, channel.timeout_setting) + 5
        try:
            async with asyncio.timeout(timeout):
                await deliver(code)
        except SEND_ERRORS as exc:  # the gateway failed: nothing advances, "try again"
            security_event("verification_send_fail", level=logging.WARNING, signup=signup.id,
                           channel=channel.code_channel, error=type(exc).__name__)
            raise ServiceUnavailable(channel.unavailable_key) from exc
        closing = asyncio.ensure_future(asyncio.to_thread(
            _close_send, core, channel, signup.id, code_id, from_step, fields))  # type: ignore[arg-type]
        try:
            view = await asyncio.shield(closing)
        except asyncio.CancelledError:
            # The code may have gone live in the thread meanwhile: then it stays live (the
            # person has it), and only a send that did not finish is abandoned.
            view = await _thread_outcome(closing)
            raise
    finally:
        if view is None:  # whatever stopped us (a gateway, a race, a bug): no half-done send
            # A worker thread finishes its work even if this task is cancelled meanwhile.
            await asyncio.to_thread(_abandon_send, core, signup.id, code_id)  # type: ignore[arg-type]
    security_event("verification_code_sent", signup=signup.id, channel=channel.code_channel,
                   to=channel.mask(destination))
    return view


async def _thread_outcome(task: asyncio.Future[Any]) -> Any:
    """The result of a worker-thread task whose awaiting was cancelled (the thread runs to its
    end whatever happens to the task waiting for it), or None if it raised."""
    while not task.done():
        try:
            await asyncio.wait({task})
        except asyncio.CancelledError:
            continue  # the caller re-raises the cancellation once the thread has finished
    return None if task.cancelled() or task.exception() is not None else task.result()


def _open_send(core: SignupCore, channel: Channel, signup: Signup, destination: str,
               ip: str | None, from_step: Step) -> tuple[Deliver, int, str]:
    """The caps, the send claim (a double click waits) and a not-yet-live code row."""
    deliver = channel.sender(core, signup, destination)
    identity = core.identity(signup)
    try:
        core.codes.check_can_send(signup_id=signup.id, channel=channel.code_channel,  # type: ignore[arg-type]
                                  destination=destination, identity=identity, client_ip=ip)
    except SignupError as exc:
        security_event("excess_rate_limit_exceeded", level=logging.WARNING, signup=signup.id,
                       channel=channel.code_channel, reason=exc.key, ip=ip)
        raise
    _claim_send(core, signup.id, from_step)  # type: ignore[arg-type]
    try:
        code_id, code = core.codes.prepare(signup_id=signup.id, channel=channel.code_channel,  # type: ignore[arg-type]
                                           destination=destination, identity=identity,
                                           client_ip=ip)
    except BaseException:
        _release_send(core, signup.id)  # type: ignore[arg-type]
        raise
    return deliver, code_id, code


def _close_send(core: SignupCore, channel: Channel, signup_id: int, code_id: int,
                from_step: Step, fields: dict[str, object]) -> SignupView:
    """The gateway took the message: the code goes live, the step moves, and the new view is
    read in the same transaction. The signup may have moved on while the message was out
    (wrong_step): then that code never becomes live."""
    views: list[SignupView] = []

    def on_sent(session: Session) -> None:
        row = core.change_step(session, signup_id, from_step, channel.code_step,
                               sending_until=None, **fields)
        views.append(core.build_view(session, row))

    core.codes.mark_sent(code_id, on_sent)
    return views[0]


def _abandon_send(core: SignupCore, signup_id: int, code_id: int) -> None:
    core.codes.mark_failed(code_id)
    _release_send(core, signup_id)
