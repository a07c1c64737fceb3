"""The server's clock. In production: real UTC time. With the test-support API on
(development and test only) it is real time plus an offset kept in the database (table
dev_clock), so a test can move every worker's clock, e.g. past a code's expiry, without
editing rows. Plain Python, no Reflex.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from kivra_app.models import DevClock, utcnow

_ROW = 1


class MovableClock:
    """Callable like `utcnow`; reads the offset on every call (dev only, a primary-key read)."""

    def __init__(self, engine: Engine, real: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.real = real

    def __call__(self) -> datetime:
        return self.real() + timedelta(seconds=self.offset())

    def offset(self) -> float:
        with Session(self.engine) as session:
            row = session.get(DevClock, _ROW)
            return row.offset_seconds if row else 0.0

    def set_offset(self, seconds: float) -> float:
        with Session(self.engine) as session:
            row = session.get(DevClock, _ROW) or DevClock(id=_ROW)
            row.offset_seconds = float(seconds)
            session.add(row)
            session.commit()
        return float(seconds)

    def advance(self, seconds: float) -> float:
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
