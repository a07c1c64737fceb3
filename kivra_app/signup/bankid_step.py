"""Steps 1-2: the personnummer, then BankID (start, animated QR, poll/collect, silent renewal of
an unopened QR order, completion with its one continue ticket, cancel). See the decisions in
service.py's module docstring."""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import case, update
from sqlmodel import Session, select

from kivra_app.bankid import errors as bankid_errors
from kivra_app.bankid.links import is_mobile, launch_url
from kivra_app.bankid.messages import user_message
from kivra_app.bankid.models import AuthRequest, Requirement, WebDeviceData
from kivra_app.bankid.qr import qr_data
from kivra_app.db import session_scope
from kivra_app.models import Signup, User, as_utc
from kivra_app.signup.audit import security_event
from kivra_app.signup.core import SignupCore, secret_hash
from kivra_app.signup.errors import ServiceUnavailable, SignupError
from kivra_app.signup.steps import Step
from kivra_app.signup.validation import (
    mask_personnummer,
    parse_personnummer,
    validate_personnummer,
)
from kivra_app.signup.views import BankIdProgress, BankIdStart, SignupView, signup_language

BANKID_RENEW_WINDOW = timedelta(minutes=3)
COLLECT_MIN_INTERVAL = timedelta(seconds=1)
BANKID_CALL_TIMEOUT = 20.0
BANKID_MAX_STARTS = 10
BANKID_START_WINDOW = timedelta(minutes=3)
SWEDEN = ZoneInfo("Europe/Stockholm")
_QR_HINTS = (None, "outstandingTransaction", "noClient")


def clear_order(signup: Signup, *, keep_ref: bool = False) -> None:
    if not keep_ref:
        signup.bankid_order_ref = None
    signup.bankid_qr_start_token = None
    signup.bankid_qr_start_secret = None
    signup.bankid_auto_start_token = None
    signup.bankid_order_started_at = None
    signup.bankid_last_collect_at = None


def _store_order(row: Signup, order, now: datetime,  # noqa: ANN001 - bankid.models order
                 *, last_collect_at: datetime | None) -> None:
    """A new, still pending order on `row` (a start or a silent renewal)."""
    row.bankid_order_ref = order.order_ref
    row.bankid_qr_start_token = order.qr_start_token
    row.bankid_qr_start_secret = order.qr_start_secret
    row.bankid_auto_start_token = order.auto_start_token
    row.bankid_order_started_at = now
    row.bankid_last_collect_at = last_collect_at
    row.bankid_last_status = "pending"
    row.bankid_last_hint = "outstandingTransaction"


def submit_personnummer(core: SignupCore, secret: str, raw: str) -> SignupView:
    with session_scope(core.engine) as session:
        signup = core.load(session, secret)
        if signup.step == Step.BANKID and signup.bankid_order_ref is None:
            # A double click: the same number again is a no-op.
            try:
                if parse_personnummer(raw).number == signup.personnummer_typed:
                    return core.build_view(session, signup)
            except SignupError:
                pass
        core.require(signup, Step.PERSONNUMMER, action="submit_personnummer")
        try:
            parsed = validate_personnummer(
                raw,
                today=core.now().astimezone(SWEDEN).date(),
                minimum_age=core.settings.minimum_age,
                allow_test_numbers=core.settings.test_personnummer_allowed,
            )
        except SignupError as exc:
            security_event("input_validation_fail", signup=signup.id, field="personnummer",
                           reason=exc.key)
            raise
        row = core.change_step(session, signup.id, Step.PERSONNUMMER, Step.BANKID,  # type: ignore[arg-type]
                               personnummer_typed=parsed.number, bankid_last_status=None,
                               bankid_last_hint=None)
        return core.build_view(session, row)


def _auth_request(core: SignupCore, signup: Signup) -> AuthRequest:
    web = None
    if signup.bankid_user_agent:
        host = urlsplit(core.settings.base_url).hostname or "localhost"
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


