"""Test doubles: a clock, a scripted BankID client, a mailer and an SMS sender."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta

from kivra_app.bankid import errors as bankid_errors
from kivra_app.bankid.models import CollectResponse, CompletionData, OrderResponse
from kivra_app.messaging.mail import MailError
from kivra_app.messaging.sms import SmsError, SmsResult


class Clock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_pnr(yyyymmdd: str, serial: str = "123") -> str:
    """A valid personnummer (or samordningsnummer: day + 60) for that date and serial. The check
    digit is the Luhn digit of the 10-digit form from python-stdnum, an oracle independent of
    the code under test (the `personnummer` package refuses day 60, an unknown birth day)."""
    from stdnum import luhn

    prefix = yyyymmdd + serial
    return prefix + luhn.calc_check_digit(prefix[2:])


class FakeBankId:
    """auth/collect/cancel like BankIdClient; collect answers come from a per-order script."""

    def __init__(self) -> None:
        self.auth_requests: list = []
        self.sign_requests: list = []
        self.collect_gate = None  # an asyncio.Event that collect waits for, when set
        self.collect_calls: list[str] = []
        self.cancelled: list[str] = []
        self.scripts: dict[str, deque] = defaultdict(deque)
        self.auth_error: Exception | None = None
        self.collect_error: Exception | None = None
        self.orders: list[str] = []

    async def auth(self, request) -> OrderResponse:  # noqa: ANN001
        self.auth_requests.append(request)
        if self.auth_error is not None:
            raise self.auth_error
        ref = str(uuid.uuid4())
        self.orders.append(ref)
        return OrderResponse(order_ref=ref, auto_start_token=str(uuid.uuid4()),
                             qr_start_token=str(uuid.uuid4()), qr_start_secret=str(uuid.uuid4()))

    async def sign(self, request) -> OrderResponse:  # noqa: ANN001
        self.sign_requests.append(request)
        return await self.auth(request)

    async def collect(self, order_ref: str) -> CollectResponse:
        self.collect_calls.append(order_ref)
        if self.collect_gate is not None:
            await self.collect_gate.wait()  # a slow BankID: lets concurrent callers overlap
        if self.collect_error is not None:
            raise self.collect_error
        script = self.scripts[order_ref]
        if script:
            return script.popleft()
        return CollectResponse(order_ref=order_ref, status="pending",
                               hint_code="outstandingTransaction")

    async def cancel(self, order_ref: str) -> None:
        self.cancelled.append(order_ref)

    @property
    def last_order(self) -> str:
        return self.orders[-1]

    def complete(self, pnr: str, given: str = "Karin", surname: str = "Karlsson",
                 order_ref: str | None = None) -> None:
        ref = order_ref or self.last_order
        data = CompletionData.from_json({
            "user": {"personalNumber": pnr, "name": f"{given} {surname}", "givenName": given,
                     "surname": surname},
            "device": {"ipAddress": "192.0.2.1"},
        })
        self.scripts[ref].append(CollectResponse(order_ref=ref, status="complete",
                                                 completion_data=data))

    def fail(self, hint: str, order_ref: str | None = None) -> None:
        ref = order_ref or self.last_order
        self.scripts[ref].append(CollectResponse(order_ref=ref, status="failed", hint_code=hint))

    def pending(self, hint: str, order_ref: str | None = None) -> None:
        ref = order_ref or self.last_order
        self.scripts[ref].append(CollectResponse(order_ref=ref, status="pending", hint_code=hint))


def bankid_down() -> Exception:
    return bankid_errors.BankIdConnectionError("connection refused")


class FakeMailer:
    def __init__(self) -> None:
        self.codes: list[tuple[str, str, str]] = []  # (to, code, language)
        self.notices: list[tuple[str, str]] = []
        self.fail: Exception | None = None
        self.hold: asyncio.Event | None = None  # set: a send waits here (a slow mail server)
        self.started = 0  # sends that reached the server
        self.entered = asyncio.Event()  # set when a send reaches the server

    async def send_code(self, to: str, code: str, language: str, *, valid_minutes: int) -> None:
        self.started += 1
        self.entered.set()
        if self.hold is not None:
            await self.hold.wait()
        if self.fail is not None:
            raise self.fail
        self.codes.append((to, code, language))

    async def send_address_in_use(self, to: str, language: str) -> None:
        if self.fail is not None:
            raise self.fail
        self.notices.append((to, language))

    def last_code(self, to: str | None = None) -> str:
        for recipient, code, _ in reversed(self.codes):
            if to is None or recipient == to:
                return code
        raise AssertionError("no code mailed")


def mail_down() -> Exception:
    return MailError("SMTPConnectError")


class FakeSms:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail: Exception | None = None

    async def send(self, to_e164: str, message: str) -> SmsResult:
        if self.fail is not None:
            raise self.fail
        self.sent.append((to_e164, message))
        return SmsResult(provider_id=f"fake-{len(self.sent)}", status="created", parts=1)

    def last_code(self) -> str:
        return self.sent[-1][1][-6:]


def sms_down() -> Exception:
    return SmsError("HTTP 503", status=503)
