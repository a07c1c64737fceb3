"""The mailbox e2e helpers: a sender made with the admin CLI that delivers over the real sender
API (OAuth token, Idempotency-Key), and reading its event feed."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import httpx

from kivra_app.senders.pdfwriter import make_pdf
from tests.e2e.conftest import ROOT, RunningApp

API = "/api/sender/v1"


@dataclass
class SenderApi:
    base: str
    sender_id: str
    client_id: str
    client_secret: str
    token: str = ""

    @classmethod
    def create(cls, app: RunningApp, name: str, orgnr: str) -> SenderApi:
        out = subprocess.run(
            [sys.executable, "-m", "kivra_app.admin", "create-sender", "--name", name,
             "--orgnr", orgnr], cwd=ROOT, env=app.env, check=True, capture_output=True, text=True)
        issued = json.loads(out.stdout)
        api = cls(app.url + API, issued["sender_id"], issued["client_id"], issued["client_secret"])
        response = httpx.post(f"{api.base}/oauth/token", data={"grant_type": "client_credentials"},
                              auth=(api.client_id, api.client_secret), timeout=20)
        assert response.status_code == 200, response.text
        api.token = response.json()["access_token"]
        return api

    @property
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def send(self, body: dict) -> httpx.Response:
        return httpx.post(f"{self.base}/messages", json=body, timeout=30,
                          headers={**self._auth, "Idempotency-Key": str(uuid.uuid4())})

    def letter(self, pnr: str, subject: str, **extra: object) -> httpx.Response:
        pdf = base64.b64encode(make_pdf(subject, ["Hej!", "Det här är ett brev."])).decode()
        body = {"recipient": {"personnummer": pnr}, "external_id": "ext-" + uuid.uuid4().hex,
                "type": "letter", "subject": subject,
                "parts": [{"filename": "brev.pdf", "content_type": "application/pdf",
                           "data_base64": pdf}], **extra}
        return self.send(body)

    def invoice(self, pnr: str, subject: str, *, amount: str = "1234.50",
                due: date | None = None) -> httpx.Response:
        due = due or date.today() + timedelta(days=20)
        return self.letter(pnr, subject, type="invoice", invoice={
            "amount": amount, "currency": "SEK", "due_date": due.isoformat(),
            "account_type": "bankgiro", "account_number": "5402-9681",
            "reference_type": "ocr", "reference": "426523791"})

    def events(self) -> list[dict]:
        response = httpx.get(f"{self.base}/events", headers=self._auth, timeout=20)
        assert response.status_code == 200, response.text
        return response.json()["events"]


def account(app: RunningApp, pnr: str, given: str = "Karin", email: str | None = None) -> tuple[int, str]:
    """A person with an account and a mailbox, the way the signup leaves one (no session yet).
    Returns (user id, email address)."""
    import sqlite3
    from datetime import UTC, datetime

    from tests.e2e.flows import db_time

    now = datetime.now(UTC)
    email = email or f"{given.lower()}.{pnr}@example.se"
    with sqlite3.connect(app.data_dir / "e2e.db") as conn:
        cur = conn.execute(
            "INSERT INTO user (personnummer, given_name, surname, email, phone, language, "
            "created_at) VALUES (?, ?, 'Test', ?, '+46701740699', 'sv', ?)",
            (pnr, given, email, db_time(now)))
        user_id = int(cur.lastrowid or 0)
        conn.execute("INSERT INTO mailbox (user_id, created_at, status) VALUES (?, ?, 'active')",
                     (user_id, db_time(now)))
    return user_id, email


def add_session(app: RunningApp, page, user_id: int) -> None:  # noqa: ANN001
    """A live mailbox session for `user_id` in this browser context: the row and the cookie the
    BankID login sets (another device of the same person gets its own)."""
    import hashlib
    import secrets
    import sqlite3
    from datetime import UTC, datetime

    from tests.e2e.flows import db_time

    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with sqlite3.connect(app.data_dir / "e2e.db") as conn:
        conn.execute(
            "INSERT INTO websession (token_hash, user_id, created_at, expires_at, used_at, "
            "expired) VALUES (?, ?, ?, ?, ?, 0)",
            (hashlib.sha256(token.encode()).hexdigest(), user_id, db_time(now),
             db_time(now + timedelta(hours=12)), db_time(now)))
    page.context.add_cookies([{"name": "kivra_session", "value": token, "url": app.url,
                               "httpOnly": True, "sameSite": "Lax"}])


def log_in_with_bankid(page, app_url: str, pnr: str, *, lang: str = "sv"):  # noqa: ANN001, ANN201
    """/login as a returning person does it, on the device the page is: a computer shows the
    QR and the person's BankID app approves (the test-support API's simulator control); a phone
    gets no QR but "Öppna BankID" (the app on the same device). Ends in the mailbox; returns
    its page object."""
    from playwright.sync_api import expect

    from tests.e2e.flows import MAILBOX_URL, open_bankid_app
    from tests.e2e.pages.bankid import BankIdPhone
    from tests.e2e.pages.login import LoginPage
    from tests.e2e.pages.mailbox import MailboxPage
    from tests.e2e.support.test_api import TestApi

    login = LoginPage(page, lang)
    login.open()
    login.wait()
    from kivra_app.bankid.links import is_mobile

    if is_mobile(page.evaluate("() => navigator.userAgent")):  # the app's own rule
        expect(login.qr).to_have_count(0)
        open_bankid_app(page, app_url, pnr)
    else:
        # Our order is the newest pending one once its QR is on the screen.
        expect(login.qr).to_be_visible(timeout=15_000)
        BankIdPhone(TestApi(app_url)).approve(personal_number=pnr)
    page.wait_for_url(MAILBOX_URL, timeout=30_000)
    return MailboxPage(page, lang).wait()


def logged_in_person(app: RunningApp, page, pnr: str, given: str = "Karin",  # noqa: ANN001
                     email: str | None = None, *, via_login: bool = False) -> str:
    """A person with an account and a live mailbox session in this browser context.

    The signup and the BankID login have their own e2e tests; a mailbox test starts from an
    account the way a returning person has one, with the session cookie the login sets
    (fast). `via_login=True`: the session comes from logging in through /login with BankID
    instead (the page then stands in the mailbox)."""
    user_id, email = account(app, pnr, given, email)
    if via_login:
        log_in_with_bankid(page, app.url, pnr)
    else:
        add_session(app, page, user_id)
    return email


def a11y_report(page):  # noqa: ANN001, ANN201
    """The accessibility report of tests/e2e/test_accessibility.py, without its wait for network
    idle: a page that shows a BankID QR (or frames a PDF) is never idle, and axe needs only the
    rendered DOM."""
    from tests.e2e.test_accessibility import AXE_OPTIONS, BLOCKING, A11yReport, _axe

    class Report(A11yReport):
        def check(self, screen: str) -> None:
            self.page.wait_for_load_state("load")
            results = _axe.run(self.page, options=AXE_OPTIONS)
            self.screens.append(screen)
            for violation in results.response["violations"]:
                if violation.get("impact") in BLOCKING:
                    targets = [" ".join(map(str, n["target"])) for n in violation["nodes"]]
                    self.problems.append(f"[{screen}] {violation['id']} ({violation['impact']}): "
                                         f"{violation['help']}; targets: {targets}")

    return Report(page)
