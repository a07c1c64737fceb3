"""Codes that expire, a wrong SMS code, and "Skicka ny kod" after its cooldown (computer).

The real lifetime of a code is 30 minutes and the resend cooldown 60 s, so the tests "travel in
time" by moving the code's `expires_at` and its `sent_at`/`created_at` back in the e2e database
(test set-up only: what the domain then does is the app's own behaviour). Everything else is
done as a person does it: labels, roles and the texts on the screen.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from kivra_app.settings import Settings
from tests.e2e.conftest import RunningApp
from tests.e2e.flows import (
    OTHER_PEOPLE,
    enter_code,
    enter_phone,
    expire_live_code,
    finish_and_open_mailbox,
    pass_resend_cooldown,
    reach_email_code_step,
    signup_step,
    unique_email,
)
from tests.e2e.helpers import last_message_id, wait_for_code

EXPIRED = "Koden gäller inte längre. Skicka en ny kod."
MAX_ATTEMPTS = Settings.model_fields["code_max_attempts"].default


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def _wrong_text(attempts_left: int) -> re.Pattern[str]:
    return re.compile(
        re.escape(f"Koden stämmer inte. Du kan försöka {attempts_left} gånger till.")
    )


def _expired_then_new_code(page: Page, running_app: RunningApp, *, destination: str,
                           channel: str, old_code: str, step: str, sent_notice: str) -> str:
    """On a code step: the (right) code after its lifetime is refused and nothing advances;
    after the cooldown, "Skicka ny kod" sends a new code (a newer message) and the old one is
    dead. Returns the new code (not yet entered)."""
    db = running_app.data_dir / "e2e.db"
    field = page.get_by_label("Verifieringskod")
    progress = page.get_by_text(f"Steg {'4' if channel == 'email' else '6'} av 7")
    old_id = last_message_id(running_app.url, to=destination, channel=channel)

    expire_live_code(db, destination)
    enter_code(page, old_code)
    expect(field).to_have_accessible_description(re.compile(re.escape(EXPIRED)))
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(progress).to_be_visible()
    assert signup_step(db, destination) == step
    # The cooldown (60 s from the send) still runs: the button says how long is left.
    expect(page.get_by_role("button", name=re.compile(r"Skicka ny kod \(om \d+ s\)"))
           ).to_be_disabled()

    pass_resend_cooldown(db, destination)
    page.reload()  # the screen is re-derived from the server: the code is gone, resend allowed
    expect(progress).to_be_visible(timeout=15_000)
    expect(page.get_by_text(EXPIRED)).to_be_visible()
    resend = page.get_by_role("button", name="Skicka ny kod", exact=True)
    expect(resend).to_be_enabled()
    resend.click()
    expect(page.get_by_role("status").filter(has_text=sent_notice)).to_be_visible()
    new_code, new_id = wait_for_code(running_app.url, to=destination, channel=channel,
                                     newer_than=old_id)
    assert new_id > old_id
    expect(page.get_by_text(re.compile(r"Koden gäller till klockan \d\d:\d\d"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"Skicka ny kod \(om \d+ s\)"))
           ).to_be_disabled()

    # The old code died with the new send (it is now simply a wrong code).
    if old_code != new_code:
        enter_code(page, old_code)
        expect(field).to_have_accessible_description(_wrong_text(MAX_ATTEMPTS - 1))
        expect(progress).to_be_visible()
        assert signup_step(db, destination) == step
    return new_code


def test_expired_email_code_then_skicka_ny_kod(desktop_page: Page,
                                               running_app: RunningApp) -> None:
    page = desktop_page
    db = running_app.data_dir / "e2e.db"
    address = unique_email("expiry-email")
    code = reach_email_code_step(page, running_app.url, OTHER_PEOPLE["expiry_email"], address)
    new_code = _expired_then_new_code(
        page, running_app, destination=address, channel="email", old_code=code,
        step="email_code", sent_notice="Vi har skickat en ny kod till din mail.",
    )
    enter_code(page, new_code)
    expect(page.get_by_text("Steg 5 av 7")).to_be_visible(timeout=15_000)
    assert signup_step(db, address) == "phone"


def test_wrong_then_expired_sms_code_then_skicka_ny_kod(desktop_page: Page,
                                                         running_app: RunningApp) -> None:
    page = desktop_page
    db = running_app.data_dir / "e2e.db"
    national, e164 = "070-174 06 21", "+46701740621"
    address = unique_email("expiry-sms")
    email_code = reach_email_code_step(page, running_app.url, OTHER_PEOPLE["expiry_sms"], address)
    enter_code(page, email_code)
    enter_phone(page, national)
    code, _ = wait_for_code(running_app.url, to=e164, channel="sms")

    # A wrong SMS code: explained at the field with the attempts left; what was typed stays.
    field = page.get_by_label("Verifieringskod")
    wrong = _wrong(code)
    enter_code(page, wrong)
    expect(field).to_have_accessible_description(_wrong_text(MAX_ATTEMPTS - 1))
    expect(page.get_by_text(_wrong_text(MAX_ATTEMPTS - 1))).to_be_visible()
    expect(field).to_have_value(wrong)
    expect(page.get_by_text("Steg 6 av 7")).to_be_visible()
    assert signup_step(db, e164) == "phone_code"

    new_code = _expired_then_new_code(
        page, running_app, destination=e164, channel="sms", old_code=code,
        step="phone_code", sent_notice="Vi har skickat en ny kod i ett sms.",
    )
    enter_code(page, new_code)
    finish_and_open_mailbox(page)
    assert signup_step(db, e164) == "done"
