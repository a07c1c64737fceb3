"""Database engine and sessions (SQLModel over SQLAlchemy); SQLite by default, PostgreSQL in production."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from kivra_app.settings import get_settings


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url)
    ping_when_idle(engine)
    return engine


PING_AFTER_IDLE = 10.0  # seconds a pooled connection may rest before it is pinged again


def ping_when_idle(engine: Engine, idle: float = PING_AFTER_IDLE) -> None:
    """Check a pooled connection before use only when it has rested `idle` seconds or more.

    `pool_pre_ping` pings on every checkout: one extra round trip on every event, most of them
    on a connection that answered a moment ago (issue #11: 8% of a signup event's time). A
    connection that went stale (a database restart, a proxy's idle timeout) has been resting;
    it is pinged, and a dead one is replaced by a fresh one (the pool retries the checkout on
    DisconnectionError, as with pre-ping). A connection dropped while in use fails that one
    statement, which SQLAlchemy answers by invalidating the pool, as it always did."""
    from sqlalchemy import exc

    @event.listens_for(engine, "checkin")
    def _rested_from(_dbapi_conn, record):  # noqa: ANN001
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_rested(dbapi_conn, record, _proxy):  # noqa: ANN001
        since = record.info.get("checked_in")
        if since is None or time.monotonic() - since < idle:
            return  # fresh from connect, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_conn)  # what pool_pre_ping runs
        except Exception as error:
            raise exc.DisconnectionError() from error


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.effective_database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def insert_or_ignore(dialect: str, table):  # noqa: ANN001, ANN201
    """An INSERT for the dialect named (`conn.dialect.name`: "postgresql" or "sqlite") that
    has `.on_conflict_do_nothing(...)`."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def database_ok(engine: Engine | None = None) -> bool:
    try:
        with (engine or get_engine()).connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not usable"
        return False
