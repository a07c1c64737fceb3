"""The one BankID flow (kivra_app/bankid_flow) with an injected clock and a scripted BankID."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import Session

from kivra_app.bankid import errors as bankid_errors
from kivra_app.bankid.qr import qr_data
from kivra_app.bankid_flow import (
    BankIdFlow,
    Complete,
    Failed,
    FlowRefused,
    FlowUnavailable,
    Pending,
    Renewed,
    service,
)
from kivra_app.bankid_flow.service import BUSY_GRACE, COLLECT_RETRY, TRANSIENT_GRACE
from kivra_app.models import BankIdOrder, as_utc
from tests.unit.conftest import ADULT
from tests.unit.fakes import bankid_down

DESKTOP = "Mozilla/5.0 (X11; Linux x86_64)"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"
OWNER = "login:owner-a"
TAB = "tab-token-a"


@pytest.fixture
def flow(engine, bankid, settings, clock) -> BankIdFlow:
    return BankIdFlow(engine=engine, bankid=bankid, settings=settings, clock=clock)


async def start(flow, *, same_device=False, ua=DESKTOP, owner=OWNER, tab=TAB, lang="sv",
                purpose="login", **extra):
    return await flow.start(purpose, owner, tab=tab, end_user_ip="192.0.2.10", user_agent=ua,
                            same_device=same_device, return_url="http://localhost/login",
                            language=lang, **extra)


def row(engine, order_id) -> BankIdOrder:
    with Session(engine) as session:
        return session.get(BankIdOrder, order_id)


async def test_start_sends_no_personal_number_and_draws_the_qr_without_io(flow, bankid, engine,
                                                                          clock):
    started = await start(flow)
    request = bankid.auth_requests[-1]
    assert request.requirement is None  # #12 finding 4: nobody can block a person's BankID
    assert request.return_url is None  # a QR order has no returnUrl
    stored = row(engine, started.order_id)
    queries: list[str] = []
    listener = lambda *args: queries.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        first = started.qr.frame(clock())
        clock.advance(3.7)
        later = started.qr.frame(clock())
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert queries == []
    assert first == qr_data(stored.qr_start_token, stored.qr_start_secret, 0)
    assert later == qr_data(stored.qr_start_token, stored.qr_start_secret, 3)
    assert stored.qr_start_secret not in later


async def test_the_next_frame_is_due_at_the_next_whole_second_since_t0(flow, clock):
    qr = (await start(flow)).qr
    clock.advance(3.7)
    wait = qr.until_next(clock())
    assert abs(wait - 0.3) < 1e-6
    clock.advance(wait)
    assert qr.frame(clock()).split(".")[2] == "4"


async def test_same_device_gets_a_launch_link_and_no_qr(flow):
    started = await start(flow, same_device=True, ua=IPHONE)
    assert started.qr is None
    assert started.launch_url.startswith("https://app.bankid.com/?autostarttoken=")


async def test_sign_orders_carry_the_visible_and_hidden_data(flow, bankid, clock):
    started = await start(flow, purpose="sign", owner="user:7",
                          user_visible_data="Betala 120 kr till Elbolaget",
                          user_non_visible_data=b"invoice:42")
    request = bankid.sign_requests[-1]
    assert request.user_visible_text == "Betala 120 kr till Elbolaget"
    assert request.user_non_visible_data == b"invoice:42"
    bankid.complete(ADULT)
    clock.advance(2)
    result = await flow.collect(started.order_id, "user:7", tab=TAB)
    assert isinstance(result, Complete) and result.person.personnummer == ADULT


async def test_a_sign_order_needs_a_visible_text(flow):
    with pytest.raises(FlowRefused):
        await start(flow, purpose="sign", owner="user:7")


async def test_pending_hints_give_device_aware_texts_in_both_languages(flow, bankid, clock):
    started = await start(flow, lang="en")
    bankid.pending("started")
    result = await flow.collect(started.order_id, OWNER, tab=TAB)
    assert isinstance(result, Pending)
    assert result.message.startswith("Searching for BankID")  # RFA15A: a computer
    assert result.show_qr is False  # the app has the order: the QR goes
    assert result.next_collect_in == 1.0  # approval is near: collect every second
    phone = await start(flow, same_device=True, ua=IPHONE, owner="login:b", tab="tab-b")
    bankid.pending("started")
    clock.advance(2)
    result = await flow.collect(phone.order_id, "login:b", tab="tab-b")
    assert "Söker efter BankID" in result.message  # RFA15B (sv), a phone


async def test_collect_is_at_most_once_a_second(flow, bankid, clock):
    started = await start(flow)
    await flow.collect(started.order_id, OWNER, tab=TAB)
    clock.advance(0.5)
    again = await flow.collect(started.order_id, OWNER, tab=TAB)
    assert isinstance(again, Pending)
    assert len(bankid.collect_calls) == 1
    clock.advance(0.6)
    await flow.collect(started.order_id, OWNER, tab=TAB)
    assert len(bankid.collect_calls) == 2


async def test_two_concurrent_collects_make_one_bankid_call(flow, bankid, engine, settings,
                                                            clock):
    """Two tabs / two processes (two flow objects over one database) at the same moment."""
    started = await start(flow)
    other_process = BankIdFlow(engine=engine, bankid=bankid, settings=settings, clock=clock)
    bankid.collect_gate = asyncio.Event()
    bankid.complete(ADULT)
    first = asyncio.create_task(flow.collect(started.order_id, OWNER, tab=TAB))
    for _ in range(200):  # wait until the first collect is inside BankID
        if bankid.collect_calls:
            break
        await asyncio.sleep(0.01)
    assert len(bankid.collect_calls) == 1
    clock.advance(5)  # even later than the 1 s spacing: the claim, not the time, stops it
    second = await other_process.collect(started.order_id, OWNER, tab=TAB)
    assert isinstance(second, Pending)
    bankid.collect_gate.set()
    result = await first
    assert isinstance(result, Complete) and result.first
    assert len(bankid.collect_calls) == 1


async def test_complete_is_persisted_before_it_is_returned_and_reported_once(flow, bankid,
                                                                              engine, clock):
    started = await start(flow)
    bankid.complete(ADULT, given="Karin")
    result = await flow.collect(started.order_id, OWNER, tab=TAB)
    assert isinstance(result, Complete) and result.first
    stored = row(engine, started.order_id)
    assert (stored.status, stored.personnummer, stored.given_name) == ("complete", ADULT, "Karin")
    assert stored.qr_start_secret is None
    clock.advance(2)
    again = await flow.collect(started.order_id, OWNER, tab=TAB)
    assert isinstance(again, Complete) and not again.first
    assert len(bankid.collect_calls) == 1  # BankID hands a result over once: never asked again


async def test_start_failed_renews_silently_then_gives_up_after_three_minutes(flow, bankid,
                                                                               clock):
    started = await start(flow)
    seen = [started.qr.token]
    for _ in range(5):  # five unopened 30-second orders: 2.5 minutes
        clock.advance(30)
        bankid.fail("startFailed")
        result = await flow.collect(started.order_id, OWNER, tab=TAB)
        assert isinstance(result, Renewed)
        assert result.qr.token not in seen  # a new order, a new animation
        assert result.qr.frame(clock()).split(".")[2] == "0"  # from the new t0
        seen.append(result.qr.token)
    clock.advance(31)  # 3 min 1 s after the person's start
    bankid.fail("startFailed")
    result = await flow.collect(started.order_id, OWNER, tab=TAB)
    assert isinstance(result, Failed) and result.hint == "startFailed"
    assert "QR-koden" in result.message or "BankID" in result.message
    assert len(bankid.auth_requests) == 6
    assert result.next_collect_in is None  # the loop stops


async def test_an_autostart_order_is_not_renewed(flow, bankid, clock):
    started = await start(flow, same_device=True, ua=IPHONE)
    bankid.fail("startFailed")
    result = await flow.collect(started.order_id, OWNER, tab=TAB)
    assert isinstance(result, Failed)
    assert len(bankid.auth_requests) == 1


async def test_a_cancel_during_a_renewal_wins_and_the_new_order_is_cancelled(flow, bankid,
                                                                              clock):
    started = await start(flow)
    clock.advance(30)
    bankid.fail("startFailed")
    original_auth = bankid.auth

    async def auth_racing_a_cancel(request):  # noqa: ANN001
        await flow.cancel(OWNER)  # the person presses Avbryt while BankID makes the new order
        return await original_auth(request)

    bankid.auth = auth_racing_a_cancel
    result = await flow.collect(started.order_id, OWNER, tab=TAB)
    assert isinstance(result, Failed) and result.hint == "cancelled"
    assert bankid.cancelled[-1] == bankid.orders[-1]  # the order nobody will scan is gone


async def test_collect_answered_with_invalid_parameters_is_a_dead_order(flow, bankid, engine):
    started = await start(flow)
    bankid.collect_error = bankid_errors.InvalidParameters(
        "No such order", error_code="invalidParameters", http_status=400)
    result = await flow.collect(started.order_id, OWNER, tab=TAB)
    assert isinstance(result, Failed) and result.error == "invalidParameters"
    assert result.message  # RFA22, not a raw error
    assert row(engine, started.order_id).status == "failed"


async def test_bankid_unreachable_during_collect_is_retried_quietly_then_given_up(
        flow, bankid, engine, clock):
    started = await start(flow)
    bankid.collect_error = bankid_down()
    first = await flow.collect(started.order_id, OWNER, tab=TAB)
    # Still waiting for the person, the same text and QR; the next try comes later.
    assert isinstance(first, Pending) and first.show_qr and first.message
    assert first.next_collect_in == COLLECT_RETRY
    stored = row(engine, started.order_id)
    assert stored.status == "pending" and stored.collect_claim_until is None
    clock.advance(TRANSIENT_GRACE.total_seconds() - 1)
    assert isinstance(await flow.collect(started.order_id, OWNER, tab=TAB), Pending)
    clock.advance(2)  # no answer from BankID for longer than the grace: RFA5
    with pytest.raises(FlowUnavailable) as info:
        await flow.collect(started.order_id, OWNER, tab=TAB)
    assert info.value.message
    assert len(bankid.collect_calls) == 3
    bankid.collect_error = None
    clock.advance(1)
    bankid.complete(ADULT)
    assert isinstance(await flow.collect(started.order_id, OWNER, tab=TAB), Complete)


async def test_an_answer_resets_the_grace_for_a_later_blip(flow, bankid, clock):
    started = await start(flow)
    clock.advance(TRANSIENT_GRACE.total_seconds() + 5)
    bankid.pending("outstandingTransaction")
    assert isinstance(await flow.collect(started.order_id, OWNER, tab=TAB), Pending)
    clock.advance(2)
    bankid.collect_error = bankid_errors.BankIdTimeout("timeout")
    assert isinstance(await flow.collect(started.order_id, OWNER, tab=TAB), Pending)


async def test_a_collect_our_own_pool_could_not_send_waits_for_the_order_not_the_grace(
        flow, bankid, engine, clock):
    """Overloaded (every connection busy, nothing sent): the person keeps the QR well past
    the 30 s grace, for as long as BankID may hold the order (~3 min); a completion that a
    collect then gets through to is not lost. A network failure is still given up at 30 s."""
    started = await start(flow)
    bankid.collect_error = bankid_errors.BankIdBusy("no free connection in time")
    clock.advance(TRANSIENT_GRACE.total_seconds() + 60)
    waiting = await flow.collect(started.order_id, OWNER, tab=TAB)
    assert isinstance(waiting, Pending) and waiting.next_collect_in == COLLECT_RETRY
    assert row(engine, started.order_id).collect_claim_until is None
    bankid.collect_error = None
    bankid.complete(ADULT)
    clock.advance(2)
    assert isinstance(await flow.collect(started.order_id, OWNER, tab=TAB), Complete)
    # Past the order's lifetime at BankID, still busy: the calm RFA5 at last.
    late = await start(flow, owner="signup:2")
    bankid.collect_error = bankid_errors.BankIdBusy("no free connection in time")
    clock.advance(BUSY_GRACE.total_seconds() + 1)
    with pytest.raises(FlowUnavailable):
        await flow.collect(late.order_id, "signup:2", tab=TAB)


async def test_a_timeout_just_after_a_busy_spell_is_retried_the_grace_counts_from_it(
        flow, bankid, engine, clock):
    """At 1,000 signups in flight, collects waited in our pool for more than 30 s (BankIdBusy,
    nothing sent) and the first one that got through then timed out at the overloaded
    BankID: it was given up at once ("Något gick fel"), the grace having run since the last
    answer, while BankID had not been asked. The grace runs from the last unsent collect."""
    started = await start(flow)
    bankid.collect_error = bankid_errors.BankIdBusy("no free connection in time")
    clock.advance(TRANSIENT_GRACE.total_seconds() + 20)
    assert isinstance(await flow.collect(started.order_id, OWNER, tab=TAB), Pending)
    bankid.collect_error = bankid_errors.BankIdTimeout("timeout")
    clock.advance(COLLECT_RETRY)
    retried = await flow.collect(started.order_id, OWNER, tab=TAB)
    assert isinstance(retried, Pending) and retried.next_collect_in == COLLECT_RETRY
    # Asked and unanswered for longer than the grace since that unsent collect: RFA5.
    clock.advance(TRANSIENT_GRACE.total_seconds())
    with pytest.raises(FlowUnavailable):
        await flow.collect(started.order_id, OWNER, tab=TAB)
    assert row(engine, started.order_id).status == "pending"  # BankID may still end it


async def test_an_unsent_collect_never_moves_a_newer_answer_back(flow, engine, clock):
    """Its time is when our pool gave up; another process may have stored an answer since."""
    started = await start(flow)
    stored = row(engine, started.order_id)
    answered = as_utc(stored.updated_at)
    flow._release(started.order_id, stored.order_ref, answered - timedelta(seconds=5))
    assert as_utc(row(engine, started.order_id).updated_at) == answered
    flow._release(started.order_id, stored.order_ref, answered + timedelta(seconds=5))
    assert as_utc(row(engine, started.order_id).updated_at) == answered + timedelta(seconds=5)


async def test_a_busy_collect_past_the_orders_lifetime_moves_no_grace(flow, bankid, clock):
    """Past BUSY_GRACE a busy collect fails, and it must not start a new 30 s window for a
    network failure either: BankID no longer holds the order."""
    started = await start(flow)
    bankid.collect_error = bankid_errors.BankIdBusy("no free connection in time")
    clock.advance(BUSY_GRACE.total_seconds() + 10)
    with pytest.raises(FlowUnavailable):
        await flow.collect(started.order_id, OWNER, tab=TAB)
    bankid.collect_error = bankid_errors.BankIdTimeout("timeout")
    clock.advance(COLLECT_RETRY)
    with pytest.raises(FlowUnavailable):
        await flow.collect(started.order_id, OWNER, tab=TAB)


async def test_cancelling_two_pending_orders_takes_one_calls_bound_not_two(
        flow, bankid, engine, monkeypatch):
    """Two tabs of one owner can leave two pending orders; the locked handler that cancels
    them waits for BankID once (CALL_TIMEOUT), as the state lock is sized for, not once per
    order."""
    first = await start(flow, tab="tab-1")
    second = await start(flow, tab="tab-2")
    with Session(engine) as session:  # the race: both still pending
        session.get(BankIdOrder, first.order_id).status = "pending"
        session.commit()

    waiting: list[str] = []
    at_once: list[int] = []

    async def never_answers(ref):  # noqa: ANN001
        waiting.append(ref)
        at_once.append(len(waiting))
        try:
            await asyncio.sleep(3600)
        finally:
            waiting.remove(ref)

    bankid.cancel = never_answers
    monkeypatch.setattr(service, "CALL_TIMEOUT", 0.05)
    assert await asyncio.wait_for(flow.cancel(OWNER), 5) == 2
    assert max(at_once) == 2  # both asked before either timed out (one after another: 1)
    assert {row(engine, o.order_id).status for o in (first, second)} == {"cancelled"}


@pytest.mark.parametrize("error", [
    bankid_errors.InternalError("fault", error_code="internalError", http_status=500),
    bankid_errors.RequestTimeout("slow", error_code="requestTimeout", http_status=408),
    bankid_errors.BankIdTlsError("untrusted certificate"),
])
async def test_bankids_own_errors_and_tls_failures_are_not_retried(flow, bankid, engine, error):
    started = await start(flow)
    bankid.collect_error = error
    with pytest.raises(FlowUnavailable):
        await flow.collect(started.order_id, OWNER, tab=TAB)
    stored = row(engine, started.order_id)
    assert stored.status == "pending" and stored.collect_claim_until is None


async def test_another_owner_or_tab_is_refused_and_logged(flow, bankid, caplog):
    started = await start(flow)
    bankid.complete(ADULT)
    caplog.set_level(logging.WARNING)
    with pytest.raises(FlowRefused):
        await flow.collect(started.order_id, "login:someone-else", tab=TAB)
    with pytest.raises(FlowRefused):
        await flow.collect(started.order_id, OWNER, tab="another-tab-same-cookie")
    with pytest.raises(FlowRefused):
        await flow.collect("1; DROP TABLE", OWNER, tab=TAB)  # type: ignore[arg-type]
    assert bankid.collect_calls == []  # nobody but the starting tab reaches the result
    assert sum("sequence_fail" in r.getMessage() for r in caplog.records) == 3


async def test_a_new_start_cancels_the_owners_pending_order(flow, bankid, engine):
    first = await start(flow)
    await start(flow)
    assert bankid.cancelled == [bankid.orders[0]]
    assert row(engine, first.order_id).status == "cancelled"


async def test_a_cancel_bankid_never_answers_ends_within_one_calls_bound(flow, bankid, engine,
                                                                        monkeypatch):
    """A locked handler awaits the cancel (the state lock is sized for one BankID call): a
    BankID that never answers must not hold it longer. The order is cancelled here at once."""
    started = await start(flow)

    async def never_answers(ref):  # noqa: ANN001
        await asyncio.sleep(3600)

    bankid.cancel = never_answers
    monkeypatch.setattr(service, "CALL_TIMEOUT", 0.05)
    assert await asyncio.wait_for(flow.cancel(OWNER), 5) == 1
    assert row(engine, started.order_id).status == "cancelled"


async def test_bankid_down_at_start_is_a_calm_message(flow, bankid):
    bankid.auth_error = bankid_down()
    with pytest.raises(FlowUnavailable) as info:
        await start(flow)
    assert info.value.message and "Error" not in info.value.message


async def test_an_identity_that_is_not_a_personnummer_fails_the_order(flow, bankid):
    started = await start(flow)
    bankid.complete("not-a-number")
    result = await flow.collect(started.order_id, OWNER, tab=TAB)
    assert isinstance(result, Failed) and result.error == "identity"
