"""The one rate limiter of the project: a burst and a sustained rate per key, kept where every
worker sees it (Redis when configured, else the database), answering "allowed?" and, when not,
after how many seconds to try again.

Algorithm: GCRA (the generic cell rate algorithm, equivalent to a token bucket of `burst`
tokens refilled at `per_second`). Per key it stores one number, the "theoretical arrival time"
(TAT). A request of cost c is allowed when TAT + c/rate - burst/rate <= now, and then moves
TAT forward by c/rate. Refused requests change nothing.

    limiter = build_rate_limiter(settings, engine)
    decision = limiter.hit("sender:<id>", Rate(burst=100, per_second=50))
    if not decision.allowed: answer 429 with Retry-After: decision.retry_after_header

Plain Python, no Reflex; `ahit` runs the same check from async code (in a thread).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine

from kivra_app.models import RateLimitState

# Keys are ours (e.g. "sender:<uuid>", "ip:<address>"), never personal data.
MAX_KEY_LENGTH = 200
_CLEANUP_EVERY = 1000  # hits per process between deletions of expired database rows


@dataclass(frozen=True)
class Rate:
    """`burst` requests at once, then `per_second` on average."""

    burst: int
    per_second: float

    def __post_init__(self) -> None:
        if self.burst < 1 or not self.per_second > 0:
            raise ValueError("a rate needs burst >= 1 and per_second > 0")

    @property
    def interval(self) -> float:
        return 1.0 / self.per_second


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float  # seconds until a request of the same cost would be allowed; 0 if allowed
    remaining: int  # requests still allowed right now (after this one)

    @property
    def retry_after_header(self) -> str:
        """The value for an HTTP Retry-After header: whole seconds, at least 1."""
        return str(max(1, math.ceil(self.retry_after)))


def gcra(tat: float | None, now: float, rate: Rate, cost: int = 1) -> tuple[Decision, float | None]:
    """(decision, new TAT or None when refused). Shared by both backends' semantics."""
    if cost < 1 or cost > rate.burst:
        raise ValueError("cost must be between 1 and the burst")
    base = now if tat is None or tat < now else tat
    new_tat = base + cost * rate.interval
    allow_at = new_tat - rate.burst * rate.interval
    if now < allow_at:
        return Decision(False, allow_at - now, 0), None
    remaining = int((now - allow_at) / rate.interval + 1e-9)
    return Decision(True, 0.0, remaining), new_tat


class _Backend(Protocol):
    def hit(self, key: str, rate: Rate, cost: int, now: float) -> Decision: ...

    def reset(self, key: str) -> None: ...


class DatabaseBackend:
    """GCRA state in the `ratelimitstate` table. One short transaction per hit, serialised per
    key by the database: the row is created if missing (INSERT ... ON CONFLICT DO NOTHING), then
    locked (PostgreSQL: SELECT ... FOR UPDATE; SQLite: that INSERT already holds the write lock),
    read, and moved on. No retries, so no request is refused for mere contention."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self._hits = 0

    def _insert_missing(self, key: str):  # noqa: ANN202
        table = RateLimitState.__table__  # type: ignore[attr-defined]
        if self.postgres:
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        return dialect_insert(table).values(key=key, tat=0.0, expires=0.0).on_conflict_do_nothing()

    def hit(self, key: str, rate: Rate, cost: int, now: float) -> Decision:
        self._hits += 1
        if self._hits % _CLEANUP_EVERY == 0:
            self._cleanup(now)
        table = RateLimitState.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as conn:
            conn.execute(self._insert_missing(key))
            query = select(table.c.tat).where(table.c.key == key)
            if self.postgres:
                query = query.with_for_update()
            stored = conn.execute(query).scalar()
            decision, new_tat = gcra(stored, now, rate, cost)
            if new_tat is not None:
                conn.execute(update(table).where(table.c.key == key)
                             .values(tat=new_tat, expires=new_tat))
            return decision

    def reset(self, key: str) -> None:
        table = RateLimitState.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as conn:
            conn.execute(delete(table).where(table.c.key == key))

    def _cleanup(self, now: float) -> None:
        table = RateLimitState.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as conn:
            conn.execute(delete(table).where(table.c.expires < now))


_REDIS_GCRA = """
local tat = tonumber(redis.call('GET', KEYS[1]))
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
if tat == nil or tat < now then tat = now end
local new_tat = tat + cost * interval
local allow_at = new_tat - burst * interval
if now < allow_at then
  return {0, tostring(allow_at - now)}
end
redis.call('SET', KEYS[1], string.format('%.6f', new_tat), 'PX',
           math.ceil((new_tat - now) * 1000) + 1000)
return {1, tostring((now - allow_at) / interval)}
"""


class RedisBackend:
    """The same GCRA as one Lua script (atomic in Redis); keys expire when they no longer
    matter."""

    def __init__(self, url: str, *, prefix: str = "kivra:ratelimit:") -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.prefix = prefix
        self._script = self.client.register_script(_REDIS_GCRA)

    def hit(self, key: str, rate: Rate, cost: int, now: float) -> Decision:
        if cost < 1 or cost > rate.burst:
            raise ValueError("cost must be between 1 and the burst")
        allowed, value = self._script(
            keys=[self.prefix + key], args=[repr(now), repr(rate.interval), rate.burst, cost]
        )
        number = float(value)
        if int(allowed) == 1:
            return Decision(True, 0.0, int(number + 1e-9))
        return Decision(False, number, 0)

    def reset(self, key: str) -> None:
        self.client.delete(self.prefix + key)


class RateLimiter:
    def __init__(self, backend: _Backend, *, clock: Callable[[], float] = time.time) -> None:
        self.backend = backend
        self.clock = clock

    def hit(self, key: str, rate: Rate, cost: int = 1) -> Decision:
        if not key or len(key) > MAX_KEY_LENGTH:
            raise ValueError("rate-limit key must be 1-200 characters")
        return self.backend.hit(key, rate, cost, self.clock())

    async def ahit(self, key: str, rate: Rate, cost: int = 1) -> Decision:
        return await asyncio.to_thread(self.hit, key, rate, cost)

    def reset(self, key: str) -> None:
        self.backend.reset(key)


def build_rate_limiter(settings, engine: Engine) -> RateLimiter:  # noqa: ANN001
    """Redis when KIVRA_REDIS_URL is set (shared by every worker and host), else the database."""
    url = getattr(settings, "redis_url", None)
    if url:
        return RateLimiter(RedisBackend(url, prefix=settings.redis_prefix + "ratelimit:"))
    return RateLimiter(DatabaseBackend(engine))
