"""What one delivery writes, on SQLite (a statement per table) and PostgreSQL (one statement of
CTEs, delivery_pg.py): the same rows either way; and the single-transaction Idempotency-Key
claim under concurrency, straight on delivery.deliver (no HTTP in between)."""

from __future__ import annotations

import base64
import threading
import uuid

from sqlmodel import Session, select

from kivra_app.models import (
    AuditLog,
    Blob,
    IdempotencyRecord,
    Invoice,
    Letter,
    LetterPart,
    NotificationOutbox,
    SenderEvent,
)
from kivra_app.senders import credentials, delivery
from kivra_app.senders.pdfwriter import make_pdf
from kivra_app.senders.problems import Problem
from tests.senders.harness import invoice_body, letter_body, make_settings, new_person


def _deliver(engine, settings, sender_id: str, body: dict, key: str) -> delivery.Answer:  # noqa: ANN001
    prepared = delivery.prepare(body, max_part_bytes=settings.sender_max_part_bytes)
    return delivery.deliver(engine, settings, prepared, sender_id=sender_id,
                            sender_name="Telia Sverige AB", idempotency_key=key,
                            request_id="req-1")


def test_an_invoice_with_two_parts_writes_every_row(any_engine, tmp_path) -> None:
    settings = make_settings(tmp_path, str(any_engine.url))
    sender_id = credentials.create_sender(any_engine, name="Telia Sverige AB",
                                          orgnr="5564300142").sender_id
    user_id, pnr = new_person(any_engine, sms_invoice=True)
    second = make_pdf("Bilaga", ["Rad"])
    body = invoice_body(pnr)
    body["parts"].append({"filename": "../bilaga.pdf", "content_type": "application/pdf",
                          "data_base64": base64.b64encode(second).decode()})
    answer = _deliver(any_engine, settings, sender_id, body, key="k-1")
    assert answer.status == 201
    with Session(any_engine) as session:
        letter = session.exec(select(Letter).where(Letter.public_id == answer.body["id"])).one()
        assert (letter.sender_id, letter.external_id, letter.kind) == (
            sender_id, body["external_id"], "invoice")
        parts = session.exec(select(LetterPart).where(LetterPart.letter_id == letter.id)
                             .order_by(LetterPart.ordinal)).all()
        assert [(p.ordinal, p.filename) for p in parts] == [(0, "avtal.pdf"), (1, "bilaga.pdf")]
        assert session.get(Blob, parts[1].blob_id).data == second
        assert len({p.public_id for p in parts}) == 2
        invoice = session.get(Invoice, letter.id)
        assert (invoice.amount_ore, invoice.reference, invoice.status) == (123450, "426523791",
                                                                           "unpaid")
        event = session.exec(select(SenderEvent)).one()
        assert (event.message_id, event.type) == (letter.public_id, "delivered")
        outbox = session.exec(select(NotificationOutbox).order_by(NotificationOutbox.channel)).all()
        assert [(o.channel, o.dedupe_key, o.user_id, o.status) for o in outbox] == [
            ("email", f"{letter.id}:email", user_id, "pending"),
            ("sms", f"{letter.id}:sms", user_id, "pending")]
        audit = session.exec(select(AuditLog).where(AuditLog.action == "message.create")).one()
        assert (audit.actor_id, audit.object_id, audit.request_id) == (
            sender_id, letter.public_id, "req-1")
        record = session.get(IdempotencyRecord, (sender_id, "k-1"))
        assert record.status == "done" and record.response_code == 201


def test_a_refused_delivery_stores_nothing(any_engine, tmp_path) -> None:
    settings = make_settings(tmp_path, str(any_engine.url))
    sender_id = credentials.create_sender(any_engine, name="Telia Sverige AB",
                                          orgnr="5564300142").sender_id
    from tests.senders.test_api_contract import UNKNOWN_PNR

    try:
        _deliver(any_engine, settings, sender_id, letter_body(UNKNOWN_PNR), key="k-1")
        raise AssertionError("delivered")
    except Problem as problem:
        assert problem.slug == "recipient-not-reachable"
    with Session(any_engine) as session:
        assert session.exec(select(IdempotencyRecord)).all() == []
        assert session.exec(select(Letter)).all() == []


def _at_once(n: int, work) -> list[object]:  # noqa: ANN001
    start = threading.Barrier(n)
    out: list[object] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        start.wait()
        try:
            result: object = work(i)
        except Problem as problem:
            result = problem
        with lock:
            out.append(result)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_one_key_twenty_at_once_in_process_makes_one_letter(any_engine, tmp_path) -> None:
    settings = make_settings(tmp_path, str(any_engine.url))
    sender_id = credentials.create_sender(any_engine, name="Telia Sverige AB",
                                          orgnr="5564300142").sender_id
    _, pnr = new_person(any_engine)
    body, key = letter_body(pnr), str(uuid.uuid4())
    results = _at_once(20, lambda _: _deliver(any_engine, settings, sender_id, body, key))
    answers = [r for r in results if isinstance(r, delivery.Answer)]
    others = [r for r in results if not isinstance(r, delivery.Answer)]
    assert all(isinstance(p, Problem) and p.slug == "idempotency-request-in-progress"
               for p in others), others
    assert answers and len({a.body["id"] for a in answers}) == 1
    with Session(any_engine) as session:
        assert len(session.exec(select(Letter)).all()) == 1
        assert len(session.exec(select(NotificationOutbox)).all()) == 1
        assert len(session.exec(select(AuditLog).where(
            AuditLog.action == "message.create")).all()) == 1  # replays add none


def test_one_external_id_under_many_keys_at_once_is_one_letter(any_engine, tmp_path) -> None:
    settings = make_settings(tmp_path, str(any_engine.url))
    sender_id = credentials.create_sender(any_engine, name="Telia Sverige AB",
                                          orgnr="5564300142").sender_id
    _, pnr = new_person(any_engine)
    body = letter_body(pnr)
    keys = [f"key-{i}" for i in range(10)]
    results = _at_once(10, lambda i: _deliver(any_engine, settings, sender_id, body, keys[i]))
    assert all(isinstance(r, delivery.Answer) for r in results), results
    assert len({r.body["id"] for r in results}) == 1  # type: ignore[union-attr]
    for key in keys:  # every key replays that one letter
        assert _deliver(any_engine, settings, sender_id, body, key).body["id"] == \
            results[0].body["id"]  # type: ignore[union-attr]
    with Session(any_engine) as session:
        assert len(session.exec(select(Letter)).all()) == 1
        assert len(session.exec(select(LetterPart)).all()) == 1
        assert len(session.exec(select(NotificationOutbox)).all()) == 1
        assert len(session.exec(select(IdempotencyRecord)).all()) == 10
