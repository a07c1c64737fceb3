"""The server's clock. In production: real UTC time. With the test-support API on
(development and test only) it is real time plus an offset kept in the database (table
dev_clock), so a test can move every worker's clock, e.g. past a code's expiry, without
editing rows. Plain Python, no Reflex.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from kivra_app.models import DevClock, utcnow

_ROW = 1


class MovableClock:
    """Callable like `utcnow`. The offset is read from the database at most every `refresh`
    seconds (default 0.25 s) and at once in the process that moved it: every `now()` of every
    QR frame, collect and step check used to be a database read of its own (in the QR fan-out
    benchmark, a quarter of the worker's time). Another worker sees a move within `refresh`."""

    def __init__(self, engine: Engine, real: Callable[[], datetime] = utcnow, *,
                 refresh: float = 0.25, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.real = real
        self.refresh = refresh
        self.monotonic = monotonic
        self._cached: tuple[float, float] | None = None  # (read at, offset)

    def __call__(self) -> datetime:
        return self.real() + timedelta(seconds=self.offset())

    def offset(self) -> float:
        now = self.monotonic()
        if self._cached is not None and now - self._cached[0] < self.refresh:
            return self._cached[1]
        with Session(self.engine) as session:
            row = session.get(DevClock, _ROW)
            offset = row.offset_seconds if row else 0.0
        self._cached = (now, offset)
        return offset

    def set_offset(self, seconds: float) -> float:
        with Session(self.engine) as session:
            row = session.get(DevClock, _ROW) or DevClock(id=_ROW)
            row.offset_seconds = float(seconds)
            session.add(row)
            session.commit()
        self._cached = (self.monotonic(), float(seconds))
        return float(seconds)

    def advance(self, seconds: float) -> float:
        self._cached = None  # from the stored offset, not this process's copy
        return self.set_offset(self.offset() + float(seconds))

    def set_time(self, when: datetime) -> float:
        """Move the clock so that now is `when` (naive values are taken as UTC)."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return self.set_offset((when - self.real()).total_seconds())

    def reset(self) -> None:
        self.set_offset(0.0)


def build_clock(settings, engine: Engine) -> Callable[[], datetime]:  # noqa: ANN001
    """The clock the services use: movable only where the test-support API exists."""
    return MovableClock(engine) if settings.test_support_enabled else utcnow
