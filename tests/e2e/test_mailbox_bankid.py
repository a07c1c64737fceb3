"""The mailbox and BankID, as a person uses them: a returning person logs in through /login (a
QR on a computer, "Öppna BankID" on a phone) to a letter a sender delivered while they were
away; a sensitive letter shows "Känsligt brev" and opens only after a fresh BankID (a cancelled
one leaves it locked); "Logga ut från alla enheter" ends the session on the other device too."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import DESKTOP, RunningApp
from tests.e2e.flows import db_rows, open_bankid_app
from tests.e2e.mailbox_flows import (
    SenderApi,
    account,
    add_session,
    log_in_with_bankid,
    logged_in_person,
)
from tests.e2e.pages.bankid import BankIdPhone, BankIdStep
from tests.e2e.pages.login import LoginPage
from tests.e2e.pages.mailbox import MailboxPage, SettingsPage
from tests.e2e.pages.start import StartPage
from tests.e2e.support.factories import orgnr, personnummer

LOGIN_AGAIN_URL = re.compile(r".*/login/?\?next=/mailbox$")


@pytest.fixture(autouse=True)
def _patient_expect():
    """A shared, busy machine: answers over the websocket can take seconds here."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default, for the other test files


def _deliver(app: RunningApp, pnr: str, subject: str, *, sender: str = "Elbolaget Norr AB",
             **extra: object) -> SenderApi:
    """A sender (its own, new) delivers one letter over the sender API."""
    api = SenderApi.create(app, sender, orgnr())
    response = api.letter(pnr, subject, **extra)
    assert response.status_code == 201, response.text
    return api


# -- logging in to a delivered letter ---------------------------------------------------------
def test_a_signed_up_person_logs_in_on_a_computer_and_reads_a_delivered_letter(
        signup_at, running_app: RunningApp) -> None:
    flow = signup_at("mailbox")  # the real signup, through the UI
    page, pnr = flow.page, flow.person.personnummer
    mailbox = MailboxPage(page).wait()
    mailbox.logout.click()
    expect(StartPage(page).create_account).to_be_visible()

    # While the person is away, a sender delivers through the sender API.
    _deliver(running_app, pnr, "Din elräkning för mars")

    # Back: "Logga in" on the start page, the QR, the BankID app approves.
    mailbox = log_in_with_bankid(page, running_app.url, pnr)
    row = mailbox.row("Din elräkning för mars")
    expect(row).to_be_visible()
    expect(row).to_contain_text("Elbolaget Norr AB")
    expect(mailbox.unread_marker(row)).to_be_visible()
    mailbox.letter("Din elräkning för mars").click()
    expect(page.get_by_role("heading", name="Din elräkning för mars")).to_be_visible()
    expect(mailbox.pdf).to_be_visible()
    expect(mailbox.download).to_be_visible()
    mailbox.back.click()
    expect(mailbox.row("Din elräkning för mars")).to_be_visible()
    expect(mailbox.unread_marker(mailbox.row("Din elräkning för mars"))).to_have_count(0)


def test_logging_in_on_a_phone_to_a_delivered_letter(iphone_page: Page,
                                                     running_app: RunningApp) -> None:
    page, pnr = iphone_page, personnummer()
    account(running_app, pnr, "Greta")  # signed up earlier; no session in this browser
    _deliver(running_app, pnr, "Besked om bostadsbidrag", sender="Försäkringskassan")

    mailbox = log_in_with_bankid(page, running_app.url, pnr)  # "Öppna BankID", no QR
    expect(page.get_by_text("Hej Greta!")).to_be_visible()
    row = mailbox.row("Besked om bostadsbidrag")
    expect(row).to_be_visible()
    expect(mailbox.unread_marker(row)).to_be_visible()
    mailbox.letter("Besked om bostadsbidrag").click()
    expect(page.get_by_role("heading", name="Besked om bostadsbidrag")).to_be_visible()
    expect(mailbox.download).to_be_visible()


