"""Invoices: mark handled (reversible), plan → sign → pay through the simulated bank, one live
payment per invoice even from two tabs at once, refusals that change nothing, sender events."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from kivra_app.mailbox import inbox
from kivra_app.mailbox.invoices import (
    PaymentError,
    account_options,
    execute_payment,
    plan_payment,
    refresh_payment,
    set_handled,
)
from kivra_app.models import Invoice, Payment, SenderEvent
from kivra_app.payments.simulated import SimulatedBank
from tests.unit.fakes import Clock
from tests.unit.mailbox_data import letter, person, sender

TODAY = date(2026, 12, 1)


@pytest.fixture
def bank(engine) -> SimulatedBank:
    return SimulatedBank(engine, clock=Clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)))


def _run(coro):
    return asyncio.run(coro)


def _events(engine, sender_id: str) -> list[str]:
    with Session(engine) as session:
        return [e.type for e in session.exec(select(SenderEvent).where(
            SenderEvent.sender_id == sender_id).order_by(SenderEvent.id)).all()]


def _account(bank, user_id: int, name: str = "Lönekonto") -> str:
    return next(a.id for a in _run(bank.accounts(str(user_id))) if a.name == name)


def _status(engine, user_id, lid) -> str:
    return inbox.invoice_display(engine, user_id, lid, lang="sv", today=TODAY)["status"]


@pytest.fixture
def setup(engine):
    me = person(engine)
    elbolaget = sender(engine, "Elbolaget AB")
    lid = letter(engine, me, sender_id=elbolaget, invoice={})
    return me, elbolaget, lid


def test_plan_states_what_is_signed(engine, bank, setup) -> None:
    me, _, lid = setup
    options = _run(account_options(bank, me, "sv"))
    assert options[0]["label"] == "Lönekonto (•••• 6781), 24 500,00 kr tillgängligt"
    plan = _run(plan_payment(engine, bank, me, lid, account_id=_account(bank, me),
                             pay_date="2026-12-15", lang="sv", today=TODAY))
    assert plan.sign_text.splitlines()[:3] == ["Betala 1 234,50 kr till Elbolaget AB",
                                               "Bankgiro: 5402-9681", "OCR-nummer: 426523791"]
    assert "Betalningsdag: 2026-12-15" in plan.sign_text


@pytest.mark.parametrize(("kwargs", "key"), [
    ({"pay_date": "2026-12-24"}, "pay.date_not_bank_day"),
    ({"pay_date": "2026-11-30"}, "pay.date_past"),
    ({"pay_date": "24/12/2026"}, "pay.date_invalid"),
    ({"pay_date": None}, "pay.date_invalid"),
    ({"account": "Vardagskonto"}, "pay.insufficient_funds"),
    ({"account_id": "999999"}, "pay.account_unknown"),
    ({"account_id": 1}, "pay.account_unknown"),
])
def test_plan_refusals(engine, bank, setup, kwargs, key) -> None:
    me, _, lid = setup
    account = _account(bank, me, kwargs.pop("account", "Lönekonto"))
    args = {"account_id": account, "pay_date": "2026-12-15", **kwargs}
    with pytest.raises(PaymentError) as refused:
        _run(plan_payment(engine, bank, me, lid, lang="sv", today=TODAY, **args))
    assert refused.value.key == key


def test_pay_today_pays_and_the_sender_hears_paid(engine, bank, setup) -> None:
    me, elbolaget, lid = setup
    plan = _run(plan_payment(engine, bank, me, lid, account_id=_account(bank, me),
                             pay_date="2026-12-01", lang="sv", today=TODAY))
    assert _run(execute_payment(engine, bank, plan, bankid_order_ref="ref-1", today=TODAY)) == "paid"
    assert _status(engine, me, lid) == "Betald"
    assert bank.balance(str(me), "Lönekonto") == 2_450_000 - 123_450
    assert _events(engine, elbolaget) == ["paid"]
    with pytest.raises(PaymentError) as again:  # the same invoice once more
        _run(plan_payment(engine, bank, me, lid, account_id=_account(bank, me),
                          pay_date="2026-12-01", lang="sv", today=TODAY))
    assert again.value.key == "pay.already"


def test_a_later_date_is_scheduled_then_paid_on_the_day(engine) -> None:
    clock = Clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    bank = SimulatedBank(engine, clock=clock)
    me = person(engine)
    elbolaget = sender(engine)
    lid = letter(engine, me, sender_id=elbolaget, invoice={})
    plan = _run(plan_payment(engine, bank, me, lid, account_id=_account(bank, me),
                             pay_date="2026-12-15", lang="sv", today=TODAY))
    assert _run(execute_payment(engine, bank, plan, bankid_order_ref="r", today=TODAY)) == "scheduled"
    assert _status(engine, me, lid) == "Betalning planerad 2026-12-15"
    assert _events(engine, elbolaget) == ["payment_scheduled"]
    assert not set_handled(engine, me, lid, True)  # a live payment: not "handled" on top
    clock.now = datetime(2026, 12, 15, 9, 0, tzinfo=UTC)
    _run(refresh_payment(engine, bank, me, lid))
    assert _status(engine, me, lid) == "Betald"
    assert _events(engine, elbolaget) == ["payment_scheduled", "paid"]


def test_two_tabs_signing_at_once_pay_once(engine, bank, setup) -> None:
    me, elbolaget, lid = setup
    plans = [_run(plan_payment(engine, bank, me, lid, account_id=_account(bank, me),
                               pay_date="2026-12-01", lang="sv", today=TODAY)) for _ in range(2)]

    async def both():
        return await asyncio.gather(*(execute_payment(engine, bank, p, bankid_order_ref=f"r{i}",
                                                      today=TODAY)
                                      for i, p in enumerate(plans)), return_exceptions=True)

    results = _run(both())
    assert sorted(r if isinstance(r, str) else r.key for r in results) == ["paid", "pay.already"]
    assert bank.balance(str(me), "Lönekonto") == 2_450_000 - 123_450
    with Session(engine) as session:
        assert len(session.exec(select(Payment).where(Payment.letter_id == lid)).all()) == 1
    assert _events(engine, elbolaget) == ["paid"]


def test_a_bank_refusal_or_outage_changes_nothing(engine, bank, setup) -> None:
    me, elbolaget, lid = setup
    plan = _run(plan_payment(engine, bank, me, lid, account_id=_account(bank, me),
                             pay_date="2026-12-01", lang="sv", today=TODAY))
    bank.fail_next = True
    with pytest.raises(PaymentError) as outage:
        _run(execute_payment(engine, bank, plan, bankid_order_ref="r", today=TODAY))
    assert outage.value.key == "pay.unavailable"
    assert _status(engine, me, lid) == "Obetald" and _events(engine, elbolaget) == []
    assert bank.balance(str(me), "Lönekonto") == 2_450_000
    # …and the person can try again
    assert _run(execute_payment(engine, bank, plan, bankid_order_ref="r2", today=TODAY)) == "paid"


def test_overdue_and_handled_invoices_are_not_offered_for_payment(engine, bank) -> None:
    me = person(engine)
    overdue = letter(engine, me, invoice={"due_date": date(2026, 11, 20)})
    handled = letter(engine, me, invoice={"status": "handled"})
    for lid in (overdue, handled):
        with pytest.raises(PaymentError) as refused:
            _run(plan_payment(engine, bank, me, lid, account_id=_account(bank, me),
                              pay_date="2026-12-01", lang="sv", today=TODAY))
        assert refused.value.key == "pay.not_payable"


def test_mark_handled_is_reversible_and_tells_the_sender(engine, setup) -> None:
    me, elbolaget, lid = setup
    assert set_handled(engine, me, lid, True)
    assert _status(engine, me, lid) == "Hanterad"
    assert not set_handled(engine, me, lid, True)  # already
    assert set_handled(engine, me, lid, False)
    assert _status(engine, me, lid) == "Obetald"
    assert _events(engine, elbolaget) == ["handled"]


def test_another_persons_invoice_can_be_neither_paid_nor_handled(engine, bank, setup) -> None:
    me, elbolaget, lid = setup
    intruder = person(engine, "Olle")
    for crafted in (lid, str(lid), None, -5):
        assert not set_handled(engine, intruder, crafted, True)
        with pytest.raises(PaymentError):
            _run(plan_payment(engine, bank, intruder, crafted, account_id=_account(bank, intruder),
                              pay_date="2026-12-01", lang="sv", today=TODAY))
    # the intruder cannot pay from the owner's account either
    with pytest.raises(PaymentError) as refused:
        _run(plan_payment(engine, bank, me, lid, account_id=_account(bank, intruder),
                          pay_date="2026-12-01", lang="sv", today=TODAY))
    assert refused.value.key == "pay.account_unknown"
    with Session(engine) as session:
        assert session.get(Invoice, lid).status == "unpaid"
    assert _events(engine, elbolaget) == []
