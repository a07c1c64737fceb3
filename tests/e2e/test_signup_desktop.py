"""The signup on a computer, used as a person uses it: labels, roles and visible text.

BankID: the QR code on the screen is decoded from a screenshot (zxing-cpp) and "scanned" through
the simulator's app API, as the BankID app on a phone would. Codes come from the dev outbox.
Each test uses its own test person, email address and phone number (the simulator refuses a
second order for a person while one is open, and send limits count per destination).

The step helpers live in tests/e2e/flows.py. An expired code and "Skicka ny kod" after the
cooldown are in test_code_expiry.py.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.flows import (
    MAILBOX_URL,
    OTHER_PEOPLE,
    PEOPLE,
    enter_code,
    enter_email,
    enter_personnummer,
    enter_phone_and_code,
    finish_and_open_mailbox,
    full_signup_desktop,
    record_qr_seconds,
    scan_qr,
    start_signup,
    unique_email,
)
from tests.e2e.helpers import wait_for_code


def test_whole_signup_on_a_computer(desktop_page: Page, app_url: str) -> None:
    page = desktop_page
    start_signup(page)

    # Step 1: a wrong personnummer is explained inline, what was typed stays.
    page.get_by_label("Personnummer").fill("19810724")
    page.get_by_role("button", name="Fortsätt med BankID").click()
    expect(page.get_by_text("Personnumret stämmer inte")).to_be_visible()
    expect(page.get_by_label("Personnummer")).to_have_value("19810724")
    expect(page.get_by_label("Personnummer")).to_have_attribute("aria-invalid", "true")

    # Enter submits; step 2 shows the QR, the alternative and "Avbryt".
    page.get_by_label("Personnummer").fill(PEOPLE["cecilia"])
    page.get_by_label("Personnummer").press("Enter")
    expect(page.get_by_text("Steg 2 av 7")).to_be_visible()
    expect(page.get_by_text("19451016-****")).to_be_visible()
    expect(page.get_by_role("button", name="Öppna BankID på den här datorn")).to_be_visible()
    expect(page.get_by_role("button", name="Avbryt")).to_be_visible()
    scan_qr(page, app_url, "cecilia")

    # Step 3 greets the verified person; step 4: a wrong code, then the right one.
    expect(page.get_by_text("Hej Cecilia!")).to_be_visible(timeout=15_000)
    address = unique_email("cecilia")
    enter_email(page, address)
    expect(page.get_by_text(address)).to_be_visible()
    expect(page.get_by_text("kolla din skräppost")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Koden gäller till klockan \d\d:\d\d"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"Skicka ny kod \(om \d+ s\)"))).to_be_disabled()
    code, _ = wait_for_code(app_url, to=address, channel="email")
    wrong = "000000" if code != "000000" else "111111"
    enter_code(page, wrong)
    expect(page.get_by_text(re.compile("Koden stämmer inte. Du kan försöka \\d+ gånger till."))).to_be_visible()
    expect(page.get_by_label("Verifieringskod")).to_have_value(wrong)

    # A reload mid-flow returns to the same step; the code still works.
    page.reload()
    expect(page.get_by_text("Steg 4 av 7")).to_be_visible(timeout=15_000)
    enter_code(page, code)

    enter_phone_and_code(page, app_url, "070-174 06 11", "+46701740611")
    finish_and_open_mailbox(page)

    # The welcome letter opens; the app prompt offers both stores on a computer.
    expect(page.get_by_role("heading", name=re.compile("installerar Kivra-appen"))).to_be_visible()
    expect(page.get_by_role("img", name="QR-kod till Kivra i App Store")).to_be_visible()
    expect(page.get_by_role("link", name="Hämta Kivra på Google Play")).to_be_visible()
    page.get_by_role("button", name="Inte nu").click()
    expect(page.get_by_role("heading", name=re.compile("installerar Kivra-appen"))).to_be_hidden()
    page.get_by_role("button", name=re.compile("Välkommen till Kivra")).click()
    expect(page.get_by_role("heading", name="Välkommen till Kivra")).to_be_visible()
    expect(page.get_by_text("Hej Cecilia!").last).to_be_visible()


def test_the_qr_code_changes_every_second(desktop_page: Page, app_url: str) -> None:
    """BankID refuses a stale QR: the page gets a new frame each second, with no second
    skipped (between collects the frames go out without the state lock)."""
    page = desktop_page
    seen = record_qr_seconds(page)
    start_signup(page)
    enter_personnummer(page, OTHER_PEOPLE["qr_animation"])
    expect(page.get_by_role("img", name="QR-kod att scanna med BankID-appen")).to_be_visible(
        timeout=10_000)
    page.wait_for_timeout(5_500)
    assert len(seen) >= 5, seen
    assert seen == list(range(seen[0], seen[0] + len(seen))), seen
    page.get_by_role("button", name="Avbryt").click()
    expect(page.get_by_label("Personnummer")).to_be_visible()


def test_correct_the_email_address_and_get_a_new_code(desktop_page: Page, app_url: str) -> None:
    page = desktop_page
    start_signup(page)
    enter_personnummer(page, PEOPLE["bertil"])
    scan_qr(page, app_url, "bertil")
    typo = unique_email("bertil").replace("@example.se", "@exmaple.se")
    enter_email(page, typo)
    page.get_by_role("button", name="Ändra mailadress").click()
    expect(page.get_by_label("Mailadress")).to_have_value(typo)  # no retyping from scratch
    address = unique_email("bertil")
    enter_email(page, address)
    code, _ = wait_for_code(app_url, to=address, channel="email")
    enter_code(page, code)
    expect(page.get_by_text("Steg 5 av 7")).to_be_visible(timeout=15_000)


def test_bankid_cancelled_in_the_app_then_retried(desktop_page: Page, app_url: str) -> None:
    page = desktop_page
    start_signup(page)
    enter_personnummer(page, PEOPLE["elsa"])
    scan_qr(page, app_url, "elsa", action="cancel")
    retry = page.get_by_role("button", name="Försök igen")
    expect(retry).to_be_visible(timeout=15_000)
    expect(page.locator("#bankid-status")).not_to_be_empty()
    retry.click()
    scan_qr(page, app_url, "elsa")
    expect(page.get_by_text("Steg 3 av 7")).to_be_visible(timeout=15_000)


def test_avbryt_returns_to_the_personnummer_with_it_kept(desktop_page: Page, app_url: str) -> None:
    page = desktop_page
    start_signup(page)
    enter_personnummer(page, PEOPLE["david"])
    expect(page.get_by_role("img", name="QR-kod att scanna med BankID-appen")).to_be_visible()
    page.get_by_role("button", name="Avbryt").click()
    expect(page.get_by_text("Steg 1 av 7")).to_be_visible()
    expect(page.get_by_label("Personnummer")).to_have_value(PEOPLE["david"])


def test_an_existing_account_is_welcomed_back(desktop_page: Page, app_url: str,
                                              browser) -> None:  # noqa: ANN001
    full_signup_desktop(desktop_page, app_url, "anna", ("070-174 06 12", "+46701740612"))
    # Later, in another browser: the same person starts a signup again.
    context = browser.new_context(base_url=app_url, locale="sv-SE",
                                  viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        start_signup(page)
        enter_personnummer(page, PEOPLE["anna"])
        scan_qr(page, app_url, "anna")
        expect(page.get_by_role("heading", name="Välkommen tillbaka!")).to_be_visible(timeout=15_000)
        page.get_by_role("button", name="Gå till din Kivra").click()
        page.wait_for_url(MAILBOX_URL)
        expect(page.get_by_role("heading", name="Din Kivra")).to_be_visible()
        page.get_by_role("button", name="Logga ut").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Skapa ett Kivra-konto")
        page.goto("/mailbox")  # no session any more: the login, and back to the mailbox after
        page.wait_for_url(re.compile(r".*/login/?\?next=/mailbox$"))
        expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
    finally:
        context.close()


def test_language_switch_on_every_step(desktop_page: Page, app_url: str) -> None:
    page = desktop_page
    start_signup(page)
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    page.get_by_role("button", name="In English").click()
    expect(page.get_by_text("Step 1 of 7")).to_be_visible()
    expect(page.get_by_label("Personal identity number")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_title("Create an account – Kivra")
    expect(page.get_by_role("link", name="Need help?")).to_be_visible()
    page.reload()  # the signup remembers its language
    expect(page.get_by_text("Step 1 of 7")).to_be_visible(timeout=15_000)
    expect(page).to_have_title("Create an account – Kivra")
    page.get_by_role("button", name="På svenska").click()
    expect(page.get_by_text("Steg 1 av 7")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page).to_have_title("Skapa konto – Kivra")


def test_a_minor_is_told_the_age_limit(desktop_page: Page, app_url: str) -> None:
    page = desktop_page
    start_signup(page)
    page.get_by_label("Personnummer").fill(PEOPLE["filippa"])
    page.get_by_role("button", name="Fortsätt med BankID").click()
    expect(page.get_by_text(re.compile(r"Du behöver vara minst \d+ år"))).to_be_visible()
    expect(page.get_by_text("Steg 1 av 7")).to_be_visible()
