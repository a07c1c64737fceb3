"""A simulated bank for development and tests, kept in the database (so it survives restarts and
is shared by workers): a few named accounts per customer with balances, payments on a date.

- A payment dated today is paid at once (the balance goes down); a later bank day is scheduled
  and settles when `settle_due` runs on or after that day (the app runs it when a payment's
  status is asked for).
- The available amount is the balance minus what is already scheduled; asking for more is
  refused calmly (`pay.insufficient_funds`), and nothing changes.
- The same idempotency key never pays twice: the second call gets the first call's receipt.
- `fail_next` makes the next call raise PaymentUnavailable (tests of "try again").
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from kivra_app.db import session_scope
from kivra_app.payments.bank_days import pay_date_problem
from kivra_app.payments.provider import (
    BankAccount,
    PaymentOrder,
    PaymentReceipt,
    PaymentRefused,
    PaymentUnavailable,
)
from kivra_app.payments.sim_models import SimBankAccount, SimBankPayment

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# Every new customer gets these (name, clearing + account number, balance in öre).
STARTING_ACCOUNTS: tuple[tuple[str, str, int], ...] = (
    ("Lönekonto", "83279123456781", 2_450_000),
    ("Sparkonto", "83279876543210", 12_000_000),
    ("Vardagskonto", "50001234567", 15_000),
)


def _today_in_sweden(now: datetime) -> date:
    return now.astimezone(STOCKHOLM).date()


def _masked(number: str) -> str:
    return "•••• " + number[-4:]


class SimulatedBank:
    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] | None = None) -> None:
        self.engine = engine
        self.clock = clock or (lambda: datetime.now(UTC))
        self.fail_next = False

    def _maybe_fail(self) -> None:
        if self.fail_next:
            self.fail_next = False
            raise PaymentUnavailable("simulated outage")

    def today(self) -> date:
        return _today_in_sweden(self.clock())

    # -- accounts -----------------------------------------------------------------------------
    def _ensure_accounts(self, customer: str) -> None:
        with Session(self.engine) as session:
            if session.exec(select(SimBankAccount.id).where(SimBankAccount.customer == customer)).first():
                return
        try:
            with session_scope(self.engine) as session:
                for name, number, balance in STARTING_ACCOUNTS:
                    session.add(SimBankAccount(customer=customer, name=name, number=number,
                                               balance_ore=balance))
        except IntegrityError:
            pass  # another worker opened them at the same moment

    @staticmethod
    def _reserved(session: Session, account_id: int) -> int:
        return int(session.exec(
            select(func.coalesce(func.sum(SimBankPayment.amount_ore), 0)).where(
                SimBankPayment.account_id == account_id, SimBankPayment.status == "scheduled")
        ).one())

    # Each RP-facing call answers from the database in a worker thread, as a real bank's HTTP
    # call would not hold the app's event loop.
    async def accounts(self, customer: str) -> list[BankAccount]:
        self._maybe_fail()
        return await asyncio.to_thread(self._accounts, customer)

    def _accounts(self, customer: str) -> list[BankAccount]:
        self._ensure_accounts(customer)
        self.settle_due()
        with Session(self.engine) as session:
            rows = session.exec(select(SimBankAccount).where(SimBankAccount.customer == customer)
                                .order_by(SimBankAccount.id)).all()
            return [BankAccount(id=str(row.id), name=row.name, masked_number=_masked(row.number),
                                available_ore=row.balance_ore - self._reserved(session, row.id))
                    for row in rows]

    def balance(self, customer: str, name: str) -> int:
        """The booked balance of one named account (tests and the dev page)."""
        with Session(self.engine) as session:
            row = session.exec(select(SimBankAccount).where(
                SimBankAccount.customer == customer, SimBankAccount.name == name)).first()
            return row.balance_ore if row else 0

    # -- payments -----------------------------------------------------------------------------
    @staticmethod
    def _receipt(row: SimBankPayment) -> PaymentReceipt:
        return PaymentReceipt(payment_ref=row.payment_ref, status=row.status, pay_date=row.pay_date)

    def _debit(self, session: Session, account_id: int, amount: int) -> bool:
        """Take `amount` from the account if the balance allows it (one atomic UPDATE)."""
        return session.exec(  # type: ignore[call-overload]
            update(SimBankAccount).execution_options(synchronize_session=False)
            .where(SimBankAccount.id == account_id, SimBankAccount.balance_ore >= amount)
            .values(balance_ore=SimBankAccount.balance_ore - amount)
        ).rowcount == 1

    async def schedule(self, customer: str, order: PaymentOrder) -> PaymentReceipt:
        self._maybe_fail()
        if order.amount_ore <= 0:
            raise PaymentRefused("pay.amount_invalid")
        today = self.today()
        problem = pay_date_problem(order.pay_date, today)
        if problem:
            raise PaymentRefused(problem)
        try:
            account_id = int(order.account_id)
        except (TypeError, ValueError):
            raise PaymentRefused("pay.account_unknown") from None
        return await asyncio.to_thread(self._schedule, customer, order, account_id, today)

    def _schedule(self, customer: str, order: PaymentOrder, account_id: int,
                  today: date) -> PaymentReceipt:
        try:
            with session_scope(self.engine) as session:
                existing = session.exec(select(SimBankPayment).where(
                    SimBankPayment.idempotency_key == order.idempotency_key)).first()
                if existing is not None:
                    return self._receipt(existing)
                account = session.get(SimBankAccount, account_id)
                if account is None or account.customer != customer:
                    raise PaymentRefused("pay.account_unknown")
                available = account.balance_ore - self._reserved(session, account_id)
                if available < order.amount_ore:
                    raise PaymentRefused("pay.insufficient_funds")
                now = self.clock()
                paid_now = order.pay_date <= today
                if paid_now and not self._debit(session, account_id, order.amount_ore):
                    raise PaymentRefused("pay.insufficient_funds")
                row = SimBankPayment(
                    idempotency_key=order.idempotency_key, payment_ref=secrets.token_hex(10),
                    customer=customer, account_id=account_id, amount_ore=order.amount_ore,
                    payee_name=order.payee_name[:200], payee_account_type=order.payee_account_type,
                    payee_account=order.payee_account, reference=order.reference[:40],
                    pay_date=order.pay_date, status="paid" if paid_now else "scheduled",
                    created_at=now, settled_at=now if paid_now else None)
                session.add(row)
                session.flush()
                return self._receipt(row)
        except IntegrityError:
            # The same key at the same moment from another call: answer with that payment.
            with Session(self.engine) as session:
                existing = session.exec(select(SimBankPayment).where(
                    SimBankPayment.idempotency_key == order.idempotency_key)).first()
                if existing is None:
                    raise PaymentUnavailable("conflict") from None
                return self._receipt(existing)

    def settle_due(self) -> int:
        """Pay every scheduled payment whose date has come; without funds it fails. Returns how
        many changed."""
        today = self.today()
        changed = 0
        with session_scope(self.engine) as session:
            due = session.exec(select(SimBankPayment).where(
                SimBankPayment.status == "scheduled", SimBankPayment.pay_date <= today)).all()
            for row in due:
                claimed = session.exec(  # type: ignore[call-overload]
                    update(SimBankPayment).execution_options(synchronize_session=False)
                    .where(SimBankPayment.id == row.id, SimBankPayment.status == "scheduled")
                    .values(status="settling")
                ).rowcount
                if claimed != 1:
                    continue
                ok = self._debit(session, row.account_id, row.amount_ore)
                session.exec(  # type: ignore[call-overload]
                    update(SimBankPayment).execution_options(synchronize_session=False)
                    .where(SimBankPayment.id == row.id)
                    .values(status="paid" if ok else "failed", settled_at=self.clock())
                )
                changed += 1
        return changed

    async def status(self, customer: str, payment_ref: str) -> PaymentReceipt | None:
        self._maybe_fail()
        return await asyncio.to_thread(self._status, customer, payment_ref)

    def _status(self, customer: str, payment_ref: str) -> PaymentReceipt | None:
        self.settle_due()
        with Session(self.engine) as session:
            row = session.exec(select(SimBankPayment).where(
                SimBankPayment.payment_ref == payment_ref, SimBankPayment.customer == customer)).first()
            return self._receipt(row) if row else None

    async def cancel(self, customer: str, payment_ref: str) -> bool:
        self._maybe_fail()
        return await asyncio.to_thread(self._cancel, customer, payment_ref)

    def _cancel(self, customer: str, payment_ref: str) -> bool:
        with session_scope(self.engine) as session:
            return session.exec(  # type: ignore[call-overload]
                update(SimBankPayment).execution_options(synchronize_session=False)
                .where(SimBankPayment.payment_ref == payment_ref,
                       SimBankPayment.customer == customer,
                       SimBankPayment.status == "scheduled")
                .values(status="cancelled", settled_at=self.clock())
            ).rowcount == 1
