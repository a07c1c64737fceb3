"""The one rate limiter: burst, sustained rate, Retry-After, and state shared between workers
(two limiter objects over one store stand for two processes), on SQLite, PostgreSQL and Redis."""

from __future__ import annotations

import threading
import uuid

import pytest

from kivra_app.ratelimit import (
    DatabaseBackend,
    Decision,
    Rate,
    RateLimiter,
    RedisBackend,
    build_rate_limiter,
)
from kivra_app.settings import Settings
from tests.senders.conftest import REDIS_URL


class FakeClock:
    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["database", "redis"])
def make_limiter(request, any_engine):
    prefix = f"test-senders-{uuid.uuid4().hex}:"
    backends = []

    def make(clock: FakeClock) -> RateLimiter:
        if request.param == "database":
            backend = DatabaseBackend(any_engine)
        else:
            backend = RedisBackend(REDIS_URL, prefix=prefix)
        backends.append(backend)
        return RateLimiter(backend, clock=clock)

    yield make
    for backend in backends:
        if isinstance(backend, RedisBackend):
            for key in backend.client.scan_iter(prefix + "*"):
                backend.client.delete(key)


def test_burst_then_sustained_rate_with_retry_after(make_limiter) -> None:
    clock = FakeClock()
    limiter = make_limiter(clock)
    rate = Rate(burst=3, per_second=2.0)  # one request every 0.5 s once the burst is spent
    answers = [limiter.hit("sender:a", rate) for _ in range(4)]
    assert [a.allowed for a in answers] == [True, True, True, False]
    assert [a.remaining for a in answers[:3]] == [2, 1, 0]
    assert answers[3].retry_after == pytest.approx(0.5)
    assert answers[3].retry_after_header == "1"
    clock.now += 0.25
    refused = limiter.hit("sender:a", rate)
    assert not refused.allowed and refused.retry_after == pytest.approx(0.25)
    clock.now += 0.25
    assert limiter.hit("sender:a", rate).allowed
    assert not limiter.hit("sender:a", rate).allowed
    clock.now += 10  # idle long enough: the whole burst is back, not more
    assert [limiter.hit("sender:a", rate).allowed for _ in range(4)] == [True, True, True, False]


def test_keys_are_independent_and_refusals_cost_nothing(make_limiter) -> None:
    clock = FakeClock()
    limiter = make_limiter(clock)
    rate = Rate(burst=1, per_second=1.0)
    assert limiter.hit("sender:a", rate).allowed
    for _ in range(5):
        assert not limiter.hit("sender:a", rate).allowed
    assert limiter.hit("sender:b", rate).allowed
    clock.now += 1.0  # refusals did not push the next allowed time further away
    assert limiter.hit("sender:a", rate).allowed


def test_two_workers_share_one_budget(make_limiter) -> None:
    clock = FakeClock()
    first, second = make_limiter(clock), make_limiter(clock)
    rate = Rate(burst=4, per_second=1.0)
    allowed = [(first if i % 2 else second).hit("ip:10.0.0.1", rate).allowed for i in range(6)]
    assert allowed == [True, True, True, True, False, False]


def test_concurrent_hits_never_exceed_the_burst(make_limiter) -> None:
    clock = FakeClock()
    limiters = [make_limiter(clock) for _ in range(4)]
    rate = Rate(burst=10, per_second=0.001)
    results: list[Decision] = []
    lock = threading.Lock()
    start = threading.Barrier(20)

    def worker(i: int) -> None:
        start.wait()
        for _ in range(2):
            decision = limiters[i % 4].hit("sender:race", rate)
            with lock:
                results.append(decision)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 40
    assert sum(d.allowed for d in results) == 10


def test_reset_forgets_a_key(make_limiter) -> None:
    clock = FakeClock()
    limiter = make_limiter(clock)
    rate = Rate(burst=1, per_second=0.01)
    assert limiter.hit("k", rate).allowed
    assert not limiter.hit("k", rate).allowed
    limiter.reset("k")
    assert limiter.hit("k", rate).allowed


def test_bad_rates_and_keys_are_refused() -> None:
    with pytest.raises(ValueError):
        Rate(burst=0, per_second=1)
    with pytest.raises(ValueError):
        Rate(burst=1, per_second=0)
    limiter = RateLimiter(RedisBackend(REDIS_URL))
    with pytest.raises(ValueError):
        limiter.hit("", Rate(1, 1))
    with pytest.raises(ValueError):
        limiter.hit("x" * 201, Rate(1, 1))


def test_factory_picks_redis_only_when_configured(sqlite_engine, tmp_path) -> None:
    plain = Settings(_env_file=None, data_dir=tmp_path)
    assert isinstance(build_rate_limiter(plain, sqlite_engine).backend, DatabaseBackend)
    shared = Settings(_env_file=None, data_dir=tmp_path, redis_url=REDIS_URL)
    assert isinstance(build_rate_limiter(shared, sqlite_engine).backend, RedisBackend)
