"""The bank-day calendar and the simulated bank (payment-provider adapter)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from kivra_app.payments.bank_days import (
    bank_day_on_or_after,
    bank_days_between,
    default_pay_date,
    is_bank_day,
    pay_date_problem,
)
from kivra_app.payments.provider import PaymentOrder, PaymentRefused, PaymentUnavailable
from kivra_app.payments.simulated import SimulatedBank
from tests.unit.fakes import Clock


@pytest.mark.parametrize("day", [
    date(2026, 6, 19),   # midsommarafton (a Friday)
    date(2026, 12, 24),  # julafton
    date(2026, 12, 25),  # juldagen
    date(2026, 12, 31),  # nyårsafton
    date(2026, 1, 1), date(2026, 1, 6),  # nyårsdagen, trettondedag jul
    date(2026, 4, 3), date(2026, 4, 6),  # långfredagen, annandag påsk
    date(2026, 5, 1), date(2026, 5, 14),  # första maj, Kristi himmelfärd
    date(2025, 6, 6),    # nationaldagen on a Friday
    date(2026, 11, 28), date(2026, 11, 29),  # a Saturday and a Sunday
])
def test_not_bank_days(day: date) -> None:
    assert not is_bank_day(day)


@pytest.mark.parametrize("day", [
    date(2026, 6, 22), date(2026, 12, 23), date(2026, 12, 28), date(2026, 4, 30),
    date(2026, 12, 1), date(2027, 1, 4),
])
def test_bank_days(day: date) -> None:
    assert is_bank_day(day)


def test_next_bank_day_and_ranges() -> None:
    assert bank_day_on_or_after(date(2026, 12, 24)) == date(2026, 12, 28)
    assert bank_day_on_or_after(date(2026, 6, 19)) == date(2026, 6, 22)
    assert bank_day_on_or_after(date(2026, 12, 31)) == date(2027, 1, 4)
    assert bank_days_between(date(2026, 12, 21), date(2027, 1, 8)) == [
        date(2026, 12, 21), date(2026, 12, 22), date(2026, 12, 23), date(2026, 12, 28),
        date(2026, 12, 29), date(2026, 12, 30), date(2027, 1, 4), date(2027, 1, 5),
        date(2027, 1, 7), date(2027, 1, 8)]


def test_default_pay_date_is_the_due_date_or_the_bank_day_before_it() -> None:
    today = date(2026, 12, 1)
    assert default_pay_date(date(2026, 12, 15), today) == date(2026, 12, 15)
    assert default_pay_date(date(2026, 12, 27), today) == date(2026, 12, 23)  # a Sunday after jul
    assert default_pay_date(date(2026, 11, 20), today) == today  # overdue: the first bank day
    assert default_pay_date(None, date(2026, 12, 24)) == date(2026, 12, 28)


def test_pay_date_problems() -> None:
    today = date(2026, 12, 1)
    assert pay_date_problem(date(2026, 11, 30), today) == "pay.date_past"
    assert pay_date_problem(date(2026, 12, 24), today) == "pay.date_not_bank_day"
    assert pay_date_problem(date(2028, 1, 3), today) == "pay.date_too_far"
    assert pay_date_problem(date(2026, 12, 2), today) is None
    assert pay_date_problem(today, today) is None


# -- the simulated bank ---------------------------------------------------------------------
@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))  # Tuesday 1 December 2026


@pytest.fixture
def bank(engine, clock) -> SimulatedBank:
    return SimulatedBank(engine, clock=clock)


def _order(account_id: str, amount: int, day: date, key: str = "k1") -> PaymentOrder:
    return PaymentOrder(account_id=account_id, amount_ore=amount, payee_name="Elbolaget AB",
                        payee_account_type="bankgiro", payee_account="54029681",
                        reference="426523791", pay_date=day, idempotency_key=key)


def _run(coro):
    return asyncio.run(coro)


def _account(bank: SimulatedBank, customer: str, name: str):
    return next(a for a in _run(bank.accounts(customer)) if a.name == name)


def test_each_customer_gets_named_accounts(bank) -> None:
    names = [a.name for a in _run(bank.accounts("1"))]
    assert names == ["Lönekonto", "Sparkonto", "Vardagskonto"]
    assert _run(bank.accounts("1"))[0].id == _run(bank.accounts("1"))[0].id  # opened once
    assert {a.id for a in _run(bank.accounts("2"))}.isdisjoint({a.id for a in _run(bank.accounts("1"))})
    assert _account(bank, "1", "Lönekonto").masked_number == "•••• 6781"


def test_payment_today_is_paid_at_once(bank) -> None:
    account = _account(bank, "1", "Lönekonto")
    receipt = _run(bank.schedule("1", _order(account.id, 123_450, date(2026, 12, 1))))
    assert receipt.status == "paid"
    assert bank.balance("1", "Lönekonto") == 2_450_000 - 123_450


def test_future_payment_is_scheduled_reserved_then_settled(bank, clock) -> None:
    account = _account(bank, "1", "Lönekonto")
    receipt = _run(bank.schedule("1", _order(account.id, 100_000, date(2026, 12, 15))))
    assert receipt.status == "scheduled"
    assert bank.balance("1", "Lönekonto") == 2_450_000  # not booked yet
    assert _account(bank, "1", "Lönekonto").available_ore == 2_350_000  # but reserved
    clock.now = datetime(2026, 12, 15, 6, 0, tzinfo=UTC)
    assert _run(bank.status("1", receipt.payment_ref)).status == "paid"
    assert bank.balance("1", "Lönekonto") == 2_350_000


def test_insufficient_funds_is_refused_and_changes_nothing(bank) -> None:
    account = _account(bank, "1", "Vardagskonto")
    with pytest.raises(PaymentRefused) as refused:
        _run(bank.schedule("1", _order(account.id, 15_001, date(2026, 12, 1))))
    assert refused.value.key == "pay.insufficient_funds"
    assert bank.balance("1", "Vardagskonto") == 15_000
    # a scheduled payment counts against what is left
    _run(bank.schedule("1", _order(account.id, 10_000, date(2026, 12, 10), key="a")))
    with pytest.raises(PaymentRefused):
        _run(bank.schedule("1", _order(account.id, 6_000, date(2026, 12, 11), key="b")))


def test_refusals_for_dates_and_foreign_accounts(bank) -> None:
    mine = _account(bank, "1", "Lönekonto")
    theirs = _account(bank, "2", "Lönekonto")
    for day, key in ((date(2026, 12, 24), "pay.date_not_bank_day"),
                     (date(2026, 11, 30), "pay.date_past")):
        with pytest.raises(PaymentRefused) as refused:
            _run(bank.schedule("1", _order(mine.id, 100, day)))
        assert refused.value.key == key
    with pytest.raises(PaymentRefused) as refused:
        _run(bank.schedule("1", _order(theirs.id, 100, date(2026, 12, 1))))
    assert refused.value.key == "pay.account_unknown"
    assert bank.balance("2", "Lönekonto") == 2_450_000
    with pytest.raises(PaymentRefused):
        _run(bank.schedule("1", _order("not-a-number", 100, date(2026, 12, 1))))


def test_same_key_never_pays_twice(bank) -> None:
    account = _account(bank, "1", "Lönekonto")
    first = _run(bank.schedule("1", _order(account.id, 50_000, date(2026, 12, 1), key="inv-7")))
    second = _run(bank.schedule("1", _order(account.id, 50_000, date(2026, 12, 1), key="inv-7")))
    assert first == second
    assert bank.balance("1", "Lönekonto") == 2_400_000


def test_settlement_without_funds_fails(bank, clock) -> None:
    account = _account(bank, "1", "Vardagskonto")
    receipt = _run(bank.schedule("1", _order(account.id, 15_000, date(2026, 12, 3), key="x")))
    # the money goes elsewhere before the date (outside the bank's reservation: a card purchase)
    from sqlmodel import Session, select

    from kivra_app.payments.sim_models import SimBankAccount
    with Session(bank.engine) as session:
        row = session.exec(select(SimBankAccount).where(SimBankAccount.id == int(account.id))).one()
        row.balance_ore = 100
        session.add(row)
        session.commit()
    clock.now = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    assert _run(bank.status("1", receipt.payment_ref)).status == "failed"
    assert bank.balance("1", "Vardagskonto") == 100


def test_cancel_a_scheduled_payment_only(bank) -> None:
    account = _account(bank, "1", "Lönekonto")
    later = _run(bank.schedule("1", _order(account.id, 1_000, date(2026, 12, 10), key="l")))
    now = _run(bank.schedule("1", _order(account.id, 1_000, date(2026, 12, 1), key="n")))
    assert not _run(bank.cancel("2", later.payment_ref))  # someone else's
    assert _run(bank.cancel("1", later.payment_ref))
    assert _run(bank.status("1", later.payment_ref)).status == "cancelled"
    assert not _run(bank.cancel("1", now.payment_ref))
    assert _run(bank.status("2", now.payment_ref)) is None


def test_outage_raises_unavailable_and_pays_nothing(bank) -> None:
    account = _account(bank, "1", "Lönekonto")
    bank.fail_next = True
    with pytest.raises(PaymentUnavailable):
        _run(bank.schedule("1", _order(account.id, 1_000, date(2026, 12, 1))))
    assert bank.balance("1", "Lönekonto") == 2_450_000
