"""Step 2: BankID for a signup, on the one BankID flow (kivra_app/bankid_flow).

What is the signup's own here: the start cap per signup, the owner ("signup:<id>"), and what a
completion means: the identity BankID returns must be the typed personnummer (#12 finding 4:
the order carries no requirement.personalNumber, so a mismatch is refused here, calmly, with
nothing stored), the person must be old enough, and exactly one observer moves the step and
gets the continue ticket, bound to the tab that started the order (#12 finding 1).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, update
from sqlmodel import Session, select

from kivra_app.bankid_flow import (
    BankIdFlow,
    Complete,
    Failed,
    FlowRefused,
    FlowUnavailable,
    Started,
    tab_hash,
)
from kivra_app.db import session_scope
from kivra_app.models import Signup, User
from kivra_app.signup.audit import security_event
from kivra_app.signup.core import SignupCore, secret_hash
from kivra_app.signup.errors import ServiceUnavailable, SignupError
from kivra_app.signup.steps import Step
from kivra_app.signup.validation import mask_personnummer, parse_personnummer
from kivra_app.signup.views import BankIdProgress, SignupView

BANKID_MAX_STARTS = 10
BANKID_START_WINDOW = timedelta(minutes=3)
SWEDEN = ZoneInfo("Europe/Stockholm")


def owner(signup_id: int | None) -> str:
    return f"signup:{signup_id}"


def flow_of(core: SignupCore) -> BankIdFlow:
    """The flow over this core's adapters (stateless: everything lives in bankid_order)."""
    return BankIdFlow(engine=core.engine, bankid=core.bankid, settings=core.settings,
                      clock=core.now)


async def start_bankid(core: SignupCore, secret: str, *, tab: str, end_user_ip: str,
                       same_device: bool, user_agent: str, return_url: str) -> Started:
    signup = await asyncio.to_thread(core.snapshot, secret, Step.BANKID, action="start_bankid")
    await asyncio.to_thread(_count_start, core, signup.id)  # type: ignore[arg-type]
    try:
        return await flow_of(core).start(
            "signup", owner(signup.id), tab=tab, end_user_ip=end_user_ip,
            user_agent=user_agent, same_device=same_device, return_url=return_url,
            language=signup.language,
        )
    except FlowUnavailable as exc:
        raise ServiceUnavailable("service.bankid", {"message": exc.message}) from exc
    except FlowRefused as exc:
        raise SignupError("signup.wrong_step") from exc


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


def current_bankid(core: SignupCore, secret: str, *, tab: str) -> Started | None:
    """After a reload: this tab's pending order of the signup (QR values read once), if any."""
    with Session(core.engine) as session:
        signup = core.load(session, secret)
        if signup.step != Step.BANKID:
            return None
        signup_id = signup.id
    flow = flow_of(core)
    order = flow.latest(owner(signup_id))
    if order is None or order.status != "pending" or order.tab_hash != tab_hash(tab):
        return None
    assert order.id is not None
    try:
        qr = flow.qr_source(order.id, owner(signup_id), tab)
    except FlowRefused:
        return None
    return Started(order.id, flow.message(order, "pending", order.hint), qr, None)


async def poll_bankid(core: SignupCore, secret: str, order_id: int, *,
                      tab: str) -> BankIdProgress:
    """One collect of this tab's order, and what it means for the signup."""
    loaded = await asyncio.to_thread(_load_for_poll, core, secret)
    if isinstance(loaded, BankIdProgress):
        return loaded  # a late poll after the completion: no ticket
    signup, view = loaded
    try:
        result = await flow_of(core).collect(order_id, owner(signup.id), tab=tab)
    except FlowRefused as exc:
        raise SignupError("signup.wrong_step") from exc
    except FlowUnavailable as exc:
        raise ServiceUnavailable("service.bankid", {"message": exc.message}) from exc
    if isinstance(result, Complete):
        return await asyncio.to_thread(complete, core, signup.id, result, tab=tab)  # type: ignore[arg-type]
    # Pending, renewed or failed: the collect moved the order, not the signup, so the view read
    # before it still holds (one read per collect instead of two; collects come every 2 s for
    # every waiting screen).
    return BankIdProgress(result, view)


