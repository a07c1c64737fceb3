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
