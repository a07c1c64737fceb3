"""Account creation in one transaction, races for one personnummer, taken emails, outages."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace

import pytest
from sqlmodel import Session, SQLModel, select

from kivra_app.db import make_engine
from kivra_app.models import Letter, Mailbox, Signup, User, VerificationCode
from kivra_app.signup import account as account_module
from kivra_app.signup.errors import ServiceUnavailable, SignupError
from kivra_app.signup.service import SignupService, Step
from tests.unit.conftest import ADULT, Flow
from tests.unit.fakes import Clock, FakeBankId, FakeMailer, FakeSms, mail_down, make_pnr, sms_down

IP = "192.0.2.10"


def rows(engine, model):
    with Session(engine) as session:
        return session.exec(select(model)).all()


async def test_account_user_mailbox_and_welcome_letter(flow, engine):
    await flow.to_done(language="en", given="Karin")
    [user] = rows(engine, User)
    assert (user.personnummer, user.email, user.phone, user.language, user.given_name) == (
        ADULT, "karin@example.se", "+46701740605", "en", "Karin")
    [mailbox] = rows(engine, Mailbox)
    [letter] = rows(engine, Letter)
    assert mailbox.user_id == user.id and letter.mailbox_id == mailbox.id
    assert letter.subject == "Welcome to Kivra" and "Karin" in letter.body


async def test_welcome_letter_in_swedish(flow, engine):
    await flow.to_done()
    [letter] = rows(engine, Letter)
    assert letter.subject == "Välkommen till Kivra" and letter.sender == "Kivra"


async def test_failure_inside_the_transaction_leaves_nothing_and_retry_works(
    flow, svc, engine, sms, monkeypatch
):
    secret = await flow.to_phone_code()
    real = account_module.welcome_letter

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(account_module, "welcome_letter", broken)
    with pytest.raises(RuntimeError):
        svc.verify_code("phone", secret, sms.last_code())
    assert rows(engine, User) == [] and rows(engine, Mailbox) == []
    assert svc.view(secret).step == Step.PHONE_CODE
    monkeypatch.setattr(account_module, "welcome_letter", real)
    view = svc.verify_code("phone", secret, sms.last_code())  # the same code still works
    assert view.step == Step.DONE
    assert len(rows(engine, User)) == len(rows(engine, Mailbox)) == len(rows(engine, Letter)) == 1


async def test_two_tabs_same_person_get_exactly_one_account(flow, svc, engine, sms, mailer,
                                                            clock):
    first = await flow.to_phone_code(email="karin@example.se")
    first_code = sms.last_code()
    clock.advance(61)
    second = await flow.to_phone_code(email="karin@example.se")
    second_code = sms.last_code()
    svc.verify_code("phone", first, first_code)
    view = svc.verify_code("phone", second, second_code)  # loser: same account, welcome back
    assert view.step == Step.DONE and view.welcome_back
    [user] = rows(engine, User)
    assert view.user_id == user.id == svc.view(first).user_id
    assert svc.issue_login_ticket(second)


def test_concurrent_signups_for_one_personnummer_threads(tmp_path, settings):
    """Two signups finish at the same moment (barrier) on a file DB: one User, no error."""
    engine = make_engine(f"sqlite:///{tmp_path / 'race.db'}")
    SQLModel.metadata.create_all(engine)
    clock, bankid, mailer, sms = Clock(), FakeBankId(), FakeMailer(), FakeSms()
    svc = SignupService(engine=engine, settings=settings, bankid=bankid, mailer=mailer, sms=sms,
                        clock=clock)
    flow = Flow(svc, bankid, mailer, sms, clock)

    async def prepare():
        out = []
        for i in range(2):
            secret = await flow.to_phone_code(email="karin@example.se",
                                              phone=f"070174060{5 + i}")
            out.append((secret, sms.last_code()))
            clock.advance(61)
        return out

    pairs = asyncio.run(prepare())
    barrier = threading.Barrier(2)
    results: list = []

    def finish(secret, code):
        barrier.wait()
        try:
            results.append(svc.verify_code("phone", secret, code))
        except Exception as exc:  # noqa: BLE001
            results.append(exc)

    threads = [threading.Thread(target=finish, args=pair) for pair in pairs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(not isinstance(r, Exception) for r in results), results
    assert [r.step for r in results] == [Step.DONE, Step.DONE]
    assert sorted(r.welcome_back for r in results) == [False, True]
    assert len({r.user_id for r in results}) == 1
    assert len(rows(engine, User)) == 1 and len(rows(engine, Mailbox)) == 1


async def test_taken_email_looks_the_same_and_sends_a_notice(flow, svc, engine, mailer, clock):
    await flow.to_done(email="karin@example.se")
    clock.advance(61)
    other = make_pnr("19900505", "123")
    secret_taken = await flow.to_email(pnr=other)
    secret_free = await flow.to_email(pnr=make_pnr("19910606", "123"))
    codes_before = len(mailer.codes)
    taken = await svc.submit_contact("email", secret_taken, "Karin@example.se", client_ip=IP)
    free = await svc.submit_contact("email", secret_free, "new@example.se", client_ip=IP)
    strip = lambda v: (v.step, v.code_expires_at, v.resend_available_at, v.user_id)  # noqa: E731
    assert strip(taken) == strip(free)
    assert mailer.notices == [("karin@example.se", "sv")]
    assert len(mailer.codes) == codes_before + 1  # only the free address got a code
    # any code is simply wrong, with the same counting as for a free address
    with pytest.raises(SignupError) as info:
        svc.verify_code("email", secret_taken, "000000")
    with pytest.raises(SignupError) as info_free:
        svc.verify_code("email", secret_free, f"{(int(mailer.last_code()) + 1) % 10**6:06d}")
    assert (info.value.key, info.value.params) == (info_free.value.key, info_free.value.params)
    assert len(rows(engine, User)) == 1


async def test_email_taken_between_code_and_account_goes_back_to_email(flow, svc, engine, sms,
                                                                       clock):
    secret = await flow.to_phone_code(email="shared@example.se")
    code = sms.last_code()
    with Session(engine) as session:  # someone else got the address meanwhile
        session.add(User(personnummer=make_pnr("19700101", "239"), email="shared@example.se",
                         phone="+46701740699"))
        session.commit()
    view = svc.verify_code("phone", secret, code)  # an answer, not a refusal
    assert (view.step, view.email, view.error_key) == (
        Step.EMAIL, "shared@example.se", "email.taken")
    assert svc.view(secret) == replace(view, error_key=None)  # stored: the address kept
    assert len(rows(engine, User)) == 1
    with pytest.raises(SignupError) as info:  # the phone code was used up by the attempt
        svc.verify_code("phone", secret, code)
    assert info.value.key == "signup.wrong_step"
    clock.advance(61)
    view = await svc.submit_contact("email", secret, "other@example.se", client_ip=IP)
    assert view.step == Step.EMAIL_CODE


@pytest.mark.parametrize("failure", [mail_down(), TimeoutError(), OSError("unreachable")])
async def test_mail_failure_does_not_advance_and_retry_works(flow, svc, mailer, engine, failure):
    secret = await flow.to_email()
    mailer.fail = failure
    with pytest.raises(ServiceUnavailable) as info:
        await svc.submit_contact("email", secret, "karin@example.se", client_ip=IP)
    assert info.value.key == "service.mail"
    view = svc.view(secret)
    assert view.step == Step.EMAIL and view.code_expires_at is None
    [row] = rows(engine, VerificationCode)
    assert row.sent_at is None and row.invalidated_at is not None and row.code_hash == ""
    mailer.fail = None
    view = await svc.submit_contact("email", secret, "karin@example.se", client_ip=IP)  # no cooldown hit
    assert view.step == Step.EMAIL_CODE
    assert svc.verify_code("email", secret, mailer.last_code()).step == Step.PHONE


async def test_mail_timeout_is_bounded(flow, svc, mailer, settings, monkeypatch):
    secret = await flow.to_email()

    async def hang(*args, **kwargs):
        await asyncio.sleep(30)

    monkeypatch.setattr(mailer, "send_code", hang)
    # the service allows smtp_timeout + 5 s around the SMTP client's own timeout: 0.1 s here
    svc.settings = settings.model_copy(update={"smtp_timeout": -4.9})
    with pytest.raises(ServiceUnavailable):
        await svc.submit_contact("email", secret, "karin@example.se", client_ip=IP)
    assert svc.view(secret).step == Step.EMAIL


async def test_failed_resend_keeps_the_earlier_code(flow, svc, mailer, clock):
    secret = await flow.to_email_code()
    first = mailer.last_code()
    clock.advance(60)
    mailer.fail = mail_down()
    with pytest.raises(ServiceUnavailable):
        await svc.resend_code("email", secret, client_ip=IP)
    mailer.fail = None
    assert svc.verify_code("email", secret, first).step == Step.PHONE


async def test_sms_failure_does_not_advance_and_retry_works(flow, svc, sms):
    secret = await flow.to_phone()
    sms.fail = sms_down()
    with pytest.raises(ServiceUnavailable) as info:
        await svc.submit_contact("phone", secret, "0701740605", client_ip=IP)
    assert info.value.key == "service.sms" and svc.view(secret).step == Step.PHONE
    sms.fail = None
    await svc.submit_contact("phone", secret, "0701740605", client_ip=IP)
    assert svc.verify_code("phone", secret, sms.last_code()).step == Step.DONE


async def test_email_code_in_sms_step_and_old_address_code_are_refused(flow, svc, mailer, sms,
                                                                        clock):
    secret = await flow.to_email_code(email="a@example.se")
    code_a = mailer.last_code()
    svc.change_contact("email", secret)
    await svc.submit_contact("email", secret, "b@example.se", client_ip=IP)
    if mailer.last_code() != code_a:
        with pytest.raises(SignupError):
            svc.verify_code("email", secret, code_a)
    assert svc.view(secret).email == "b@example.se"
    svc.verify_code("email", secret, mailer.last_code())
    await svc.submit_contact("phone", secret, "0701740605", client_ip=IP)
    if sms.last_code() != mailer.last_code():
        with pytest.raises(SignupError):
            svc.verify_code("phone", secret, mailer.last_code())
    with Session(svc.engine) as session:
        signup = session.exec(select(Signup)).first()
    assert signup.email == "b@example.se" and signup.phone_verified_at is None


async def test_wrong_codes_report_attempts_left_then_lock(flow, svc, mailer):
    secret = await flow.to_email_code()
    code = mailer.last_code()
    bad = f"{(int(code) + 1) % 10**6:06d}"
    lefts = []
    for _ in range(4):
        with pytest.raises(SignupError) as info:
            svc.verify_code("email", secret, bad)
        lefts.append((info.value.key, info.value.params))
    assert lefts == [("code.wrong", {"attempts_left": n}) for n in (4, 3, 2, 1)]
    with pytest.raises(SignupError) as info:
        svc.verify_code("email", secret, bad)
    assert info.value.key == "code.locked"
    assert svc.view(secret).code_expires_at is None


async def test_logs_hold_no_personnummer_codes_or_secrets(flow, svc, mailer, sms, bankid,
                                                          caplog):
    caplog.set_level("DEBUG")
    secret = await flow.to_phone_code()
    with pytest.raises(SignupError):
        svc.verify_code("phone", secret, "000000" if sms.last_code() != "000000" else "111111")
    svc.verify_code("phone", secret, sms.last_code())
    ticket = svc.issue_login_ticket(secret)
    text = caplog.text
    for secret_value in (ADULT, secret, ticket, mailer.last_code(), sms.last_code(),
                         *bankid.orders, "karin@example.se", "+46701740605"):
        assert secret_value not in text
    for event in ("signup_started", "bankid_started", "bankid_complete", "verification_code_sent",
                  "authn_login_fail", "verification_success", "user_created"):
        assert f"event={event}" in text
    assert "19850709-****" in text


async def test_a_second_send_while_the_first_is_in_flight_is_refused(flow, svc, mailer, engine):
    """The in-flight double send: a second submit (another tab, a double click with another
    spelling) arrives while the first mail is still with the server. It is refused without
    a second mail or code row; the first completes normally."""
    secret = await flow.to_email()
    mailer.hold = asyncio.Event()
    first = asyncio.create_task(svc.submit_contact("email", secret, "karin@example.se",
                                                   client_ip=IP))
    await mailer.entered.wait()  # the first send is now at the mail server
    with pytest.raises(SignupError) as info:
        await svc.submit_contact("email", secret, "karin.b@example.se", client_ip=IP)
    assert info.value.key == "code.resend_wait"
    assert mailer.started == 1
    mailer.hold.set()
    view = await first
    assert (view.step, view.email) == (Step.EMAIL_CODE, "karin@example.se")
    assert len(mailer.codes) == 1 and len(rows(engine, VerificationCode)) == 1


async def test_a_bug_in_the_sender_is_not_shown_as_try_again(flow, svc, mailer, engine):
    """Only adapter errors become `service.mail`; a bug propagates, and still leaves no
    half-done send (the claim is released, the unsent code is dead)."""
    secret = await flow.to_email()
    mailer.fail = KeyError("a bug")
    with pytest.raises(KeyError):
        await svc.submit_contact("email", secret, "karin@example.se", client_ip=IP)
    [row] = rows(engine, VerificationCode)
    assert row.sent_at is None and row.invalidated_at is not None
    mailer.fail = None
    view = await svc.submit_contact("email", secret, "karin@example.se", client_ip=IP)
    assert view.step == Step.EMAIL_CODE  # no claim left behind
