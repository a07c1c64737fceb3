"""The security review's service-level findings: the secret is rotated after BankID (R-24), the
login ticket is issued once and bound to its signup, and BankID starts are capped."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from kivra_app.auth import sessions
from kivra_app.models import LoginTicket, Signup
from kivra_app.signup.errors import SignupError
from kivra_app.signup.service import BANKID_MAX_STARTS, Step
from tests.unit.conftest import ADULT, TAB
from tests.unit.fakes import make_pnr

IP = "192.0.2.10"
UA = "Mozilla/5.0 (X11; Linux x86_64)"


def _row(engine, signup_id: int | None = None) -> Signup:
    with Session(engine) as session:
        rows = session.exec(select(Signup).order_by(Signup.id)).all()
        return next(r for r in rows if signup_id is None or r.id == signup_id)


async def _completed(flow, pnr: str = ADULT):
    """BankID done, not yet rotated: (pre-BankID secret, progress of the completing poll)."""
    secret = await flow.to_bankid(pnr)
    flow.bankid.complete(pnr)
    progress = await flow.poll(secret)
    assert progress.state == "complete"
    return secret, progress


async def _expect(key: str, call) -> None:  # noqa: ANN001
    with pytest.raises(SignupError) as info:
        result = call()
        if hasattr(result, "__await__"):
            await result
    assert info.value.key == key


# ------------------------------------------------------------------ rotation (finding 1a)


async def test_bankid_completion_rotates_the_secret(flow, svc, engine, mailer):
    old, progress = await _completed(flow)
    ticket = progress.continue_ticket
    assert ticket and len(ticket) >= 43
    before = _row(engine)
    assert before.continue_ticket_hash == hashlib.sha256(ticket.encode()).hexdigest()
    assert before.secret_rotated_at is None

    # The pre-BankID secret can do nothing after BankID but continue.
    view = svc.view(old)
    assert view.continue_required and view.step == Step.EMAIL
    assert (view.given_name, view.personnummer_masked, view.user_id) == ("", "", None)
    await _expect("signup.wrong_step", lambda: svc.submit_contact("email", old, "k@example.se",
                                                                client_ip=IP))
    await _expect("signup.wrong_step", lambda: svc.set_language(old, "en"))
    assert mailer.codes == []

    new = svc.rotate_secret(old, ticket)
    assert new and new != old and len(new) >= 43
    after = _row(engine)
    assert after.secret_hash == hashlib.sha256(new.encode()).hexdigest() != before.secret_hash
    assert after.continue_ticket_hash is None and after.secret_rotated_at is not None
    # The old secret is dead; the ticket is single-use; the new secret continues.
    assert svc.view(old) is None
    assert svc.rotate_secret(old, ticket) is None and svc.rotate_secret(new, ticket) is None
    await _expect("signup.expired", lambda: svc.submit_contact("email", old, "k@example.se", client_ip=IP))
    view = svc.view(new)
    assert not view.continue_required and view.given_name == "Karin"
    await svc.submit_contact("email", new, "k@example.se", client_ip=IP)
    await _expect("signup.wrong_step", lambda: svc.continue_ticket(new, tab=TAB))  # nothing to rotate


async def test_only_the_first_observer_gets_the_ticket(flow, svc, engine, bankid, clock):
    from kivra_app.signup import bankid_step

    secret = await flow.to_bankid()
    bankid.complete(ADULT)
    first = await flow.poll(secret)
    # The same completion observed again (another worker that read it from bankid_order):
    again = bankid_step.complete(svc._core, _row(engine).id, first.result, tab=TAB)
    assert first.continue_ticket and again.continue_ticket is None
    assert again.state == "complete"
    clock.advance(2)
    late = await flow.poll(secret)  # a late poll with the same (old) secret
    assert late.state == "complete" and late.continue_ticket is None
    assert late.view.continue_required
    assert svc.rotate_secret(secret, first.continue_ticket)


async def test_another_tab_with_the_same_cookie_cannot_take_the_continue_ticket(flow, svc,
                                                                               bankid, clock):
    """#12 finding 1: an attacker's tab holding the victim's (planted) signup cookie polls
    the victim's order and asks for a continue ticket: both refused; the victim's tab gets it."""
    secret = await flow.to_bankid()
    bankid.complete(ADULT)
    await _expect("signup.wrong_step", lambda: flow.poll(secret, tab="attacker-tab"))
    assert bankid.collect_calls == []  # the attacker's poll never reached BankID
    victim = await flow.poll(secret)
    assert victim.continue_ticket
    await _expect("signup.wrong_step", lambda: svc.continue_ticket(secret, tab="attacker-tab"))
    fresh = svc.continue_ticket(secret, tab=TAB)  # the victim's tab after a reload
    assert svc.rotate_secret(secret, fresh)


async def test_concurrent_polls_hand_out_one_ticket(flow, svc, bankid, clock):
    secret = await flow.to_bankid()
    bankid.complete(ADULT)
    bankid.complete(ADULT)  # BankID answers "complete" to every collect of the order
    together = await asyncio.gather(*(flow.poll(secret) for _ in range(3)))
    clock.advance(2)
    later = await asyncio.gather(*(flow.poll(secret) for _ in range(2)))
    results = [*together, *later]
    assert [p.state for p in later] == ["complete", "complete"]
    assert [bool(p.continue_ticket) for p in results].count(True) == 1


async def test_a_reload_before_rotation_gets_a_fresh_ticket(flow, svc, clock):
    old, progress = await _completed(flow)
    lost = progress.continue_ticket  # e.g. the redirect never happened
    again = svc.continue_ticket(old, tab=TAB)
    assert again and again != lost
    assert svc.rotate_secret(old, lost) is None  # only the latest ticket is live
    clock.advance(svc.settings.continue_ticket_ttl)
    assert svc.rotate_secret(old, again) is None  # 120 s
    third = svc.continue_ticket(old, tab=TAB)
    assert svc.rotate_secret(old, third)


async def test_a_ticket_needs_the_cookie_of_its_own_signup(flow, svc):
    victim_old, victim = await _completed(flow)
    other_old, _ = await _completed(flow, make_pnr("19700101", "239"))
    assert svc.rotate_secret(other_old, victim.continue_ticket) is None
    assert svc.rotate_secret("forged", victim.continue_ticket) is None
    assert svc.rotate_secret(victim_old, "forged") is None
    assert svc.rotate_secret(victim_old, None) is None
    assert svc.rotate_secret(victim_old, victim.continue_ticket)


async def test_no_continue_ticket_before_bankid(flow, svc):
    secret = await flow.to_bankid()
    await _expect("signup.wrong_step", lambda: svc.continue_ticket(secret, tab=TAB))
    await _expect("signup.expired", lambda: svc.continue_ticket("unknown", tab=TAB))


async def test_existing_account_also_rotates(flow, svc):
    await flow.to_done()
    old, progress = await _completed(flow)
    assert progress.existing_user_id and progress.view.continue_required
    await _expect("signup.wrong_step", lambda: svc.issue_login_ticket(old))
    new = svc.rotate_secret(old, progress.continue_ticket)
    assert svc.view(new).welcome_back and svc.issue_login_ticket(new)


# ------------------------------------------------------------------ one login ticket (1b, 5)


async def test_the_login_ticket_is_issued_once_and_closes_the_signup(flow, svc, engine):
    secret = await flow.to_done()
    expires_before = _row(engine).expires_at
    ticket = svc.issue_login_ticket(secret)
    row = _row(engine)
    assert row.closed_at is not None and row.expires_at == expires_before  # not extended
    await _expect("signup.expired", lambda: svc.issue_login_ticket(secret))
    assert svc.view(secret) is None
    with Session(engine) as session:
        tickets = session.exec(select(LoginTicket)).all()
    assert len(tickets) == 1 and tickets[0].signup_id == row.id
    assert sessions.claim_ticket(engine, ticket, signup_secret=secret, now=flow.clock.now)


async def test_a_login_ticket_is_refused_without_its_signups_cookie(flow, svc, engine, clock):
    secret = await flow.to_done()
    ticket = svc.issue_login_ticket(secret)
    other = flow.begin()  # the attacker's (or any other) signup cookie
    for presented in (None, "", other, secret + "x"):
        assert sessions.claim_ticket(engine, ticket, signup_secret=presented,
                                     now=clock.now) is None
    # A refused binding does not burn the ticket for its owner.
    assert sessions.claim_ticket(engine, ticket, signup_secret=secret, now=clock.now)


async def test_a_ticket_without_a_signup_is_refused(flow, svc, engine, clock):
    secret = await flow.to_done()
    user_id = svc.view(secret).user_id
    with Session(engine) as session:
        ticket = sessions.new_token()
        session.add(LoginTicket(token_hash=sessions.token_hash(ticket), user_id=user_id,
                                created_at=clock.now, expires_at=clock.now + timedelta(seconds=60)))
        session.commit()
    assert sessions.claim_ticket(engine, ticket, signup_secret=secret, now=clock.now) is None


# ------------------------------------------------------------------ BankID start cap (3)


async def _start(flow, secret: str) -> None:
    await flow.start(secret, same_device=False, user_agent=UA)


async def test_bankid_starts_are_capped_per_signup(flow, svc, bankid, clock, caplog):
    secret = flow.begin()
    svc.submit_personnummer(secret, ADULT)
    for _ in range(BANKID_MAX_STARTS):
        await _start(flow, secret)
        clock.advance(1)
    assert len(bankid.auth_requests) == BANKID_MAX_STARTS
    await _expect("bankid.start_limit", lambda: _start(flow, secret))
    assert len(bankid.auth_requests) == BANKID_MAX_STARTS  # no /auth call
    assert "excess_rate_limit_exceeded" in caplog.text
    # Another signup is not affected; the window passes.
    other = flow.begin()
    svc.submit_personnummer(other, make_pnr("19700101", "239"))
    await _start(flow, other)
    clock.advance(180)
    await _start(flow, secret)
    assert len(bankid.auth_requests) == BANKID_MAX_STARTS + 2


async def test_silent_renewals_do_not_count_as_starts(flow, svc, bankid, engine, clock):
    from kivra_app.bankid.models import CollectResponse

    secret = await flow.to_bankid()
    for _ in range(3):
        bankid.scripts[bankid.last_order].append(
            CollectResponse(order_ref=bankid.last_order, status="failed", hint_code="startFailed"))
        clock.advance(30)
        assert (await flow.poll(secret)).state == "pending"  # renewed
    assert len(bankid.auth_requests) == 4 and _row(engine).bankid_start_count == 1
