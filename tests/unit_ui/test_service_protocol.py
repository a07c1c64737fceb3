"""The UI's fake service and the real SignupService both implement the protocols the state is
typed with (kivra_app/signup/interfaces.py): same names, parameters and sync/async kind."""

from __future__ import annotations

import inspect
from typing import Protocol

import pytest

from kivra_app.signup import interfaces
from kivra_app.signup.service import SignupService
from tests.unit_ui.fakes import FakeSignupService


def _members(protocol: type) -> list[str]:
    return [name for name, value in vars(protocol).items()
            if callable(value) and not name.startswith("_")]


def _shape(fn: object) -> tuple[list[tuple[str, object]], bool]:
    params = [(p.name, p.kind) for p in inspect.signature(fn).parameters.values()
              if p.name != "self"]
    return params, inspect.iscoroutinefunction(fn)


STATE_PROTOCOLS = [interfaces.SignupSessions, interfaces.BankIdSteps, interfaces.ContactSteps]


@pytest.mark.parametrize("protocol", STATE_PROTOCOLS, ids=lambda p: p.__name__)
@pytest.mark.parametrize("implementation", [FakeSignupService, SignupService],
                         ids=["fake", "real"])
def test_implements_the_protocol(protocol: type[Protocol], implementation: type) -> None:
    members = _members(protocol)
    assert members  # the protocol does declare calls
    for name in members:
        assert hasattr(implementation, name), f"{implementation.__name__} lacks {name}"
        assert _shape(getattr(implementation, name)) == _shape(getattr(protocol, name)), name


def test_the_real_service_also_serves_the_cookie_routes() -> None:
    for name in _members(interfaces.SignupCookieRoutes):
        assert _shape(getattr(SignupService, name)) == _shape(
            getattr(interfaces.SignupCookieRoutes, name)), name
