"""The models round-trip on PostgreSQL (127.0.0.1:5432, trust auth), in a throwaway database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, SQLModel, select

import kivra_app.models  # noqa: F401
from kivra_app.db import make_engine
from kivra_app.models import BankIdOrder, Signup, User

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def pg_engine():
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"kivra_models_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        admin.dispose()
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    engine = make_engine(f"postgresql://postgres@127.0.0.1:5432/{name}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_signup_round_trip_and_constraints(pg_engine):
    SQLModel.metadata.create_all(pg_engine)
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with Session(pg_engine) as session:
        session.add(Signup(secret_hash="a" * 64, step="bankid", language="en",
                           personnummer_typed="198507099805", bankid_verified_at=now,
                           created_at=now, updated_at=now,
                           expires_at=now + timedelta(hours=1)))
        session.add(BankIdOrder(purpose="signup", owner="signup:1", same_device=True,
                                first_started_at=now, started_at=now, created_at=now,
                                updated_at=now))
        session.commit()
    with Session(pg_engine) as session:
        row = session.exec(select(Signup).where(Signup.secret_hash == "a" * 64)).one()
        assert (row.step, row.language, row.personnummer_typed) == (
            "bankid", "en", "198507099805")
        assert row.bankid_verified_at == now and row.bankid_verified_at.tzinfo is not None
        assert row.expires_at - row.created_at == timedelta(hours=1)
        order = session.exec(select(BankIdOrder)).one()
        assert order.same_device is True and order.first_started_at == now
    with Session(pg_engine) as session:
        session.add(User(personnummer="198507099805", email="a@example.se", phone="+46701740605"))
        session.commit()
        session.add(User(personnummer="198507099805", email="b@example.se", phone="+46701740605"))
        with pytest.raises(IntegrityError):
            session.commit()
