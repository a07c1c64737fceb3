"""Swedish bank days: Monday–Friday that are not public holidays and not midsommarafton,
julafton or nyårsafton (the `holidays` package's PUBLIC + DE_FACTO categories for Sweden;
its BANK category lists half days, which are still bank days)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

# A payment date further ahead than this is refused (the simulated bank's horizon, and what
# Swedish internet banks allow for a scheduled bankgiro payment).
MAX_DAYS_AHEAD = 366


@lru_cache(maxsize=64)
def _closed_days(year: int) -> frozenset[date]:
    calendar = holidays.Sweden(years=year, categories=(holidays.PUBLIC, holidays.DE_FACTO))
    return frozenset(calendar.keys())


def is_bank_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _closed_days(day.year)


def bank_day_on_or_after(day: date) -> date:
    """`day` if it is a bank day, else the next one (a due date on a Sunday is paid Monday)."""
    while not is_bank_day(day):
        day += timedelta(days=1)
    return day


def bank_day_on_or_before(day: date) -> date:
    while not is_bank_day(day):
        day -= timedelta(days=1)
    return day


def bank_days_between(first: date, last: date) -> list[date]:
    """Every bank day from `first` to `last`, both included."""
    days: list[date] = []
    day = first
    while day <= last:
        if is_bank_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def default_pay_date(due: date | None, today: date) -> date:
    """The date a payment form proposes: the due date (moved to a bank day on or before it, so
    the money is there in time), never before the first bank day from today."""
    earliest = bank_day_on_or_after(today)
    if due is None:
        return earliest
    proposed = bank_day_on_or_before(due)
    return proposed if proposed >= earliest else earliest


def pay_date_problem(day: date, today: date) -> str | None:
    """Why `day` cannot be a payment date (a catalogue key), or None when it can."""
    if day < today:
        return "pay.date_past"
    if (day - today).days > MAX_DAYS_AHEAD:
        return "pay.date_too_far"
    if not is_bank_day(day):
        return "pay.date_not_bank_day"
    return None
