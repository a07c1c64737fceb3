"""The QA kit used as QA would: page objects, the one-call fixture to any step, the test-support
API (captured codes, BankID control, the movable clock) and the factories."""

from __future__ import annotations

from playwright.sync_api import expect

from kivra_app.bankid.messages import RFA_TEXTS
from tests.e2e.pages.bankid import BankIdPhone, BankIdStep
from tests.e2e.pages.signup import CodeStep


def test_signup_at_reaches_the_sms_code_step_in_one_call(signup_at, test_api, person) -> None:
    flow = signup_at("phone_code")
    step = flow.screen("phone_code")
    expect(step.progress).to_have_attribute("aria-valuenow", "6")
    expect(flow.page.get_by_text(person.phone.national)).to_be_visible()
    mail = test_api.messages(to=person.email, channel="email")
    assert mail and mail[0]["To"] == [{"Name": "", "Address": person.email}]


def test_a_code_expires_when_the_server_clock_moves(signup_at, server_clock, person) -> None:
    flow = signup_at("email_code")
    server_clock.advance_clock(31 * 60)  # past the 30-minute lifetime, no database edit
    step = CodeStep(flow.page)
    step.enter(flow.codes["email"])
    expect(step.error_for(step.field)).to_have_text(step.text("code.expired"))


def test_bankid_failure_with_a_hint_code_shows_its_message(signup_at, test_api) -> None:
    flow = signup_at("bankid")
    step = BankIdStep(flow.page)
    expect(step.qr).to_be_visible()
    BankIdPhone(test_api).fail("userCancel")
    expect(step.status).to_have_text(RFA_TEXTS["RFA6"]["sv"], timeout=15_000)
    expect(step.retry).to_be_visible()
