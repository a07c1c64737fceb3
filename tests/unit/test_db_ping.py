"""The pool pings a connection only after it has rested (kivra_app.db.ping_when_idle), and
replaces one that no longer answers."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from kivra_app import db


@pytest.fixture
def engine(tmp_path):  # noqa: ANN001, ANN201
    engine = create_engine(f"sqlite:///{tmp_path / 'ping.db'}", pool_size=1)
    yield engine
    engine.dispose()


def _pings(engine, monkeypatch: pytest.MonkeyPatch, *, fail: bool = False) -> list[int]:  # noqa: ANN001
    seen: list[int] = []

    def ping(dbapi_conn) -> bool:  # noqa: ANN001
        seen.append(id(dbapi_conn))
        if fail:
            raise RuntimeError("server closed the connection")
        return True

    monkeypatch.setattr(engine.dialect, "do_ping", ping)
    return seen


def _use(engine) -> object:  # noqa: ANN001
    """The DBAPI connection the pool handed out (kept alive, so identities stay unique)."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        return conn.connection.dbapi_connection


def test_a_connection_used_a_moment_ago_is_not_pinged(engine, monkeypatch) -> None:  # noqa: ANN001
    db.ping_when_idle(engine, idle=60)
    pings = _pings(engine, monkeypatch)
    for _ in range(3):
        _use(engine)
    assert pings == []


def test_a_rested_connection_is_pinged_first(engine, monkeypatch) -> None:  # noqa: ANN001
    clock = [1000.0]
    monkeypatch.setattr(db.time, "monotonic", lambda: clock[0])
    db.ping_when_idle(engine, idle=10)
    pings = _pings(engine, monkeypatch)
    first = _use(engine)
    clock[0] += 11
    assert _use(engine) is first
    assert pings == [id(first)]


def test_a_rested_connection_that_does_not_answer_is_replaced(engine, monkeypatch) -> None:  # noqa: ANN001
    clock = [1000.0]
    monkeypatch.setattr(db.time, "monotonic", lambda: clock[0])
    db.ping_when_idle(engine, idle=10)
    first = _use(engine)
    _pings(engine, monkeypatch, fail=True)
    clock[0] += 11
    kept = engine.connect()  # the pool retries the checkout with a new connection
    try:
        assert kept.execute(text("SELECT 1")).scalar() == 1
        assert kept.connection.dbapi_connection is not first
    finally:
        kept.close()
