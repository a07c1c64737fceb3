"""Accessibility: axe-core on every screen a person reaches, and the keyboard-only start.

axe runs with the WCAG 2.x A/AA rule tags only; a violation of impact "serious" or "critical"
fails the test, with the rule ids and the elements (CSS targets) in the message. Every screen
is checked before the test fails, so one run lists everything. Each screen is checked in the
light and the dark theme. Screens: the start page, the
seven signup steps (plus a code step showing an error), the mailbox with the app prompt, and
the help page, on a computer and on an iPhone.
"""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.flows import (
    OTHER_PEOPLE,
    SIGNUP_URL,
    enter_code,
    enter_email,
    enter_personnummer,
    enter_phone,
    finish_and_open_mailbox,
    open_bankid_app,
    scan_qr,
    start_signup,
    unique_email,
)
from tests.e2e.helpers import wait_for_code
from tests.e2e.mailbox_flows import SenderApi, logged_in_person
from tests.e2e.pages.mailbox import MailboxPage, SettingsPage
from tests.e2e.support.factories import orgnr, personnummer

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
_axe = Axe()


class A11yReport:
    """Collects serious/critical WCAG violations per screen."""

    def __init__(self, page: Page, *, settle: str = "networkidle") -> None:
        """`settle`: the load state to wait for before axe runs ("load" for a page that is
        never network-idle: one that frames a PDF or shows a BankID QR)."""
        self.page = page
        self.settle = settle
        self.problems: list[str] = []
        self.screens: list[str] = []

    def check(self, screen: str) -> None:
        """axe on the screen as shown, then in the other theme too (light and dark)."""
        self.page.wait_for_load_state(self.settle)  # type: ignore[arg-type]
        shown = self.page.evaluate("document.documentElement.getAttribute('data-theme')")
        for theme in (shown, "dark" if shown == "light" else "light"):
            self._set_theme(theme)
            self._axe(f"{screen}, {theme}")
        self._set_theme(shown)
        self.screens.append(screen)

    def _set_theme(self, theme: str) -> None:
        self.page.evaluate("t => document.documentElement.setAttribute('data-theme', t)", theme)

    def _axe(self, screen: str) -> None:
        results = _axe.run(self.page, options=AXE_OPTIONS)
        for violation in results.response["violations"]:
            if violation.get("impact") not in BLOCKING:
                continue
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
            self.problems.append(
                f"[{screen}] {violation['id']} ({violation['impact']}): {violation['help']}; "
                f"targets: {targets}"
            )

    def assert_clean(self) -> None:
        assert not self.problems, (
            f"{len(self.problems)} serious/critical WCAG violation(s):\n"
            + "\n".join(self.problems)
        )


def _code_steps_and_done(page: Page, app_url: str, report: A11yReport, *, name: str,
                         phone: tuple[str, str]) -> None:
    """Steps 3 to 7, the mailbox with the app prompt and the help page."""
    expect(page.get_by_text("Steg 3 av 7")).to_be_visible(timeout=15_000)
    report.check("3 email")
    address = unique_email(name)
    enter_email(page, address)
    report.check("4 email code")
    code, _ = wait_for_code(app_url, to=address, channel="email")
    enter_code(page, "000000" if code != "000000" else "111111")
    expect(page.get_by_text(re.compile("Koden stämmer inte"))).to_be_visible()
    report.check("4 email code, wrong code shown")
    enter_code(page, code)
    expect(page.get_by_text("Steg 5 av 7")).to_be_visible(timeout=15_000)
    report.check("5 phone")
    national, e164 = phone
    enter_phone(page, national)
    report.check("6 SMS code")
    sms_code, _ = wait_for_code(app_url, to=e164, channel="sms")
    enter_code(page, sms_code)
    expect(page.get_by_role("heading", name="Klart!")).to_be_visible(timeout=15_000)
    report.check("7 Klart")
    finish_and_open_mailbox(page)
    expect(page.get_by_role("heading", name=re.compile("installerar Kivra-appen"))).to_be_visible()
    report.check("mailbox with the app prompt")
    page.goto("/hjalp")
    expect(page.get_by_role("heading", level=1, name="Behöver du hjälp?")).to_be_visible()
    report.check("help")


def test_every_screen_on_a_computer(desktop_page: Page, app_url: str) -> None:
    page = desktop_page
    report = A11yReport(page)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Skapa ett Kivra-konto")
    report.check("start")
    start_signup(page)
    report.check("1 personnummer")
    enter_personnummer(page, OTHER_PEOPLE["a11y_desktop"])
    expect(page.get_by_role("img", name="QR-kod att scanna med BankID-appen")).to_be_visible()
    report.check("2 BankID QR")
    scan_qr(page, app_url, OTHER_PEOPLE["a11y_desktop"])
    _code_steps_and_done(page, app_url, report, name="a11y-desktop",
                         phone=("070-174 06 23", "+46701740623"))
    report.assert_clean()


