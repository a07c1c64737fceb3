"""Issue #11: one client address cannot start thousands of signups, logins or BankID orders.
The limit is the per-address budget (`KIVRA_IP_START_BURST`, `KIVRA_IP_START_PER_MINUTE`) in
the one rate limiter; behind `KIVRA_TRUSTED_PROXY_HOPS` proxies the address is the client's."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlmodel import SQLModel
from starlette.testclient import TestClient

import kivra_app.models  # noqa: F401  (the rate limiter's table)
from kivra_app.antiautomation import LimitedBankId, StartLimiter, client_address
from kivra_app.bankid import errors
from kivra_app.bankid.models import AuthRequest
from kivra_app.db import make_engine
from kivra_app.ratelimit import DatabaseBackend, RateLimiter
from kivra_app.settings import Settings
from kivra_app.web import session_routes
from kivra_app.web.api import build_api


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class FakeBankId:
    def __init__(self) -> None:
        self.started: list[str] = []
        self.collected = 0

    async def auth(self, request: AuthRequest) -> str:
        self.started.append(request.end_user_ip)
        return f"order-{len(self.started)}"

    async def collect(self, order_ref: str) -> str:
        self.collected += 1
        return "pending"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, bankid_simulator=False,
                    secret_key="k" * 64, ip_start_burst=3, ip_start_per_minute=6,
                    trusted_proxy_hops=1)


@pytest.fixture
def limits(tmp_path: Path, settings: Settings) -> tuple[StartLimiter, FakeClock]:
    engine = make_engine(f"sqlite:///{tmp_path / 'limits.db'}")
    SQLModel.metadata.create_all(engine)
    clock = FakeClock()
    return StartLimiter(RateLimiter(DatabaseBackend(engine), clock=clock), settings), clock


async def test_bankid_orders_from_one_address_are_limited(limits) -> None:
    limiter, clock = limits
    inner = FakeBankId()
    bankid = LimitedBankId(inner, limiter)
    for _ in range(3):
        assert await bankid.auth(AuthRequest(end_user_ip="203.0.113.9"))
    with pytest.raises(errors.RateLimited) as refused:
        await bankid.auth(AuthRequest(end_user_ip="203.0.113.9"))
    assert refused.value.reset_after == pytest.approx(10.0)  # 6 per minute: one every 10 s
    assert inner.started == ["203.0.113.9"] * 3  # the refused one never reached BankID
    assert await bankid.auth(AuthRequest(end_user_ip="198.51.100.7"))  # another address
    assert await bankid.collect("order-1") == "pending"  # only starts are limited
    assert await bankid.collect("order-1") == "pending"
    clock.now += 10
    assert await bankid.auth(AuthRequest(end_user_ip="203.0.113.9"))  # the sustained rate


def test_the_client_address_behind_trusted_proxies() -> None:
    peer = ("10.0.0.2", 40000)  # nginx
    assert client_address(peer, "203.0.113.9", 0) == "10.0.0.2"  # no proxy trusted: the peer
    assert client_address(peer, "203.0.113.9", 1) == "203.0.113.9"
    # A client-sent X-Forwarded-For is kept by nginx on the left: it does not choose the address.
    assert client_address(peer, "1.2.3.4, 203.0.113.9", 1) == "203.0.113.9"
    assert client_address(peer, "1.2.3.4, 203.0.113.9, 10.0.0.9", 2) == "203.0.113.9"
    assert client_address(peer, None, 1) == "10.0.0.2"  # not through the proxy after all


def test_signup_starts_from_one_address_are_limited(settings, limits, monkeypatch) -> None:
    limiter, _ = limits
    fake = SimpleNamespace(settings=settings, start_limits=limiter,
                           signup=SimpleNamespace(begin=lambda lang: f"secret-{lang}"))
    monkeypatch.setattr(session_routes, "services", lambda: fake)
    client = TestClient(build_api(settings), base_url="http://localhost")

    def begin(forwarded_for: str):
        return client.post("/api/signup/begin", headers={"x-forwarded-for": forwarded_for},
                           follow_redirects=False)

    for _ in range(3):
        assert begin("203.0.113.9").status_code == 303
    refused = begin("5.6.7.8, 203.0.113.9")  # a forged left part changes nothing
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "10"
    assert "För många försök just nu" in refused.text
    assert "set-cookie" not in refused.headers
    assert begin("198.51.100.7").status_code == 303  # someone else behind the same proxy