# -- a sensitive letter -----------------------------------------------------------------------
def test_a_sensitive_letter_opens_only_after_a_fresh_bankid_on_a_computer(
        desktop_page: Page, browser: Browser, running_app: RunningApp, test_api) -> None:
    page, app, pnr = desktop_page, running_app, personnummer()
    user_id, _ = account(app, pnr, "Sara")
    add_session(app, page, user_id)
    page.goto("/mailbox")
    mailbox = MailboxPage(page).wait()
    _deliver(app, pnr, "Provsvar från vårdcentralen", sender="Region Norrbotten",
             sensitivity="sensitive")

    # The inbox: "Känsligt brev", never the subject.
    row = mailbox.row("Känsligt brev")
    expect(row).to_be_visible()
    expect(row).to_contain_text("Region Norrbotten")
    expect(mailbox.unread_marker(row)).to_be_visible()
    expect(mailbox.inbox).not_to_contain_text("Provsvar")

    # Opened: sender and date, the lock, no content.
    mailbox.letter("Känsligt brev").click()
    expect(mailbox.opened_subject).to_have_text("Känsligt brev")
    expect(mailbox.sensitive_explain).to_be_visible()
    expect(mailbox.pdf).to_have_count(0)
    expect(mailbox.download).to_have_count(0)

    # "Öppna med BankID", and the person cancels in the app: still locked.
    panel = BankIdStep(page)
    mailbox.unlock.click()
    expect(mailbox.step_up_heading).to_be_visible()
    expect(panel.qr).to_be_visible()
    BankIdPhone(test_api).cancel()
    expect(page.get_by_text(re.compile(r"^Åtgärden avbröts"))).to_be_visible()
    expect(panel.retry).to_be_visible()
    expect(mailbox.opened_subject).to_have_text("Känsligt brev")
    expect(mailbox.opened_letter).not_to_contain_text("Provsvar")
    expect(mailbox.pdf).to_have_count(0)

    # "Försök igen", and this time the person approves: the subject and the PDF.
    panel.retry.click()
    expect(panel.qr).to_be_visible()
    BankIdPhone(test_api).approve(personal_number=pnr)
    expect(mailbox.opened_subject).to_have_text("Provsvar från vårdcentralen")
    expect(mailbox.pdf).to_be_visible()
    expect(mailbox.sensitive_explain).to_have_count(0)
    src = mailbox.pdf.get_attribute("src") or ""
    document = page.request.get(src)
    assert document.status == 200 and document.body().startswith(b"%PDF-")

    # The fresh BankID belongs to this session: the same person's other device (a session
    # without it) does not get the file, and nobody without a session does.
    other = browser.new_context(base_url=app.url, **DESKTOP)
    try:
        add_session(app, other.new_page(), user_id)
        assert other.request.get(src).status == 404
    finally:
        other.close()
    assert httpx.get(app.url + src, timeout=10).status_code == 404

    # Read now (the content was shown); the inbox still does not say what it is.
    mailbox.back.click()
    row = mailbox.row("Känsligt brev")
    expect(row).to_be_visible()
    expect(mailbox.unread_marker(row)).to_have_count(0)
    expect(mailbox.inbox).not_to_contain_text("Provsvar")


def test_a_sensitive_letter_on_a_phone_opens_with_the_bankid_app(
        iphone_page: Page, running_app: RunningApp) -> None:
    page, pnr = iphone_page, personnummer()
    logged_in_person(running_app, page, pnr, "Nils")
    _deliver(running_app, pnr, "Remissvar", sender="Region Norrbotten", sensitivity="sensitive")
    page.goto("/mailbox")
    mailbox = MailboxPage(page).wait()
    mailbox.letter("Känsligt brev").click()
    expect(mailbox.opened_subject).to_have_text("Känsligt brev")
    mailbox.unlock.click()
    expect(mailbox.step_up_heading).to_be_visible()
    expect(BankIdStep(page).qr).to_have_count(0)  # a phone: the app on this device
    # To the BankID app and back: the mailbox picks the order up again and opens the letter.
    open_bankid_app(page, running_app.url, pnr)
    expect(mailbox.opened_subject).to_have_text("Remissvar")
    expect(mailbox.download).to_be_visible()
    expect(mailbox.sensitive_explain).to_have_count(0)


# -- "Logga ut från alla enheter" -------------------------------------------------------------
def test_logging_out_of_all_devices_ends_the_session_on_the_other_device_too(
        desktop_page: Page, iphone_page: Page, running_app: RunningApp) -> None:
    app, pnr = running_app, personnummer()
    user_id, _ = account(app, pnr, "Ebba")
    _deliver(app, pnr, "Kallelse till årsstämma", sender="Bostadsrättsföreningen Linden")
    add_session(app, desktop_page, user_id)  # two devices, two sessions of one person
    add_session(app, iphone_page, user_id)

    # The phone: the letter open in one tab, the settings in another.
    iphone_page.goto("/mailbox")
    phone = MailboxPage(iphone_page).wait()
    phone.open_letter("Kallelse till årsstämma")
    expect(phone.opened_subject).to_have_text("Kallelse till årsstämma")
    phone_settings = SettingsPage(iphone_page.context.new_page())
    phone_settings.open()
    expect(phone_settings.heading_settings).to_be_visible()

    # The computer: Inställningar, "Logga ut från alla enheter"; it is logged out itself.
    desktop_page.goto("/mailbox")
    computer = MailboxPage(desktop_page).wait()
    computer.nav_link("mbx.nav.settings").click()
    settings = SettingsPage(desktop_page)
    expect(settings.heading_settings).to_be_visible()
    settings.logout_everywhere.click()
    expect(StartPage(desktop_page).create_account).to_be_visible()
    assert db_rows(app.data_dir / "e2e.db", "SELECT COUNT(*) FROM websession "
                   "WHERE user_id = ? AND ended_at IS NULL", user_id) == [(0,)]

    # The phone's open letter: gone; the mailbox says so and offers "Logga in".
    expect(phone.logged_out_heading).to_be_visible()
    expect(phone.login_again).to_be_visible()
    expect(iphone_page.get_by_text("Kallelse till årsstämma")).to_have_count(0)
    # The phone's other tab, on its next action ("Spara"): the same, nothing saved.
    phone_settings.save.click()
    expect(phone_settings.logged_out_heading).to_be_visible()
    expect(phone_settings.login_again).to_be_visible()
    expect(phone_settings.saved).to_have_count(0)
    # "Logga in" leads to the login and back to the mailbox afterwards.
    phone.login_again.click()
    iphone_page.wait_for_url(LOGIN_AGAIN_URL)
    expect(LoginPage(iphone_page).heading).to_have_text("Logga in")
    # A reload on the computer: to the login as well.
    desktop_page.goto("/mailbox")
    desktop_page.wait_for_url(LOGIN_AGAIN_URL)
    expect(LoginPage(desktop_page).heading).to_have_text("Logga in")
