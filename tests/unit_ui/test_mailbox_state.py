"""MailboxState: the session comes only from the connection's HttpOnly cookie; crafted letter
ids are ignored; only plain summary values reach the browser."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

import kivra_app.auth.sessions as sessions
import kivra_app.mailbox.service as mailbox_service
import state.deps as deps
import state.personal as personal
from kivra_app.mailbox.service import LetterSummary, UserDisplay
from state.mailbox import MailboxState
from tests.unit_ui.fakes import IPHONE_UA, set_connection, state_tree

SESSION = "session-secret-abcdefghijklmnopqrstuvwxyz0123"
RECEIVED = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


@dataclass
class FakeLetter:
    id: int
    sender: str
    subject: str
    body: str
    received_at: datetime
    personnummer: str = "198107249289"  # a field the UI must never copy


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> dict:
    opened: list[int] = []
    letters = {1: FakeLetter(1, "Kivra", "Välkommen till Kivra", "Hej Anna!\n<b>x</b>", RECEIVED)}
    settings = SimpleNamespace(base_url="http://localhost:8100")  # plain cookie names on http
    monkeypatch.setattr(deps, "services", lambda: SimpleNamespace(engine=object(),
                                                                   settings=settings))
    monkeypatch.setattr(sessions, "user_for_session",
                        lambda engine, secret: 7 if secret == SESSION else None)
    monkeypatch.setattr(sessions, "session_status", lambda engine, secret: sessions.SessionCheck(
        *((7, "live") if sessions.user_for_session(engine, secret) else (None, "none"))))
    monkeypatch.setattr(personal, "_live", {})
    monkeypatch.setattr(mailbox_service, "user_display",
                        lambda engine, uid: UserDisplay("Anna", "anna@example.se", "070-174 06 05"))
    monkeypatch.setattr(mailbox_service, "list_letters", lambda engine, uid, offset=0, limit=25: [
        LetterSummary(1, "Kivra", "Välkommen till Kivra", "letter", RECEIVED, False)
    ])

    def get_letter(engine: object, uid: int, letter_id: int) -> FakeLetter | None:
        opened.append(letter_id)
        return letters.get(letter_id) if uid == 7 else None

    monkeypatch.setattr(mailbox_service, "get_letter", get_letter)
    return {"opened": opened}


async def test_not_logged_in_without_the_session_cookie(mailbox: dict) -> None:
    m = state_tree(MailboxState, cookie=None, path="/mailbox")
    await m.load()
    assert m.status == "out" and m.letters == []
    m2 = state_tree(MailboxState, cookie="kivra_session=forged", path="/mailbox")
    await m2.load()
    assert m2.status == "out"


async def test_the_welcome_letter_list_and_opening_a_letter(mailbox: dict) -> None:
    m = state_tree(MailboxState, cookie=f"kivra_session={SESSION}", path="/mailbox")
    await m.load()
    assert m.status == "in" and m.given_name == "Anna"
    assert m.letters == [{"id": 1, "sender": "Kivra", "subject": "Välkommen till Kivra",
                          "date": "2026-11-25", "read": False}]
    assert m.platform == "desktop" and m.qr_app_store.startswith("data:image/svg+xml")
    assert m.show_app_prompt
    await m.open_letter(1)
    assert m.open_id == 1 and m.letter_body.startswith("Hej Anna!")
    assert m.letters[0]["read"] is True
    blob = json.dumps(m.dict(), default=str)
    assert SESSION not in blob and "198107249289" not in blob
    m.close_letter()
    assert m.open_id == 0
    m.dismiss_app_prompt()
    assert not m.show_app_prompt


@pytest.mark.parametrize("crafted", ["1", True, 1.0, {"$gt": 0}, [1], -1, 0, 2**60, None])
async def test_crafted_letter_ids_are_ignored(mailbox: dict, crafted: object) -> None:
    m = state_tree(MailboxState, cookie=f"kivra_session={SESSION}", path="/mailbox")
    await m.load()
    await m.open_letter(crafted)  # type: ignore[arg-type]
    assert mailbox["opened"] == [] and m.open_id == 0


async def test_someone_elses_letter_is_not_found(mailbox: dict) -> None:
    m = state_tree(MailboxState, cookie=f"kivra_session={SESSION}", path="/mailbox")
    await m.load()
    await m.open_letter(999)
    assert m.letter_missing and m.open_id == 0


async def test_an_ended_session_logs_the_tab_out(mailbox: dict) -> None:
    m = state_tree(MailboxState, cookie=f"kivra_session={SESSION}", path="/mailbox")
    await m.load()
    set_connection(m, cookie=None, path="/mailbox")
    await m.open_letter(1)
    assert m.status == "out" and m.letters == [] and mailbox["opened"] == []


async def test_the_app_prompt_offers_the_phones_own_store(mailbox: dict) -> None:
    m = state_tree(MailboxState, cookie=f"kivra_session={SESSION}", user_agent=IPHONE_UA,
                   path="/mailbox")
    await m.load()
    assert m.platform == "ios" and m.qr_app_store == ""


def test_only_the_intended_handlers_are_public() -> None:
    assert set(MailboxState.event_handlers) - {"setvar"} == {
        "load", "open_letter", "close_letter", "dismiss_app_prompt", "logout",
    }
