"""SignState (pay with BankID, unlock a sensitive letter) over the real domain and the simulated
bank, with a scripted BankID flow: who signed is checked, a completion is used once, crafted
calls and other people's ids change nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlmodel import Session, SQLModel, select

import kivra_app.payments.factory as payment_factory
import state.deps as deps
import state.mailbox as mailbox_state
from kivra_app.bankid_flow import BankIdFlow
from kivra_app.bankid_flow.results import Complete, Person, Started
from kivra_app.db import make_engine, session_scope
from kivra_app.models import BankIdOrder, Invoice, SenderEvent, User
from kivra_app.payments.simulated import SimulatedBank
from kivra_app.settings import Settings
from state.mailbox_sign import SignState
from tests.unit.fakes import Clock
from tests.unit.mailbox_data import letter, login, person, sender
from tests.unit_ui.fakes import started, state_tree

TODAY = date(2026, 12, 1)


class ScriptedFlow:
    """start() writes a pending order row like the real flow; complete() finishes it."""

    def __init__(self, engine, settings) -> None:  # noqa: ANN001
        self.engine = engine
        self.started: list[dict] = []
        self._real = BankIdFlow(engine=engine, bankid=None, settings=settings)

    async def start(self, purpose, owner, *, tab, **kw):  # noqa: ANN001
        now = datetime.now(UTC)
        with session_scope(self.engine) as session:
            row = BankIdOrder(purpose=purpose, owner=owner, tab_hash=None, first_started_at=now,
                              started_at=now, user_visible_data=kw.get("user_visible_data"))
            session.add(row)
            session.flush()
            order_id = row.id
        self.started.append({"purpose": purpose, "owner": owner, **kw, "order_id": order_id})
        return Started(order_id=order_id, message="Starta BankID-appen.", qr=None,
                       launch_url="https://app.bankid.com/?autostarttoken=x")

    def complete(self, order_id: int, personnummer: str) -> Complete:
        with session_scope(self.engine) as session:
            row = session.get(BankIdOrder, order_id)
            row.status, row.personnummer = "complete", personnummer
            session.add(row)
        return Complete(order_id, Person(personnummer, "K", "T", "K T"), first=True)

    async def cancel(self, owner):  # noqa: ANN001
        return 0

    def consume(self, session, order_id):  # noqa: ANN001
        return self._real.consume(session, order_id)


@pytest.fixture
def world(tmp_path, monkeypatch):
    settings = Settings(_env_file=None, data_dir=tmp_path, secret_key="k",
                        database_url=f"sqlite:///{tmp_path / 'sign.db'}")
    engine = make_engine(settings.effective_database_url)
    SQLModel.metadata.create_all(engine)
    flow = ScriptedFlow(engine, settings)
    bank = SimulatedBank(engine, clock=Clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)))
    monkeypatch.setattr(deps, "services", lambda: SimpleNamespace(
        engine=engine, settings=settings, bankid_flow=flow))
    monkeypatch.setattr(payment_factory, "payment_provider", lambda: bank)
    monkeypatch.setattr(mailbox_state, "today", lambda: TODAY)
    import state.mailbox_sign as sign_module
    monkeypatch.setattr(sign_module, "today", lambda: TODAY)
    me, other = person(engine, "Karin"), person(engine, "Olle")
    el = sender(engine, "Elbolaget AB")
    inv = letter(engine, me, sender_id=el, invoice={})
    with Session(engine) as session:
        pnrs = {u.id: u.personnummer for u in session.exec(select(User)).all()}
    return SimpleNamespace(engine=engine, flow=flow, bank=bank, me=me, other=other, el=el,
                           inv=inv, pnrs=pnrs, secret=login(engine, me))


def _tab(world) -> SignState:
    return state_tree(SignState, cookie=f"kivra_session={world.secret}", path="/mailbox")


def _status(world) -> str:
    with Session(world.engine) as session:
        return session.get(Invoice, world.inv).status


def _events(world) -> list[str]:
    with Session(world.engine) as session:
        return [e.type for e in session.exec(select(SenderEvent)).all()]


async def _to_signing(world, s: SignState, day: str = "2026-12-01") -> dict:
    await s.start_payment(world.inv)
    assert s.pay_for == world.inv and s.accounts and s.pay_date == "2026-12-15"
    await started(s, s.submit_payment({"account": s.accounts[0]["id"], "date": day}))
    return world.flow.started[-1]


async def test_pay_signs_the_invoice_text_and_pays_once(world) -> None:
    s = _tab(world)
    order = await _to_signing(world, s)
    assert order["purpose"] == "sign" and order["owner"] == f"user:{world.me}"
    assert order["user_visible_data"].startswith("Betala 1 234,50 kr till Elbolaget AB")
    assert s.bankid_state == "pending" and _status(world) == "unpaid"
    answer = world.flow.complete(order["order_id"], world.pnrs[world.me])
    s._bankid_answer(answer)
    await s.finish()
    assert _status(world) == "paid" and _events(world) == ["paid"]
    assert s.pay_done == "Klart! Fakturan är betald."
    s._completed = order["order_id"]  # a replay of the same completion
    await s.finish()
    assert _events(world) == ["paid"]
    assert world.bank.balance(str(world.me), "Lönekonto") == 2_450_000 - 123_450


async def test_a_holiday_is_refused_before_bankid(world) -> None:
    s = _tab(world)
    await s.start_payment(world.inv)
    await s.submit_payment({"account": s.accounts[0]["id"], "date": "2026-12-24"})
    assert s.pay_error.startswith("Det är ingen bankdag") and world.flow.started == []
    assert s.pay_date == "2026-12-24"  # what the person chose stays


async def test_signed_by_someone_else_changes_nothing(world) -> None:
    s = _tab(world)
    order = await _to_signing(world, s)
    s._bankid_answer(world.flow.complete(order["order_id"], world.pnrs[world.other]))
    await s.finish()
    assert _status(world) == "unpaid" and _events(world) == []
    assert s.bankid_state == "failed"


async def test_crafted_calls_change_nothing(world) -> None:
    s = _tab(world)
    await s.finish()  # nothing completed
    theirs = letter(world.engine, world.other, invoice={})
    await s.start_payment(theirs)
    assert s.pay_for == 0
    await s.submit_payment({"account": "1", "date": "2026-12-01"})  # no form open
    assert world.flow.started == []
    await s.start_step_up(theirs)
    assert world.flow.started == [] and s.purpose == ""
    with Session(world.engine) as session:
        assert session.get(Invoice, theirs).status == "unpaid"


async def test_a_cancelled_signing_pays_nothing(world) -> None:
    s = _tab(world)
    await _to_signing(world, s)
    await s.cancel()
    await s.finish()
    assert _status(world) == "unpaid" and s.purpose == "" and _events(world) == []
