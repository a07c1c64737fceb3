"""The shared BankID loop (state/bankid_loop.py) driven through SignupState: it shows what the
domain answers and stops when the domain says so, when the tab is gone or navigated away."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

import state.bankid_loop as loop_module
import state.deps as deps
from kivra_app.bankid_flow import Failed, Pending, QrSource, Renewed
from kivra_app.signup.service import BankIdProgress
from kivra_app.signup.steps import Step
from state.signup import SignupState
from tests.unit_ui.fakes import SECRET, FakeSignupService, fake_services, started, state_tree

COOKIE = f"kivra_signup={SECRET}"


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> FakeSignupService:
    fake = FakeSignupService()
    monkeypatch.setattr(deps, "services", lambda: fake_services(fake))
    real_sleep = asyncio.sleep
    monkeypatch.setattr(loop_module, "_sleep", lambda seconds: real_sleep(0))
    monkeypatch.setattr(loop_module, "_monotonic", _FastClock())
    return fake


class _FastClock:
    """Each reading is 0.5 s later: the loop's waits pass at once, in order."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += 0.5
        return self.now


async def _pending_tab(service: FakeSignupService) -> SignupState:
    service.step = Step.BANKID
    s = state_tree(SignupState, cookie=COOKIE)
    await started(s, s.load())  # a computer: a QR order at once
    assert s.bankid_state == "pending" and s.bankid_qr.startswith("bankid.")
    return s


def _polls(service: FakeSignupService) -> int:
    return service.names().count("poll_bankid")


async def test_the_loop_stops_when_the_tab_is_gone(service, monkeypatch) -> None:  # noqa: ANN001
    s = await _pending_tab(service)
    connected = iter([True] * 6)
    monkeypatch.setattr(deps, "client_connected", lambda token: next(connected, False))
    result = await asyncio.wait_for(SignupState.bankid_loop.fn(s), timeout=5)
    assert result is None
    polls = _polls(service)
    assert 1 <= polls <= 3  # it collected while the tab was there, then stopped
    assert s._bankid_beat == 0.0  # no live loop left for this tab


async def test_the_loop_stops_when_the_tab_navigates_away(service, monkeypatch) -> None:  # noqa: ANN001
    s = await _pending_tab(service)
    monkeypatch.setattr(deps, "client_connected", lambda token: True)
    from reflex.constants import RouteVar
    from reflex.istate.data import RouterData

    s.parent_state.router = RouterData.from_router_data({  # the tab is on the help page now
        "headers": {"cookie": COOKIE, "origin": "http://localhost:8100"},
        RouteVar.ORIGIN: "/hjalp", "pathname": "/hjalp", "token": "tab-token"})
    assert s.router.url.path == "/hjalp"
    await asyncio.wait_for(SignupState.bankid_loop.fn(s), timeout=5)
    assert _polls(service) == 0


async def test_the_loop_follows_the_domain_renew_then_give_up(service, monkeypatch) -> None:  # noqa: ANN001
    s = await _pending_tab(service)
    monkeypatch.setattr(deps, "client_connected", lambda token: True)
    new_qr = QrSource(1, "renewed-token", "renewed-secret", datetime.now(UTC))
    answers = iter([
        Pending(1, "Starta BankID-appen.", "outstandingTransaction", True),
        Renewed(1, "Starta BankID-appen.", new_qr),
        Failed(1, "Misslyckades att läsa av QR-koden.", "startFailed"),
    ])
    frames: list[str] = []

    async def poll(secret: str, order_id: int, *, tab: str) -> BankIdProgress:
        frames.append(s.bankid_qr)
        return BankIdProgress(next(answers), service._view())

    monkeypatch.setattr(service, "poll_bankid", poll)
    await asyncio.wait_for(SignupState.bankid_loop.fn(s), timeout=5)
    assert frames[0].startswith("bankid.qr-start-token.")
    assert frames[-1].startswith("bankid.renewed-token.")  # the new order's animation
    assert s.bankid_state == "failed" and s.bankid_qr == ""
    assert s.bankid_message == "Misslyckades att läsa av QR-koden."
    assert len(frames) == 3  # the domain said stop: no fourth collect


async def test_a_second_loop_for_the_same_tab_does_not_start(service, monkeypatch) -> None:  # noqa: ANN001
    s = await _pending_tab(service)
    monkeypatch.setattr(deps, "client_connected", lambda token: True)
    s._bankid_beat = loop_module._monotonic()  # a live loop ticked just now
    assert await SignupState.bankid_loop.fn(s) is None
    assert _polls(service) == 0


async def test_the_frames_go_on_while_a_collect_is_slow(service, monkeypatch) -> None:  # noqa: ANN001
    """A slow BankID (or a busy worker) delays the collect's answer, never the next frame."""
    s = await _pending_tab(service)
    monkeypatch.setattr(deps, "client_connected", lambda token: True)
    t0 = service.now
    ticks = iter(range(1, 1000))
    # each reading ~a frame later, just short of the next boundary: the loop waits ~ms
    monkeypatch.setattr(deps, "utcnow", lambda: t0 + timedelta(seconds=0.999 * next(ticks)))
    release = asyncio.Event()
    frames_while_waiting: list[str] = []

    async def slow_poll(secret: str, order_id: int, *, tab: str) -> BankIdProgress:
        seen = {s.bankid_qr}
        while len(seen) < 4:  # BankID answers only after three new frames were shown
            await asyncio.sleep(0.01)
            seen.add(s.bankid_qr)
        frames_while_waiting.extend(sorted(seen))
        release.set()
        return BankIdProgress(Failed(1, "Åtgärden avbröts.", "userCancel"), service._view())

    monkeypatch.setattr(service, "poll_bankid", slow_poll)
    await asyncio.wait_for(SignupState.bankid_loop.fn(s), timeout=5)
    assert release.is_set() and len(frames_while_waiting) == 4
    assert all(f.startswith("bankid.qr-start-token.") for f in frames_while_waiting)
    assert s.bankid_state == "failed"


