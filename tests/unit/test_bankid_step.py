"""Step 2: BankID order, polling, silent renewal, identity from completionData, welcome back."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from kivra_app.bankid import errors as bankid_errors
from kivra_app.bankid.qr import qr_data
from kivra_app.models import Signup, User
from kivra_app.signup.errors import ServiceUnavailable, SignupError
from kivra_app.signup.service import Step
from tests.unit.conftest import ADULT
from tests.unit.fakes import bankid_down, make_pnr

IP = "192.0.2.10"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64)"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"


def stored(engine) -> Signup:
    with Session(engine) as session:
        return session.exec(select(Signup).order_by(Signup.id.desc())).first()


async def test_order_uses_the_typed_number_as_requirement(flow, bankid):
    await flow.to_bankid("19850709-9805")
    request = bankid.auth_requests[-1]
    assert request.requirement.personal_number == ADULT
    assert request.end_user_ip == IP
    assert request.return_url is None  # QR flow


async def test_same_device_gets_a_launch_link(flow, svc, bankid):
    secret = flow.begin()
    svc.submit_personnummer(secret, ADULT)
    start = await svc.start_bankid(secret, end_user_ip=IP, same_device=True, user_agent=DESKTOP,
                                   return_url="http://localhost/signup")
    assert start.launch_url.startswith("bankid:///?autostarttoken=")
    assert svc.bankid_qr(secret) is None
    start = await svc.start_bankid(secret, end_user_ip=IP, same_device=True, user_agent=IPHONE,
                                   return_url="https://kivra.example/signup")
    assert start.launch_url.startswith("https://app.bankid.com/?autostarttoken=")
    assert bankid.auth_requests[-1].return_url == "https://kivra.example/signup"
    assert bankid.cancelled == [bankid.orders[0]]  # the earlier order was cancelled first


async def test_qr_follows_the_order_clock(flow, svc, engine, clock):
    secret = await flow.to_bankid()
    row = stored(engine)
    assert svc.bankid_qr(secret) == qr_data(row.bankid_qr_start_token,
                                            row.bankid_qr_start_secret, 0)
    clock.advance(3.7)
    assert svc.bankid_qr(secret).split(".")[2] == "3"
    assert row.bankid_qr_start_secret not in svc.bankid_qr(secret)


async def test_polling_is_rate_limited_to_once_per_second(flow, svc, bankid, clock):
    secret = await flow.to_bankid()
    first = await svc.poll_bankid(secret)
    second = await svc.poll_bankid(secret)
    assert len(bankid.collect_calls) == 1
    assert first.state == second.state == "pending" and first.show_qr
    assert first.message == "Starta BankID-appen."
    clock.advance(1)
    await svc.poll_bankid(secret)
    assert len(bankid.collect_calls) == 2


async def test_pending_hint_hides_the_qr_once_the_app_has_the_order(flow, svc, bankid, clock):
    secret = await flow.to_bankid()
    bankid.pending("userSign")
    progress = await svc.poll_bankid(secret)
    assert (progress.state, progress.hint_code, progress.show_qr) == ("pending", "userSign", False)
    assert "säkerhetskod" in progress.message
    assert svc.bankid_qr(secret) is None


async def test_start_failed_renews_silently_for_three_minutes(flow, svc, bankid, clock):
    secret = await flow.to_bankid()
    first_order = bankid.last_order
    for _ in range(5):  # about every 30 s an unused order fails; renewed within 3 minutes
        clock.advance(30)
        bankid.fail("startFailed")
        progress = await svc.poll_bankid(secret)
        assert progress.state == "pending" and progress.show_qr
    assert len(bankid.orders) == 6 and bankid.last_order != first_order
    clock.advance(30)  # 180 s after the user pressed start: no more renewals
    bankid.fail("startFailed")
    progress = await svc.poll_bankid(secret)
    assert progress.state == "failed" and progress.hint_code == "startFailed"
    assert progress.message.startswith("Misslyckades att läsa av QR-koden")
    assert progress.view.step == Step.BANKID
    # the user can start again
    await svc.start_bankid(secret, end_user_ip=IP, same_device=False, user_agent=DESKTOP,
                           return_url="http://x/")
    assert (await svc.poll_bankid(secret)).state == "pending"


async def test_user_cancel_in_app_fails_and_keeps_the_step(flow, svc, bankid, engine):
    secret = await flow.to_bankid()
    bankid.fail("userCancel")
    progress = await svc.poll_bankid(secret)
    assert (progress.state, progress.message) == ("failed", "Åtgärden avbröts.")
    assert stored(engine).bankid_order_ref is None
    assert (await svc.poll_bankid(secret)).state == "failed"  # stable, no collect


async def test_identity_comes_from_completion_data_not_the_typed_number(flow, svc, bankid,
                                                                        engine, mailer, sms,
                                                                        clock):
    other = make_pnr("19700101", "239")
    secret = await flow.to_bankid(ADULT)
    bankid.complete(other, given="Bertil", surname="Berg")
    progress = await svc.poll_bankid(secret)
    # The pre-BankID secret sees nothing from BankID; the rotated one does.
    assert progress.state == "complete" and progress.view.given_name == ""
    assert progress.view.continue_required and progress.view.personnummer_masked == ""
    secret = flow.rotate(secret, progress.continue_ticket)
    view = svc.view(secret)
    assert view.given_name == "Bertil" and not view.continue_required
    assert view.personnummer_masked == "19700101-****"
    row = stored(engine)
    assert row.verified_personnummer == other and row.bankid_order_ref is None
    await svc.submit_contact("email", secret, "b@example.se", client_ip=IP)
    svc.verify_code("email", secret, mailer.last_code())
    await svc.submit_contact("phone", secret, "0701740605", client_ip=IP)
    svc.verify_code("phone", secret, sms.last_code())
    with Session(engine) as session:
        users = session.exec(select(User)).all()
    assert [u.personnummer for u in users] == [other]


async def test_existing_account_gets_welcome_back_and_no_contact_steps(flow, svc, bankid, mailer):
    await flow.to_done()
    codes_before = len(mailer.codes)
    secret = await flow.to_bankid(ADULT)
    bankid.complete(ADULT)
    progress = await svc.poll_bankid(secret)
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
        await svc.start_bankid(secret, end_user_ip=IP, same_device=False, user_agent=DESKTOP,
                               return_url="http://x/")
        progress = await svc.poll_bankid(secret)
        assert (progress.state, progress.existing_user_id) == ("pending", None)
        view = await svc.cancel_bankid(secret)
        assert (view.step, view.user_id, view.welcome_back) == (Step.PERSONNUMMER, None, False)


async def test_underage_person_from_bankid_is_refused(flow, svc, bankid, engine):
    secret = await flow.to_bankid(ADULT)
    bankid.complete(make_pnr("20100101", "239"))
    with pytest.raises(SignupError) as info:
        await svc.poll_bankid(secret)
    assert (info.value.key, info.value.params) == ("bankid.underage", {"age": 18})
    row = stored(engine)
    assert row.step == Step.BANKID and row.verified_personnummer is None


async def test_bankid_down_at_start_does_not_advance_and_retry_works(flow, svc, bankid, engine):
    secret = flow.begin()
    svc.submit_personnummer(secret, ADULT)
    bankid.auth_error = bankid_down()
    with pytest.raises(ServiceUnavailable) as info:
        await svc.start_bankid(secret, end_user_ip=IP, same_device=False, user_agent=DESKTOP,
                               return_url="http://x/")
    assert info.value.key == "service.bankid"
    assert stored(engine).bankid_order_ref is None and svc.view(secret).step == Step.BANKID
    bankid.auth_error = None
    await svc.start_bankid(secret, end_user_ip=IP, same_device=False, user_agent=DESKTOP,
                           return_url="http://x/")
    bankid.complete(ADULT)
    assert (await svc.poll_bankid(secret)).state == "complete"


async def test_already_in_progress_is_a_bankid_service_error(flow, svc, bankid):
    secret = flow.begin()
    svc.submit_personnummer(secret, ADULT)
    bankid.auth_error = bankid_errors.AlreadyInProgress(
        "alreadyInProgress", error_code="alreadyInProgress", http_status=400)
    with pytest.raises(ServiceUnavailable) as info:
        await svc.start_bankid(secret, end_user_ip=IP, same_device=False, user_agent=DESKTOP,
                               return_url="http://x/")
    assert "pågår redan" in info.value.params["message"]


async def test_bankid_down_while_polling_then_recovers(flow, svc, bankid, clock):
    secret = await flow.to_bankid()
    bankid.collect_error = bankid_down()
    with pytest.raises(ServiceUnavailable):
        await svc.poll_bankid(secret)
    bankid.collect_error = None
    clock.advance(1)
    bankid.complete(ADULT)
    assert (await svc.poll_bankid(secret)).state == "complete"


async def test_cancel_bankid_cancels_the_order_and_keeps_the_input(flow, svc, bankid):
    secret = await flow.to_bankid("19850709-9805")
    view = await svc.cancel_bankid(secret)
    assert bankid.cancelled == [bankid.last_order]
    assert (view.step, view.personnummer) == (Step.PERSONNUMMER, ADULT)


async def test_completion_is_persisted_before_returning(flow, svc, bankid, engine, clock):
    """BankID delivers `complete` once: a second poll must not need BankID again."""
    secret = await flow.to_bankid()
    bankid.complete(ADULT)
    await svc.poll_bankid(secret)
    calls = len(bankid.collect_calls)
    clock.advance(2)
    again = await svc.poll_bankid(secret)
    assert again.state == "complete" and len(bankid.collect_calls) == calls
