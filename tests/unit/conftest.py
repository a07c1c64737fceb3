from __future__ import annotations

import pytest
from sqlmodel import SQLModel

import kivra_app.models  # noqa: F401 - registers the tables
from kivra_app.db import make_engine
from kivra_app.settings import Settings
from kivra_app.signup.service import SignupService, Step
from tests.unit.fakes import Clock, FakeBankId, FakeMailer, FakeSms, make_pnr

ADULT = "198507099805"
TAB = "unit-test-tab"  # the Reflex tab token the orders are started from  # a valid personnummer (the personnummer package's example), 1985-07-09


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        _env_file=None,
        data_dir=tmp_path,
        secret_key="unit-test-key",
        database_url=f"sqlite:///{tmp_path / 'unit.db'}",
        minimum_age=18,
        allow_test_personnummer=True,
        sms_provider="outbox",
    )


@pytest.fixture
def engine(settings):
    engine = make_engine(settings.effective_database_url)
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def bankid() -> FakeBankId:
    return FakeBankId()


@pytest.fixture
def mailer() -> FakeMailer:
    return FakeMailer()


@pytest.fixture
def sms() -> FakeSms:
    return FakeSms()


@pytest.fixture
def svc(engine, settings, bankid, mailer, sms, clock) -> SignupService:
    return SignupService(engine=engine, settings=settings, bankid=bankid, mailer=mailer, sms=sms,
                         clock=clock)


class Flow:
    """Drives a signup to a given step through the public API only."""

    def __init__(self, svc: SignupService, bankid: FakeBankId, mailer: FakeMailer, sms: FakeSms,
                 clock: Clock) -> None:
        self.svc, self.bankid, self.mailer, self.sms, self.clock = svc, bankid, mailer, sms, clock
        self.order_id: int = 0  # the BankID order of the last start

    async def start(self, secret: str, *, same_device: bool = False, tab: str = TAB,
                    user_agent: str = "Mozilla/5.0 (X11; Linux x86_64)"):
        started = await self.svc.start_bankid(secret, tab=tab, end_user_ip="192.0.2.10",
                                              same_device=same_device, user_agent=user_agent,
                                              return_url="http://localhost:8000/signup")
        self.order_id = started.order_id
        return started

    async def poll(self, secret: str, *, tab: str = TAB):
        """One collect of the last started order, from the tab that started it."""
        return await self.svc.poll_bankid(secret, self.order_id, tab=tab)

    def begin(self, language: str = "sv") -> str:
        return self.svc.begin(language)

    async def to_bankid(self, pnr: str = ADULT, language: str = "sv") -> str:
        secret = self.begin(language)
        self.svc.submit_personnummer(secret, pnr)
        await self.start(secret)
        return secret

    async def to_email(self, pnr: str = ADULT, language: str = "sv", given: str = "Karin") -> str:
        secret = await self.to_bankid(pnr, language)
        self.bankid.complete(pnr, given=given)
        progress = await self.poll(secret)
        assert progress.state == "complete", progress
        assert progress.view.step == Step.EMAIL and progress.view.continue_required
        return self.rotate(secret, progress.continue_ticket)

    def rotate(self, secret: str, ticket: str | None) -> str:
        """What GET /api/signup/continue does: the new secret replaces the pre-BankID one."""
        assert ticket
        new_secret = self.svc.rotate_secret(secret, ticket)
        assert new_secret and new_secret != secret
        return new_secret

    async def to_email_code(self, email: str = "karin@example.se", **kw) -> str:
        secret = await self.to_email(**kw)
        await self.svc.submit_contact("email", secret, email, client_ip="192.0.2.10")
        return secret

    async def to_phone(self, email: str = "karin@example.se", **kw) -> str:
        secret = await self.to_email_code(email, **kw)
        self.svc.verify_code("email", secret, self.mailer.last_code(email))
        return secret

    async def to_phone_code(self, phone: str = "070-174 06 05", **kw) -> str:
        secret = await self.to_phone(**kw)
        await self.svc.submit_contact("phone", secret, phone, client_ip="192.0.2.10")
        return secret

    async def to_done(self, **kw) -> str:
        secret = await self.to_phone_code(**kw)
        self.clock.advance(1)
        self.svc.verify_code("phone", secret, self.sms.last_code())
        return secret


@pytest.fixture
def flow(svc, bankid, mailer, sms, clock) -> Flow:
    return Flow(svc, bankid, mailer, sms, clock)


__all__ = ["ADULT", "TAB", "Flow", "make_pnr"]
