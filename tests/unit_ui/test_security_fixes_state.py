"""States after the security review: the continue step (secret rotation after BankID), the
one login ticket, the BankID start cap on screen, 'Logga ut' as an event, and no BankID call
awaited while the background loop holds the state lock."""

from __future__ import annotations

import ast
import inspect
import json
import textwrap
from types import SimpleNamespace

import pytest

import kivra_app.auth.sessions as sessions
import state.deps as deps
from kivra_app.bankid_flow import Complete, Person
from kivra_app.signup.errors import SignupError
from kivra_app.signup.service import BankIdProgress
from kivra_app.signup.steps import Step
from state.mailbox import MailboxState
from state.signup import MAX_AUTO_CONTINUE, SignupState
from tests.unit_ui.fakes import (
    PNR,
    SECRET,
    FakeSignupService,
    fake_services,
    started,
    state_tree,
)
from tests.unit_ui.mailbox_world import build_world

COOKIE = f"kivra_signup={SECRET}"


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> FakeSignupService:
    fake = FakeSignupService()
    monkeypatch.setattr(deps, "services", lambda: fake_services(fake))
    return fake


def _script(spec: object) -> str:
    return str(spec)


async def _loaded(service: FakeSignupService, step: Step, cookie: str = COOKIE) -> tuple:
    service.step = step
    s = state_tree(SignupState, cookie=cookie)
    events = await s.load()
    return s, events


# ------------------------------------------------------------------ continue (rotation)


async def test_load_with_the_unrotated_secret_goes_to_the_continue_route(
    service: FakeSignupService,
) -> None:
    service.unrotated = True
    s, events = await _loaded(service, Step.EMAIL)
    assert s.step == "continue" and s.step_number == 0
    assert (s.given_name, s.email, s.pnr_masked) == ("", "", "")
    assert "continue_ticket" in service.names()
    text = " ".join(_script(e) for e in events)
    assert "/api/signup/continue?ticket=cont-1" in text
    assert "location.replace" in text  # a full page load: the route sets the HttpOnly cookie
    assert "cont-1" not in json.dumps(s.dict(), default=str)  # the ticket is in no var


async def test_continue_stops_redirecting_by_itself_after_two_tries(
    service: FakeSignupService,
) -> None:
    service.unrotated = True
    s, _ = await _loaded(service, Step.EMAIL)
    for _ in range(MAX_AUTO_CONTINUE - 1):
        await s.load()
    events = await s.load()  # the rotation keeps failing: no redirect loop, a button instead
    assert "/api/signup/continue" not in " ".join(_script(e) for e in events)
    assert s.step == "continue"
    spec = await s.continue_signup()
    assert "/api/signup/continue?ticket=" in _script(spec)
    # Once rotated, the screen is the real step again and the counter starts over.
    service.unrotated = False
    await s.load()
    assert s.step == "email" and s._continue_tries == 0


async def test_continue_button_does_nothing_on_other_steps(service: FakeSignupService) -> None:
    s, _ = await _loaded(service, Step.EMAIL)
    assert await s.continue_signup() is None  # the service refused it: no redirect
    assert s.step == "email"


async def test_other_handlers_with_the_unrotated_secret_show_the_continue_screen(
    service: FakeSignupService,
) -> None:
    s, _ = await _loaded(service, Step.EMAIL)
    service.unrotated = True  # e.g. a second tab that still has the pre-BankID cookie
    await s.submit_email({"email": "anna@example.se"})
    assert s.step == "continue" and s.email == ""


async def test_bankid_completion_with_a_ticket_moves_to_continue(
    service: FakeSignupService,
) -> None:
    s, _ = await _loaded(service, Step.BANKID)
    service.step, service.unrotated = Step.DONE, True
    done = BankIdProgress(Complete(1, Person(PNR, "", "", ""), first=True), service._view(), 7,
                          continue_ticket="first-observer")
    assert s._bankid_show(done.result) is True
    event = await s._bankid_answer(done)
    assert s.step == "continue" and not s.welcome_back
    assert "/api/signup/continue?ticket=first-observer" in _script(event)


# ------------------------------------------------------------------ login ticket, start cap


