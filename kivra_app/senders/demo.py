"""Development helpers: the demo sender whose credentials /dev/senders shows, and
`admin demo-deliver`, which delivers sample letters and invoices with real PDFs through the
same delivery code the API uses (so a fresh account has mail to look at)."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kivra_app.models import Sender, SenderCredential
from kivra_app.senders import credentials, delivery
from kivra_app.senders.pdfwriter import make_pdf
from kivra_app.senders.problems import Problem

DEMO_NAME = "Demobolaget AB"
DEMO_ORGNR = "5560360793"


def demo_file(settings) -> Path:  # noqa: ANN001
    return settings.data_dir / "dev-sender.json"


def ensure_demo_sender(engine: Engine, settings) -> dict[str, str]:  # noqa: ANN001
    """The demo sender's credentials (development only), created or renewed when missing."""
    path = demo_file(settings)
    if path.exists():
        saved = json.loads(path.read_text())
        with Session(engine) as session:
            cred = session.exec(select(SenderCredential).where(
                SenderCredential.client_id == saved.get("client_id"),
                SenderCredential.revoked_at.is_(None))).first()  # type: ignore[union-attr]
            if cred is not None and cred.sender_id == saved.get("sender_id"):
                return saved
    with Session(engine) as session:
        existing = session.exec(select(Sender).where(Sender.orgnr == DEMO_ORGNR)).first()
    if existing is None:
        issued = credentials.create_sender(engine, name=DEMO_NAME, orgnr=DEMO_ORGNR)
    else:
        issued = credentials.rotate_secret(engine, existing.id)
    saved = {**issued.as_json(), "name": DEMO_NAME, "orgnr": DEMO_ORGNR}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(saved))
    path.chmod(0o600)
    return saved


def _pdf_part(filename: str, title: str, lines: list[str]) -> dict[str, str]:
    return {"filename": filename, "content_type": "application/pdf",
            "data_base64": base64.b64encode(make_pdf(title, lines)).decode()}


def sample_messages(personnummer: str, today: date) -> list[dict[str, object]]:
    run = uuid.uuid4().hex[:8]
    due = (today + timedelta(days=20)).isoformat()
    return [
        {"recipient": {"personnummer": personnummer}, "external_id": f"demo-{run}-1",
         "type": "letter", "subject": "Välkommen som kund",
         "body_text": "Hej!\n\nTack för att du valt oss. Ditt avtal finns bifogat som PDF.",
         "parts": [_pdf_part("avtal.pdf", "Ditt avtal", [
             "Avtalet gäller från och med i dag.", "Uppsägningstid: en månad.",
             "Frågor? Ring kundtjänst på 0771-00 00 00."])]},
        {"recipient": {"personnummer": personnummer}, "external_id": f"demo-{run}-2",
         "type": "invoice", "subject": "Faktura december",
         "parts": [_pdf_part("faktura.pdf", "Faktura", [
             "Bredband 250/250: 399,00 kr", "Tv-paket: 835,50 kr", "Att betala: 1 234,50 kr",
             f"Förfallodag: {due}", "Bankgiro: 5402-9681", "OCR: 426523791"])],
         "invoice": {"amount": "1234.50", "currency": "SEK", "due_date": due,
                     "account_type": "bankgiro", "account_number": "5402-9681",
                     "reference_type": "ocr", "reference": "426523791"}},
        {"recipient": {"personnummer": personnummer}, "external_id": f"demo-{run}-3",
         "type": "invoice", "subject": "Elräkning",
         "parts": [_pdf_part("el.pdf", "Elräkning", [
             "Förbrukning: 312 kWh", "Att betala: 587,00 kr", "Plusgiro: 28 65 43-4"])],
         "invoice": {"amount": "587.00", "currency": "SEK",
                     "due_date": (today + timedelta(days=30)).isoformat(),
                     "account_type": "plusgiro", "account_number": "28 65 43-4",
                     "reference_type": "ocr", "reference": "771554193"}},
        {"recipient": {"personnummer": personnummer}, "external_id": f"demo-{run}-4",
         "type": "letter", "subject": "Provsvar", "sensitivity": "sensitive",
         "parts": [_pdf_part("provsvar.pdf", "Provsvar", [
             "Det här är ett känsligt brev (demo).", "Innehållet visas först efter BankID."])]},
    ]


def demo_deliver(engine: Engine, settings, personnummer: str, *,  # noqa: ANN001
                 sender_ref: str | None = None) -> dict[str, object]:
    from kivra_app.models import utcnow

    if sender_ref is None:
        sender_id = ensure_demo_sender(engine, settings)["sender_id"]
    else:
        with Session(engine) as session:
            sender = session.get(Sender, sender_ref) or session.exec(
                select(Sender).where(Sender.orgnr == sender_ref.replace("-", ""))).first()
        if sender is None:
            raise credentials.SenderAdminError("no such sender")
        sender_id = sender.id
    with Session(engine) as session:
        name = session.get(Sender, sender_id).name  # type: ignore[union-attr]
    delivered = []
    for message in sample_messages(personnummer, utcnow().date()):
        try:
            prepared = delivery.prepare(message, max_part_bytes=settings.sender_max_part_bytes)
            answer = delivery.deliver(engine, settings, prepared, sender_id=sender_id,
                                      sender_name=name, idempotency_key=str(uuid.uuid4()))
        except Problem as problem:
            if problem.slug == "invalid-personnummer":
                raise credentials.SenderAdminError("--personnummer is not valid") from None
            if problem.slug == "recipient-not-reachable":
                raise credentials.SenderAdminError(
                    "no active mailbox for that personnummer (sign up first)") from None
            raise credentials.SenderAdminError(problem.slug) from None
        delivered.append({"id": answer.body["id"], "type": message["type"]})
    return {"sender_id": sender_id, "delivered": delivered}
