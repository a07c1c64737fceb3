"""/signup : one object per step (personnummer, email, email code, phone, SMS code, done)."""

from __future__ import annotations

from playwright.sync_api import Locator

from tests.e2e.pages.base import PageObject


class SignupStep(PageObject):
    path = "/signup"
    step = 0

    @property
    def status(self) -> Locator:
        """The step's polite live region ('Vi har skickat en ny kod', 'Försök igen')."""
        return self.page.locator("#signup-status")

    @property
    def progress(self) -> Locator:
        return self.page.get_by_role("progressbar")

    def wait(self) -> SignupStep:
        self.page.get_by_text(self.progress_text(self.step)).wait_for(timeout=15_000)
        return self

    def error_for(self, field: Locator) -> Locator:
        """The inline error linked to `field` (aria-describedby)."""
        field_id = field.get_attribute("id")
        return self.page.locator(f"#{field_id}-error")


class PersonnummerStep(SignupStep):
    step = 1

    @property
    def field(self) -> Locator:
        return self.page.get_by_label(self.text("pnr.label"))

    @property
    def submit(self) -> Locator:
        return self.page.get_by_role("button", name=self.text("pnr.submit"))

    def enter(self, personnummer: str) -> None:
        self.field.fill(personnummer)
        self.submit.click()


class _AddressStep(SignupStep):
    label_key = ""

    @property
    def field(self) -> Locator:
        return self.page.get_by_label(self.text(self.label_key))

    @property
    def submit(self) -> Locator:
        return self.page.get_by_role("button", name=self.text("common.continue"), exact=True)

    def enter(self, value: str) -> None:
        self.field.fill(value)
        self.submit.click()


class EmailStep(_AddressStep):
    step = 3
    label_key = "email.label"


class PhoneStep(_AddressStep):
    step = 5
    label_key = "phone.label"


class CodeStep(SignupStep):
    """Steps 4 (email code) and 6 (SMS code)."""

    step = 4

    @property
    def field(self) -> Locator:
        return self.page.get_by_label(self.text("code.label"))

    @property
    def resend(self) -> Locator:
        return self.page.locator("#code-resend")

    @property
    def change_address(self) -> Locator:
        return self.page.locator("#code-change")

    @property
    def validity(self) -> Locator:
        return self.page.locator("#code-validity")

    def enter(self, code: str) -> None:
        self.field.fill(code)
        self.field.press("Enter")


class SmsCodeStep(CodeStep):
    step = 6


class DoneStep(SignupStep):
    step = 7

    @property
    def ok(self) -> Locator:
        return self.page.get_by_role("button", name=self.text("done.ok"), exact=True)
