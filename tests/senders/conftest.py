"""Fixtures for the sender API, the rate limiter and the notification worker: SQLite in a
temporary directory, a throwaway PostgreSQL database (127.0.0.1:5432) and Redis (own prefix)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import kivra_app.models  # noqa: F401 - registers the tables
from kivra_app.db import make_engine

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def sqlite_engine(tmp_path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'senders.db'}")
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _pg_database() -> tuple[str, Engine]:
    name = f"kivra_senders_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, make_engine(f"postgresql://postgres@127.0.0.1:5432/{name}")


def _drop_pg(name: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    name, engine = _pg_database()
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    _drop_pg(name)


@pytest.fixture
def pg_engine(pg_url) -> Iterator[Engine]:
    engine = make_engine(pg_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_engine(request, tmp_path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'senders.db'}")
        SQLModel.metadata.create_all(engine)
        yield engine
        engine.dispose()
        return
    name, engine = _pg_database()
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()
    _drop_pg(name)


@dataclass
class Live:
    engine: Engine
    settings: object
    base_url: str


def _live(tmp_path, engine: Engine, url: str, **overrides: object) -> Iterator[Live]:
    from tests.senders.harness import ServerThread, make_settings, mounted_app

    settings = make_settings(tmp_path, url, **overrides)
    with ServerThread(mounted_app(settings, engine)) as server:
        yield Live(engine, settings, f"http://127.0.0.1:{server.port}")


@pytest.fixture
def live(tmp_path, sqlite_engine) -> Iterator[Live]:
    """The sender API over SQLite on a real socket."""
    yield from _live(tmp_path, sqlite_engine, str(sqlite_engine.url))


@pytest.fixture
def live_pg(tmp_path, pg_engine, pg_url) -> Iterator[Live]:
    """The sender API over PostgreSQL on a real socket."""
    yield from _live(tmp_path, pg_engine, pg_url)
