"""The mailbox as a person uses it: a sender delivers through the sender API while the inbox is
open, the letter appears without a reload marked "Oläst", the person opens the PDF (served only
to their session), marks it unread, moves it to the trash and back, marks an invoice handled
(the sender's feed says `handled`), on a computer and a phone; axe on every screen."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.mailbox_flows import SenderApi, a11y_report, logged_in_person


@pytest.fixture(autouse=True)
def _patient_expect():
    """A shared, busy machine: answers over the websocket can take seconds here."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default, for the other test files

READER_PEOPLE = {"desktop": "198702141238", "phone": "197508231235"}


def _inbox_row(page: Page, subject: str):
    return page.locator("li.inbox-item").filter(has_text=subject)


def test_deliver_read_pdf_unread_trash_handled_desktop(desktop_page: Page, running_app) -> None:
    page, app_url = desktop_page, running_app.url
    pnr = READER_PEOPLE["desktop"]
    logged_in_person(running_app, page, pnr)
    page.goto("/mailbox")
    expect(page.get_by_role("heading", name=re.compile("Din Kivra"))).to_be_visible()
    report = a11y_report(page)
    sender = SenderApi.create(running_app, "Elbolaget AB", "5568402266")

    # Delivered while the inbox is open: it appears without a reload, unread.
    assert sender.letter(pnr, "Ditt nya avtal").status_code == 201
    row = _inbox_row(page, "Ditt nya avtal")
    expect(row).to_be_visible(timeout=15_000)
    expect(row.get_by_text("Oläst")).to_be_visible()
    expect(page.locator("#unread-count")).to_have_text(re.compile(r"^\d+ olästa$"))
    expect(page).to_have_title(re.compile(r"^\(\d+\) Din Kivra$"))
    report.check("inbox with a new letter")

    # Open it: the PDF in the page, downloadable; read now.
    row.get_by_role("button").first.click()
    expect(page.get_by_role("heading", name="Ditt nya avtal")).to_be_visible()
    frame = page.locator("iframe#letter-pdf")
    expect(frame).to_have_attribute("title", "Brevet som PDF")
    src = frame.get_attribute("src") or ""
    response = page.request.get(src)
    assert response.status == 200 and response.body().startswith(b"%PDF-")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"].startswith("sandbox")
    assert response.headers["cache-control"] == "private, no-store"
    download = page.get_by_role("link", name="Ladda ner brevet (PDF)")
    with page.expect_download() as info:
        download.click()
    assert info.value.suggested_filename == "brev.pdf"
    # Nobody else gets the file: no session, no file.
    assert httpx.get(app_url + src, timeout=10).status_code == 404
    report.check("a letter with its PDF")

    # Markera som oläst, then Papperskorg and back.
    page.get_by_role("button", name="Markera som oläst").click()
    expect(page.get_by_text("Brevet är markerat som oläst.")).to_be_visible()
    expect(_inbox_row(page, "Ditt nya avtal").get_by_text("Oläst")).to_be_visible()
    _inbox_row(page, "Ditt nya avtal").get_by_role("button").first.click()
    page.get_by_role("button", name="Flytta till papperskorgen").click()
    expect(page.get_by_text("Brevet ligger nu i papperskorgen.")).to_be_visible()
    expect(_inbox_row(page, "Ditt nya avtal")).to_have_count(0)
    page.get_by_role("button", name="Papperskorg").click()
    expect(page.get_by_role("heading", name="Papperskorg")).to_be_visible()
    report.check("the trash")
    _inbox_row(page, "Ditt nya avtal").get_by_role("button", name="Återställ").click()
    expect(page.get_by_text("Brevet är tillbaka i inkorgen.")).to_be_visible()
    page.get_by_role("button", name="Papperskorg").click()  # back to everything
    expect(_inbox_row(page, "Ditt nya avtal")).to_be_visible()

    # An invoice: badge with amount and due date; "Markera som hanterad" tells the sender.
    assert sender.invoice(pnr, "Faktura december").status_code == 201
    invoice_row = _inbox_row(page, "Faktura december")
    expect(invoice_row).to_be_visible(timeout=15_000)
    expect(invoice_row.get_by_text("1 234,50 kr")).to_be_visible()
    expect(invoice_row.get_by_text("Obetald")).to_be_visible()
    page.get_by_role("button", name="Obetalda").click()
    expect(page.locator("li.inbox-item")).to_have_count(1)
    invoice_row.get_by_role("button").first.click()
    panel = page.locator("#invoice")
    expect(panel.locator("#invoice-amount")).to_have_text("1 234,50 kr")
    expect(panel.locator("#invoice-account")).to_have_text("5402-9681")
    expect(panel.locator("#invoice-reference")).to_have_text("4265 2379 1")
    expect(panel.get_by_role("button", name="Kopiera OCR-numret")).to_be_visible()
    report.check("an invoice")
    page.get_by_role("button", name="Markera som hanterad").click()
    expect(panel.locator("#invoice-status")).to_have_text("Hanterad")
    assert [e["type"] for e in sender.events()].count("handled") == 1
    page.get_by_role("button", name="Ångra markeringen hanterad").click()
    expect(panel.locator("#invoice-status")).to_have_text("Obetald")
    report.assert_clean()


def test_reading_on_a_phone(iphone_page: Page, running_app) -> None:
    page = iphone_page
    pnr = READER_PEOPLE["phone"]
    logged_in_person(running_app, page, pnr, "Olle")
    page.goto("/mailbox")
    expect(page.get_by_role("heading", name=re.compile("Din Kivra"))).to_be_visible()
    sender = SenderApi.create(running_app, "Skatteverket", "2120000142")
    assert sender.letter(pnr, "Slutskattebesked").status_code == 201
    row = _inbox_row(page, "Slutskattebesked")
    expect(row).to_be_visible(timeout=15_000)
    expect(row.get_by_text("Oläst")).to_be_visible()
    report = a11y_report(page)
    report.check("phone inbox")
    row.get_by_role("button").first.click()
    expect(page.get_by_role("heading", name="Slutskattebesked")).to_be_visible()
    expect(page.get_by_role("link", name="Ladda ner brevet (PDF)")).to_be_visible()
    report.check("phone letter")
    page.get_by_role("button", name=re.compile("Tillbaka till inkorgen")).click()
    expect(row.get_by_text("Oläst")).to_have_count(0)
    report.assert_clean()
