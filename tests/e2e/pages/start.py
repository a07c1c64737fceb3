"""/ : the start page with 'Skapa konto'."""

from __future__ import annotations

import re

from playwright.sync_api import Locator

from tests.e2e.pages.base import PageObject


class StartPage(PageObject):
    path = "/"

    @property
    def create_account(self) -> Locator:
        return self.page.get_by_role("button", name=self.text("start.cta"))

    def begin_signup(self) -> None:
        """Click 'Skapa konto' and wait for step 1."""
        self.create_account.click()
        self.page.wait_for_url(re.compile(r".*/signup/?$"))
        self.page.get_by_text(self.progress_text(1)).wait_for()