def test_every_screen_on_an_iphone(iphone_page: Page, app_url: str) -> None:
    page = iphone_page
    report = A11yReport(page)
    start_signup(page)
    report.check("1 personnummer")
    enter_personnummer(page, OTHER_PEOPLE["a11y_phone"])
    expect(page.get_by_role("link", name="Öppna BankID")).to_be_visible(timeout=10_000)
    report.check("2 BankID on this phone")
    open_bankid_app(page, app_url, OTHER_PEOPLE["a11y_phone"])
    _code_steps_and_done(page, app_url, report, name="a11y-phone",
                         phone=("070-174 06 24", "+46701740624"))
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Skapa ett Kivra-konto")
    report.check("start")
    report.assert_clean()


def test_keyboard_only_from_the_start_page_to_bankid(desktop_page: Page) -> None:
    """Tab to "Skapa konto", Enter; the personnummer field has the focus; type, Enter."""
    page = desktop_page
    page.goto("/")
    cta = page.get_by_role("button", name="Skapa konto")
    expect(cta).to_be_visible()
    page.wait_for_load_state("networkidle")
    for _ in range(15):
        page.keyboard.press("Tab")
        if cta.evaluate("element => element === document.activeElement"):
            break
    expect(cta).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(SIGNUP_URL)
    field = page.get_by_label("Personnummer")
    expect(field).to_be_focused()
    # A person without BankID set up yet still reaches step 2 (the order is never completed;
    # this number belongs to no other test, so no other order for it is open).
    pnr = OTHER_PEOPLE["keyboard"]
    page.keyboard.type(f"{pnr[:8]}-{pnr[8:]}")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Steg 2 av 7")).to_be_visible()
    expect(page.get_by_text(f"{pnr[:8]}-****")).to_be_visible()


def test_the_mailbox_pages_in_english_on_a_computer(desktop_page: Page, running_app) -> None:
    """The language switch in the header ("In English"), then every mailbox page."""
    page, pnr = desktop_page, personnummer()
    logged_in_person(running_app, page, pnr, "Alice")
    sender = SenderApi.create(running_app, "Northern Power AB", orgnr())
    for response in (sender.letter(pnr, "Your new contract"),
                     sender.invoice(pnr, "Invoice for March"),
                     sender.letter(pnr, "Test results", sensitivity="sensitive")):
        assert response.status_code == 201, response.text
    page.goto("/mailbox")
    mailbox = MailboxPage(page).wait()
    mailbox.switch_language()
    english = expect(page.locator("html"))
    report = A11yReport(page, settle="load")  # the letter's PDF frame keeps the network busy

    expect(mailbox.title).to_be_visible(timeout=15_000)  # "Your Kivra"
    english.to_have_attribute("lang", "en")
    row = mailbox.row("Your new contract")
    expect(mailbox.unread_marker(row)).to_be_visible()  # "Unread"
    expect(mailbox.row("Sensitive letter")).to_be_visible()
    expect(mailbox.row("Invoice for March")).to_contain_text("Invoice")
    report.check("inbox (en)")

    mailbox.open_letter("Your new contract")
    expect(mailbox.pdf).to_be_visible()
    expect(mailbox.download).to_be_visible()
    report.check("a letter (en)")
    mailbox.back.click()

    mailbox.open_letter("Invoice for March")
    expect(page.get_by_role("heading", name="Invoice", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Mark as handled")).to_be_visible()
    report.check("an invoice (en)")
    mailbox.back.click()

    mailbox.open_letter("Sensitive letter")
    expect(mailbox.unlock).to_be_visible()  # "Open with BankID"
    report.check("a sensitive letter, locked (en)")
    mailbox.back.click()

    mailbox.nav_link("mbx.nav.settings").click()
    settings = SettingsPage(page, "en")
    expect(settings.heading_settings).to_be_visible()  # "Settings"
    expect(settings.logout_everywhere).to_be_visible()  # "Log out of all devices"
    english.to_have_attribute("lang", "en")
    report.check("settings (en)")

    mailbox.nav_link("mbx.nav.senders").click()
    expect(page.get_by_role("heading", name="Senders", exact=True)).to_be_visible()
    expect(page.get_by_role("switch", name=re.compile("Receive digitally Northern Power AB"))
           ).to_be_visible()
    english.to_have_attribute("lang", "en")
    report.check("senders (en)")
    report.assert_clean()
