"""#12 finding 3: personal data reaches a connection only while ITS cookie is valid.

Reflex sends every public var in the snapshot of each hydrate and reconnect to whoever presents
the tab token; `state.dict()` is exactly that snapshot. Before the fix the name, the letters,
the letter body, the email and the masked personnummer were plain public vars: a reconnect
without the cookie, or another tab after the logout, got them again.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

import kivra_app.auth.sessions as sessions
import kivra_app.mailbox.service as mailbox_service
import state.deps as deps
import state.personal as personal
from kivra_app.mailbox.service import LetterSummary, UserDisplay
from kivra_app.signup.steps import Step
from state.mailbox import MailboxState
from state.signup import SignupState
from tests.unit_ui.fakes import SECRET, FakeSignupService, fake_services, set_connection, state_tree

SESSION = "session-secret-abcdefghijklmnopqrstuvwxyz0123"
WHEN = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def _snapshot(state) -> str:  # noqa: ANN001
    return json.dumps(state.dict(), default=str)


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    sessions_live = {SESSION}
    settings = SimpleNamespace(base_url="http://localhost:8100")
    monkeypatch.setattr(deps, "services", lambda: SimpleNamespace(engine=object(),
                                                                   settings=settings))
    monkeypatch.setattr(sessions, "user_for_session",
                        lambda engine, secret: 7 if secret in sessions_live else None)
    monkeypatch.setattr(sessions, "session_status", lambda engine, secret: sessions.SessionCheck(
        *((7, "live") if secret in sessions_live else (None, "none"))))
    monkeypatch.setattr(sessions, "end_session",
                        lambda engine, secret: sessions_live.discard(secret))
    monkeypatch.setattr(personal, "_live", {})
    monkeypatch.setattr(mailbox_service, "user_display",
                        lambda engine, uid: UserDisplay("Anna", "anna@example.se", "070"))
    monkeypatch.setattr(mailbox_service, "list_letters", lambda engine, uid, offset=0, limit=25: [
        LetterSummary(1, "Kivra", "Välkommen till Kivra", "letter", WHEN, False)])
    monkeypatch.setattr(mailbox_service, "get_letter", lambda engine, uid, letter_id: SimpleNamespace(
        id=1, sender="Kivra", subject="Välkommen till Kivra", body="Hemlig brevtext",
        received_at=WHEN))
    return sessions_live


async def _open_mailbox() -> MailboxState:
    m = state_tree(MailboxState, cookie=f"kivra_session={SESSION}", path="/mailbox")
    await m.load()
    await m.open_letter(1)
    assert "Hemlig brevtext" in _snapshot(m) and "Anna" in _snapshot(m)  # the owner sees it
    return m


async def test_a_reconnect_with_only_the_tab_token_gets_nothing_personal(live) -> None:  # noqa: ANN001
    m = await _open_mailbox()
    set_connection(m, cookie=None, path="/mailbox")  # the same tab token, no cookie
    blob = _snapshot(m)
    for personal_text in ("Hemlig brevtext", "Anna", "Välkommen till Kivra"):
        assert personal_text not in blob
    set_connection(m, cookie="kivra_session=another-persons-session", path="/mailbox")
    assert "Hemlig brevtext" not in _snapshot(m)


async def test_another_tab_of_a_logged_out_session_gets_nothing_personal(live) -> None:  # noqa: ANN001
    other_tab = await _open_mailbox()
    this_tab = await _open_mailbox()
    await this_tab.logout()  # ends the session on the server
    blob = _snapshot(other_tab)  # the other tab reconnects / hydrates, same cookie
    assert "Hemlig brevtext" not in blob and "Anna" not in blob


async def test_an_expired_session_shows_no_letters_on_hydrate(live) -> None:  # noqa: ANN001
    m = await _open_mailbox()
    live.clear()  # ran out on the server
    personal.forget(personal.viewer_of(SESSION))
    assert "Hemlig brevtext" not in _snapshot(m)


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
