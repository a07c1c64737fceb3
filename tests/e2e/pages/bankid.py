"""Step 2 (the BankID panel) and the BankID 'phone' played by the test-support API."""

from __future__ import annotations

import io

from playwright.sync_api import Locator, expect

from tests.e2e.pages.signup import SignupStep
from tests.e2e.support.test_api import TestApi


class BankIdStep(SignupStep):
    step = 2

    @property
    def qr(self) -> Locator:
        return self.page.get_by_role("img", name=self.text("bankid.qr_alt"))

    @property
    def status(self) -> Locator:
        """The RFA text ('Starta BankID-appen.')."""
        return self.page.locator("#bankid-status")

    @property
    def open_app(self) -> Locator:
        return self.page.get_by_role("link", name=self.text("bankid.open_app"))

    @property
    def cancel(self) -> Locator:
        return self.page.get_by_role("button", name=self.text("bankid.cancel"))

    @property
    def retry(self) -> Locator:
        return self.page.get_by_role("button", name=self.text("bankid.retry"))

    def wait_started(self, timeout: float = 15_000) -> BankIdStep:
        """Until this screen's order exists: its QR on a computer, 'Öppna BankID' on a phone.
        "Startar BankID …" shows first, while the app starts the order in the background;
        only then is the order the newest pending one the BankID 'phone' (BankIdPhone) acts on."""
        expect(self.qr.or_(self.open_app)).to_be_visible(timeout=timeout)
        return self

    def qr_data(self) -> str:
        """The text of the QR on screen (decoded from a screenshot, as a phone would)."""
        import zxingcpp
        from PIL import Image

        self.qr.wait_for(timeout=10_000)
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(self.qr.screenshot())))
        return found[0].text if found else ""


class BankIdPhone:
    """The person's BankID app: acts on the newest pending order through /_test/bankid."""

    def __init__(self, api: TestApi) -> None:
        self.api = api

    def approve(self, personal_number: str | None = None) -> dict:
        order = self.api.wait_for_order(personal_number)
        return self.api.bankid_act(order["id"], "approve", personal_number=personal_number)

    def cancel(self) -> dict:
        return self.api.bankid_act(self.api.wait_for_order()["id"], "cancel")

    def fail(self, hint_code: str) -> dict:
        return self.api.bankid_act(self.api.wait_for_order()["id"], "fail", hint_code=hint_code)
