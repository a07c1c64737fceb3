"""/mailbox : the inbox, one letter, the app prompt, 'Logga ut' (the parts that exist today)."""

from __future__ import annotations

import re

from playwright.sync_api import Locator

from tests.e2e.pages.base import PageObject


class MailboxPage(PageObject):
    path = "/mailbox"

    @property
    def inbox(self) -> Locator:
        return self.page.get_by_role("region", name=self.text("mailbox.inbox"))

    def letter(self, subject: str | re.Pattern[str]) -> Locator:
        return self.inbox.get_by_role("button", name=subject)

    @property
    def opened_subject(self) -> Locator:
        return self.page.locator("#letter-subject")

    @property
    def back(self) -> Locator:
        return self.page.locator("#letter-back")

    @property
    def logout(self) -> Locator:
        return self.page.get_by_role("button", name=self.text("mailbox.logout"))

    @property
    def app_prompt(self) -> Locator:
        return self.page.get_by_role("region", name=self.text("app.heading"))

    @property
    def dismiss_app_prompt(self) -> Locator:
        return self.page.get_by_role("button", name=self.text("app.dismiss"))

    def open_letter(self, subject: str | re.Pattern[str]) -> None:
        self.letter(subject).click()
        self.opened_subject.wait_for()
