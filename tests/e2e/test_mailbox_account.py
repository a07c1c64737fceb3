"""Senders, settings and the person's own data, as a person does it on a phone: turn a sender
off ("Ta emot digitalt") and see its delivery refused after the grace period, save the
notification settings, download "Hämta din data", close the account with BankID (senders see
`recipient_opted_out`, a confirmation mail arrives) and sign up again from scratch."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import zipfile
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.flows import db_time, open_bankid_app
from tests.e2e.helpers import outbox, wait_for_code
from tests.e2e.mailbox_flows import SenderApi, a11y_report, logged_in_person

PERSON = "198205171237"


@pytest.fixture(autouse=True)
def _patient_expect():
    """A shared, busy machine: answers over the websocket can take seconds here."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


def test_senders_settings_export_and_closing_on_a_phone(iphone_page: Page, running_app) -> None:
    page, app = iphone_page, running_app
    email = logged_in_person(app, page, PERSON, "Maja")
    sender = SenderApi.create(app, "Telia Sverige AB", "5564300142")
    assert sender.letter(PERSON, "Din nya faktura finns här").status_code == 201
    page.goto("/mailbox")
    expect(page.locator("li.inbox-item").filter(has_text="Din nya faktura")).to_be_visible()
    report = a11y_report(page)

    # Avsändare: the switch goes off; deliveries still arrive during the grace period...
    page.get_by_role("link", name="Avsändare").click()
    switch = page.get_by_role("switch", name=re.compile("Ta emot digitalt Telia Sverige AB"))
    expect(switch).to_have_attribute("aria-checked", "true")
    report.check("senders")
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "false")
    expect(page.get_by_text(re.compile(r"Från \d{4}-\d{2}-\d{2} skickar Telia Sverige AB"))
           ).to_be_visible()
    assert "recipient_opted_out" in [e["type"] for e in sender.events()]
    assert sender.letter(PERSON, "Under respittiden").status_code == 201
    # ...and are refused once it is over (the clock moved on: the grace period ends now).
    with sqlite3.connect(app.data_dir / "e2e.db") as conn:
        conn.execute("UPDATE senderpreference SET grace_until = ?",
                     (db_time(datetime.now(UTC) - timedelta(seconds=1)),))
    refused = sender.letter(PERSON, "Efter respittiden")
    assert refused.status_code == 422 and "recipient-not-reachable" in refused.text

    # Inställningar: notifications saved.
    page.get_by_role("link", name="Inställningar").click()
    expect(page.get_by_role("heading", name="Inställningar")).to_be_visible()
    sms = page.get_by_label("Sms:a mig när jag får en faktura")
    expect(sms).not_to_be_checked()
    sms.check()
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Dina inställningar är sparade.")).to_be_visible()
    report.check("settings")

    # A new email address, verified with a code as in the signup; the old one is told.
    new_email = f"maja.ny.{PERSON}@example.se"
    page.get_by_role("button", name="Byt mailadress").click()
    page.get_by_label("Ny mailadress").fill(new_email)
    page.get_by_role("button", name="Skicka kod").click()
    expect(page.get_by_text(f"Vi har skickat en kod till {new_email}")).to_be_visible()
    code, _ = wait_for_code(app.url, to=new_email, channel="email")
    page.get_by_label("Koden du fick").fill(code)
    page.get_by_role("button", name="Bekräfta").click()
    expect(page.get_by_text("Din mailadress är bytt.")).to_be_visible()
    expect(page.locator("#current-email")).to_have_text(new_email)
    assert any("Dina kontaktuppgifter" in (m.get("subject") or "")
               for m in outbox(app.url, to=email, channel="email"))
    email = new_email

    # Hämta din data: a zip with the account and every document.
    export = page.request.get("/api/me/export")
    assert export.status == 200 and export.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(export.body()))
    data = json.loads(archive.read("account.json"))
    assert data["person"]["email"] == email and data["notifications"]["sms_invoice"] is True
    assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 2
    assert httpx.get(app.url + "/api/me/export", timeout=10).status_code == 404  # no session

    # Avsluta konto: BankID signing on this phone, then the account is gone.
    page.get_by_role("button", name="Avsluta konto med BankID").click()
    expect(page.get_by_role("heading", name="Avsluta kontot med BankID")).to_be_visible()
    report.check("closing: BankID")
    open_bankid_app(page, app.url, PERSON)
    page.wait_for_url(re.compile(r".*/konto-avslutat/?$"), timeout=30_000)
    expect(page.get_by_role("heading", name="Ditt konto är avslutat")).to_be_visible()
    report.check("closed")
    assert [e["type"] for e in sender.events()].count("recipient_opted_out") >= 2
    mails = outbox(app.url, to=email, channel="email")
    assert any("Ditt Kivra-konto är avslutat" in (m.get("subject") or "") for m in mails)
    with sqlite3.connect(app.data_dir / "e2e.db") as conn:
        assert conn.execute("SELECT count(*) FROM user WHERE personnummer = ?",
                            (PERSON,)).fetchone() == (0,)
    page.goto("/mailbox")
    page.wait_for_url(re.compile(r".*/login/?\?next=/mailbox"))  # no session: the login page
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
    # Leave the login page before the next navigation: it starts its BankID order with a page
    # load of its own, which would abort a goto that races it (net::ERR_ABORTED).
    page.goto("about:blank")
    # The same person can start again from scratch.
    logged_in_person(app, page, PERSON, "Maja", email=email)
    page.goto("/mailbox")
    expect(page.get_by_text("Hej Maja!")).to_be_visible()
    report.assert_clean()
