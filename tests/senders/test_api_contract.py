"""The sender API's contract over real HTTP: tokens, match, messages, status, events, and
every problem type with its exact slug."""

from __future__ import annotations

import base64
import uuid

import httpx
from sqlmodel import Session, select

from kivra_app.models import (
    AuditLog,
    Invoice,
    Letter,
    LetterPart,
    NotificationOutbox,
    SenderEvent,
    SenderPreference,
    utcnow,
)
from kivra_app.senders.pdfwriter import make_pdf
from tests.senders.harness import (
    invoice_body,
    letter_body,
    new_person,
    new_sender,
    pdf_b64,
)
from tests.unit.fakes import make_pnr

UNKNOWN_PNR = make_pnr("19700101", "555")  # valid, but nobody signed up with it


def slug(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body = response.json()
    assert body["status"] == response.status_code
    return body["type"].rsplit("/", 1)[-1]


def test_token_then_letter_and_invoice_delivered_status_and_events(live) -> None:
    sender = new_sender(live.engine, live.base_url)
    _, pnr = new_person(live.engine)
    r = sender.http.post("/oauth/token", data={"grant_type": "client_credentials"},
                         auth=(sender.client_id, sender.client_secret))
    assert r.status_code == 200
    assert r.json()["token_type"] == "Bearer" and r.json()["expires_in"] == 3600
    assert r.headers["cache-control"] == "no-store"

    letter = sender.send(letter_body(pnr, body_text="Hej"))
    assert letter.status_code == 201, letter.text
    created = letter.json()
    assert created["status"] == "delivered" and created["delivered_at"].endswith("Z")
    assert letter.headers["location"] == f"/api/sender/v1/messages/{created['id']}"

    invoice = sender.send(invoice_body(pnr))
    assert invoice.status_code == 201, invoice.text
    status = sender.http.get(f"/messages/{invoice.json()['id']}", headers=sender.auth).json()
    assert status["type"] == "invoice" and status["invoice_status"] == "unpaid"
    assert status["status"] == "delivered"
    letter_status = sender.http.get(letter.headers["location"].removeprefix("/api/sender/v1"),
                                    headers=sender.auth).json()
    assert letter_status["invoice_status"] is None and letter_status["type"] == "letter"

    feed = sender.http.get("/events", headers=sender.auth).json()
    assert [e["type"] for e in feed["events"]] == ["delivered", "delivered"]
    assert [e["message_id"] for e in feed["events"]] == [created["id"], invoice.json()["id"]]
    again = sender.http.get("/events", params={"after": feed["next_cursor"]}, headers=sender.auth)
    assert again.json() == {"events": [], "next_cursor": feed["next_cursor"]}
    first_only = sender.http.get("/events", params={"limit": 1}, headers=sender.auth).json()
    assert len(first_only["events"]) == 1 and first_only["next_cursor"] == feed["events"][0]["id"]

    with Session(live.engine) as session:
        stored = session.exec(select(Letter).where(Letter.public_id == invoice.json()["id"])).one()
        inv = session.get(Invoice, stored.id)
        assert (inv.amount_ore, inv.account_number, inv.reference) == (123450, "54029681", "426523791")
        parts = session.exec(select(LetterPart).where(LetterPart.letter_id == stored.id)).all()
        assert [p.filename for p in parts] == ["avtal.pdf"]
        assert stored.sender == "Telia Sverige AB"
        outbox = session.exec(select(NotificationOutbox)).all()
        assert sorted(o.kind for o in outbox) == ["invoice", "letter"]  # email, SMS off by default
        actions = [a.action for a in session.exec(select(AuditLog)).all()]
        assert actions.count("message.create") == 2 and "oauth.token" in actions


def test_match_lists_only_reachable_and_ignores_invalid(live) -> None:
    sender = new_sender(live.engine, live.base_url)
    user_a, pnr_a = new_person(live.engine)
    user_b, pnr_b = new_person(live.engine)
    with Session(live.engine) as session:
        session.add(SenderPreference(user_id=user_b, sender_id=sender.sender_id, enabled=False,
                                     grace_until=utcnow()))
        session.commit()
    dashed = pnr_a[:8] + "-" + pnr_a[8:]
    r = sender.http.post("/recipients/match", headers=sender.auth, json={
        "personnummer": [dashed, pnr_b, "198507099806", "not a number", UNKNOWN_PNR]})
    assert r.status_code == 200
    assert r.json() == {"reachable": [dashed]}
    too_many = sender.http.post("/recipients/match", headers=sender.auth,
                                json={"personnummer": [pnr_a] * 10_001})
    assert too_many.status_code == 413 and slug(too_many) == "payload-too-large"


def test_every_problem_type(live) -> None:
    sender = new_sender(live.engine, live.base_url)
    _, pnr = new_person(live.engine)
    seen: set[str] = set()

    def expect(response: httpx.Response, status: int, expected: str) -> None:
        assert response.status_code == status, response.text
        assert slug(response) == expected
        assert pnr not in response.text and pnr[2:] not in response.text
        seen.add(expected)

    expect(sender.send({"type": "letter"}), 422, "validation-failed")
    expect(sender.send(letter_body("198507099806")), 422, "invalid-personnummer")
    expect(sender.send(invoice_body(pnr, reference="426523792")), 422, "invalid-ocr")
    expect(sender.send(invoice_body(pnr, account_number="123-4567")), 422, "invalid-account")
    expect(sender.send(letter_body(UNKNOWN_PNR)), 422, "recipient-not-reachable")
    bad_pdf = base64.b64encode(b"%PDF-1.4 this is not a pdf").decode()
    expect(sender.send(letter_body(pnr, parts=[{"filename": "x.pdf",
                                               "content_type": "application/pdf",
                                               "data_base64": bad_pdf}])), 422, "file-not-allowed")
    missing = sender.http.post("/messages", json=letter_body(pnr), headers=sender.auth)
    expect(missing, 400, "idempotency-key-missing")
    key = str(uuid.uuid4())
    assert sender.send(letter_body(pnr), key=key).status_code == 201
    expect(sender.send(letter_body(pnr), key=key), 422, "idempotency-key-reused")
    big = b"x" * (10 * 1024 * 1024 + 1)
    expect(sender.http.post("/messages", content=big, headers={
        **sender.auth, "Idempotency-Key": "k-big", "Content-Type": "application/json"}),
        413, "payload-too-large")
    expect(sender.http.post("/messages", content=b"<xml/>", headers={
        **sender.auth, "Idempotency-Key": "k-xml", "Content-Type": "application/xml"}),
        415, "unsupported-media-type")
    expect(sender.http.post("/messages", json=letter_body(pnr), headers={"Idempotency-Key": "k"}),
           401, "unauthorized")
    expect(sender.http.get(f"/messages/{uuid.uuid4()}", headers=sender.auth), 404, "not-found")
    # idempotency-request-in-progress and rate-limited: test_idempotency.py, test_limits.py
    assert len(seen) == 12
    with Session(live.engine) as session:  # nothing refused was stored
        assert len(session.exec(select(Letter).where(Letter.sender_id == sender.sender_id)).all()) == 1
        outcomes = {a.outcome for a in session.exec(select(AuditLog)).all()}
        assert {"invalid-ocr", "file-not-allowed", "recipient-not-reachable"} <= outcomes
        details = " ".join(a.details or "" for a in session.exec(select(AuditLog)).all())
        assert pnr not in details


def test_unauthorized_answers_carry_www_authenticate(live) -> None:
    sender = new_sender(live.engine, live.base_url)
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic eDp5"}):
        r = sender.http.get("/events", headers=headers)
        assert r.status_code == 401 and slug(r) == "unauthorized"
        assert r.headers["www-authenticate"].startswith("Bearer")
    bad = sender.http.post("/oauth/token", data={"grant_type": "client_credentials"},
                           auth=(sender.client_id, "wrong"))
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    grant = sender.http.post("/oauth/token", data={"grant_type": "password"},
                             auth=(sender.client_id, sender.client_secret))
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"


def test_sender_a_cannot_see_sender_b(live) -> None:
    a = new_sender(live.engine, live.base_url, name="A AB", orgnr="5568402266")
    b = new_sender(live.engine, live.base_url, name="B AB", orgnr="5569173544")
    _, pnr = new_person(live.engine)
    created = a.send(letter_body(pnr))
    assert created.status_code == 201
    message_id = created.json()["id"]
    assert a.http.get(f"/messages/{message_id}", headers=a.auth).status_code == 200
    foreign = b.http.get(f"/messages/{message_id}", headers=b.auth)
    assert foreign.status_code == 404 and slug(foreign) == "not-found"
    assert b.http.get("/events", headers=b.auth).json()["events"] == []
    assert len(a.http.get("/events", headers=a.auth).json()["events"]) == 1
    # the same external_id is B's own business
    same_ext = b.send(letter_body(pnr, external_id=a.http and "shared-id"))
    assert a.send(letter_body(pnr, external_id="shared-id")).status_code == 201
    assert same_ext.status_code == 201


def test_reused_external_id_with_another_body_is_refused(live) -> None:
    sender = new_sender(live.engine, live.base_url)
    _, pnr = new_person(live.engine)
    body = letter_body(pnr, external_id="inv-1")
    first = sender.send(body)
    assert first.status_code == 201
    replay = sender.send(body)  # same body, new key: the same delivery, not a second one
    assert replay.status_code == 201 and replay.json()["id"] == first.json()["id"]
    other = sender.send({**body, "subject": "Annat"})
    assert other.status_code == 422 and slug(other) == "validation-failed"
    assert other.json()["errors"] == [{"pointer": "/external_id", "code": "already_used"}]


def test_opted_out_sender_delivers_during_grace_and_not_after(live) -> None:
    sender = new_sender(live.engine, live.base_url)
    user, pnr = new_person(live.engine)
    from datetime import timedelta

    with Session(live.engine) as session:
        session.add(SenderPreference(user_id=user, sender_id=sender.sender_id, enabled=False,
                                     grace_until=utcnow() + timedelta(days=10)))
        session.commit()
    assert sender.send(letter_body(pnr)).status_code == 201
    with Session(live.engine) as session:
        pref = session.get(SenderPreference, (user, sender.sender_id))
        pref.grace_until = utcnow() - timedelta(seconds=1)
        session.add(pref)
        session.commit()
    refused = sender.send(letter_body(pnr))
    assert refused.status_code == 422 and slug(refused) == "recipient-not-reachable"


def test_token_expiry_revocation_and_suspension(live, tmp_path) -> None:
    from datetime import timedelta

    from kivra_app.models import SenderAccessToken
    from kivra_app.senders import credentials

    sender = new_sender(live.engine, live.base_url)
    assert sender.http.get("/events", headers=sender.auth).status_code == 200
    with Session(live.engine) as session:
        for row in session.exec(select(SenderAccessToken)).all():
            row.expires_at = utcnow() - timedelta(seconds=1)
            session.add(row)
        session.commit()
    expired = sender.http.get("/events", headers=sender.auth)
    assert expired.status_code == 401 and 'error="invalid_token"' in expired.headers["www-authenticate"]
    sender.login()
    assert sender.http.get("/events", headers=sender.auth).status_code == 200
    rotated = credentials.rotate_secret(live.engine, sender.sender_id)
    assert sender.http.get("/events", headers=sender.auth).status_code == 401  # old credential
    old = sender.http.post("/oauth/token", data={"grant_type": "client_credentials"},
                           auth=(sender.client_id, sender.client_secret))
    assert old.status_code == 401
    sender.client_id, sender.client_secret = rotated.client_id, rotated.client_secret
    sender.login()
    assert sender.http.get("/events", headers=sender.auth).status_code == 200
    credentials.suspend_sender(live.engine, sender.sender_id)
    assert sender.http.get("/events", headers=sender.auth).status_code == 401
    again = sender.http.post("/oauth/token", data={"grant_type": "client_credentials"},
                             auth=(sender.client_id, sender.client_secret))
    assert again.status_code == 401


def test_pdf_and_part_rules(live) -> None:
    sender = new_sender(live.engine, live.base_url)
    _, pnr = new_person(live.engine)

    def part(data: bytes, content_type: str = "application/pdf", name: str = "a.pdf") -> dict:
        return {"filename": name, "content_type": content_type,
                "data_base64": base64.b64encode(data).decode()}

    clean = make_pdf("Brev", ["x"])
    js = clean.replace(b"<< /Type /Catalog /Pages 2 0 R >>",
                       b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>")
    hidden_js = clean.replace(b"<< /Type /Catalog /Pages 2 0 R >>",
                              b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /J#53 (x) >> >>")
    launch = clean.replace(b"<< /Type /Catalog /Pages 2 0 R >>",
                           b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Launch /F (calc.exe) >> >>")
    embedded = clean.replace(b"<< /Type /Catalog /Pages 2 0 R >>",
                             b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [] >> >> >>")
    encrypted = clean.replace(b"trailer\n<< ", b"trailer\n<< /Encrypt << /Filter /Standard >> ")
    cases = {
        "not_a_pdf": part(b"MZ\x90\x00 an exe"),
        "pdf_active_content": part(js),
        "hidden": part(hidden_js),
        "launch": part(launch),
        "embedded": part(embedded),
        "pdf_encrypted": part(encrypted),
        "text_not_utf8": part(b"\xff\xfe\x00", "text/plain", "a.txt"),
        "pdf_as_text": part(clean, "text/plain", "a.txt"),
    }
    for name, bad in cases.items():
        r = sender.send(letter_body(pnr, parts=[bad]))
        assert r.status_code == 422 and slug(r) == "file-not-allowed", name
    eleven = sender.send(letter_body(pnr, parts=[part(clean)] * 11))
    assert eleven.status_code == 422 and slug(eleven) == "validation-failed"
    zip_type = sender.send(letter_body(pnr, parts=[part(clean, "application/zip")]))
    assert zip_type.status_code == 422 and slug(zip_type) == "validation-failed"
    ok = sender.send(letter_body(pnr, parts=[part(clean, name="../../etc/passwd.pdf"),
                                             part("Hej på dig".encode(), "text/plain", "x.txt")]))
    assert ok.status_code == 201, ok.text
    with Session(live.engine) as session:
        names = [p.filename for p in session.exec(select(LetterPart).order_by(LetterPart.ordinal)).all()]
    assert names == ["passwd.pdf", "x.txt"]


def test_part_size_cap_before_decoding(live) -> None:
    from tests.senders.harness import make_settings, mounted_app, ServerThread  # noqa: I001

    settings = make_settings(live.settings.data_dir, str(live.engine.url),
                             sender_max_part_bytes=50_000)
    with ServerThread(mounted_app(settings, live.engine)) as server:
        sender = new_sender(live.engine, f"http://127.0.0.1:{server.port}")
        _, pnr = new_person(live.engine)
        big = letter_body(pnr, parts=[{"filename": "a.pdf", "content_type": "application/pdf",
                                       "data_base64": pdf_b64(pad_to=60_000)}])
        r = sender.send(big)
        assert r.status_code == 413 and slug(r) == "payload-too-large"
        assert r.json()["errors"] == [{"pointer": "/parts/0/data_base64", "code": "part_too_large"}]
        assert sender.send(letter_body(pnr)).status_code == 201


def test_sensitive_letter_and_events_after_cursor_ignore_other_senders(live) -> None:
    sender = new_sender(live.engine, live.base_url)
    _, pnr = new_person(live.engine)
    r = sender.send(letter_body(pnr, sensitivity="sensitive", subject="Provsvar"))
    assert r.status_code == 201
    with Session(live.engine) as session:
        letter = session.exec(select(Letter).where(Letter.public_id == r.json()["id"])).one()
        assert letter.sensitivity == "sensitive"
        assert session.exec(select(SenderEvent)).one().type == "delivered"
    bad_cursor = sender.http.get("/events", params={"after": "abc"}, headers=sender.auth)
    assert bad_cursor.status_code == 422 and slug(bad_cursor) == "validation-failed"
    bad_limit = sender.http.get("/events", params={"limit": 101}, headers=sender.auth)
    assert bad_limit.status_code == 422 and slug(bad_limit) == "validation-failed"


def test_no_personnummer_in_logs_or_audit(live, caplog) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    sender = new_sender(live.engine, live.base_url)
    _, pnr = new_person(live.engine)
    sender.send(letter_body(pnr))
    sender.send(invoice_body(pnr, reference="1231"))
    sender.send(letter_body(pnr[:-1] + str((int(pnr[-1]) + 1) % 10)))
    sender.http.post("/recipients/match", headers=sender.auth, json={"personnummer": [pnr]})
    assert caplog.records  # the app did log (SQL, requests): none of it names the person
    text = caplog.text
    assert pnr not in text and pnr[2:] not in text
    with Session(live.engine) as session:
        rows = session.exec(select(AuditLog)).all()
    assert rows and all(pnr not in f"{r.details} {r.object_id} {r.actor_id}" for r in rows)