async def test_a_pending_answer_like_the_last_one_sends_nothing(service) -> None:  # noqa: ANN001
    s = await _pending_tab(service)
    same = Pending(1, s.bankid_message, "outstandingTransaction", True)
    s._bankid_show(same)
    s._clean()
    assert s._bankid_show(same) is False
    assert not {"bankid_message", "bankid_state", "bankid_show_qr", "bankid_qr"} & s.dirty_vars
    s._bankid_show(Pending(1, "Skriv in din säkerhetskod i BankID-appen.", "userSign", False))
    assert {"bankid_message", "bankid_show_qr", "bankid_qr"} <= s.dirty_vars


async def test_a_collect_under_way_finishes_when_the_loop_ends(service, monkeypatch) -> None:  # noqa: ANN001
    """Never cut short: a cancelled collect could keep its claim on the order or lose the
    terminal answer BankID gives only once."""
    s = await _pending_tab(service)
    connected = {"yes": True}
    monkeypatch.setattr(deps, "client_connected", lambda token: connected["yes"])
    finished = asyncio.Event()

    async def poll(secret: str, order_id: int, *, tab: str) -> BankIdProgress:
        connected["yes"] = False  # the tab goes away while BankID answers
        await asyncio.sleep(0.05)
        finished.set()
        return BankIdProgress(Pending(1, "Starta BankID-appen.", "outstandingTransaction", True),
                              service._view())

    monkeypatch.setattr(service, "poll_bankid", poll)
    assert await asyncio.wait_for(SignupState.bankid_loop.fn(s), timeout=5) is None
    await asyncio.wait_for(finished.wait(), timeout=2)


def _count_locks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How often the loop enters `async with self` (the state lock in a served app)."""
    entered = [0]
    plain = SignupState.__aenter__

    async def counting(self):  # noqa: ANN001, ANN202
        entered[0] += 1
        return await plain(self)

    async def pushed(token: str, state: object, values: dict) -> bool:
        return True  # as when serving: a frame goes out without the lock

    monkeypatch.setattr(SignupState, "__aenter__", counting)
    monkeypatch.setattr(deps, "push_vars", pushed)
    monkeypatch.setattr(loop_module, "BEAT_EVERY", 1e9)  # no heartbeat writes in these tests
    return entered


def _answers(service: FakeSignupService, monkeypatch: pytest.MonkeyPatch,
             answers: list[BankIdProgress]) -> None:
    queue = iter(answers)

    async def poll(secret: str, order_id: int, *, tab: str) -> BankIdProgress:
        service._log("poll_bankid", secret, order_id, tab=tab)
        return next(queue)

    monkeypatch.setattr(service, "poll_bankid", poll)


async def test_pending_answers_that_change_nothing_take_no_state_lock(service,  # noqa: ANN001
                                                                      monkeypatch) -> None:
    s = await _pending_tab(service)
    monkeypatch.setattr(deps, "client_connected", lambda token: True)
    same = Pending(1, s.bankid_message, "outstandingTransaction", True)
    _answers(service, monkeypatch, [BankIdProgress(same, service._view())] * 8 + [
        BankIdProgress(Failed(1, "Åtgärden avbröts.", "userCancel"), service._view())])
    locks = _count_locks(monkeypatch)
    await asyncio.wait_for(SignupState.bankid_loop.fn(s), timeout=5)
    assert _polls(service) == 9
    # bankid_loop's read of the cookie, the loop's start, the failed answer, the loop's end:
    # none for the 8 quiet answers
    assert locks[0] == 4
    assert s.bankid_state == "failed" and s.bankid_message == "Åtgärden avbröts."


async def test_a_new_hint_or_a_signup_moved_on_is_shown_at_once(service,  # noqa: ANN001
                                                                monkeypatch) -> None:
    s = await _pending_tab(service)
    monkeypatch.setattr(deps, "client_connected", lambda token: True)
    same = Pending(1, s.bankid_message, "outstandingTransaction", True)
    signing = Pending(1, "Skriv in din säkerhetskod i BankID-appen.", "userSign", False)
    service.step = Step.EMAIL  # another tab of this person finished the BankID step
    moved = service._view()
    service.step = Step.BANKID
    seen: list[str] = []

    async def poll(secret: str, order_id: int, *, tab: str) -> BankIdProgress:
        service._log("poll_bankid", secret, order_id, tab=tab)
        seen.append(s.bankid_message)
        answers = [BankIdProgress(same, service._view()),
                   BankIdProgress(signing, service._view()),
                   BankIdProgress(signing, moved)]
        return answers[min(len(seen), 3) - 1]

    monkeypatch.setattr(service, "poll_bankid", poll)
    await asyncio.wait_for(SignupState.bankid_loop.fn(s), timeout=5)
    assert seen[2] == "Skriv in din säkerhetskod i BankID-appen."  # shown before the 3rd poll
    assert s.bankid_show_qr is False
    assert s.step == "email"  # the moved-on signup was applied, and the loop stopped
