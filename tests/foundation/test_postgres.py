"""The migrations and a round trip against the local PostgreSQL (127.0.0.1:5432, trust auth)."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kivra_app.db import make_engine
from kivra_app.migrate import upgrade
from kivra_app.models import Signup

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    name = f"kivra_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is not usable: {exc}")
    engine = make_engine(f"postgresql://postgres@127.0.0.1:5432/{name}")
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migrations_and_round_trip(pg_engine: Engine) -> None:
    upgrade(pg_engine)
    upgrade(pg_engine)  # idempotent: a second start migrates nothing
    expires = datetime.now(UTC) + timedelta(hours=1)
    with Session(pg_engine) as session:
        session.add(Signup(secret_hash="a" * 64, personnummer_typed="199001011239", expires_at=expires))
        session.commit()
    with Session(pg_engine) as session:
        row = session.exec(select(Signup).where(Signup.secret_hash == "a" * 64)).one()
    assert row.personnummer_typed == "199001011239"
    assert row.expires_at == expires
    with pg_engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert version
