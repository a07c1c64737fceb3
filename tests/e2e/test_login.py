"""Login for returning users, as a person does it: the start page's "Logga in", BankID (a QR on a
computer, the autostart link on an iPhone and a Pixel), the mailbox. Also: a session that ran
out, a stranger (no account: "Skapa konto" continues without a second BankID), cancel and
retry, and a page that needs a session sending the visitor to the login and back."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import RunningApp
from tests.e2e.flows import (
    MAILBOX_URL,
    OTHER_PEOPLE,
    db_ago,
    db_execute,
    db_rows,
    full_signup_desktop,
    open_bankid_app,
    scan_qr,
)

LOGIN_URL = re.compile(r".*/login/?(\?.*)?$")  # /login/ after the server's redirect


def _logout(page: Page) -> None:
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Skapa ett Kivra-konto")


def _to_login_from_start(page: Page) -> None:
    page.goto("/")
    # The start page's own "Logga in" (the header has one too, on every page).
    expect(page.get_by_role("banner").get_by_role("link", name="Logga in")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Logga in").click()
    page.wait_for_url(LOGIN_URL)
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()


def _see_mailbox(page: Page) -> None:
    page.wait_for_url(MAILBOX_URL, timeout=15_000)
    expect(page.get_by_role("heading", name="Din Kivra")).to_be_visible(timeout=15_000)
    expect(page.get_by_role("button", name=re.compile("Välkommen till Kivra"))).to_be_visible()


def test_login_on_a_computer_after_logging_out(desktop_page: Page, app_url: str) -> None:
    person = OTHER_PEOPLE["login_desktop"]
    full_signup_desktop(desktop_page, app_url, person, ("070-174 06 31", "+46701740631"))
    _logout(desktop_page)
    _to_login_from_start(desktop_page)
    scan_qr(desktop_page, app_url, person)
    _see_mailbox(desktop_page)


def test_the_login_page_opened_directly_loads_once(desktop_page: Page, app_url: str) -> None:
    """A bookmark or the "ny post" email's link: the page brings its own login cookie, so it
    shows the QR without a round trip through /api/login/begin and a second page load."""
    page = desktop_page
    detours: list[str] = []
    page.on("request", lambda r: detours.append(r.url) if "/api/login/begin" in r.url else None)
    page.goto(f"{app_url}/login")
    expect(page.get_by_role("img", name="QR-kod att scanna med BankID-appen")).to_be_visible(
        timeout=10_000)
    assert detours == []


def test_login_on_an_iphone_and_a_pixel(desktop_page: Page, iphone_page: Page,
                                        pixel_page: Page, app_url: str) -> None:
    person = OTHER_PEOPLE["login_phones"]
    full_signup_desktop(desktop_page, app_url, person, ("070-174 06 32", "+46701740632"))
    for phone in (iphone_page, pixel_page):
        _to_login_from_start(phone)
        # A phone: the same-device path at once, no QR, a way to use another device instead.
        expect(phone.get_by_role("img", name="QR-kod att scanna med BankID-appen")).to_have_count(0)
        expect(phone.get_by_role("button", name="Använd BankID på en annan enhet")).to_be_visible()
        open_bankid_app(phone, app_url, person)
        _see_mailbox(phone)


def test_an_expired_session_says_so_and_logs_in_again(desktop_page: Page,
                                                      running_app: RunningApp) -> None:
    page, app_url = desktop_page, running_app.url
    person = OTHER_PEOPLE["login_expired"]
    full_signup_desktop(page, app_url, person, ("070-174 06 33", "+46701740633"))
    # "Time travel": the session was last used 31 minutes ago (KIVRA_SESSION_IDLE: 30 min).
    changed = db_execute(running_app.data_dir / "e2e.db",
                         "UPDATE websession SET used_at = ? WHERE ended_at IS NULL",
                         db_ago(31 * 60))
    assert changed >= 1
    page.reload()
    expect(page.get_by_role("heading", name="Du har blivit utloggad")).to_be_visible()
    expect(page.get_by_text("För din säkerhet har vi loggat ut dig")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Logga in").click()
    page.wait_for_url(LOGIN_URL)
    scan_qr(page, app_url, person)
    _see_mailbox(page)


def test_a_stranger_is_told_after_bankid_and_creates_an_account_without_a_second_bankid(
        desktop_page: Page, running_app: RunningApp) -> None:
    page, app_url = desktop_page, running_app.url
    person = OTHER_PEOPLE["stranger"]
    db = running_app.data_dir / "e2e.db"
    _to_login_from_start(page)
    scan_qr(page, app_url, person)
    expect(page.get_by_role("heading", name="Du har inget Kivra-konto")).to_be_visible(
        timeout=15_000)
    assert db_rows(db, "SELECT COUNT(*) FROM user WHERE personnummer = ?", person) == [(0,)]
    page.get_by_role("button", name="Skapa konto").click()
    page.wait_for_url(re.compile(r".*/signup/?$"))
    expect(page.get_by_text("Steg 3 av 7")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Hej Test!")).to_be_visible()  # the simulator's "Test Testsson"
    expect(page.get_by_label("Mailadress")).to_be_visible()
    # One BankID identification in all: the login's.
    orders = db_rows(db, "SELECT purpose, status, consumed_at IS NOT NULL FROM bankid_order "
                         "WHERE personnummer = ?", person)
    assert orders == [("login", "complete", 1)]
    assert db_rows(db, "SELECT COUNT(*) FROM user WHERE personnummer = ?", person) == [(0,)]


def test_cancel_and_retry(desktop_page: Page, app_url: str) -> None:
    page = desktop_page
    person = OTHER_PEOPLE["login_cancel"]
    _to_login_from_start(page)
    expect(page.get_by_role("img", name="QR-kod att scanna med BankID-appen")).to_be_visible(
        timeout=10_000)
    page.get_by_role("button", name="Avbryt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Skapa ett Kivra-konto")
    _to_login_from_start(page)
    scan_qr(page, app_url, person, action="cancel")  # the person cancels in the app
    expect(page.get_by_text("Åtgärden avbröts.")).to_be_visible(timeout=15_000)
    page.get_by_role("button", name="Försök igen").click()
    scan_qr(page, app_url, person)
    expect(page.get_by_role("heading", name="Du har inget Kivra-konto")).to_be_visible(
        timeout=15_000)


def test_a_page_that_needs_a_session_sends_the_visitor_to_the_login_and_back(
        browser: Browser, app_url: str) -> None:
    context = browser.new_context(base_url=app_url, locale="sv-SE")
    try:
        page = context.new_page()
        page.goto("/mailbox")
        page.wait_for_url(re.compile(r".*/login/?\?next=/mailbox$"))
        expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
        # A foreign `next` is never followed.
        response = httpx.get(f"{app_url}/api/login/begin?next=//evil.example/x",
                             follow_redirects=False)
        assert response.headers["location"] == "/login?next=/mailbox"
    finally:
        context.close()