def _load_for_poll(core: SignupCore, secret: str) -> tuple[Signup, SignupView] | BankIdProgress:
    with Session(core.engine, expire_on_commit=False) as session:
        signup = core.load(session, secret, unrotated_ok=True)
        if signup.bankid_verified_at is not None and signup.step != Step.BANKID:
            view = core.build_view(session, signup)
            return BankIdProgress(_done(signup.id), view,  # type: ignore[arg-type]
                                  signup.user_id if signup.welcome_back else None)
        core.require(signup, Step.BANKID, action="poll_bankid")
        view = core.build_view(session, signup)
        session.expunge(signup)
        return signup, view


def _done(signup_id: int) -> Complete:
    """The marker of an already finished BankID step (what a late poll gets)."""
    from kivra_app.bankid_flow import Person

    return Complete(0, Person("", "", "", ""), first=False)


def complete(core: SignupCore, signup_id: int, result: Complete, *, tab: str) -> BankIdProgress:
    """Move the signup on after BankID: in ONE transaction the order is consumed and the step
    moves (conditional on BANKID), so exactly one observer moves it and gets the continue
    ticket; another gets the stored progress. A mismatch or an underage person is refused,
    with nothing of the identity stored."""
    flow = flow_of(core)
    try:
        parsed = parse_personnummer(result.person.personnummer)
    except SignupError:
        security_event("bankid_identity_invalid", level=logging.ERROR, signup=signup_id)
        return _refused(core, signup_id, result, "bankid.identity")
    now = core.now()
    with session_scope(core.engine) as session:
        signup = session.get(Signup, signup_id)
        assert signup is not None
        if signup.step != Step.BANKID:
            return BankIdProgress(result, core.build_view(session, signup))
        typed = signup.personnummer_typed
    if parsed.number != typed:
        security_event("bankid_identity_mismatch", level=logging.WARNING, signup=signup_id)
        return _refused(core, signup_id, result, "bankid.mismatch")
    if parsed.age(now.astimezone(SWEDEN).date()) < core.settings.minimum_age:
        security_event("bankid_underage", level=logging.WARNING, signup=signup_id)
        _refused(core, signup_id, result, None)
        raise SignupError("bankid.underage", {"age": core.settings.minimum_age})
    ticket = secrets.token_urlsafe(32)
    person = result.person
    with session_scope(core.engine) as session:
        existing = session.exec(select(User.id).where(User.personnummer == parsed.number)).first()
        values: dict[str, object] = dict(
            verified_personnummer=parsed.number,
            verified_given_name=person.given_name[:200], verified_surname=person.surname[:200],
            verified_name=person.name[:400], bankid_verified_at=now,
            continue_ticket_hash=secret_hash(ticket),
            continue_ticket_expires_at=now + core.continue_ticket_ttl,
            continue_tab_hash=tab_hash(tab), secret_rotated_at=None,
        )
        if existing is not None:
            values.update(user_id=existing, welcome_back=True)
        moved = flow.consume(session, result.order_id)
        if moved:
            try:
                core.change_step(session, signup_id, Step.BANKID,
                                 Step.DONE if existing is not None else Step.EMAIL, **values)
            except SignupError:
                moved = False
        if not moved:
            session.rollback()
    if not moved:  # another observer (or a cancel) got there first
        return BankIdProgress(result, core.view_by_id(signup_id))
    security_event("bankid_signup_complete", signup=signup_id,
                   who=mask_personnummer(parsed.number), existing_account=existing is not None)
    return BankIdProgress(result, core.view_by_id(signup_id), existing, continue_ticket=ticket)


def _refused(core: SignupCore, signup_id: int, result: Complete,
             key: str | None) -> BankIdProgress:
    """This identification can do nothing more (consumed); the signup stays at BankID, with
    only a failed state to show ('Försök igen')."""
    with session_scope(core.engine) as session:
        flow_of(core).consume(session, result.order_id)
    if key is None:
        return BankIdProgress(Failed(result.order_id, ""), core.view_by_id(signup_id))
    raise SignupError(key)


async def cancel_bankid(core: SignupCore, secret: str) -> SignupView:
    signup = await asyncio.to_thread(core.snapshot, secret, Step.BANKID, action="cancel_bankid")
    await flow_of(core).cancel(owner(signup.id))
    return await asyncio.to_thread(_back_to_personnummer, core, signup.id)


def _back_to_personnummer(core: SignupCore, signup_id: int) -> SignupView:
    """BANKID -> PERSONNUMMER: the typed number is kept."""
    with session_scope(core.engine) as session:
        core.change_step(session, signup_id, Step.BANKID, Step.PERSONNUMMER)
    security_event("bankid_cancelled", signup=signup_id)
    return core.view_by_id(signup_id)
