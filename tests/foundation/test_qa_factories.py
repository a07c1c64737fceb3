"""The QA kit's test-data factories make numbers the app accepts, whatever the random draw."""

from __future__ import annotations

import random

import pytest

from kivra_app.signup.validation import parse_personnummer
from tests.e2e.support import factories


class Lowest(random.Random):
    """Every draw at its lower bound: the serial 000 a uniform draw hits once in 1,000."""

    def randint(self, a: int, b: int) -> int:
        return a


class Highest(random.Random):
    def randint(self, a: int, b: int) -> int:
        return b


@pytest.mark.parametrize("rng", [Lowest(), Highest(), random.Random(7)])
def test_every_personnummer_the_factory_makes_is_one_the_app_accepts(monkeypatch, rng) -> None:
    monkeypatch.setattr(factories, "_rng", rng)
    for _ in range(50):
        parse_personnummer(factories.personnummer())  # raises SignupError("pnr.invalid")
