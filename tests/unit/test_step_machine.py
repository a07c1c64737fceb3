"""Every public method checks the stored step first: a crafted call can never skip a step."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from kivra_app.models import Signup, User, VerificationCode
from kivra_app.signup import steps
from kivra_app.signup.errors import SignupError
from kivra_app.signup.service import Step
from kivra_app.signup.steps import IllegalStepChange

IP = "192.0.2.10"
UA = "Mozilla/5.0 (X11; Linux x86_64)"
TAB = "unit-test-tab"


def calls(svc):
    """Every state-changing method with plausible arguments."""
    return {
        "submit_personnummer": lambda s: svc.submit_personnummer(s, "19701063-2391"),
        "start_bankid": lambda s: svc.start_bankid(s, tab=TAB, end_user_ip=IP, same_device=False,
                                                   user_agent=UA, return_url="http://x/"),
        "poll_bankid": lambda s: svc.poll_bankid(s, 1, tab=TAB),
        "cancel_bankid": lambda s: svc.cancel_bankid(s),
        "submit_email": lambda s: svc.submit_contact("email", s, "evil@example.se", client_ip=IP),
        "resend_email_code": lambda s: svc.resend_code("email", s, client_ip=IP),
        "verify_email_code": lambda s: svc.verify_code("email", s, "123456"),
        "change_email": lambda s: svc.change_contact("email", s),
        "submit_phone": lambda s: svc.submit_contact("phone", s, "0701740699", client_ip=IP),
        "resend_phone_code": lambda s: svc.resend_code("phone", s, client_ip=IP),
        "verify_phone_code": lambda s: svc.verify_code("phone", s, "123456"),
        "change_phone": lambda s: svc.change_contact("phone", s),
        "issue_login_ticket": lambda s: svc.issue_login_ticket(s),
    }


ALLOWED_FROM = {
    "submit_personnummer": {Step.PERSONNUMMER},
    "start_bankid": {Step.BANKID},
    "poll_bankid": {Step.BANKID},
    "cancel_bankid": {Step.BANKID},
    "submit_email": {Step.EMAIL},
    "resend_email_code": {Step.EMAIL_CODE},
    "verify_email_code": {Step.EMAIL_CODE},
    "change_email": {Step.EMAIL_CODE},
    "submit_phone": {Step.PHONE},
    "resend_phone_code": {Step.PHONE_CODE},
    "verify_phone_code": {Step.PHONE_CODE},
    "change_phone": {Step.PHONE_CODE},
    "issue_login_ticket": {Step.DONE},
}


async def reach(flow, step: Step) -> str:
    if step == Step.PERSONNUMMER:
        return flow.begin()
    if step == Step.BANKID:
        secret = flow.begin()
        flow.svc.submit_personnummer(secret, "198507099805")
        return secret
    return await {
        Step.EMAIL: flow.to_email,
        Step.EMAIL_CODE: flow.to_email_code,
        Step.PHONE: flow.to_phone,
        Step.PHONE_CODE: flow.to_phone_code,
        Step.DONE: flow.to_done,
    }[step]()


def snapshot(engine):
    with Session(engine) as session:
        signups = [s.model_dump(exclude={"updated_at", "expires_at"})
                   for s in session.exec(select(Signup).order_by(Signup.id))]
        codes = len(session.exec(select(VerificationCode)).all())
        users = len(session.exec(select(User)).all())
    return signups, codes, users


@pytest.mark.parametrize("step", list(Step))
async def test_every_method_refused_outside_its_step(flow, svc, engine, mailer, sms, bankid,
                                                      clock, step, caplog):
    secret = await reach(flow, step)
    clock.advance(120)  # past every cooldown: a refusal is due to the step, nothing else
    for name, call in calls(svc).items():
        if step in ALLOWED_FROM[name]:
            continue
        if name == "poll_bankid" and step in (Step.EMAIL, Step.EMAIL_CODE, Step.PHONE,
                                              Step.PHONE_CODE, Step.DONE):
            progress = await call(secret)  # a late poll after completion is harmless
            assert progress.state == "complete"
            continue
        before = snapshot(engine), len(mailer.codes), len(sms.sent), len(bankid.auth_requests)
        with pytest.raises(SignupError) as info:
            result = call(secret)
            if hasattr(result, "__await__"):
                await result
        assert info.value.key == "signup.wrong_step", (name, step)
        after = snapshot(engine), len(mailer.codes), len(sms.sent), len(bankid.auth_requests)
        assert before == after, (name, step)
    assert "event=sequence_fail" in caplog.text or step == Step.DONE


async def test_unknown_or_garbage_secret_is_expired(svc):
    for secret in ("nope", "", None, 123, "x" * 10_000, ["a"]):
        assert svc.view(secret) is None
        with pytest.raises(SignupError) as info:
            svc.submit_personnummer(secret, "198507099805")
        assert info.value.key == "signup.expired"


async def test_signup_expires_after_an_idle_hour(flow, svc, clock):
    secret = flow.begin()
    clock.advance(59 * 60)
    svc.submit_personnummer(secret, "198507099805")  # activity extends it
    clock.advance(59 * 60)
    assert svc.view(secret).step == Step.BANKID
    clock.advance(60)
    assert svc.view(secret) is None
    with pytest.raises(SignupError) as info:
        await svc.cancel_bankid(secret)
    assert info.value.key == "signup.expired"


async def test_happy_path_steps_and_view(flow, svc, mailer, sms, clock):
    secret = flow.begin("en")
    view = svc.view(secret)
    assert (view.step, view.step.number, view.language) == (Step.PERSONNUMMER, 1, "en")
    view = svc.submit_personnummer(secret, "19850709-9805")
    assert (view.step, view.personnummer, view.personnummer_masked) == (
        Step.BANKID, "", "19850709-****")
    view = await svc.cancel_bankid(secret)
    assert (view.step, view.personnummer) == (Step.PERSONNUMMER, "198507099805")
    svc.submit_personnummer(secret, "198507099805")
    await flow.start(secret, same_device=False, user_agent=UA)
    flow.bankid.complete("198507099805", given="Karin")
    progress = await flow.poll(secret)
    assert progress.state == "complete" and progress.existing_user_id is None
    assert (progress.view.step, progress.view.continue_required) == (Step.EMAIL, True)
    secret = flow.rotate(secret, progress.continue_ticket)
    assert svc.view(secret).given_name == "Karin"
    view = await svc.submit_contact("email", secret, " Karin@Example.SE ", client_ip=IP)
    assert (view.step, view.step.number, view.email) == (Step.EMAIL_CODE, 4, "karin@example.se")
    assert view.code_expires_at == clock.now.replace() + __import__("datetime").timedelta(minutes=30)
    assert view.resend_available_at == clock.now + __import__("datetime").timedelta(seconds=60)
    assert mailer.codes[-1][2] == "en"
    view = svc.change_contact("email", secret)
    assert (view.step, view.email) == (Step.EMAIL, "karin@example.se")
    clock.advance(60)
    await svc.submit_contact("email", secret, "karin@example.se", client_ip=IP)
    view = svc.verify_code("email", secret, mailer.last_code())
    assert view.step == Step.PHONE and view.code_expires_at is None
    view = await svc.submit_contact("phone", secret, "+46 70 174 06 05", client_ip=IP)
    assert (view.step, view.phone_national) == (Step.PHONE_CODE, "070-174 06 05")
    assert sms.sent[-1][0] == "+46701740605"
    assert sms.sent[-1][1].startswith("Your verification code from Kivra is ")
    view = svc.change_contact("phone", secret)
    assert view.step == Step.PHONE
    clock.advance(60)
    await svc.submit_contact("phone", secret, "0701740605", client_ip=IP)
    view = svc.verify_code("phone", secret, sms.last_code())
    assert view.step == Step.DONE and view.step.number == 7 and view.user_id
    assert svc.issue_login_ticket(secret)


async def test_double_submit_is_one_side_effect(flow, svc, mailer, sms, clock):
    secret = await flow.to_email()
    first = await svc.submit_contact("email", secret, "karin@example.se", client_ip=IP)
    again = await svc.submit_contact("email", secret, "KARIN@example.se", client_ip=IP)
    assert first == again and len(mailer.codes) == 1
    svc.verify_code("email", secret, mailer.last_code())
    await svc.submit_contact("phone", secret, "0701740605", client_ip=IP)
    await svc.submit_contact("phone", secret, "070-174 06 05", client_ip=IP)
    assert len(sms.sent) == 1


def _stored_step(engine, secret_id: int) -> str:
    with Session(engine) as session:
        return session.get(Signup, secret_id).step


def _signup_id(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(Signup.id).order_by(Signup.id.desc())).first()


async def test_step_change_refuses_a_move_the_table_does_not_list(flow, svc, engine):
    """The table is what production consults: take EMAIL_CODE -> PHONE out of it and the
    email code that is right no longer moves the signup."""
    secret = await flow.to_email_code()
    signup_id = _signup_id(engine)
    table = dict(steps._ALLOWED)
    table[Step.EMAIL_CODE] = frozenset({Step.EMAIL, Step.EMAIL_CODE})
    original = steps._ALLOWED
    steps._ALLOWED = table
    try:
        with pytest.raises(IllegalStepChange):
            svc.verify_code("email", secret, flow.mailer.last_code())
    finally:
        steps._ALLOWED = original
    assert _stored_step(engine, signup_id) == Step.EMAIL_CODE


def test_step_change_from_a_step_the_row_has_left_changes_nothing(flow, svc, engine):
    secret = flow.begin()
    svc.submit_personnummer(secret, "198507099805")
    signup_id = _signup_id(engine)
    with Session(engine) as session:
        before = session.get(Signup, signup_id).model_dump()
        with pytest.raises(SignupError) as info:  # the row is at BANKID, not PERSONNUMMER
            svc._core.change_step(session, signup_id, Step.PERSONNUMMER, Step.BANKID,
                                  personnummer_typed="191212121212")
        assert info.value.key == "signup.wrong_step"
        session.commit()
    with Session(engine) as session:
        assert session.get(Signup, signup_id).model_dump() == before


@pytest.mark.parametrize(("source", "target"), [
    (Step.PERSONNUMMER, Step.EMAIL), (Step.BANKID, Step.PHONE), (Step.DONE, Step.EMAIL),
    (Step.EMAIL, Step.DONE), (Step.PHONE, Step.DONE),
])
def test_skipping_moves_are_not_in_the_table(source, target):
    with pytest.raises(IllegalStepChange):
        steps.check_transition(source, target)


async def test_view_never_leaks_secrets(flow, svc, bankid, mailer, sms):
    secret = await flow.to_phone_code()
    view = svc.view(secret)
    text = repr(view)
    for forbidden in (*bankid.orders, mailer.last_code(), sms.last_code(), "198507099805"):
        assert forbidden not in text
