"""Paying an invoice with BankID, on a computer (QR) and on a phone (the BankID app on the same
device): the sign order shows what is paid, the invoice turns "Betald" and the sender's event
feed says `paid`; a second attempt is not offered."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.flows import open_bankid_app, scan_qr
from tests.e2e.mailbox_flows import SenderApi, a11y_report, logged_in_person
from tests.e2e.pages.bankid import BankIdStep


@pytest.fixture(autouse=True)
def _patient_expect():
    """A shared, busy machine: answers over the websocket can take seconds here."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default, for the other test files

PAYERS = {"desktop": "196912241236", "phone": "198311021235"}


def _open_invoice(page: Page, sender: SenderApi, pnr: str, subject: str) -> None:
    assert sender.invoice(pnr, subject).status_code == 201
    row = page.locator("li.inbox-item").filter(has_text=subject)
    expect(row).to_be_visible(timeout=15_000)
    row.get_by_role("button").first.click()
    expect(page.locator("#invoice-status")).to_have_text("Obetald")


def _fill_payment(page: Page) -> None:
    page.get_by_role("button", name="Betala", exact=True).click()
    expect(page.get_by_label("Betala från konto")).to_be_visible()
    account = page.get_by_label("Betala från konto")
    expect(account.locator("option").first).to_have_text(re.compile("^Lönekonto"))
    account.select_option(index=0)
    # A holiday is refused calmly, and the choice is kept.
    page.get_by_label("Betalningsdag").fill("2026-12-25")
    page.get_by_role("button", name="Betala med BankID").click()
    expect(page.get_by_text("Det är ingen bankdag")).to_be_visible()
    page.get_by_label("Betalningsdag").fill(_today())
    page.get_by_role("button", name="Betala med BankID").click()
    BankIdStep(page).wait_started()  # the sign order exists once its QR or link is shown


def _assert_sign_text(app_url: str, payee: str) -> None:
    """What the BankID app shows the person (the simulator's list of open orders)."""
    orders = httpx.get(f"{app_url}/bankid-sim/app/orders", timeout=10).json()["orders"]
    texts = [o["userVisibleData"] or "" for o in orders if o["type"] == "sign"]
    mine = [t for t in texts if payee in t]
    assert mine, texts
    lines = mine[-1].splitlines()
    assert lines[0] == f"Betala 1 234,50 kr till {payee}"
    assert "Bankgiro: 5402-9681" in lines and "OCR-nummer: 426523791" in lines


def _today() -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from kivra_app.payments.bank_days import bank_day_on_or_after

    return bank_day_on_or_after(datetime.now(ZoneInfo("Europe/Stockholm")).date()).isoformat()


def _paid(page: Page, sender: SenderApi) -> None:
    expect(page.locator("#invoice-status")).to_have_text(
        re.compile(r"^(Betald|Betalning planerad \d{4}-\d{2}-\d{2})$"), timeout=20_000)
    expect(page.get_by_role("button", name="Betala", exact=True)).to_have_count(0)
    types = [e["type"] for e in sender.events()]
    assert "paid" in types or "payment_scheduled" in types


def test_pay_an_invoice_with_bankid_on_a_computer(desktop_page: Page, running_app) -> None:
    page, pnr = desktop_page, PAYERS["desktop"]
    logged_in_person(running_app, page, pnr)
    page.goto("/mailbox")
    sender = SenderApi.create(running_app, "Elbolaget AB", "5569173544")
    _open_invoice(page, sender, pnr, "Faktura el")
    report = a11y_report(page)
    _fill_payment(page)
    expect(page.get_by_role("heading", name="Godkänn betalningen med BankID")).to_be_visible()
    report.check("paying: BankID QR")
    _assert_sign_text(running_app.url, "Elbolaget AB")
    scan_qr(page, running_app.url, pnr)
    _paid(page, sender)
    report.check("paid")
    report.assert_clean()


def test_pay_an_invoice_with_bankid_on_a_phone(iphone_page: Page, running_app) -> None:
    page, pnr = iphone_page, PAYERS["phone"]
    logged_in_person(running_app, page, pnr, "Olle")
    page.goto("/mailbox")
    sender = SenderApi.create(running_app, "Vattenbolaget AB", "5560473521")
    _open_invoice(page, sender, pnr, "Faktura vatten")
    _fill_payment(page)
    _assert_sign_text(running_app.url, "Vattenbolaget AB")
    open_bankid_app(page, running_app.url, pnr)
    page.wait_for_url(re.compile(r".*/mailbox/?$"))
    _paid(page, sender)
    assert httpx.get(running_app.url + "/api/sender/v1/events", timeout=10).status_code == 401
