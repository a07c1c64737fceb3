"""#12 finding 3: personal data reaches a connection only while ITS cookie is valid.

Reflex sends every public var in the snapshot of each hydrate and reconnect to whoever presents
the tab token; `state.dict()` is exactly that snapshot. Before the fix the name, the letters,
the letter body, the email and the masked personnummer were plain public vars: a reconnect
without the cookie, or another tab after the logout, got them again.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session

import kivra_app.auth.sessions as sessions
import state.deps as deps
import state.personal as personal
from kivra_app.models import WebSession
from kivra_app.signup.steps import Step
from state.mailbox import MailboxState
from state.signup import SignupState
from tests.unit_ui.fakes import SECRET, FakeSignupService, fake_services, set_connection, state_tree
from tests.unit_ui.mailbox_world import build_world

WHEN = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def _snapshot(state) -> str:  # noqa: ANN001
    return json.dumps(state.dict(), default=str)


@pytest.fixture
def world(tmp_path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN201
    return build_world(tmp_path, monkeypatch)


async def _open_mailbox(world) -> MailboxState:  # noqa: ANN001
    m = state_tree(MailboxState, cookie=f"kivra_session={world.secret}", path="/mailbox")
    await m.load()
    await m.open_letter(world.letter_id)
    assert "Hemlig brevtext" in _snapshot(m) and "Anna" in _snapshot(m)  # the owner sees it
    return m


async def test_a_reconnect_with_only_the_tab_token_gets_nothing_personal(world) -> None:  # noqa: ANN001
    m = await _open_mailbox(world)
    set_connection(m, cookie=None, path="/mailbox")  # the same tab token, no cookie
    blob = _snapshot(m)
    for personal_text in ("Hemlig brevtext", "Anna", "Välkommen till Kivra"):
        assert personal_text not in blob
    set_connection(m, cookie="kivra_session=another-persons-session", path="/mailbox")
    assert "Hemlig brevtext" not in _snapshot(m)


async def test_another_tab_of_a_logged_out_session_gets_nothing_personal(world) -> None:  # noqa: ANN001
    other_tab = await _open_mailbox(world)
    this_tab = await _open_mailbox(world)
    await this_tab.logout()  # ends the session on the server
    assert sessions.user_for_session(world.engine, world.secret) is None
    blob = _snapshot(other_tab)  # the other tab reconnects / hydrates, same cookie
    assert "Hemlig brevtext" not in blob and "Anna" not in blob


async def test_an_expired_session_shows_no_letters_on_hydrate(world) -> None:  # noqa: ANN001
    m = await _open_mailbox(world)
    with Session(world.engine) as db:  # the session runs out on the server
        db.exec(update(WebSession).values(expires_at=WHEN - timedelta(days=1)))
        db.commit()
    personal.forget(personal.viewer_of(world.secret))  # past the 1 s liveness cache
    assert "Hemlig brevtext" not in _snapshot(m) and "Anna" not in _snapshot(m)


async def test_the_signup_shows_its_personal_values_only_with_its_cookie(monkeypatch) -> None:  # noqa: ANN001
    service = FakeSignupService(step=Step.EMAIL_CODE, pnr="198107249289",
                                email="anna@example.se")
    monkeypatch.setattr(deps, "services", lambda: fake_services(service))
    s = state_tree(SignupState, cookie=f"kivra_signup={SECRET}")
    await s.load()
    assert "anna@example.se" in _snapshot(s) and "19810724-****" in _snapshot(s)
    set_connection(s, cookie=None)  # a tab token alone
    blob = _snapshot(s)
    assert "anna@example.se" not in blob and "19810724" not in blob and "Anna" not in blob
    set_connection(s, cookie="kivra_signup=someone-elses-signup")
    assert "anna@example.se" not in _snapshot(s)


async def test_another_connection_gets_the_signups_personal_values_recomputed_in_its_delta(
        monkeypatch) -> None:  # noqa: ANN001
    """The five personal vars are cached between events; a connection with another cookie (a
    reconnect with the tab token, someone else's cookie) makes them recompute, so the delta it
    gets, and the snapshot after it, hold nothing personal."""
    service = FakeSignupService(step=Step.EMAIL_CODE, pnr="198107249289",
                                email="anna@example.se")
    monkeypatch.setattr(deps, "services", lambda: fake_services(service))
    s = state_tree(SignupState, cookie=f"kivra_signup={SECRET}")
    root = s.parent_state
    await s.load()
    assert "anna@example.se" in json.dumps(root.get_delta(), default=str)
    root._clean()  # as after each event
    assert "anna@example.se" in _snapshot(s)
    root._clean()
    s.notice = "Koden är skickad."  # an event that changes something else on the page
    unchanged = root.get_delta()[SignupState.get_full_name()]
    assert "email_rx_state_" not in unchanged  # cached: not rebuilt and sent again
    root._clean()
    set_connection(s, cookie="kivra_signup=someone-elses-signup")
    delta = root.get_delta()[SignupState.get_full_name()]
    assert delta["email_rx_state_"] == "" and delta["pnr_masked_rx_state_"] == ""
    root._clean()
    assert "anna@example.se" not in _snapshot(s) and "19810724" not in _snapshot(s)
