"""Idempotency under races (20 requests with one key at once, on SQLite and PostgreSQL), the
in-progress answer, and the per-sender rate limit."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session, select

from kivra_app.models import IdempotencyRecord, Letter, NotificationOutbox, SenderEvent, utcnow
from tests.senders.harness import (
    ServerThread,
    letter_body,
    make_settings,
    mounted_app,
    new_person,
    new_sender,
)


def _race(live, body: dict, key: str, n: int = 20) -> list[httpx.Response]:
    sender = new_sender(live.engine, live.base_url)
    _, pnr = new_person(live.engine)
    body = body | {"recipient": {"personnummer": pnr}}
    start = threading.Barrier(n)
    answers: list[httpx.Response] = []
    lock = threading.Lock()

    def one() -> None:
        with httpx.Client(base_url=str(sender.http.base_url), timeout=60) as http:
            start.wait()
            r = http.post("/messages", json=body,
                          headers={**sender.auth, "Idempotency-Key": key})
        with lock:
            answers.append(r)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


@pytest.mark.parametrize("which", ["live", "live_pg"])
def test_twenty_concurrent_requests_with_one_key_make_one_message(which, request) -> None:
    live = request.getfixturevalue(which)
    answers = _race(live, letter_body("x"), key=str(uuid.uuid4()))
    codes = sorted(r.status_code for r in answers)
    assert set(codes) <= {201, 409}, [r.text for r in answers if r.status_code not in (201, 409)]
    created = [r for r in answers if r.status_code == 201]
    assert created, codes
    assert len({r.json()["id"] for r in created}) == 1  # every 201 is the same answer
    for r in answers:
        if r.status_code == 409:
            assert r.json()["type"].endswith("/idempotency-request-in-progress")
    with Session(live.engine) as session:
        assert len(session.exec(select(Letter).where(Letter.sender_id.is_not(None))).all()) == 1
        assert len(session.exec(select(SenderEvent)).all()) == 1
        assert len(session.exec(select(NotificationOutbox)).all()) == 1


def test_same_key_same_body_replays_the_first_answer(live) -> None:
    sender = new_sender(live.engine, live.base_url)
    _, pnr = new_person(live.engine)
    body, key = letter_body(pnr), str(uuid.uuid4())
    first, second = sender.send(body, key=key), sender.send(body, key=key)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert first.headers["location"] == second.headers["location"]


def test_a_key_in_progress_answers_409(live) -> None:
    sender = new_sender(live.engine, live.base_url)
    _, pnr = new_person(live.engine)
    body = letter_body(pnr)
    from kivra_app.senders.delivery import canonical_sha256

    with Session(live.engine) as session:
        session.add(IdempotencyRecord(sender_id=sender.sender_id, key="busy",
                                      request_sha256=canonical_sha256(body),
                                      expires_at=utcnow() + timedelta(hours=1)))
        session.commit()
    r = sender.send(body, key="busy")
    assert r.status_code == 409
    assert r.json()["type"].endswith("/idempotency-request-in-progress")
    assert r.headers["retry-after"] == "1"


def test_refused_delivery_releases_the_key(live) -> None:
    sender = new_sender(live.engine, live.base_url)
    _, pnr = new_person(live.engine)
    from tests.senders.test_api_contract import UNKNOWN_PNR

    refused = sender.send(letter_body(UNKNOWN_PNR), key="k1")
    assert refused.status_code == 422
    with Session(live.engine) as session:
        assert session.exec(select(IdempotencyRecord)).all() == []
    assert sender.send(letter_body(pnr), key="k1").status_code == 201


def test_rate_limit_per_sender_with_retry_after(tmp_path, sqlite_engine) -> None:
    settings = make_settings(tmp_path, str(sqlite_engine.url), sender_rate_burst=3,
                             sender_rate_per_second=0.01)
    with ServerThread(mounted_app(settings, sqlite_engine)) as server:
        base = f"http://127.0.0.1:{server.port}"
        a = new_sender(sqlite_engine, base, name="A AB", orgnr="5568402266")
        b = new_sender(sqlite_engine, base, name="B AB", orgnr="5569173544")
        codes = [a.http.get("/events", headers=a.auth).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = a.http.get("/events", headers=a.auth)
        assert limited.json()["type"].endswith("/rate-limited")
        assert limited.headers["content-type"].startswith("application/problem+json")
        assert 1 <= int(limited.headers["retry-after"]) <= 100
        assert b.http.get("/events", headers=b.auth).status_code == 200  # B has its own budget
