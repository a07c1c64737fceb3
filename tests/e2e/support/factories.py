"""Factories for test data: people (valid, adult personnummer), email addresses, phone
numbers. Every call gives a new value, so tests never share a person (the simulator refuses a
second open order for one person, and code sends are rate-limited per address)."""

from __future__ import annotations

import itertools
import os
import random
import time
from dataclasses import dataclass
from datetime import date

from kivra_app.signup.validation import is_test_number, luhn_ok, mask_personnummer

_counter = itertools.count(1)
_rng = random.Random(time.time_ns() ^ os.getpid())


def _luhn_digit(nine: str) -> str:
    for d in "0123456789":
        if luhn_ok(nine + d):
            return d
    raise AssertionError("unreachable")


def personnummer(*, born: date | None = None, age: int | None = None) -> str:
    """A new 12-digit personnummer: valid checksum, not a Skatteverket test number.
    `age` (default 20-80) or `born` chooses the birth date."""
    while True:
        if born is None:
            years = age if age is not None else _rng.randint(20, 80)
            today = date.today()
            day = date(today.year - years - 1, _rng.randint(1, 12), _rng.randint(1, 28))
        else:
            day = born
        serial = f"{_rng.randint(1, 999):03d}"  # 000 is never issued: the app refuses it
        nine = day.strftime("%y%m%d") + serial
        number = day.strftime("%Y%m%d") + serial + _luhn_digit(nine)
        if not is_test_number(number):
            return number


def email(label: str = "qa") -> str:
    """qa-<pid>-<n>-<random>@example.se (email-validator refuses .test): unique per call, recognisable in the outbox."""
    return f"{label}-{os.getpid()}-{next(_counter)}-{_rng.randrange(16**6):06x}@example.se"


@dataclass(frozen=True)
class Phone:
    national: str  # as a person types it: "070-123 45 67"
    e164: str  # as the outbox stores it: "+46701234567"


def phone() -> Phone:
    """A Swedish mobile number from PTS's range for fiction (070-174 06 05 to 070-174 06 99)."""
    n = str(_rng.randint(605, 699))
    return Phone(national=f"070-174 0{n[0]} {n[1:]}", e164=f"+46701740{n}")


@dataclass(frozen=True)
class Person:
    personnummer: str
    email: str
    phone: Phone

    @property
    def masked(self) -> str:
        return mask_personnummer(self.personnummer)


def person(label: str = "qa") -> Person:
    return Person(personnummer(), email(label), phone())


def orgnr() -> str:
    """A new organisationsnummer of an aktiebolag (556…, Luhn check digit) for a test sender:
    senders are unique by orgnr, so every test makes its own."""
    nine = "556" + f"{_rng.randrange(10**6):06d}"
    return nine + _luhn_digit(nine)
