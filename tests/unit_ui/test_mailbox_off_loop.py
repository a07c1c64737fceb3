"""The mailbox's event handlers never query the database on the event loop: a statement there
stops every other tab's events on that worker (QR frames, signups, other mailboxes) until the
database answers. A listener on the engine records each statement run on a thread with a
running event loop while a handler runs (the assertions' own reads of computed vars are not
counted: the browser's deltas are another matter, see state/personal.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import event
from sqlmodel import Session, SQLModel, select

import kivra_app.payments.factory as payment_factory
import state.deps as deps
import state.mailbox as mailbox_state
import state.mailbox_sign as sign_module
import state.personal as personal
from kivra_app.db import make_engine
from kivra_app.models import User
from kivra_app.payments.simulated import SimulatedBank
from kivra_app.settings import Settings
from state.mailbox import MailboxState
from state.mailbox_settings import SendersState, SettingsState
from state.mailbox_sign import SignState
from state.signup import SignupState  # noqa: F401 - in the tab's state tree (logout resets it)
from tests.unit.fakes import Clock
from tests.unit.mailbox_data import letter, login, many_letters, person, sender
from tests.unit_ui.fakes import started, state_tree
from tests.unit_ui.test_mailbox_sign_state import TODAY, ScriptedFlow


class LoopRecorder:
    def __init__(self) -> None:
        self.on = False
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, *args) -> None:  # noqa: ANN001
        if not self.on:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # a worker thread: what we want
        self.statements.append(statement[:90])

    async def run(self, call: Awaitable[object]) -> object:
        self.on = True
        try:
            return await call
        finally:
            self.on = False


@pytest.fixture
def world(tmp_path, monkeypatch):
    settings = Settings(_env_file=None, data_dir=tmp_path, secret_key="k",
                        database_url=f"sqlite:///{tmp_path / 'loop.db'}")
    engine = make_engine(settings.effective_database_url)
    SQLModel.metadata.create_all(engine)
    flow = ScriptedFlow(engine, settings)
    bank = SimulatedBank(engine, clock=Clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)))
    monkeypatch.setattr(deps, "services", lambda: SimpleNamespace(
        engine=engine, settings=settings, bankid_flow=flow))
    monkeypatch.setattr(payment_factory, "payment_provider", lambda: bank)
    monkeypatch.setattr(mailbox_state, "today", lambda: TODAY)
    monkeypatch.setattr(sign_module, "today", lambda: TODAY)
    monkeypatch.setattr(personal, "_live", {})
    me = person(engine, "Karin")
    el = sender(engine, "Elbolaget AB")
    many_letters(engine, me, 30)
    inv = letter(engine, me, sender_id=el, invoice={})
    recorder = LoopRecorder()
    event.listen(engine, "before_cursor_execute", recorder)
    scripted_start = flow.start

    async def start(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        # The test's scripted BankID writes its row on the loop; the real flow's is in a thread
        # (tests/unit/test_off_loop.py). Only the state's own statements are judged here.
        recorder.on = False
        try:
            return await scripted_start(*args, **kwargs)
        finally:
            recorder.on = True

    flow.start = start
    yield SimpleNamespace(engine=engine, flow=flow, me=me, el=el, inv=inv, rec=recorder,
                          secret=login(engine, me))
    event.remove(engine, "before_cursor_execute", recorder)


def _tab(world, cls):  # noqa: ANN001, ANN202
    return state_tree(cls, cookie=f"kivra_session={world.secret}", path="/mailbox")


async def test_the_recorder_sees_a_statement_on_the_loop(world) -> None:
    """The check can fail: a read made from a coroutine is recorded."""
    async def read_on_the_loop() -> None:
        with Session(world.engine) as session:
            session.exec(select(User)).all()

    await world.rec.run(read_on_the_loop())
    assert world.rec.statements


async def test_reading_the_inbox_and_letters_runs_nothing_on_the_loop(world) -> None:
    m = _tab(world, MailboxState)
    run = world.rec.run
    await run(m.load())
    assert m.status == "in" and m.unread > 0
    await run(m.next_page())
    assert m.page_number == 2
    await run(m.first_page())
    await run(m.set_filter("invoices"))
    await run(m.open_letter(world.inv))
    assert m.open_id == world.inv and m._invoice
    await run(m.set_handled(True))
    await run(m.reload_letter())
    await run(m.relabel())
    await run(m.mark_unread())
    await run(m.set_filter("all"))
    await run(m.open_letter(world.inv))
    await run(m.trash())
    await run(m.restore_row(world.inv))
    assert m.notice == "Brevet är tillbaka i inkorgen."
    assert world.rec.statements == []
    await run(m.logout())
    assert world.rec.statements == []


async def test_senders_and_settings_run_nothing_on_the_loop(world) -> None:
    run = world.rec.run
    s = _tab(world, SendersState)
    await run(s.load())
    assert s.status == "in" and s.senders
    await run(s.toggle(world.el))
    assert s.senders[0]["enabled"] is False
    p = _tab(world, SettingsState)
    await run(p.load())
    assert p.status == "in"
    await run(p.save({"email_new_mail": "on", "language": "en"}))
    assert p.language == "en"
    assert world.rec.statements == []
    await run(p.logout_everywhere())
    assert world.rec.statements == []


async def test_paying_and_unlocking_run_nothing_on_the_loop(world) -> None:
    run = world.rec.run
    s = _tab(world, SignState)
    await run(s.start_payment(world.inv))
    assert s.pay_for == world.inv and s.accounts
    await run(started(s, s.submit_payment({"account": s.accounts[0]["id"],
                                            "date": "2026-12-01"})))
    order = world.flow.started[-1]
    assert s.bankid_state == "pending"
    with Session(world.engine) as session:
        pnr = session.get(User, world.me).personnummer
    s._bankid_answer(world.flow.complete(order["order_id"], pnr))
    await run(s.finish())
    assert s.pay_done == "Klart! Fakturan är betald."
    await run(s.resume())
    await run(started(s, s.start_step_up(world.inv)))
    await run(started(s, s.retry()))
    await run(s.cancel())
    assert world.rec.statements == []
