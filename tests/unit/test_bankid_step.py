"""Step 2: BankID order, polling, silent renewal, identity from completionData, welcome back."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from kivra_app.bankid import errors as bankid_errors
from kivra_app.bankid_flow.service import TRANSIENT_GRACE
from kivra_app.models import Signup
from kivra_app.signup.errors import ServiceUnavailable, SignupError
from kivra_app.signup.service import Step
from tests.unit.conftest import ADULT, TAB
from tests.unit.fakes import bankid_down, make_pnr

IP = "192.0.2.10"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64)"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"


def stored(engine) -> Signup:
    with Session(engine) as session:
        return session.exec(select(Signup).order_by(Signup.id.desc())).first()


async def test_order_carries_no_personal_number_requirement(flow, bankid):
    """#12 finding 4: a typed number must not let anyone block that person's BankID."""
    await flow.to_bankid("19850709-9805")
    request = bankid.auth_requests[-1]
    assert request.requirement is None
    assert "personalNumber" not in str(request.to_json())
    assert request.end_user_ip == IP
    assert request.return_url is None  # QR flow


async def test_same_device_gets_a_launch_link(flow, svc, bankid):
    secret = flow.begin()
    svc.submit_personnummer(secret, ADULT)
    start = await flow.start(secret, same_device=True, user_agent=DESKTOP)
    assert start.launch_url.startswith("bankid:///?autostarttoken=")
    assert start.qr is None
    start = await flow.start(secret, same_device=True, user_agent=IPHONE)
    assert start.launch_url.startswith("https://app.bankid.com/?autostarttoken=")
    assert bankid.auth_requests[-1].return_url == "http://localhost:8000/signup"
    assert bankid.cancelled == [bankid.orders[0]]  # the earlier order was cancelled first


async def test_a_reloaded_tab_gets_its_own_order_back_and_another_tab_does_not(flow, svc,
                                                                             clock):
    secret = await flow.to_bankid()
    again = svc.current_bankid(secret, tab=TAB)
    assert again.order_id == flow.order_id and again.qr is not None
    clock.advance(3.7)
    assert again.qr.frame(clock()).split(".")[2] == "3"
    assert svc.current_bankid(secret, tab="another-tab") is None


async def test_polling_is_rate_limited_to_once_per_second(flow, svc, bankid, clock):
    secret = await flow.to_bankid()
    first = await flow.poll(secret)
    second = await flow.poll(secret)
    assert len(bankid.collect_calls) == 1
    assert first.state == second.state == "pending" and first.show_qr
    assert first.message == "Starta BankID-appen."
    clock.advance(1)
    await flow.poll(secret)
    assert len(bankid.collect_calls) == 2


async def test_pending_hint_hides_the_qr_once_the_app_has_the_order(flow, svc, bankid, clock):
    secret = await flow.to_bankid()
    bankid.pending("userSign")
    progress = await flow.poll(secret)
    assert (progress.state, progress.result.hint, progress.show_qr) == ("pending", "userSign",
                                                                        False)
    assert "säkerhetskod" in progress.message


async def test_start_failed_renews_silently_for_three_minutes(flow, svc, bankid, clock):
    secret = await flow.to_bankid()
    first_order = bankid.last_order
    for _ in range(5):  # about every 30 s an unused order fails; renewed within 3 minutes
        clock.advance(30)
        bankid.fail("startFailed")
        progress = await flow.poll(secret)
        assert progress.state == "pending" and progress.show_qr
    assert len(bankid.orders) == 6 and bankid.last_order != first_order
    clock.advance(30)  # 180 s after the user pressed start: no more renewals
    bankid.fail("startFailed")
    progress = await flow.poll(secret)
    assert progress.state == "failed" and progress.result.hint == "startFailed"
    assert progress.message.startswith("Misslyckades att läsa av QR-koden")
    assert progress.view.step == Step.BANKID
    # the user can start again
    await flow.start(secret, same_device=False, user_agent=DESKTOP)
    assert (await flow.poll(secret)).state == "pending"


async def test_user_cancel_in_app_fails_and_keeps_the_step(flow, svc, bankid, engine):
    secret = await flow.to_bankid()
    bankid.fail("userCancel")
    progress = await flow.poll(secret)
    assert (progress.state, progress.message) == ("failed", "Åtgärden avbröts.")
    assert (await flow.poll(secret)).state == "failed"  # stable, no collect


async def test_another_persons_bankid_is_refused_and_nothing_is_stored(flow, svc, bankid,
                                                                       engine):
    """#12 finding 4: without requirement.personalNumber, completionData.user must match."""
    other = make_pnr("19700101", "239")
    secret = await flow.to_bankid(ADULT)
    bankid.complete(other, given="Bertil", surname="Berg")
    with pytest.raises(SignupError) as info:
        await flow.poll(secret)
    assert info.value.key == "bankid.mismatch"
    row = stored(engine)
    assert (row.step, row.verified_personnummer, row.verified_given_name) == (
        Step.BANKID, None, None)
    assert row.continue_ticket_hash is None
    # the same identification cannot be used again; a new order can
    with pytest.raises(SignupError):
        await flow.poll(secret)
    await flow.start(secret)
    bankid.complete(ADULT)
    assert (await flow.poll(secret)).state == "complete"


