"""/login : log in with BankID (the shared BankID panel), or 'no account yet' with a way on."""

from __future__ import annotations

from playwright.sync_api import Locator

from tests.e2e.pages.bankid import BankIdStep


class LoginPage(BankIdStep):
    """The BankID panel's locators (qr, open_app, status, retry, cancel) plus the login's own."""

    path = "/login"

    @property
    def heading_text(self) -> str:
        return self.text("login.heading")

    @property
    def login_status(self) -> Locator:
        return self.page.locator("#login-status")

    @property
    def no_account(self) -> Locator:
        return self.page.get_by_role("heading", name=self.text("login.no_account_heading"))

    @property
    def create_account(self) -> Locator:
        return self.page.get_by_role("button", name=self.text("login.create"))

    @property
    def to_start(self) -> Locator:
        return self.page.get_by_role("link", name=self.text("login.to_start"))

    def wait(self) -> LoginPage:
        self.page.get_by_role("heading", level=1, name=self.heading_text).wait_for(
            timeout=15_000)
        return self
