"""The test-support API (/_test): Mailpit-shaped outbox, latest-code, the movable clock, the
BankID control's refusals, the loopback/token gate, and its absence in production."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from pydantic import ValidationError
from sqlalchemy import create_engine, event
from sqlmodel import Session, SQLModel
from starlette.testclient import TestClient

from kivra_app.clock import MovableClock, build_clock
from kivra_app.models import OutboxMessage, utcnow
from kivra_app.settings import ProductionMisconfigured, Settings
from kivra_app.web import test_support
from kivra_app.web.api import build_api

LOOPBACK = ("127.0.0.1", 50000)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    engine = create_engine(f"sqlite:///{tmp_path / 't.db'}")
    SQLModel.metadata.create_all(engine)
    settings = Settings(_env_file=None, data_dir=tmp_path, bankid_simulator=False,
                        test_support_token="s3cret-token")
    clock = MovableClock(engine)
    fake = SimpleNamespace(engine=engine, settings=settings, signup=SimpleNamespace(clock=clock))
    monkeypatch.setattr(test_support, "services", lambda: fake)
    app = test_support.build_test_support(settings)
    return SimpleNamespace(engine=engine, clock=clock, settings=settings,
                           client=TestClient(app, client=LOOPBACK), app=app)


def _add(engine, **fields) -> int:  # noqa: ANN001
    with Session(engine) as session:
        m = OutboxMessage(**fields)
        session.add(m)
        session.commit()
        return m.id  # type: ignore[return-value]


def test_outbox_lists_in_mailpits_shape_newest_first_and_filters(env) -> None:  # noqa: ANN001
    _add(env.engine, channel="email", recipient="qa-1@example.test",
         sender="Kivra <noreply@notifications.kivra.example>", subject="Din kod",
         text="Din kod är 123456.\nDen gäller i 30 minuter.")
    _add(env.engine, channel="sms", recipient="+46701234567", sender="Kivra",
         text="Kivra: 654321 är din kod.")
    body = env.client.get("/outbox/messages").json()
    assert body["total"] == 2 and body["messages_count"] == 2 and body["start"] == 0
    newest, oldest = body["messages"]
    assert newest["Tags"] == ["sms"] and newest["To"] == [{"Name": "", "Address": "+46701234567"}]
    assert oldest["From"] == {"Name": "Kivra", "Address": "noreply@notifications.kivra.example"}
    assert oldest["Subject"] == "Din kod" and oldest["Snippet"].startswith("Din kod är 123456.")
    only_mail = env.client.get("/outbox/messages", params={"channel": "email"}).json()
    assert [m["Tags"] for m in only_mail["messages"]] == [["email"]]
    page = env.client.get("/outbox/messages", params={"start": 1, "limit": 1}).json()
    assert page["count"] == 1 and page["messages"][0]["ID"] == oldest["ID"]
    full = env.client.get("/outbox/message/latest", params={"to": "qa-1@example.test"}).json()
    assert full["Text"].startswith("Din kod är 123456") and full["ID"] == oldest["ID"]


def test_outbox_delete_some_or_all(env) -> None:  # noqa: ANN001
    first = _add(env.engine, channel="sms", recipient="+46701234567", text="111111")
    _add(env.engine, channel="sms", recipient="+46701234567", text="222222")
    env.client.request("DELETE", "/outbox/messages", json={"IDs": [first]})
    assert env.client.get("/outbox/messages").json()["total"] == 1
    env.client.delete("/outbox/messages")
    assert env.client.get("/outbox/messages").json()["total"] == 0


def test_latest_code_returns_the_newest_code_and_waits_for_a_newer_one(env) -> None:  # noqa: ANN001
    missing = env.client.get("/outbox/latest-code", params={"to": "qa-2@example.test"})
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    first = _add(env.engine, channel="email", recipient="qa-2@example.test", text="Kod: 111111")
    _add(env.engine, channel="email", recipient="someone@example.test", text="Kod: 999999")
    got = env.client.get("/outbox/latest-code", params={"to": "QA-2@example.test"}).json()
    assert got["code"] == "111111" and got["message_id"] == str(first)
    newer = env.client.get("/outbox/latest-code",
                           params={"to": "qa-2@example.test", "after": first, "wait_s": 0.3})
    assert newer.status_code == 404  # no resend yet
    assert env.client.get("/outbox/latest-code").status_code == 400


def test_the_clock_moves_and_returns_to_real_time(env) -> None:  # noqa: ANN001
    before = env.clock()
    moved = env.client.post("/clock", json={"advance_s": 1801}).json()
    assert moved["offset_s"] == 1801
    assert env.clock() - before >= timedelta(seconds=1801)
    target = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    env.client.post("/clock", json={"set": target.isoformat()})
    assert abs((env.clock() - target).total_seconds()) < 5
    assert env.client.post("/clock", json={"advance_s": "soon"}).status_code == 400
    env.client.delete("/clock")
    assert abs((env.clock() - utcnow()).total_seconds()) < 5


def test_another_workers_clock_follows_a_move_within_its_refresh_and_reads_once_meanwhile(
        tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'w.db'}")
    SQLModel.metadata.create_all(engine)
    reads: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *a: reads.append(statement)
                 if "dev_clock" in statement and statement.lstrip().upper().startswith("SELECT")
                 else None)
    ticks = [100.0]
    mover = MovableClock(engine, monotonic=lambda: ticks[0])
    other = MovableClock(engine, monotonic=lambda: ticks[0])  # another worker process
    assert other.offset() == 0.0
    mover.set_offset(1800)
    assert mover.offset() == 1800  # at once where it was moved
    reads.clear()
    for _ in range(50):  # e.g. 50 QR frames within one refresh window
        assert other.offset() == 0.0
    assert reads == []  # no database read per call
    ticks[0] += other.refresh
    assert other.offset() == 1800  # within the refresh, the other worker follows
    assert len(reads) == 1
    mover.advance(60)
    ticks[0] += other.refresh
    assert other.offset() == 1860


def test_movable_clock_only_where_test_support_is_on(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'c.db'}")
    dev = Settings(_env_file=None, data_dir=tmp_path)
    assert isinstance(build_clock(dev, engine), MovableClock)
    off = Settings(_env_file=None, data_dir=tmp_path, test_support=False)
    assert build_clock(off, engine) is utcnow


def test_bankid_control_refuses_unknown_hints_and_a_missing_simulator(env) -> None:  # noqa: ANN001
    bad = env.client.post("/bankid/orders/x/fail", json={"hintCode": "noSuchHint"})
    assert bad.status_code == 400 and "userCancel" in bad.json()["detail"]
    # The simulator is off in these settings: a calm 409, not a crash.
    assert env.client.get("/bankid/orders").status_code == 409
    assert env.client.post("/bankid/orders/x/approve").status_code == 409


def test_only_loopback_or_the_token_gets_in(env) -> None:  # noqa: ANN001
    remote = TestClient(env.app, client=("203.0.113.9", 40000))
    assert remote.get("/outbox/messages").status_code == 404
    assert remote.get("/outbox/messages",
                      headers={"X-Test-Support-Token": "wrong"}).status_code == 404
    assert remote.get("/outbox/messages",
                      headers={"X-Test-Support-Token": "s3cret-token"}).status_code == 200


def test_openapi_lists_every_route(env) -> None:  # noqa: ANN001
    spec = env.client.get("/openapi.json").json()
    served = {r.path for r in env.app.routes} - {"/openapi.json"}
    assert set(spec["paths"]) == served


def test_production_refuses_the_gallery_and_the_test_api(tmp_path: Path) -> None:
    prod = {"env": "production", "data_dir": tmp_path, "bankid_url": "https://x/rp/v6.0/",
            "public_url": "https://kivra.example.se",
            "smtp_host": "smtp.example.se", "sms_provider": "46elks", "secret_key": "k" * 64}
    for flag in ("gallery", "test_support"):
        with pytest.raises((ProductionMisconfigured, ValidationError), match=flag.upper()):
            Settings(_env_file=None, **prod, **{flag: True})
    settings = Settings(_env_file=None, **prod)
    assert not settings.gallery_enabled and not settings.test_support_enabled
    client = TestClient(build_api(settings), base_url="https://kivra.example.se")
    assert client.get("/_test/openapi.json").status_code == 404
    allowed = Settings(_env_file=None, **prod, gallery=True, allow_dev_parts_in_production=True)
    assert allowed.gallery_enabled
