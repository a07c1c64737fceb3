"""The signup on an iPhone 13 and a Pixel 7: BankID on the same device through the autostart
link. The link points at https://app.bankid.com/ (the real app's universal link); the test
intercepts that navigation (no internet here), approves the order through the simulator's app
API with the link's autostart token, and comes back to the page, as a person returning from
the BankID app does. Polling then resumes and the signup continues."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.flows import (
    OTHER_PEOPLE,
    enter_code,
    enter_email,
    enter_personnummer,
    enter_phone_and_code,
    finish_and_open_mailbox,
    open_bankid_app,
    start_signup,
    unique_email,
)
from tests.e2e.helpers import wait_for_code


def _phone_signup(page: Page, app_url: str, person: str, phone: tuple[str, str],
                  store_link: str) -> None:
    start_signup(page)
    enter_personnummer(page, OTHER_PEOPLE[person])
    # A phone gets the same-device path first, with a way to use another device instead.
    expect(page.get_by_role("button", name="Använd BankID på en annan enhet")).to_be_visible()
    expect(page.get_by_role("img", name="QR-kod att scanna med BankID-appen")).to_have_count(0)
    open_bankid_app(page, app_url, OTHER_PEOPLE[person])
    address = unique_email(person)
    enter_email(page, address)
    code, _ = wait_for_code(app_url, to=address, channel="email")
    enter_code(page, code)
    enter_phone_and_code(page, app_url, *phone)
    finish_and_open_mailbox(page)
    # The app prompt offers only this phone's store.
    expect(page.get_by_role("link", name=store_link)).to_be_visible()
    other = ("Hämta Kivra på Google Play" if "App Store" in store_link
             else "Hämta Kivra i App Store")
    expect(page.get_by_role("link", name=other)).to_have_count(0)


def test_whole_signup_on_an_iphone(iphone_page: Page, app_url: str) -> None:
    _phone_signup(iphone_page, app_url, "iphone", ("070-174 06 13", "+46701740613"),
                  "Hämta Kivra i App Store")


def test_whole_signup_on_a_pixel(pixel_page: Page, app_url: str) -> None:
    _phone_signup(pixel_page, app_url, "pixel", ("070-174 06 14", "+46701740614"),
                  "Hämta Kivra på Google Play")
