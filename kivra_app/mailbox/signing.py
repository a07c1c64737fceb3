"""A completed BankID order of a mailbox session, used once for its purpose (paying an invoice,
unlocking a sensitive letter, closing the account). Plain Python, blocking: the UI calls it in
a worker thread.

It counts only when the order is this user's ("user:<id>"), complete, signed by the session
user's own personnummer, and not used before; using it (`flow.consume`) is one UPDATE, so two
loops that both saw the completion act once between them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from kivra_app.db import session_scope
from kivra_app.models import BankIdOrder, User


def order_owner(user_id: int) -> str:
    return f"user:{user_id}"


@dataclass(frozen=True)
class UsedOrder:
    outcome: str  # "used" | "other_person" (signed by someone else) | "" (nothing to use)
    order_ref: str | None = None  # BankID's reference, kept with a payment


def use_completed_order(engine: Engine, flow: Any, order_id: int, user_id: int) -> UsedOrder:
    """Check who signed, then consume the order once. Nothing is used when the signer is
    another person, the order is not this user's complete one, or it was used already."""
    with Session(engine) as session:
        order = session.get(BankIdOrder, order_id)
        user = session.get(User, user_id)
        if (order is None or user is None or order.owner != order_owner(user_id)
                or order.status != "complete"):
            return UsedOrder("")
        same_person = order.personnummer == user.personnummer
        ref = order.order_ref
    if not same_person:
        return UsedOrder("other_person")
    with session_scope(engine) as session:
        if not flow.consume(session, order_id):
            return UsedOrder("")  # already used (a replay, or the other loop got there first)
    return UsedOrder("used", ref)
