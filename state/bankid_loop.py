"""The one BankID loop of the UI, shared by signup, login and sign (a Reflex state mixin).

The domain (kivra_app/bankid_flow) decides everything: when to collect next
(`next_collect_in`), when to stop (`None`), renewals (a `Renewed` result with a new QR source)
and giving up (a `Failed` result). This mixin only asks, shows, and sleeps:
- the QR frame text (`bankid_qr`, ~110 bytes: `bankid.<token>.<t>.<hmac>`) is computed in the
  loop from a `QrSource` held in the loop's local variables; the qrStartSecret is never in a
  state var, so it never reaches the browser nor a state file. The browser draws the QR.
- BankID (collect, start) is never awaited while holding the state lock; a collect runs beside
  the frames, and frames between its answers go out without the lock (deps.push_vars). A
  button asks for a start (`_bankid_ask_start`: "Startar BankID…" at once) and the purpose's
  `bankid_start` background event makes it (`_bankid_start_run`), so a BankID slow to answer
  under load neither holds the tab's lock (with Redis it expires, and the step's work is
  thrown away) nor keeps the tab's other events ("Avbryt") waiting.
- The loop stops when the tab is gone (`deps.client_connected`), navigated away, a newer loop
  started (generation), or the domain says stop.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import reflex as rx

from kivra_app.bankid_flow.results import Complete, Failed, Pending, QrSource, Renewed
from state import deps

log = logging.getLogger(__name__)
LOOP_STALE = 6.0  # a loop that has not ticked for this long is considered dead
BEAT_EVERY = 3.0  # the heartbeat's refresh while a collect is slow (well within LOOP_STALE)
FRAME_MARGIN = 0.02  # wake just after a frame boundary, so the frame computed is the new one
_monotonic = time.monotonic  # the loop's clock and sleep (tests replace them)
_sleep = asyncio.sleep


async def _settled(value: Any) -> Any:
    """A reaction's events: on_answer/on_error may be coroutines (their blocking reads run
    off the event loop), or plain functions."""
    return await value if inspect.isawaitable(value) else value


async def _outcome(call: Awaitable[Any],
                   errors: tuple[type[Exception], ...]) -> tuple[Any, Exception | None]:
    """A collect's answer, or the purpose's error it raised (anything else propagates)."""
    try:
        return await call, None
    except errors as exc:
        return None, exc


def _observed(task: asyncio.Task[Any]) -> None:
    """The outcome of a collect whose loop has ended: stored by the flow; an unexpected
    error is logged instead of being lost."""
    if not task.cancelled() and task.exception() is not None:
        log.error("BankID collect after its loop ended failed", exc_info=task.exception())


def flow_result(answer: Any) -> Any:
    """The flow's typed result inside a purpose's answer (e.g. signup's BankIdProgress)."""
    return getattr(answer, "result", answer)


class BankIdLoopMixin(rx.State, mixin=True):
    # --- what the screen shows ------------------------------------------------------------
    bankid_state: str = "idle"  # idle | starting | pending | failed | complete
    bankid_message: str = ""  # the RFA text of the last answer
    bankid_qr: str = ""  # the current QR frame text; drawn in the browser
    bankid_show_qr: bool = True  # false once the app has the order
    bankid_launch_url: str = ""  # the autostart link (it has to reach the browser to be tapped)
    bankid_mode: str = "qr"  # qr (another device) | app (this device)

    # --- backend only (no secrets: an order id is checked against owner and tab) ----------
    _bankid_order_id: int = 0
    _bankid_gen: int = 0
    _bankid_beat: float = 0.0
    _bankid_start_mode: str = ""  # "qr" | "app": a start asked for, not yet taken by bankid_start

    def _bankid_tab(self) -> str:
        return self.router.session.client_token or ""

    def _bankid_request(self) -> dict[str, str]:
        """What a start needs from this connection."""
        return {
            "end_user_ip": self.router.session.client_ip or "127.0.0.1",
            "user_agent": self.router.headers.user_agent or "",
        }

    def _bankid_starting(self, starting_text: str) -> None:
        self._bankid_stop()
        self.bankid_state = "starting"
        self.bankid_message = starting_text
        self.bankid_qr = ""
        self.bankid_launch_url = ""
        self.bankid_show_qr = True

    def _bankid_ask_start(self, starting_text: str, *, same_device: bool) -> None:
        """Show "Startar BankID…" now; the purpose's `bankid_start` event starts the order."""
        self._bankid_starting(starting_text)
        self._bankid_start_mode = "app" if same_device else "qr"

    async def _bankid_start_run(
        self,
        *,
        start: Callable[[bool], Awaitable[Any] | None],
        on_error: Callable[[Exception], Any],
        errors: tuple[type[Exception], ...],
        then: Any,
    ) -> Any:
        """Start the order a handler asked for (call it from a background event), BankID
        called without the state lock. start(same_device): the purpose's start call, made
        under the lock so that it reads the connection (cookie, tab, IP) there; None when the
        tab may not start one any more. on_error(exc): the purpose's reaction to one of
        `errors`, under the lock. `then`: the event that runs the order's loop.

        A start asked for again, or "Avbryt", while BankID answers, wins: the older answer is
        not shown (its order is left pending until the owner's next start cancels it, or
        BankID ends it unused: nobody has its QR or its autostart link)."""
        async with self:
            mode = self._bankid_start_mode
            if self.bankid_state != "starting" or mode not in ("qr", "app"):
                return None  # nothing asked for, or another bankid_start took it
            self._bankid_start_mode = ""
            gen = self._bankid_gen
            same_device = mode == "app"
            call = start(same_device)
        if call is None:
            return None
        try:
            started, error = await call, None
        except errors as exc:
            started, error = None, exc
        async with self:
            if self._bankid_gen != gen or self.bankid_state != "starting":
                return None  # cancelled or started anew meanwhile
            if error is not None:
                return await _settled(on_error(error))
            self._bankid_started(started, same_device=same_device)
        return then

    def _bankid_started(self, started: Any, *, same_device: bool) -> None:
        """Show a new order: the first QR frame, or the autostart link."""
        self._bankid_order_id = int(started.order_id)
        self.bankid_mode = "app" if same_device else "qr"
        self.bankid_launch_url = (started.launch_url or "") if same_device else ""
        qr = started.qr
        self.bankid_qr = qr.frame(deps.utcnow()) if isinstance(qr, QrSource) else ""
        self.bankid_show_qr = not same_device
        self.bankid_message = started.message or ""
        self.bankid_state = "pending"

    def _bankid_failed(self, message: str) -> None:
        self._bankid_stop()
        self.bankid_state = "failed"
        self.bankid_message = message
        self.bankid_qr = ""
        self.bankid_launch_url = ""

    def _bankid_reset(self) -> None:
        self._bankid_stop()
        self._bankid_order_id = 0
        self.bankid_state = "idle"
        self.bankid_message = ""
        self.bankid_qr = ""
        self.bankid_launch_url = ""

    def _bankid_stop(self) -> None:
        """Any running loop of this tab ends at its next tick (and a start in flight is not
        shown)."""
        self._bankid_gen += 1
        self._bankid_beat = 0.0
        self._bankid_start_mode = ""

    def _bankid_show(self, result: Any) -> bool:
        """Show one collect result; True when the order is over. A var is only assigned when
        it changes (an assignment sends it), so a pending answer like the last sends nothing."""
        if self.bankid_message != (result.message or ""):
            self.bankid_message = result.message or ""
        if self.bankid_show_qr != bool(result.show_qr):
            self.bankid_show_qr = bool(result.show_qr)
        if isinstance(result, Complete):
            self.bankid_state = "complete"
            self.bankid_qr = ""
            return True
        if isinstance(result, Failed):
            self._bankid_failed(result.message)
            return True
        if self.bankid_state != "pending":
            self.bankid_state = "pending"
        if not result.show_qr and self.bankid_qr:
            self.bankid_qr = ""
        return False

    async def _bankid_run(
        self,
        *,
        collect: Callable[[int, str], Awaitable[Any]],
        load_qr: Callable[[int, str], QrSource | None],
        on_answer: Callable[[Any], Any],
        on_error: Callable[[Exception], Any],
        here: Callable[[], bool],
        errors: tuple[type[Exception], ...],
        quiet: Callable[[Any], bool],
    ) -> Any:
        """Run the loop of this tab's current order (call it from a background event).

        collect(order_id, tab): the purpose's collect (answers a flow result, or an object
        with `.result`); load_qr(order_id, tab): the QR values, read once (blocking, run in a
        thread); on_answer(answer) / on_error(exc): the purpose's reaction, called under the
        state lock, may return events (or be coroutines); here(): the tab is still on the page
        that shows it; quiet(answer): the purpose would do nothing with this pending answer.
        A quiet pending answer that changes nothing on the screen takes no state lock (with
        Redis the lock, the state's read and write and the delta were a third of a worker's
        time at 500 screens); the heartbeat is then written every BEAT_EVERY.
        """
        async with self:
            now = _monotonic()
            if self.bankid_state != "pending" or not self._bankid_order_id:
                return None
            if self._bankid_beat and now - self._bankid_beat < LOOP_STALE:
                return None  # a live loop already runs for this tab
            self._bankid_gen += 1
            gen = self._bankid_gen
            self._bankid_beat = now
            order_id = self._bankid_order_id
            tab = self._bankid_tab()
            show_qr = self.bankid_mode == "qr" and self.bankid_show_qr
            showing = (self.bankid_message, self.bankid_show_qr)  # what the screen shows

        def current(*, page: bool = True) -> bool:
            # `tab` is this tab's Reflex token, read once above. The page (`here()`, the
            # router through the state proxy) is checked at each collect and locked tick, not
            # per frame: it was a tenth of a busy worker's time, and a tab that has navigated
            # away (<= 2 s) draws no QR from a stray frame.
            return (self._bankid_gen == gen and deps.client_connected(tab)
                    and (not page or here()))

        qr = await deps.off_loop(load_qr, order_id, tab) if show_qr else None
        shown = ""  # the last frame sent to the browser
        next_collect = _monotonic() + 1.0  # the start answered just now
        # A collect runs beside the frames: a slow BankID (or a busy worker) delays its answer,
        # never the next frame.
        collecting: asyncio.Task[tuple[Any, Exception | None]] | None = None
        beat = _monotonic()  # when this loop last wrote its heartbeat
        try:
            while True:
                if collecting is None and _monotonic() >= next_collect:
                    if not current():
                        return None  # no collect for a tab that has gone or moved on
                    collecting = asyncio.ensure_future(_outcome(collect(order_id, tab), errors))
                if collecting is not None and collecting.done():
                    answer, error = collecting.result()
                    collecting = None
                    result = flow_result(answer) if error is None else None
                    if (isinstance(result, Pending) and result.next_collect_in is not None
                            and (result.message or "", bool(result.show_qr)) == showing
                            and quiet(answer)):
                        # Nothing to show but the frame: the frame path below sends it.
                        next_collect = _monotonic() + float(result.next_collect_in)
                        continue
                    if isinstance(result, Renewed):
                        qr = result.qr  # a new order: the animation starts again at 0
                    frame = qr.frame(deps.utcnow()) if qr is not None else None
                    # One state update carries the answer and the frame of the same second.
                    async with self:
                        if not current():
                            return None
                        self._bankid_beat = beat = _monotonic()
                        # Only a new frame: the one of this second may have gone out already.
                        if frame is not None and self.bankid_show_qr and frame != shown:
                            self.bankid_qr = shown = frame
                        if error is not None:
                            self._bankid_stop()
                            return await _settled(on_error(error))
                        over = self._bankid_show(result)
                        events = await _settled(on_answer(answer))
                        if over or result.next_collect_in is None:
                            self._bankid_stop()
                            return events
                        if not self.bankid_show_qr:
                            qr = None
                        showing = (self.bankid_message, self.bankid_show_qr)
                    next_collect = _monotonic() + float(result.next_collect_in)
                else:
                    if _monotonic() - beat > BEAT_EVERY:
                        async with self:  # no locked answer for a while: still alive
                            if not current():
                                return None
                            self._bankid_beat = beat = _monotonic()
                    # A frame between collect answers goes out without the state lock
                    # (deps.push_vars): the lock, the state's read and write and a full delta
                    # were most of a frame's cost. What decides it is read from the state as of
                    # the last locked tick (with Redis a copy: a newer loop of this tab is then
                    # caught at the next answer, <= 2 s later). The stored bankid_qr is only
                    # written when an answer comes with a new frame; a page load draws its own.
                    if not current(page=False):
                        return None
                    frame = qr.frame(deps.utcnow()) if qr is not None else None
                    if frame is not None and frame != shown and self.bankid_show_qr:
                        if not await deps.push_vars(tab, self, {"bankid_qr": frame}):
                            async with self:  # not serving (unit tests): the state itself
                                self.bankid_qr = frame
                        shown = frame
                # During a collect: at least every BEAT_EVERY, so the heartbeat never goes stale
                # (no QR on a phone, no frame boundary to wake for).
                wait = BEAT_EVERY if collecting is not None else next_collect - _monotonic()
                if qr is not None:  # just past the next frame's boundary
                    wait = min(wait, qr.until_next(deps.utcnow()) + FRAME_MARGIN)
                if collecting is not None:
                    await asyncio.wait({collecting}, timeout=max(0.0, wait))
                else:
                    await _sleep(max(0.05, wait))
        finally:
            if collecting is not None:
                # Never cancelled: a collect cut short could keep its claim on the order or lose
                # a terminal answer BankID gives only once. It finishes, and the flow stores it.
                collecting.add_done_callback(_observed)
            async with self:
                if self._bankid_gen == gen:
                    self._bankid_beat = 0.0
