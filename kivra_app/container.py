"""The one place where the app's services are built from the settings (and injected elsewhere)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Engine

from kivra_app.db import get_engine
from kivra_app.settings import Settings, get_settings


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    bankid: Any
    mailer: Any
    sms: Any
    signup: Any
    start_limits: Any  # kivra_app.antiautomation.StartLimiter
    bankid_flow: Any  # kivra_app.bankid_flow.BankIdFlow: every BankID order (signup, login, sign)
    login: Any  # kivra_app.auth.login.LoginService


@lru_cache
def services() -> Services:
    from kivra_app.antiautomation import LimitedBankId, StartLimiter
    from kivra_app.auth.login import LoginService
    from kivra_app.bankid.factory import build_client
    from kivra_app.bankid_flow import BankIdFlow
    from kivra_app.messaging.factory import build_mailer, build_sms
    from kivra_app.ratelimit import build_rate_limiter
    from kivra_app.signup.service import SignupService

    settings = get_settings()
    engine = get_engine()
    # Every BankID order start passes the per-address limit (issue #11, anti-automation).
    limits = StartLimiter(build_rate_limiter(settings, engine), settings)
    bankid = LimitedBankId(build_client(settings), limits)
    mailer = build_mailer(settings)
    sms = build_sms(settings, engine)
    signup = SignupService(engine=engine, settings=settings, bankid=bankid, mailer=mailer, sms=sms)
    flow = BankIdFlow(engine=engine, bankid=bankid, settings=settings)
    login = LoginService(engine=engine, flow=flow, settings=settings)
    return Services(settings, engine, bankid, mailer, sms, signup, limits, flow, login)