async def _bankid_call(coro):  # noqa: ANN001, ANN202
    try:
        async with asyncio.timeout(BANKID_CALL_TIMEOUT):
            return await coro
    except TimeoutError as exc:
        raise bankid_errors.BankIdTimeout("timeout") from exc


async def _cancel_quietly(core: SignupCore, order_ref: str | None) -> None:
    if not order_ref:
        return
    try:
        await _bankid_call(core.bankid.cancel(order_ref))
    except bankid_errors.BankIdError:
        pass  # unknown, finished or already cancelled: nothing to do


async def start_bankid(
    core: SignupCore,
    secret: str,
    *,
    end_user_ip: str,
    same_device: bool,
    user_agent: str,
    return_url: str,
) -> BankIdStart:
    signup = core.snapshot(secret, Step.BANKID, action="start_bankid")
    _count_start(core, signup.id)  # type: ignore[arg-type]
    await _cancel_quietly(core, signup.bankid_order_ref)
    signup.bankid_same_device = bool(same_device)
    signup.bankid_end_user_ip = (end_user_ip or "")[:64] or None
    signup.bankid_user_agent = (user_agent or "")[:512] or None
    signup.bankid_return_url = (return_url or "")[:512] or None
    try:
        order = await _bankid_call(core.bankid.auth(_auth_request(core, signup)))
    except bankid_errors.BankIdError as exc:
        security_event("bankid_start_fail", level=logging.WARNING, signup=signup.id,
                       error=exc.error_code or type(exc).__name__)
        with session_scope(core.engine) as session:
            row = session.get(Signup, signup.id)
            if row is not None and row.step == Step.BANKID:
                clear_order(row)
                session.add(row)
        raise ServiceUnavailable(
            "service.bankid", {"message": exc.user_message(signup_language(signup.language)).text}
        ) from exc
    now = core.now()
    with session_scope(core.engine) as session:
        row = session.get(Signup, signup.id)
        if row is None or row.step != Step.BANKID:
            raise SignupError("signup.wrong_step")
        _store_order(row, order, now, last_collect_at=None)
        row.bankid_first_order_at = now
        row.bankid_same_device = signup.bankid_same_device
        row.bankid_end_user_ip = signup.bankid_end_user_ip
        row.bankid_user_agent = signup.bankid_user_agent
        row.bankid_return_url = signup.bankid_return_url
        core.touch(row)
        session.add(row)
    security_event("bankid_started", signup=signup.id, same_device=bool(same_device))
    link = None
    if same_device and order.auto_start_token:
        link = launch_url(order.auto_start_token, user_agent, return_url or "null")
    return BankIdStart(launch_url=link)


def _count_start(core: SignupCore, signup_id: int) -> None:
    """Count one order start, atomically; refuse beyond BANKID_MAX_STARTS per window."""
    now = core.now()
    window_open = Signup.bankid_start_window_at.is_not(None) & (  # type: ignore[union-attr]
        Signup.bankid_start_window_at > now - BANKID_START_WINDOW  # type: ignore[operator]
    )
    with session_scope(core.engine) as session:
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


def bankid_qr(core: SignupCore, secret: str) -> str | None:
    try:
        with Session(core.engine) as session:
            signup = core.load(session, secret)
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
    elapsed = core.now() - as_utc(signup.bankid_order_started_at)  # type: ignore[operator]
    return qr_data(
        signup.bankid_qr_start_token,
        signup.bankid_qr_start_secret,
        max(0, int(elapsed.total_seconds())),
    )


def _message(signup: Signup, status: str | None, hint: str | None,
             error_code: str | None = None) -> str:
    msg = user_message(
        status=status,
        hint_code=hint,
        error_code=error_code,
        lang=signup_language(signup.language),  # type: ignore[arg-type]
        same_device=signup.bankid_same_device,
        started_with_qr=not signup.bankid_same_device,
        mobile=is_mobile(signup.bankid_user_agent),
    )
    return msg.text if msg is not None else ""


def _progress(core: SignupCore, session: Session, signup: Signup,
              existing_user_id: int | None = None) -> BankIdProgress:
    view = core.build_view(session, signup)
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
    return BankIdProgress(state, _message(signup, state, hint), hint, show_qr, None, view)


