"""Test data for the mailbox: people with mailboxes, senders, letters, parts and invoices, put
straight into the database (the sender API has its own tests)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from itertools import count

from sqlalchemy.engine import Engine

from kivra_app.auth.sessions import new_token, token_hash
from kivra_app.db import session_scope
from kivra_app.models import Blob, Invoice, Letter, LetterPart, Mailbox, Sender, User, WebSession
from tests.unit.fakes import make_pnr

_serial = count(100)
START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def minimal_pdf(text: str = "Hej") -> bytes:
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>", b"",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    stream = f"BT /F1 24 Tf 72 760 Td ({text}) Tj ET".encode()
    objs[3] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    out, offsets = b"%PDF-1.4\n", []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)


def person(engine: Engine, given: str = "Karin", *, email: str | None = None) -> int:
    n = next(_serial)
    with session_scope(engine) as session:
        user = User(personnummer=make_pnr("19850709", f"{n % 1000:03d}"), given_name=given,
                    surname="Test", email=email or f"p{n}@example.se", phone="+46701740605")
        session.add(user)
        session.flush()
        session.add(Mailbox(user_id=user.id))
        return user.id  # type: ignore[return-value]


def login(engine: Engine, user_id: int, *, now: datetime | None = None) -> str:
    """A live web session for the user; returns the cookie secret."""
    now = now or datetime.now(UTC)
    secret = new_token()
    with session_scope(engine) as session:
        session.add(WebSession(token_hash=token_hash(secret), user_id=user_id, created_at=now,
                               expires_at=now + timedelta(hours=12), used_at=now))
    return secret


def sender(engine: Engine, name: str = "Elbolaget AB", orgnr: str | None = None) -> str:
    with session_scope(engine) as session:
        row = Sender(name=name, orgnr=orgnr or f"55{next(_serial):08d}")
        session.add(row)
        session.flush()
        return row.id


def letter(engine: Engine, user_id: int, *, subject: str = "Brev", sender_id: str | None = None,
           sender_name: str = "Elbolaget AB", received_at: datetime | None = None,
           sensitive: bool = False, body: str = "", pdf: bytes | None = None,
           invoice: dict | None = None, read: bool = False) -> int:
    with session_scope(engine) as session:
        mailbox = session.exec(__import__("sqlmodel").select(Mailbox).where(
            Mailbox.user_id == user_id)).one()
        row = Letter(mailbox_id=mailbox.id, sender=sender_name, sender_id=sender_id,
                     subject=subject, body=body, kind="invoice" if invoice is not None else "letter",
                     sensitivity="sensitive" if sensitive else "normal",
                     received_at=received_at or START, read_at=START if read else None)
        session.add(row)
        session.flush()
        if pdf is not None:
            blob = Blob(sha256=hashlib.sha256(pdf).hexdigest(), size_bytes=len(pdf), data=pdf)
            session.add(blob)
            session.flush()
            session.add(LetterPart(letter_id=row.id, ordinal=0, filename="Faktura dec.pdf",
                                   content_type="application/pdf", size_bytes=len(pdf),
                                   sha256=blob.sha256, blob_id=blob.id))
        if invoice is not None:
            session.add(Invoice(letter_id=row.id, **{
                "amount_ore": 123_450, "currency": "SEK", "due_date": date(2026, 12, 15),
                "account_type": "bankgiro", "account_number": "54029681",
                "reference_type": "ocr", "reference": "426523791", **invoice}))
        return row.id  # type: ignore[return-value]


def many_letters(engine: Engine, user_id: int, n: int, *, invoice_every: int = 0) -> None:
    """n letters one minute apart, bulk-inserted."""
    with session_scope(engine) as session:
        mailbox = session.exec(__import__("sqlmodel").select(Mailbox).where(
            Mailbox.user_id == user_id)).one()
        rows = [Letter(mailbox_id=mailbox.id, sender=f"Avsändare {i % 7}", subject=f"Brev {i}",
                       kind="invoice" if invoice_every and i % invoice_every == 0 else "letter",
                       received_at=START + timedelta(minutes=i),
                       read_at=START if i % 3 else None) for i in range(n)]
        session.add_all(rows)
        session.flush()
        if invoice_every:
            session.add_all([Invoice(letter_id=r.id, amount_ore=10_000 + i, due_date=date(2026, 12, 15),
                                     account_type="bankgiro", account_number="54029681",
                                     reference_type="ocr", reference="426523791")
                             for i, r in enumerate(rows) if r.kind == "invoice"])
