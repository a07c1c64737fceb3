"""Login for returning users, on the one BankID flow. Plain Python.

- The login attempt is the HttpOnly cookie `kivra_login` (a 256-bit secret, set by GET
  /api/login/begin; no database row until BankID starts). Its SHA-256 names the owner of the
  BankID orders ("login:<hash>") and binds the login ticket, so neither an order nor a ticket
  can be used from another browser (login CSRF).
- Nothing is asked before BankID (no personnummer), so nothing before BankID completes can hint
  whether an account exists.
- BankID complete + an account: the order is consumed and a one-time login ticket (60 s) is
  issued in one transaction; GET /api/login/claim exchanges it, with the login cookie, for a new
  session cookie (the session id rotates at every login).
- BankID complete, no account: nothing is created. "Skapa konto" (POST /api/login/signup)
  turns that identification into a signup at the email step (no second BankID); the order is
  consumed by it. Only an order completed in the last LOGIN_TO_SIGNUP_WINDOW counts.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import select

from kivra_app.auth.sessions import create_login_ticket, token_hash
from kivra_app.bankid_flow import (
    BankIdFlow,
    CollectResult,
    Complete,
    Failed,
    Started,
)
from kivra_app.db import session_scope
from kivra_app.models import BankIdOrder, Signup, User, as_utc, utcnow
from kivra_app.signup.audit import security_event
from kivra_app.signup.core import secret_hash
from kivra_app.signup.steps import Step
from kivra_app.signup.validation import parse_personnummer

LOGIN_TO_SIGNUP_WINDOW = timedelta(minutes=10)
SWEDEN = ZoneInfo("Europe/Stockholm")
_MAX_SECRET = 200


def login_owner(login_secret: object) -> str | None:
    if not isinstance(login_secret, str) or not 0 < len(login_secret) <= _MAX_SECRET:
        return None
    return "login:" + token_hash(login_secret)


@dataclass(frozen=True)
class LoginProgress:
    """One collect of a login order. `outcome`: pending | account (then `ticket`) |
    no_account | failed."""

    result: CollectResult
    outcome: Literal["pending", "account", "no_account", "failed"]
    ticket: str | None = None


class LoginRefused(Exception):
    """No (valid) login cookie, or not this cookie's/tab's order: logged, shown calmly."""


class LoginService:
    def __init__(self, *, engine: Engine, flow: BankIdFlow, settings: Any,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.engine, self.flow, self.settings, self.clock = engine, flow, settings, clock

    @staticmethod
    def begin() -> str:
        """A new login attempt: the secret for the `kivra_login` cookie."""
        return secrets.token_urlsafe(32)

    def _owner(self, login_secret: object) -> str:
        owner = login_owner(login_secret)
        if owner is None:
            security_event("sequence_fail", level=logging.WARNING, action="login",
                           reason="no_login_cookie")
            raise LoginRefused("no_login_cookie")
        return owner

    async def start(self, login_secret: str, *, tab: str, end_user_ip: str, user_agent: str,
                    same_device: bool, return_url: str, language: str) -> Started:
        """A BankID order for this login (FlowUnavailable/FlowRefused pass through)."""
        return await self.flow.start(
            "login", self._owner(login_secret), tab=tab, end_user_ip=end_user_ip,
            user_agent=user_agent, same_device=same_device, return_url=return_url,
            language=language)

    def current(self, login_secret: str, *, tab: str) -> Started | None:
        """This tab's pending login order (a reload, back from the app). Blocking."""
        owner = login_owner(login_secret)
        if owner is None:
            return None
        order = self.flow.latest(owner)
        from kivra_app.bankid_flow import tab_hash

        if order is None or order.status != "pending" or order.tab_hash != tab_hash(tab):
            return None
        assert order.id is not None
        return Started(order.id, self.flow.message(order, "pending", order.hint),
                       self.flow.qr_source(order.id, owner, tab), None)

    async def cancel(self, login_secret: str) -> None:
        owner = login_owner(login_secret)
        if owner is not None:
            await self.flow.cancel(owner)

    async def poll(self, login_secret: str, order_id: int, *, tab: str) -> LoginProgress:
        owner = self._owner(login_secret)
        result = await self.flow.collect(order_id, owner, tab=tab)
        if isinstance(result, Complete):
            return await asyncio.to_thread(self._complete, owner, result)
        outcome: Literal["pending", "failed"] = (
            "failed" if isinstance(result, Failed) else "pending")
        return LoginProgress(result, outcome)

    def _complete(self, owner: str, result: Complete) -> LoginProgress:
        """After BankID: an account gets a ticket (order consumed with it); no account gets
        nothing created."""
        pnr = result.person.personnummer
        with session_scope(self.engine) as session:
            user_id = session.exec(select(User.id).where(User.personnummer == pnr)).first()
            if user_id is None:
                security_event("login_no_account", order=result.order_id)
                return LoginProgress(result, "no_account")
            if not self.flow.consume(session, result.order_id):
                # Already used (a second observer, or a reload after the claim): start again.
                return LoginProgress(Failed(result.order_id, ""), "failed")
            ticket = create_login_ticket(session, user_id, login_hash=owner.removeprefix("login:"),
                                         now=self.clock())
        security_event("login_bankid_complete", user=user_id)
        return LoginProgress(result, "account", ticket)

    def signup_from_login(self, login_secret: object, language: str) -> str | None:
        """'Skapa konto' after "Du har inget Kivra-konto": a signup at the email step with the
        identity of this login's completed BankID order (no second BankID). Returns the new
        signup secret, or None (no such order, too old, used, an account exists by now, or the
        person is too young)."""
        owner = login_owner(login_secret)
        if owner is None:
            return None
        now = self.clock()
        with session_scope(self.engine) as session:
            order = session.exec(
                select(BankIdOrder).where(BankIdOrder.owner == owner,
                                          BankIdOrder.status == "complete",
                                          BankIdOrder.consumed_at.is_(None))  # type: ignore[union-attr]
                .order_by(BankIdOrder.id.desc())  # type: ignore[union-attr]
            ).first()
            completed = as_utc(order.completed_at) if order is not None else None
            if order is None or completed is None or now - completed > LOGIN_TO_SIGNUP_WINDOW:
                security_event("sequence_fail", level=logging.WARNING,
                               action="signup_from_login", reason="no_completed_login")
                return None
            parsed = parse_personnummer(order.personnummer)
            taken = session.exec(select(User.id).where(User.personnummer == parsed.number)).first()
            too_young = parsed.age(now.astimezone(SWEDEN).date()) < self.settings.minimum_age
            if taken is not None or too_young:
                return None
            assert order.id is not None
            if not self.flow.consume(session, order.id):
                return None
            secret = secrets.token_urlsafe(32)
            signup = Signup(
                secret_hash=secret_hash(secret),  # type: ignore[arg-type]
                step=Step.EMAIL.value,
                language=language if language in ("sv", "en") else "sv",
                personnummer_typed=parsed.number,
                verified_personnummer=parsed.number,
                verified_given_name=order.given_name, verified_surname=order.surname,
                verified_name=order.name, bankid_verified_at=now,
                # A fresh secret, set by this HTTP response: nothing to rotate.
                secret_rotated_at=now,
                created_at=now, updated_at=now,
                expires_at=now + timedelta(seconds=self.settings.signup_idle_timeout),
            )
            session.add(signup)
            session.flush()
            signup_id = signup.id
        security_event("signup_started", signup=signup_id, via="login")
        return secret

    def too_young(self, personnummer: str) -> bool:
        parsed = parse_personnummer(personnummer)
        return parsed.age(self.clock().astimezone(SWEDEN).date()) < self.settings.minimum_age
