"""/mailbox and its pages: the inbox, one letter (also a locked sensitive one), the app prompt,
'Logga ut', the settings ('Logga ut från alla enheter') and what a session that ended shows."""

from __future__ import annotations

import re

from playwright.sync_api import Locator

from tests.e2e.pages.base import PageObject


class MailboxPage(PageObject):
    path = "/mailbox"

    @property
    def title(self) -> Locator:
        return self.page.get_by_role("heading", level=1, name=re.compile(
            "^" + re.escape(self.text("mailbox.title"))))

    @property
    def inbox(self) -> Locator:
        return self.page.get_by_role("region", name=self.text("mailbox.inbox"))

    def letter(self, subject: str | re.Pattern[str]) -> Locator:
        return self.inbox.get_by_role("button", name=subject)

    def row(self, text: str) -> Locator:
        """The inbox row (a list item) that shows `text` (a subject, a sender)."""
        return self.inbox.get_by_role("listitem").filter(has_text=text)

    def unread_marker(self, row: Locator) -> Locator:
        """The row's "Oläst:" (said in words, before the subject)."""
        return row.get_by_text(re.compile("^" + re.escape(self.text("mailbox.unread")) + r":?\s*$"))

    @property
    def opened_subject(self) -> Locator:
        return self.page.locator("#letter-subject")

    @property
    def opened_letter(self) -> Locator:
        """The open letter (an <article> named by its subject)."""
        return self.page.get_by_role("article")

    @property
    def pdf(self) -> Locator:
        return self.page.get_by_title(self.text("letter.pdf_title"))

    @property
    def download(self) -> Locator:
        return self.page.get_by_role("link", name=self.text("letter.download"))

    @property
    def back(self) -> Locator:
        return self.page.locator("#letter-back")

    # A sensitive letter
    @property
    def sensitive_explain(self) -> Locator:
        return self.page.get_by_text(self.text("letter.sensitive_explain"))

    @property
    def unlock(self) -> Locator:
        return self.page.get_by_role("button", name=self.text("letter.sensitive_open"))

    @property
    def step_up_heading(self) -> Locator:
        return self.page.get_by_role("heading", name=self.text("sign.heading_step_up"))

    @property
    def logout(self) -> Locator:
        return self.page.get_by_role("button", name=self.text("mailbox.logout"))

    @property
    def app_prompt(self) -> Locator:
        return self.page.get_by_role("region", name=self.text("app.heading"))

    @property
    def dismiss_app_prompt(self) -> Locator:
        return self.page.get_by_role("button", name=self.text("app.dismiss"))

    # The mailbox's navigation
    @property
    def nav(self) -> Locator:
        return self.page.get_by_role("navigation", name=self.text("mbx.nav.label"))

    def nav_link(self, key: str) -> Locator:
        """'mbx.nav.inbox' | 'mbx.nav.senders' | 'mbx.nav.settings'."""
        return self.nav.get_by_role("link", name=re.compile("^" + re.escape(self.text(key))))

    # Logged out (a session that ended elsewhere)
    @property
    def logged_out_heading(self) -> Locator:
        return self.page.get_by_role("heading", name=self.text("mailbox.logged_out_heading"))

    @property
    def login_again(self) -> Locator:
        return self.page.get_by_role("main").get_by_role("link", name=self.text("mailbox.login"))

    def open_letter(self, subject: str | re.Pattern[str]) -> None:
        self.letter(subject).click()
        self.opened_subject.wait_for()

    def wait(self) -> MailboxPage:
        self.title.wait_for(timeout=15_000)
        return self


class SettingsPage(MailboxPage):
    path = "/mailbox/installningar"

    @property
    def heading_settings(self) -> Locator:
        return self.page.get_by_role("heading", name=self.text("settings.heading"), exact=True)

    @property
    def logout_everywhere(self) -> Locator:
        return self.page.get_by_role("button", name=self.text("settings.logout_all"))

    @property
    def save(self) -> Locator:
        return self.page.get_by_role("button", name=self.text("settings.save"), exact=True)

    @property
    def saved(self) -> Locator:
        return self.page.get_by_text(self.text("settings.saved"))