async def poll_bankid(core: SignupCore, secret: str) -> BankIdProgress:
    now = core.now()
    with session_scope(core.engine) as session:
        signup = core.load(session, secret, unrotated_ok=True)
        if signup.bankid_verified_at is not None and signup.step != Step.BANKID:
            # A late poll after completion: no ticket (the first observer got it; the
            # cookie holder can ask continue_ticket, e.g. after a reload).
            return _progress(core, session, signup)
        core.require(signup, Step.BANKID, action="poll_bankid")
        order_ref = signup.bankid_order_ref
        if order_ref is None or signup.bankid_last_status != "pending":
            if signup.bankid_last_status is None:
                raise SignupError("signup.wrong_step")  # nothing was started
            return _progress(core, session, signup)
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
            return _progress(core, session, signup)
        signup_id = signup.id
    assert signup_id is not None

    try:
        result = await _bankid_call(core.bankid.collect(order_ref))
    except bankid_errors.InvalidParameters:
        # The order is gone (cancelled elsewhere, or too old): start over with a button.
        return _finish_failed(core, signup_id, order_ref, "failed", None, error="invalidParameters")
    except bankid_errors.BankIdError as exc:
        security_event("bankid_collect_fail", level=logging.WARNING, signup=signup_id,
                       error=exc.error_code or type(exc).__name__)
        raise ServiceUnavailable("service.bankid") from exc

    if result.status == "pending":
        with session_scope(core.engine) as session:
            row = session.get(Signup, signup_id)
            assert row is not None
            if row.bankid_order_ref == order_ref:
                row.bankid_last_hint = result.hint_code
                core.touch(row)
                session.add(row)
            session.flush()
            return _progress(core, session, row)

    if result.status == "complete" and result.completion_data is not None:
        return complete(core, signup_id, order_ref, result.completion_data)

    hint = result.hint_code
    if result.status == "failed" and hint == "startFailed":
        renewed = await _renew(core, signup_id, order_ref)
        if renewed is not None:
            return renewed
    return _finish_failed(core, signup_id, order_ref, "failed", hint)


async def _renew(core: SignupCore, signup_id: int, order_ref: str) -> BankIdProgress | None:
    with Session(core.engine, expire_on_commit=False) as session:
        signup = session.get(Signup, signup_id)
        assert signup is not None
        session.expunge(signup)
    first = as_utc(signup.bankid_first_order_at)
    if signup.bankid_same_device or first is None or core.now() - first >= BANKID_RENEW_WINDOW:
        return None
    try:
        order = await _bankid_call(core.bankid.auth(_auth_request(core, signup)))
    except bankid_errors.BankIdError as exc:
        security_event("bankid_renew_fail", level=logging.WARNING, signup=signup_id,
                       error=exc.error_code or type(exc).__name__)
        return None
    now = core.now()
    with session_scope(core.engine) as session:
        row = session.get(Signup, signup_id)
        assert row is not None
        if row.bankid_order_ref != order_ref or row.step != Step.BANKID:
            await_cancel = order.order_ref
        else:
            await_cancel = None
            _store_order(row, order, now, last_collect_at=now)
            core.touch(row)
            session.add(row)
        session.flush()
        progress = _progress(core, session, row)
    if await_cancel:
        await _cancel_quietly(core, await_cancel)
    security_event("bankid_renewed", signup=signup_id)
    return progress


def _finish_failed(core: SignupCore, signup_id: int, order_ref: str, status: str,
                   hint: str | None, *, error: str | None = None) -> BankIdProgress:
    with session_scope(core.engine) as session:
        row = session.get(Signup, signup_id)
        assert row is not None
        if row.bankid_order_ref == order_ref and row.step == Step.BANKID:
            clear_order(row)
            row.bankid_last_status = "failed"
            row.bankid_last_hint = hint
            core.touch(row)
            session.add(row)
        session.flush()
        security_event("bankid_failed", level=logging.WARNING, signup=signup_id,
                       hint=hint, error=error)
        view = core.build_view(session, row)
        message = _message(row, "failed", hint, error)
        return BankIdProgress("failed", message, hint, False, None, view)


