"""The payment-provider interface the mailbox pays invoices through.

A real provider (a licensed payment-initiation partner: Kivra pays through its bank partners)
would sit behind the same four calls; in development and tests `SimulatedBank` answers them.
Amounts are integers in öre. `customer` is the provider's key for the person (here: our user
id); `idempotency_key` is our payment row's key, so a repeated call never pays twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol


@dataclass(frozen=True)
class BankAccount:
    id: str  # the provider's opaque id
    name: str  # "Lönekonto"
    masked_number: str  # "•••• 4321"
    available_ore: int


@dataclass(frozen=True)
class PaymentOrder:
    account_id: str
    amount_ore: int
    payee_name: str
    payee_account_type: str  # "bankgiro" | "plusgiro"
    payee_account: str  # digits only
    reference: str  # OCR or message, as on the invoice
    pay_date: date
    idempotency_key: str


@dataclass(frozen=True)
class PaymentReceipt:
    payment_ref: str
    status: str  # "scheduled" | "paid" | "failed" | "cancelled"
    pay_date: date


class PaymentRefused(Exception):  # noqa: N818 - a refusal, not a crash
    """The bank said no, for a reason the person can act on. `key` is a catalogue key."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class PaymentUnavailable(Exception):  # noqa: N818
    """The provider could not be reached or failed: nothing was paid; try again."""


class PaymentProvider(Protocol):
    async def accounts(self, customer: str) -> list[BankAccount]: ...

    async def schedule(self, customer: str, order: PaymentOrder) -> PaymentReceipt:
        """Pay at once when `order.pay_date` is today, else schedule it. Raises PaymentRefused
        (insufficient funds, unknown account, not a bank day) or PaymentUnavailable."""
        ...

    async def status(self, customer: str, payment_ref: str) -> PaymentReceipt | None: ...

    async def cancel(self, customer: str, payment_ref: str) -> bool:
        """Cancel a scheduled payment; False when it is already paid or unknown."""
        ...
