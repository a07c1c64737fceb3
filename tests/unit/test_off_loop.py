"""The signup's and the mailbox's async steps never query the database on the event loop: a statement there
stops every other tab's events on that worker until PostgreSQL answers (issue #11: "every
signup and login handler does its blocking work off the event loop"). A listener on the engine
records each statement run on a thread with a running event loop."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event

from tests.unit.conftest import ADULT
from tests.unit.fakes import mail_down

IP = "192.0.2.10"


@pytest.fixture
def on_loop(engine) -> list[str]:
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # a worker thread: what we want
        statements.append(statement.split()[0] + " " + statement[:80])

    event.listen(engine, "before_cursor_execute", record)
    yield statements
    event.remove(engine, "before_cursor_execute", record)


def test_the_listener_sees_a_statement_run_on_the_loop(engine, on_loop):
    """The check itself can fail: a query made from a coroutine is recorded."""
    from sqlalchemy import text

    async def query_on_the_loop() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    asyncio.run(query_on_the_loop())
    assert on_loop and on_loop[0].startswith("SELECT")


async def test_sending_and_resending_codes_runs_no_statement_on_the_loop(flow, svc, clock,
                                                                         mailer, on_loop):
    secret = await flow.to_email(ADULT)
    on_loop.clear()  # the BankID steps are checked below on their own
    view = await svc.submit_contact("email", secret, "karin@example.se", client_ip=IP)
    assert view.step == "email_code"
    # a double click of the same address answers from the database too
    await svc.submit_contact("email", secret, "karin@example.se", client_ip=IP)
    clock.advance(61)
    await svc.resend_code("email", secret, client_ip=IP)
    assert len(mailer.codes) == 2
    # a synchronous step: the state calls it in a worker thread (deps.off_loop), as here
    await asyncio.to_thread(svc.verify_code, "email", secret, mailer.last_code("karin@example.se"))
    view = await svc.submit_contact("phone", secret, "070-174 06 05", client_ip=IP)
    assert view.step == "phone_code"
    assert on_loop == []


async def test_a_failed_send_cleans_up_off_the_loop_too(flow, svc, mailer, on_loop):
    from kivra_app.signup.errors import ServiceUnavailable

    secret = await flow.to_email(ADULT)
    on_loop.clear()
    mailer.fail = mail_down()
    with pytest.raises(ServiceUnavailable):
        await svc.submit_contact("email", secret, "karin@example.se", client_ip=IP)
    assert on_loop == []
    mailer.fail = None  # and the claim was released: the next try sends
    view = await svc.submit_contact("email", secret, "karin@example.se", client_ip=IP)
    assert view.step == "email_code"


async def test_bankid_start_and_collect_run_no_statement_on_the_loop(flow, svc, bankid,
                                                                    on_loop):
    # the synchronous steps before it, in a worker thread as the state runs them
    secret = await asyncio.to_thread(flow.begin)
    await asyncio.to_thread(svc.submit_personnummer, secret, ADULT)
    assert on_loop == []
    await flow.start(secret)
    bankid.complete(ADULT, given="Karin")
    progress = await flow.poll(secret)
    assert progress.state == "complete"
    assert on_loop == []


async def test_changing_an_address_runs_no_statement_on_the_loop(engine, settings, clock,
                                                                on_loop):
    from kivra_app.mailbox.contact_change import ContactChange
    from tests.unit.fakes import FakeMailer, FakeSms
    from tests.unit.mailbox_data import person

    class Mailer(FakeMailer):
        async def send(self, **kw) -> None:  # the notice to the old address
            pass

    change = ContactChange(engine=engine, settings=settings, mailer=Mailer(), sms=FakeSms(),
                           clock=clock)
    me = await asyncio.to_thread(person, engine, email="gammal@example.se")
    on_loop.clear()
    sent = await change.send_code(me, "email", "ny@example.se", client_ip=IP, lang="sv")
    assert sent.ok
    done = await change.verify(me, "email", change.mailer.last_code("ny@example.se"), lang="sv")
    assert done.ok
    assert on_loop == []


async def test_paying_an_invoice_runs_no_statement_on_the_loop(engine, on_loop):
    from datetime import UTC, date, datetime

    from kivra_app.mailbox.invoices import execute_payment, plan_payment, refresh_payment
    from kivra_app.payments.simulated import SimulatedBank
    from tests.unit.fakes import Clock
    from tests.unit.mailbox_data import letter, person, sender

    clock = Clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    bank = SimulatedBank(engine, clock=clock)
    today = date(2026, 12, 1)

    def setup() -> tuple[int, int]:
        me = person(engine)
        return me, letter(engine, me, sender_id=sender(engine), invoice={})

    me, lid = await asyncio.to_thread(setup)
    on_loop.clear()
    account = (await bank.accounts(str(me)))[0].id
    plan = await plan_payment(engine, bank, me, lid, account_id=account, pay_date="2026-12-15",
                              lang="sv", today=today)
    assert await execute_payment(engine, bank, plan, bankid_order_ref="r", today=today) == \
        "scheduled"
    clock.now = datetime(2026, 12, 15, 9, 0, tzinfo=UTC)
    await refresh_payment(engine, bank, me, lid)
    assert on_loop == []


# ------------------------------------------------------------------ cancellation
# A worker thread runs to its end even when the task awaiting it is cancelled (a closing
# worker, a cancelled event chain): the send must then neither keep its claim nor kill a code
# that went live in the thread.

def _held(monkeypatch, name: str):  # noqa: ANN001, ANN202
    """Make contact_steps.<name> wait in its thread until the returned gate opens."""
    import threading

    from kivra_app.signup import contact_steps

    gate, entered, finished = threading.Event(), threading.Event(), threading.Event()
    real = getattr(contact_steps, name)

    def held(*args):  # noqa: ANN002, ANN202
        entered.set()
        try:
            assert gate.wait(10)
            return real(*args)
        finally:
            finished.set()

    monkeypatch.setattr(contact_steps, name, held)
    return gate, entered, finished


async def _cancel_while_held(svc, secret: str, gate, entered, finished) -> None:  # noqa: ANN001
    task = asyncio.create_task(
        svc.submit_contact("email", secret, "karin@example.se", client_ip=IP))
    assert await asyncio.to_thread(entered.wait, 10)
    task.cancel()
    await asyncio.sleep(0.05)  # the cancellation reaches the task before the thread ends
    gate.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(finished.wait, 10)  # what the thread did is done
    await asyncio.sleep(0.2)  # and so is any cleanup the cancelled send started


async def test_a_send_cancelled_while_its_code_goes_live_keeps_that_code(flow, svc, mailer,
                                                                        monkeypatch):
    secret = await flow.to_email(ADULT)
    await _cancel_while_held(svc, secret, *_held(monkeypatch, "_close_send"))
    # the mail went out and the code went live in the thread: the person's code works
    view = await asyncio.to_thread(svc.verify_code, "email", secret,
                                   mailer.last_code("karin@example.se"))
    assert view.step == "phone"


async def test_a_send_cancelled_while_it_claims_leaves_no_claim_behind(flow, svc, mailer,
                                                                      monkeypatch):
    secret = await flow.to_email(ADULT)
    await _cancel_while_held(svc, secret, *_held(monkeypatch, "_open_send"))
    assert mailer.codes == []  # nothing was sent
    monkeypatch.undo()
    view = await svc.submit_contact("email", secret, "karin@example.se", client_ip=IP)
    assert view.step == "email_code"  # a retry at once, not "wait 60 s"