def complete(core: SignupCore, signup_id: int, order_ref: str,
             completion) -> BankIdProgress:  # noqa: ANN001
    """Persist completionData.user and move the step in ONE conditional UPDATE (this order,
    still BANKID): exactly one observer of the completion moves it and gets the continue
    ticket; any other gets the already stored progress."""
    person = completion.user
    verified = str(person.personal_number or "")
    try:
        parsed = parse_personnummer(verified)
    except SignupError:
        security_event("bankid_identity_invalid", level=logging.ERROR, signup=signup_id)
        return _finish_failed(core, signup_id, order_ref, "failed", None, error="identity")
    today = core.now().astimezone(SWEDEN).date()
    underage = parsed.age(today) < core.settings.minimum_age
    now = core.now()
    cleared = dict(bankid_order_ref=None, bankid_qr_start_token=None,
                   bankid_qr_start_secret=None, bankid_auto_start_token=None,
                   bankid_order_started_at=None, bankid_last_collect_at=None,
                   updated_at=now, expires_at=now + core.idle_timeout)
    ticket = existing = None
    with session_scope(core.engine) as session:
        if underage:  # the step stays BANKID: not a step change
            values: dict[str, object] = dict(cleared, bankid_last_status="failed",
                                             bankid_last_hint=None)
            moved = session.exec(  # type: ignore[call-overload]
                update(Signup).execution_options(synchronize_session=False)
                .where(Signup.id == signup_id, Signup.step == Step.BANKID.value,
                       Signup.bankid_order_ref == order_ref)
                .values(**values)
            ).rowcount
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
                continue_ticket_hash=secret_hash(ticket),
                continue_ticket_expires_at=now + core.continue_ticket_ttl,
                secret_rotated_at=None,
            )
            if existing is not None:
                values.update(user_id=existing, welcome_back=True)
            del values["updated_at"], values["expires_at"]  # change_step sets them
            try:
                core.change_step(session, signup_id, Step.BANKID,
                                 Step.DONE if existing is not None else Step.EMAIL,
                                 Signup.bankid_order_ref == order_ref, **values)
                moved = 1
            except SignupError:
                moved = 0
    if moved != 1:  # another poll (or a cancel) got there first
        with Session(core.engine) as session:
            row = session.get(Signup, signup_id)
            assert row is not None
            return _progress(core, session, row)
    if underage:
        security_event("bankid_underage", level=logging.WARNING, signup=signup_id)
        raise SignupError("bankid.underage", {"age": core.settings.minimum_age})
    security_event("bankid_complete", signup=signup_id,
                   who=mask_personnummer(parsed.number),
                   existing_account=existing is not None)
    with Session(core.engine) as session:
        row = session.get(Signup, signup_id)
        assert row is not None
        return replace(_progress(core, session, row, existing), continue_ticket=ticket)


def _return_to_personnummer(core: SignupCore, session: Session, row: Signup) -> Signup:
    """BANKID -> PERSONNUMMER: the order and its last status are forgotten, the number kept."""
    return core.change_step(
        session, row.id, Step.BANKID, Step.PERSONNUMMER,  # type: ignore[arg-type]
        bankid_order_ref=None, bankid_qr_start_token=None, bankid_qr_start_secret=None,
        bankid_auto_start_token=None, bankid_order_started_at=None,
        bankid_last_collect_at=None, bankid_last_status=None, bankid_last_hint=None,
    )


async def cancel_bankid(core: SignupCore, secret: str) -> SignupView:
    signup = core.snapshot(secret, Step.BANKID, action="cancel_bankid")
    await _cancel_quietly(core, signup.bankid_order_ref)
    with session_scope(core.engine) as session:
        row = session.get(Signup, signup.id)
        assert row is not None
        if row.step == Step.BANKID:
            row = _return_to_personnummer(core, session, row)
        security_event("bankid_cancelled", signup=signup.id)
        return core.build_view(session, row)

