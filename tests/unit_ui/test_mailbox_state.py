"""MailboxState over the real domain (SQLite): the session comes only from the connection's
HttpOnly cookie; crafted ids (or another person's) change nothing and reveal nothing; only one
page of plain rows reaches the browser."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import Session, SQLModel

import state.deps as deps
from kivra_app.db import make_engine
from kivra_app.models import Letter
from kivra_app.settings import Settings
from state.mailbox import MailboxState
from tests.unit.mailbox_data import START, letter, login, many_letters, minimal_pdf, person
from tests.unit_ui.fakes import IPHONE_UA, set_connection, state_tree


@pytest.fixture
def world(tmp_path, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    settings = Settings(_env_file=None, data_dir=tmp_path, secret_key="unit-test-key",
                        database_url=f"sqlite:///{tmp_path / 'ui.db'}")
    engine = make_engine(settings.effective_database_url)
    SQLModel.metadata.create_all(engine)
    monkeypatch.setattr(deps, "services", lambda: SimpleNamespace(engine=engine, settings=settings))
    me = person(engine, "Anna")
    other = person(engine, "Olle")
    return SimpleNamespace(engine=engine, me=me, other=other, secret=login(engine, me))


def _tab(world, **kw):
    return state_tree(MailboxState, cookie=f"kivra_session={world.secret}", path="/mailbox", **kw)


async def test_not_logged_in_without_the_session_cookie(world) -> None:
    letter(world.engine, world.me, subject="Hemligt")
    for cookie in (None, "kivra_session=forged"):
        m = state_tree(MailboxState, cookie=cookie, path="/mailbox")
        await m.load()
        assert m.status == "out" and m.letters == []


async def test_one_page_of_rows_the_unread_count_and_paging(world) -> None:
    many_letters(world.engine, world.me, 60)
    m = _tab(world)
    await m.load()
    assert m.status == "in" and m.given_name == "Anna"
    assert len(m.letters) == 25 and m.has_next and m.page_range == "1–25"
    assert m.unread == 20  # every third of 60
    first_ids = [r["id"] for r in m.letters]
    await m.next_page()
    assert m.page_number == 2 and m.page_range == "26–50"
    assert not set(first_ids) & {r["id"] for r in m.letters}
    await m.next_page()
    assert len(m.letters) == 10 and not m.has_next
    await m.first_page()
    assert [r["id"] for r in m.letters] == first_ids
    await m.set_filter("unread")
    assert len(m.letters) == 20 and all(not r["read"] for r in m.letters)
    await m.set_filter("everything")  # crafted: ignored
    assert m.filter == "unread"
    blob = json.dumps(m.dict(), default=str)
    assert world.secret not in blob and "personnummer" not in blob


async def test_opening_a_letter_marks_it_read_and_shows_the_pdf_link(world) -> None:
    lid = letter(world.engine, world.me, subject="Avtal", body="<b>Hej</b>", pdf=minimal_pdf())
    m = _tab(world)
    await m.load()
    assert m.unread == 1
    await m.open_letter(lid)
    assert m.open_id == lid and m.letter_body == "<b>Hej</b>"
    assert m.pdf_src.startswith("/api/me/documents/") and m.download_href.endswith("?download=1")
    assert m.unread == 0 and m.letters[0]["read"] is True
    await m.mark_unread()
    assert m.open_id == 0 and m.unread == 1 and m.notice == "Brevet är markerat som oläst."


async def test_trash_and_restore(world) -> None:
    lid = letter(world.engine, world.me)
    m = _tab(world)
    await m.load()
    await m.open_letter(lid)
    await m.trash()
    assert m.letters == [] and m.notice == "Brevet ligger nu i papperskorgen."
    await m.set_filter("trash")
    assert [r["id"] for r in m.letters] == [lid]
    await m.restore_row(lid)
    assert m.letters == []
    await m.set_filter("all")
    assert [r["id"] for r in m.letters] == [lid]


@pytest.mark.parametrize("crafted", ["1", True, 1.0, {"$gt": 0}, [1], -1, 0, 2**60, None])
async def test_crafted_letter_ids_are_ignored(world, crafted: object) -> None:
    letter(world.engine, world.me)
    m = _tab(world)
    await m.load()
    await m.open_letter(crafted)  # type: ignore[arg-type]
    await m.restore_row(crafted)  # type: ignore[arg-type]
    assert m.open_id == 0 and m.unread == 1


async def test_another_persons_letter_changes_nothing_and_reveals_nothing(world) -> None:
    theirs = letter(world.engine, world.other, subject="Olles provsvar", body="hemligt",
                    invoice={})
    m = _tab(world)
    await m.load()
    await m.open_letter(theirs)
    assert m.letter_missing and m.open_id == 0
    await m.restore_row(theirs)
    m.open_id = theirs  # even if a handler were tricked into it, the domain checks the owner
    await m.mark_unread()
    await m.trash()
    await m.set_handled(True)
    blob = json.dumps(m.dict(), default=str)
    assert "Olles provsvar" not in blob and "hemligt" not in blob
    with Session(world.engine) as session:
        row = session.get(Letter, theirs)
        assert row.trashed_at is None and row.read_at is None


async def test_a_sensitive_letter_stays_locked_without_a_fresh_bankid(world) -> None:
    lid = letter(world.engine, world.me, subject="Provsvar", body="Ditt provsvar",
                 sensitive=True, pdf=minimal_pdf())
    m = _tab(world)
    await m.load()
    assert m.letters[0]["subject"] == "Känsligt brev"
    await m.open_letter(lid)
    assert m.letter_locked and m.letter_body == "" and m.pdf_src == ""
    assert "Ditt provsvar" not in json.dumps(m.dict(), default=str)


async def test_mark_handled_from_the_invoice_panel(world) -> None:
    lid = letter(world.engine, world.me, invoice={}, received_at=START + timedelta(days=40))
    m = _tab(world)
    await m.load()
    await m.open_letter(lid)
    assert m.invoice["amount"] == "1 234,50 kr" and m.invoice["account"] == "5402-9681"
    await m.set_handled(True)
    assert m.invoice["status"] == "Hanterad" and m.letters[0]["status"] == "Hanterad"
    await m.set_handled(False)
    assert m.invoice["status"] in ("Obetald", "Förfallen")
    await m.set_handled("yes")  # type: ignore[arg-type]
    assert m.invoice["handled"] is False


async def test_an_ended_session_logs_the_tab_out(world) -> None:
    lid = letter(world.engine, world.me)
    m = _tab(world)
    await m.load()
    set_connection(m, cookie=None, path="/mailbox")
    await m.open_letter(lid)
    assert m.status == "out" and m.letters == []


async def test_the_app_prompt_offers_the_phones_own_store(world) -> None:
    m = _tab(world, user_agent=IPHONE_UA)
    await m.load()
    assert m.platform == "ios" and m.qr_app_store == ""


async def test_personal_values_only_for_the_connection_that_loaded_them(world) -> None:
    lid = letter(world.engine, world.me, subject="Hemligt avtal", body="innehåll")
    m = _tab(world)
    await m.load()
    await m.open_letter(lid)
    assert m.letter_subject == "Hemligt avtal" and m.given_name == "Anna"
    set_connection(m, cookie=None, path="/mailbox")  # the same tab token, no cookie (#12 f3)
    blob = json.dumps(m.dict(), default=str)
    assert "Hemligt avtal" not in blob and "innehåll" not in blob and "Anna" not in blob
    assert m.letters == [] and m.invoice == {}


async def test_without_a_session_the_inbox_sends_to_login(world) -> None:
    m = state_tree(MailboxState, cookie=None, path="/mailbox")
    events = await m.load()
    assert m.status == "out"
    assert "/login?next=/mailbox" in json.dumps(events, default=str)