async def test_a_second_ok_click_opens_the_mailbox_without_a_ticket(
    service: FakeSignupService,
) -> None:
    s, _ = await _loaded(service, Step.DONE)
    first = await s.open_mailbox()
    assert "/api/session/claim?ticket=ticket-abc" in _script(first)
    service.fail_next = SignupError("signup.expired")  # the signup closed with the first ticket
    second = await s.open_mailbox()
    assert "/mailbox" in _script(second) and "claim" not in _script(second)


async def test_the_start_limit_is_shown_in_the_bankid_panel(service: FakeSignupService) -> None:
    s, _ = await _loaded(service, Step.BANKID)
    service.fail_next = SignupError("bankid.start_limit")
    await started(s, s.use_other_device())
    assert s.bankid_state == "failed"
    assert s.bankid_message.startswith("Du har startat BankID många gånger")
    assert s.field_error == ""


def _awaits_inside_async_with_self(fn: object) -> list[str]:
    """Every `await <call>` lexically inside an `async with self:` block of `fn`."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    found: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.AsyncWith):
            continue
        if not any(isinstance(item.context_expr, ast.Name) and item.context_expr.id == "self"
                   for item in node.items):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Await) and isinstance(inner.value, ast.Call):
                found.append(ast.unparse(inner.value.func))
    return found


def _awaited_calls(fn: object) -> set[str]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    return {ast.unparse(n.value.func) for n in ast.walk(tree)
            if isinstance(n, ast.Await) and isinstance(n.value, ast.Call)}


def test_the_bankid_loop_never_awaits_bankid_while_holding_the_lock() -> None:
    from state.bankid_loop import BankIdLoopMixin

    assert _awaits_inside_async_with_self(SignupState.bankid_loop.fn) == []
    # Under the lock the loop awaits only the purpose's reaction (`_settled`), whose one
    # blocking part, a database read, runs in a worker thread; never BankID.
    assert set(_awaits_inside_async_with_self(BankIdLoopMixin._bankid_run)) == {"_settled"}
    # The start too: only the purpose's reaction to a refused start awaits under the lock.
    assert set(_awaits_inside_async_with_self(BankIdLoopMixin._bankid_start_run)) == {"_settled"}
    assert _awaited_calls(SignupState._bankid_answer) <= {"self._fresh_continue_ticket"}
    assert _awaited_calls(SignupState._bankid_error) <= {"deps.off_loop"}
    assert _awaited_calls(SignupState._fresh_continue_ticket) == {"deps.off_loop"}


# ------------------------------------------------------------------ logout


@pytest.fixture
def mailbox(tmp_path, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:  # noqa: ANN001
    return build_world(tmp_path, monkeypatch)


async def test_logout_ends_the_session_and_forgets_the_tabs_letters(mailbox) -> None:  # noqa: ANN001
    m = state_tree(MailboxState, cookie=f"kivra_session={mailbox.secret}", path="/mailbox")
    await m.load()
    assert m.status == "in" and m.letters and m.given_name == "Anna"
    m.app_prompt_dismissed = "1"
    signup = await m.get_state(SignupState)
    signup._shown = {"given_name": "Anna", "email": "anna@example.se"}
    spec = await m.logout()
    # ended on the server, before the page load
    assert sessions.user_for_session(mailbox.engine, mailbox.secret) is None
    assert (m.letters, m.given_name, m.open_id) == ([], "", 0)
    assert (signup.given_name, signup.email) == ("", "")
    assert m.app_prompt_dismissed == "1"  # a device preference survives
    assert "/api/logout" in _script(spec) and "method = " in _script(spec) and "post" in _script(spec)
    blob = json.dumps(m.dict(), default=str)
    assert "Välkommen" not in blob and "Anna" not in blob


async def test_logout_without_a_session_still_clears_and_leaves(mailbox) -> None:  # noqa: ANN001
    m = state_tree(MailboxState, cookie=None, path="/mailbox")
    spec = await m.logout()
    assert sessions.user_for_session(mailbox.engine, mailbox.secret) is not None  # untouched
    assert "/api/logout" in _script(spec)