async def test_identity_is_stored_from_completion_data(flow, svc, bankid, engine):
    secret = await flow.to_bankid("19850709-9805")
    bankid.complete(ADULT, given="Karin", surname="Berg")
    progress = await flow.poll(secret)
    # The pre-BankID secret sees nothing from BankID; the rotated one does.
    assert progress.state == "complete" and progress.view.given_name == ""
    assert progress.view.continue_required and progress.view.personnummer_masked == ""
    secret = flow.rotate(secret, progress.continue_ticket)
    view = svc.view(secret)
    assert view.given_name == "Karin" and not view.continue_required
    assert view.personnummer_masked == "19850709-****"
    assert stored(engine).verified_surname == "Berg"


async def test_existing_account_gets_welcome_back_and_no_contact_steps(flow, svc, bankid, mailer):
    await flow.to_done()
    codes_before = len(mailer.codes)
    secret = await flow.to_bankid(ADULT)
    bankid.complete(ADULT)
    progress = await flow.poll(secret)
    assert progress.state == "complete" and progress.existing_user_id is not None
    assert progress.view.step == Step.DONE and progress.view.continue_required
    secret = flow.rotate(secret, progress.continue_ticket)
    view = svc.view(secret)
    assert view.step == Step.DONE and view.welcome_back
    assert view.user_id == progress.existing_user_id
    assert len(mailer.codes) == codes_before
    assert svc.issue_login_ticket(secret)


async def test_existing_account_is_not_revealed_before_bankid(flow, svc, bankid):
    await flow.to_done()
    new_person = make_pnr("19900505", "123")
    fresh = flow.begin()
    existing = flow.begin()
    views = [svc.submit_personnummer(fresh, new_person), svc.submit_personnummer(existing, ADULT)]
    assert [(v.step, v.user_id, v.welcome_back, v.given_name) for v in views] == [
        (Step.BANKID, None, False, "")] * 2
    for secret in (fresh, existing):
        await flow.start(secret, same_device=False, user_agent=DESKTOP)
        progress = await flow.poll(secret)
        assert (progress.state, progress.existing_user_id) == ("pending", None)
        view = await svc.cancel_bankid(secret)
        assert (view.step, view.user_id, view.welcome_back) == (Step.PERSONNUMMER, None, False)


async def test_underage_person_from_bankid_is_refused(flow, svc, bankid, engine):
    secret = await flow.to_bankid(ADULT)  # 40 years old: passes step 1
    svc.settings.minimum_age = 50  # the age limit is checked again on BankID's own answer
    bankid.complete(ADULT)
    with pytest.raises(SignupError) as info:
        await flow.poll(secret)
    assert (info.value.key, info.value.params) == ("bankid.underage", {"age": 50})
    row = stored(engine)
    assert row.step == Step.BANKID and row.verified_personnummer is None


async def test_bankid_down_at_start_does_not_advance_and_retry_works(flow, svc, bankid, engine):
    secret = flow.begin()
    svc.submit_personnummer(secret, ADULT)
    bankid.auth_error = bankid_down()
    with pytest.raises(ServiceUnavailable) as info:
        await flow.start(secret, same_device=False, user_agent=DESKTOP)
    assert info.value.key == "service.bankid"
    assert svc.view(secret).step == Step.BANKID
    bankid.auth_error = None
    await flow.start(secret, same_device=False, user_agent=DESKTOP)
    bankid.complete(ADULT)
    assert (await flow.poll(secret)).state == "complete"


async def test_already_in_progress_is_a_bankid_service_error(flow, svc, bankid):
    secret = flow.begin()
    svc.submit_personnummer(secret, ADULT)
    bankid.auth_error = bankid_errors.AlreadyInProgress(
        "alreadyInProgress", error_code="alreadyInProgress", http_status=400)
    with pytest.raises(ServiceUnavailable) as info:
        await flow.start(secret, same_device=False, user_agent=DESKTOP)
    assert "pågår redan" in info.value.params["message"]


async def test_bankid_down_while_polling_then_recovers(flow, svc, bankid, clock):
    secret = await flow.to_bankid()
    bankid.collect_error = bankid_down()
    assert (await flow.poll(secret)).state == "pending"  # a blip: tried again quietly
    clock.advance(TRANSIENT_GRACE.total_seconds() + 1)
    with pytest.raises(ServiceUnavailable):  # down for longer: "try again"
        await flow.poll(secret)
    bankid.collect_error = None
    clock.advance(1)
    bankid.complete(ADULT)
    assert (await flow.poll(secret)).state == "complete"


async def test_cancel_bankid_cancels_the_order_and_keeps_the_input(flow, svc, bankid):
    secret = await flow.to_bankid("19850709-9805")
    view = await svc.cancel_bankid(secret)
    assert bankid.cancelled == [bankid.last_order]
    assert (view.step, view.personnummer) == (Step.PERSONNUMMER, ADULT)


async def test_completion_is_persisted_before_returning(flow, svc, bankid, engine, clock):
    """BankID delivers `complete` once: a second poll must not need BankID again."""
    secret = await flow.to_bankid()
    bankid.complete(ADULT)
    await flow.poll(secret)
    calls = len(bankid.collect_calls)
    clock.advance(2)
    again = await flow.poll(secret)
    assert again.state == "complete" and len(bankid.collect_calls) == calls
