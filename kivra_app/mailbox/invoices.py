"""Invoices: "Markera som hanterad" (reversible) and paying with BankID through the payment
provider. Plain Python, no Reflex.

Paying is two steps around the one BankID flow:
1. `plan_payment` checks everything the person chose (their own invoice, still payable, their
   own bank account, a bank day) and returns a PaymentPlan with the text they will sign.
2. After BankID signing completes for this person, `execute_payment` claims the invoice's one
   live payment in the database (a unique column: a second tab, or a replay, gets
   "pay.already"), then asks the bank. A refusal or an outage releases the claim: nothing is
   paid and the invoice is as before. A cancelled or failed signing never reaches step 2.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from kivra_app.db import session_scope
from kivra_app.i18n import normalise_language, t
from kivra_app.mailbox.feed import audit, record_event
from kivra_app.mailbox.formatting import format_amount, invoice_status, payment_sign_text
from kivra_app.mailbox.inbox import _owned_letter, valid_id
from kivra_app.models import (
    EVENT_HANDLED,
    EVENT_PAID,
    EVENT_PAYMENT_SCHEDULED,
    INVOICE_HANDLED,
    INVOICE_PAID,
    INVOICE_SCHEDULED,
    INVOICE_UNPAID,
    Invoice,
    Letter,
    Payment,
    utcnow,
)
from kivra_app.payments.bank_days import pay_date_problem
from kivra_app.payments.provider import (
    PaymentOrder,
    PaymentProvider,
    PaymentReceipt,
    PaymentRefused,
    PaymentUnavailable,
)

log = logging.getLogger(__name__)


class PaymentError(Exception):  # noqa: N818 - a refusal with a catalogue key
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class PaymentPlan:
    user_id: int
    letter_id: int
    amount_ore: int
    account_id: str
    account_label: str
    pay_date: date
    sign_text: str


def customer_key(user_id: int) -> str:
    return str(user_id)


def _payable_invoice(session: Session, user_id: int, letter_id: int, today: date):
    letter = _owned_letter(session, user_id, letter_id)
    invoice = session.get(Invoice, letter_id) if letter is not None else None
    if letter is None or invoice is None:
        raise PaymentError("pay.not_payable")
    live = session.exec(select(Payment).where(Payment.active_letter_id == letter_id)).first()
    status = invoice_status(due_date=invoice.due_date,
                            payment_status=live.status if live else None,
                            payment_date=live.pay_date if live else None,
                            handled=invoice.status == INVOICE_HANDLED, today=today)
    if status.code in ("scheduled", "paid"):
        raise PaymentError("pay.already")
    if not status.payable:
        raise PaymentError("pay.not_payable")
    return letter, invoice


async def account_options(provider: PaymentProvider, user_id: int, lang: str) -> list[dict]:
    """[{id, label}] for the account select, e.g. "Lönekonto (•••• 6781), 24 500,00 kr …"."""
    try:
        accounts = await provider.accounts(customer_key(user_id))
    except PaymentUnavailable:
        raise PaymentError("pay.unavailable") from None
    return [{"id": a.id, "label": t(lang, "pay.account_option", name=a.name,
                                    number=a.masked_number,
                                    available=format_amount(a.available_ore, lang))}
            for a in accounts]


def parse_date(text: object) -> date | None:
    if not isinstance(text, str) or len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


async def plan_payment(engine: Engine, provider: PaymentProvider, user_id: int, letter_id: object,
                       *, account_id: object, pay_date: object, lang: str,
                       today: date) -> PaymentPlan:
    """Everything checked before BankID; raises PaymentError(key) with a text for the form."""
    lang = normalise_language(lang)
    lid = valid_id(letter_id)
    if lid is None:
        raise PaymentError("pay.not_payable")
    day = parse_date(pay_date)
    if day is None:
        raise PaymentError("pay.date_invalid")
    problem = pay_date_problem(day, today)
    if problem:
        raise PaymentError(problem)
    letter, invoice = await asyncio.to_thread(_load_payable, engine, user_id, lid, today)
    try:
        accounts = await provider.accounts(customer_key(user_id))
    except PaymentUnavailable:
        raise PaymentError("pay.unavailable") from None
    account = next((a for a in accounts if isinstance(account_id, str) and a.id == account_id),
                   None)
    if account is None:
        raise PaymentError("pay.account_unknown")
    if account.available_ore < invoice.amount_ore:
        raise PaymentError("pay.insufficient_funds")
    label = f"{account.name} {account.masked_number}"
    text = payment_sign_text(lang=lang, amount_ore=invoice.amount_ore, currency=invoice.currency,
                             payee_name=letter.sender, account_type=invoice.account_type,
                             account_number=invoice.account_number, reference=invoice.reference,
                             reference_type=invoice.reference_type, pay_date=day,
                             from_account=label)
    return PaymentPlan(user_id=user_id, letter_id=lid, amount_ore=invoice.amount_ore,
                       account_id=account.id, account_label=label, pay_date=day, sign_text=text)


def _load_payable(engine: Engine, user_id: int, letter_id: int,
                  today: date) -> tuple[Letter, Invoice]:
    with Session(engine) as session:
        return _payable_invoice(session, user_id, letter_id, today)


def _release(engine: Engine, payment_id: int, status: str) -> None:
    with session_scope(engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(Payment).execution_options(synchronize_session=False)
            .where(Payment.id == payment_id)
            .values(status=status, active_letter_id=None, updated_at=utcnow()))


async def execute_payment(engine: Engine, provider: PaymentProvider, plan: PaymentPlan, *,
                          bankid_order_ref: str | None, today: date,
                          now: datetime | None = None) -> str:
    """After a completed BankID signing of `plan.sign_text` by this person: pay or schedule.
    Returns "paid" or "scheduled"; raises PaymentError and then nothing has changed."""
    now = now or utcnow()
    # The database work runs in worker threads; only the bank is awaited on the event loop.
    payment_id, sender_id, message_id, order = await asyncio.to_thread(
        _claim_payment, engine, plan, bankid_order_ref, today, now)
    try:
        receipt = await provider.schedule(customer_key(plan.user_id), order)
    except PaymentRefused as refused:
        await asyncio.to_thread(_release, engine, payment_id, "failed")
        raise PaymentError(refused.key) from None
    except PaymentUnavailable:
        await asyncio.to_thread(_release, engine, payment_id, "failed")
        raise PaymentError("pay.unavailable") from None
    if receipt.status not in ("paid", "scheduled"):
        await asyncio.to_thread(_release, engine, payment_id, receipt.status)
        raise PaymentError("pay.unavailable")
    await asyncio.to_thread(_record_receipt, engine, plan, payment_id, sender_id, message_id,
                            receipt, now)
    return receipt.status


def _claim_payment(engine: Engine, plan: PaymentPlan, bankid_order_ref: str | None, today: date,
                   now: datetime) -> tuple[int, int | None, str, PaymentOrder]:
    """The payment row that claims the invoice (one live payment per invoice), and the order
    for the bank."""
    try:
        with session_scope(engine) as session:
            letter, invoice = _payable_invoice(session, plan.user_id, plan.letter_id, today)
            if invoice.amount_ore != plan.amount_ore:
                raise PaymentError("pay.not_payable")
            payment = Payment(letter_id=plan.letter_id, user_id=plan.user_id,
                              active_letter_id=plan.letter_id, amount_ore=plan.amount_ore,
                              pay_date=plan.pay_date, from_account=plan.account_label[:64],
                              status="scheduled", bankid_order_ref=bankid_order_ref,
                              created_at=now, updated_at=now)
            session.add(payment)
            session.flush()
            payment_id, payment_key = payment.id, payment.public_id
            sender_id, message_id, payee = letter.sender_id, letter.public_id, letter.sender
            order = PaymentOrder(account_id=plan.account_id, amount_ore=invoice.amount_ore,
                                 payee_name=payee, payee_account_type=invoice.account_type,
                                 payee_account=invoice.account_number,
                                 reference=invoice.reference, pay_date=plan.pay_date,
                                 idempotency_key=payment_key)
    except IntegrityError:
        raise PaymentError("pay.already") from None  # the other tab's payment holds the claim
    return payment_id, sender_id, message_id, order  # type: ignore[return-value]


def _record_receipt(engine: Engine, plan: PaymentPlan, payment_id: int, sender_id: int | None,
                    message_id: str, receipt: PaymentReceipt, now: datetime) -> None:
    with session_scope(engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(Payment).execution_options(synchronize_session=False)
            .where(Payment.id == payment_id)
            .values(status=receipt.status, provider_ref=receipt.payment_ref[:64], updated_at=now))
        session.exec(  # type: ignore[call-overload]
            update(Invoice).execution_options(synchronize_session=False)
            .where(Invoice.letter_id == plan.letter_id)
            .values(status=INVOICE_PAID if receipt.status == "paid" else INVOICE_SCHEDULED,
                    status_changed_at=now))
        record_event(session, sender_id, EVENT_PAID if receipt.status == "paid"
                     else EVENT_PAYMENT_SCHEDULED, message_id)
        audit(session, plan.user_id, "invoice.pay", object_type="letter",
              object_id=message_id, outcome=receipt.status)




def set_handled(engine: Engine, user_id: int, letter_id: object, handled: bool,
                now: datetime | None = None) -> bool:
    """"Markera som hanterad" (paid elsewhere) and its undo. Only an invoice without a live
    payment; tells the sender `handled` when marked."""
    lid = valid_id(letter_id)
    if lid is None or not isinstance(handled, bool):
        return False
    now = now or utcnow()
    with session_scope(engine) as session:
        letter = _owned_letter(session, user_id, lid)
        if letter is None:
            return False
        live = session.exec(select(Payment.id).where(Payment.active_letter_id == lid)).first()
        if live is not None:
            return False
        changed = session.exec(  # type: ignore[call-overload]
            update(Invoice).execution_options(synchronize_session=False)
            .where(Invoice.letter_id == lid,
                   Invoice.status == (INVOICE_UNPAID if handled else INVOICE_HANDLED))
            .values(status=INVOICE_HANDLED if handled else INVOICE_UNPAID, status_changed_at=now)
        ).rowcount == 1
        if changed and handled:
            record_event(session, letter.sender_id, EVENT_HANDLED, letter.public_id)
        if changed:
            audit(session, user_id, "invoice.handled" if handled else "invoice.unhandled",
                  object_type="letter", object_id=letter.public_id)
        return changed


async def refresh_payment(engine: Engine, provider: PaymentProvider, user_id: int,
                          letter_id: int) -> None:
    """A scheduled payment whose day has come: ask the bank; paid → the invoice is paid and
    the sender hears `paid`; failed → the claim is released (the invoice is payable again)."""
    scheduled = await asyncio.to_thread(_scheduled_payment, engine, user_id, letter_id)
    if scheduled is None:
        return
    ref, payment_id = scheduled
    try:
        receipt = await provider.status(customer_key(user_id), ref)
    except PaymentUnavailable:
        return
    if receipt is None or receipt.status == "scheduled":
        return
    await asyncio.to_thread(_settle_payment, engine, user_id, letter_id, payment_id, receipt)


def _scheduled_payment(engine: Engine, user_id: int, letter_id: int) -> tuple[str, int] | None:
    """(the bank's reference, the payment id) of this invoice's scheduled payment, if any."""
    with Session(engine) as session:
        payment = session.exec(select(Payment).where(Payment.active_letter_id == letter_id,
                                                     Payment.user_id == user_id,
                                                     Payment.status == "scheduled")).first()
        if payment is None or not payment.provider_ref:
            return None
        return payment.provider_ref, payment.id  # type: ignore[return-value]


def _settle_payment(engine: Engine, user_id: int, letter_id: int, payment_id: int,
                    receipt: PaymentReceipt) -> None:
    with session_scope(engine) as session:
        letter = _owned_letter(session, user_id, letter_id)
        if receipt.status == "paid":
            session.exec(  # type: ignore[call-overload]
                update(Payment).execution_options(synchronize_session=False)
                .where(Payment.id == payment_id).values(status="paid", updated_at=utcnow()))
            session.exec(  # type: ignore[call-overload]
                update(Invoice).execution_options(synchronize_session=False)
                .where(Invoice.letter_id == letter_id)
                .values(status=INVOICE_PAID, status_changed_at=utcnow()))
            if letter is not None:
                record_event(session, letter.sender_id, EVENT_PAID, letter.public_id)
        else:
            session.exec(  # type: ignore[call-overload]
                update(Payment).execution_options(synchronize_session=False)
                .where(Payment.id == payment_id)
                .values(status=receipt.status, active_letter_id=None, updated_at=utcnow()))
            session.exec(  # type: ignore[call-overload]
                update(Invoice).execution_options(synchronize_session=False)
                .where(Invoice.letter_id == letter_id)
                .values(status=INVOICE_UNPAID, status_changed_at=utcnow()))
