"""Tables of the simulated bank (development and tests only; a real provider keeps its own).

Imported by kivra_app/models.py so Alembic sees them. They belong to "the bank", not to the
mailbox: no foreign key to our users, so closing a Kivra account leaves the bank's books alone,
as it would at a real bank.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel


def _now() -> datetime:
    from kivra_app.models import utcnow

    return utcnow()


class SimBankAccount(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("customer", "name", name="uq_simbankaccount_customer_name"),)

    id: int | None = Field(default=None, primary_key=True)
    customer: str = Field(max_length=64, index=True)
    name: str = Field(max_length=60)
    number: str = Field(max_length=20)  # clearing + account, digits only
    balance_ore: int = 0
    created_at: datetime = Field(default_factory=_now,
                                 sa_column=Column(DateTime(timezone=True), nullable=False))


class SimBankPayment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # The caller's key: one payment per key, however often the call is repeated.
    idempotency_key: str = Field(max_length=64, unique=True, index=True)
    payment_ref: str = Field(max_length=40, unique=True, index=True)
    customer: str = Field(max_length=64, index=True)
    account_id: int = Field(foreign_key="simbankaccount.id")
    amount_ore: int
    payee_name: str = Field(max_length=200)
    payee_account_type: str = Field(max_length=10)
    payee_account: str = Field(max_length=10)
    reference: str = Field(max_length=40)
    pay_date: date
    status: str = Field(default="scheduled", max_length=10)  # scheduled|paid|failed|cancelled
    created_at: datetime = Field(default_factory=_now,
                                 sa_column=Column(DateTime(timezone=True), nullable=False))
    settled_at: datetime | None = Field(default=None,
                                        sa_column=Column(DateTime(timezone=True), nullable=True))
