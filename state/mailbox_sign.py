"""Everything in the mailbox that needs BankID, on the one shared loop (state/bankid_loop.py):
- "Betala": the payment form (account, date), then a BankID **sign** order whose
  userVisibleData is the plan's text; on completion the payment is made (kivra_app/mailbox/
  invoices.py), once.
- A sensitive letter: a fresh BankID identification of the session's own person (5 minutes).
- "Avsluta konto": a sign order; on completion the account is closed.

Trust: the BankID order belongs to owner "user:<id>" and this tab; a completion counts only if
BankID's personnummer is the session user's, and it is consumed once (`flow.consume`) in the
same step as the change. Everything a finish handler needs comes from backend vars set under
the lock by the loop, never from the event payload. A failed or cancelled order changes
nothing.
"""

from __future__ import annotations

import logging
from typing import Any

import reflex as rx

from kivra_app.bankid_flow.results import Complete, FlowRefused, FlowUnavailable
from state import deps
from state.bankid_loop import BankIdLoopMixin
from state.lang import LangState
from state.mailbox import MailboxState, today

log = logging.getLogger(__name__)
PURPOSES = ("pay", "step_up", "close")


def _on_mailbox(path: object) -> bool:
    return isinstance(path, str) and path.rstrip("/").startswith("/mailbox")


class SignState(BankIdLoopMixin, rx.State):
    purpose: str = ""  # "" | pay | step_up | close: what the BankID panel is for
    letter_id: int = 0  # the letter a payment or an unlock is for
    on_phone: bool = False

    pay_for: int = 0  # the letter whose payment form is open
    accounts: list[dict[str, str]] = []
    pay_account: str = ""
    pay_date: str = ""
    pay_min: str = ""
    pay_hint: str = ""
    pay_error: str = ""
    pay_done: str = ""  # "Klart! Fakturan är betald."
    form_key: int = 0

    _plan: Any = None  # kivra_app.mailbox.invoices.PaymentPlan (server-side only)
    _completed: int = 0  # a complete, not yet used BankID order of this tab
    # What bankid_start needs: the session's user (checked by the handler that asked), the
    # sign text (None: an identification) and the language.
    _start_args: dict[str, Any] = {}

    # -- helpers ------------------------------------------------------------------------------
    def _secret(self) -> str | None:
        return deps.cookie_value(self.router.headers.cookie, deps.SESSION_COOKIE)

    async def _user_id(self) -> int | None:
        from kivra_app.mailbox.step_up import session_user

        found = await deps.off_loop(session_user, deps.services().engine, self._secret())
        return found[0] if found else None

    async def _lang(self) -> str:
        return (await self.get_state(LangState)).lang

    def _owner(self, user_id: int) -> str:
        from kivra_app.mailbox.signing import order_owner

        return order_owner(user_id)

    async def _logged_out(self) -> Any:
        self._clear()
        mailbox = await self.get_state(MailboxState)
        mailbox._logged_out()

    def _clear(self) -> None:
        self._bankid_reset()
        self._start_args = {}
        self.purpose = ""
        self.letter_id = 0
        self._plan = None
        self._completed = 0

    async def _start_order(self, user_id: int, purpose: str, *, text: str | None) -> Any:
        """Start the BankID order for `purpose` (sign with `text`, else an identification)."""
        from kivra_app.bankid.links import is_mobile
        from kivra_app.i18n import t

        lang = await self._lang()
        self.on_phone = is_mobile(self.router.headers.user_agent)
        self.purpose = purpose
        self._completed = 0
        self._bankid_ask_start(t(lang, "bankid.starting"), same_device=self.on_phone)
        self._start_args = {"user_id": user_id, "text": text, "lang": lang}
        return SignState.bankid_start

    def _start_call(self, same_device: bool) -> Any:
        """The flow's start for what the handler asked (under the lock)."""
        args = self._start_args
        if not args or self.purpose not in PURPOSES:
            return None
        svc = deps.services()
        text = args["text"]
        return svc.bankid_flow.start(
            "sign" if text else "login", self._owner(args["user_id"]), tab=self._bankid_tab(),
            same_device=same_device, return_url=f"{svc.settings.base_url}/mailbox",
            language=args["lang"], user_visible_data=text, **self._bankid_request())

    def _start_error(self, exc: Exception) -> None:
        from kivra_app.i18n import t

        message = exc.message if isinstance(exc, FlowUnavailable) else ""
        self._bankid_failed(message or t(self._start_args.get("lang", "sv"), "service.bankid"))

    @rx.event(background=True)
    async def bankid_start(self):
        """The order a handler asked for (state/bankid_loop.py), then its loop."""
        return await self._bankid_start_run(
            start=self._start_call, on_error=self._start_error,
            errors=(FlowUnavailable, FlowRefused), then=SignState.bankid_loop)

    # -- the loop -----------------------------------------------------------------------------
    @rx.event(background=True)
    async def bankid_loop(self):
        async with self:
            secret = self._secret()
            purpose = self.purpose
        from kivra_app.mailbox.step_up import session_user

        found = await deps.off_loop(session_user, deps.services().engine, secret)
        user_id = found[0] if found else None
        if user_id is None or purpose not in PURPOSES:
            return None
        flow = deps.services().bankid_flow
        owner = self._owner(user_id)
        return await self._bankid_run(
            collect=lambda order_id, tab: flow.collect(order_id, owner, tab=tab),
            load_qr=lambda order_id, tab: flow.qr_source(order_id, owner, tab),
            on_answer=self._bankid_answer,
            on_error=self._bankid_error,
            here=lambda: _on_mailbox(self.router.url.path) and self.purpose == purpose,
            errors=(FlowRefused, FlowUnavailable),
            quiet=lambda result: True,  # only a completed order is acted on
        )

    @rx.event
    async def page_visibility(self, hidden: bool):
        """Back from the BankID app: make sure the loop runs again."""
        if hidden is True or self.bankid_state != "pending":
            return None
        return SignState.bankid_loop

    def _bankid_answer(self, result: Any) -> Any:
        """Under the lock: a complete order of this tab is remembered for the finish step.
        Not only for the first observer: on a phone the loop that first sees the completion can
        belong to the page that left for the BankID app (its `finish` event has no browser to
        go to), and the page that comes back must still finish. `finish` consumes the order,
        so it acts once whichever loop gets there."""
        if isinstance(result, Complete):
            self._completed = int(result.order_id)
            return SignState.finish
        return None

    def _bankid_error(self, error: Exception) -> Any:
        message = getattr(error, "message", "") or ""
        self._bankid_failed(message or "BankID")
        return None

    @rx.event
    async def finish(self):
        """The completed order's purpose, once: check who signed, consume the order, act."""
        from kivra_app.i18n import t
        from kivra_app.mailbox.signing import use_completed_order

        order_id, self._completed = self._completed, 0
        user_id = await self._user_id()
        if user_id is None:
            return await self._logged_out()
        if not order_id or self.purpose not in PURPOSES:
            return None
        lang = await self._lang()
        svc = deps.services()
        used = await deps.off_loop(use_completed_order, svc.engine, svc.bankid_flow, order_id,
                                   user_id)
        if used.outcome == "other_person":
            self._bankid_failed(t(lang, "mbx.bankid_other_person"))
            return None
        if used.outcome != "used":
            return None  # not this user's complete order, or used already (a replay)
        purpose = self.purpose
        if purpose == "step_up":
            return await self._finish_step_up(user_id)
        if purpose == "pay":
            return await self._finish_payment(user_id, used.order_ref, lang)
        if purpose == "close":
            return await self._finish_close(user_id, lang)
        return None

    @rx.event
    async def retry(self):
        """"Försök igen" after a failed or cancelled order: the same purpose once more."""
        user_id = await self._user_id()
        if user_id is None:
            return await self._logged_out()
        if self.purpose == "pay" and self._plan is not None and self._plan.user_id == user_id:
            return await self._start_order(user_id, "pay", text=self._plan.sign_text)
        if self.purpose == "step_up" and self.letter_id:
            return await self._start_order(user_id, "step_up", text=None)
        if self.purpose == "close":
            return SignState.start_close
        return None

    @rx.event
    async def resume(self):
        """Page load (e.g. back from the BankID app on a phone): keep following the order and
        show the letter it is for again."""
        if await self._user_id() is None:
            self._clear()
            return None
        events: list[Any] = []
        if self.letter_id and self.purpose in ("pay", "step_up"):
            events.append(MailboxState.open_letter(self.letter_id))
        if self.bankid_state == "pending":
            events.append(SignState.bankid_loop)
        return events or None

    @rx.event
    async def cancel(self):
        user_id = await self._user_id()
        if user_id is not None:
            await deps.services().bankid_flow.cancel(self._owner(user_id))
        self._clear()
        self.pay_error = ""

    # -- sensitive letters --------------------------------------------------------------------
    @rx.event
    async def start_step_up(self, letter_id: int):
        from kivra_app.mailbox.inbox import open_letter, valid_id

        lid = valid_id(letter_id)
        user_id = await self._user_id()
        if user_id is None:
            return await self._logged_out()
        if lid is None or await deps.off_loop(open_letter, deps.services().engine, user_id,
                                              lid) is None:
            return None  # not this person's letter
        self.letter_id = lid
        return await self._start_order(user_id, "step_up", text=None)

    async def _finish_step_up(self, user_id: int) -> Any:
        from kivra_app.mailbox.step_up import record_step_up

        secret = self._secret()
        letter_id = self.letter_id
        if secret:
            await deps.off_loop(record_step_up, deps.services().engine, secret, user_id)
        self._clear()
        return MailboxState.open_letter(letter_id)

    # -- paying -------------------------------------------------------------------------------
    @rx.event
    async def start_payment(self, letter_id: int):
        """"Betala": the form with this person's accounts and the proposed date."""
        from kivra_app.i18n import t
        from kivra_app.mailbox.inbox import valid_id
        from kivra_app.mailbox.invoices import PaymentError, account_options
        from kivra_app.payments.bank_days import bank_day_on_or_after, default_pay_date
        from kivra_app.payments.factory import payment_provider

        lid = valid_id(letter_id)
        user_id = await self._user_id()
        if user_id is None:
            return await self._logged_out()
        lang = await self._lang()
        engine = deps.services().engine
        now = today()
        panel, due = (await deps.off_loop(_payment_form, engine, user_id, lid, lang, now)
                      if lid else (None, None))
        if panel is None or not panel["payable"]:
            self.pay_error = t(lang, "pay.not_payable") if panel is not None else ""
            return None
        try:
            self.accounts = await account_options(payment_provider(), user_id, lang)
        except PaymentError as exc:
            self.pay_error = t(lang, exc.key)
            return None
        self.pay_for = lid  # type: ignore[assignment]
        self.pay_account = self.accounts[0]["id"] if self.accounts else ""
        self.pay_date = default_pay_date(due, now).isoformat()
        self.pay_min = bank_day_on_or_after(now).isoformat()
        self.pay_hint = t(lang, "pay.date_hint", due=due.isoformat())
        self.pay_error = ""
        self.pay_done = ""
        self.form_key += 1
        return None

    @rx.event
    def close_payment(self):
        self.pay_for = 0
        self.pay_error = ""
        self._clear()

    @rx.event
    async def submit_payment(self, form: dict):
        """"Betala med BankID": check the choice, then the sign order with the plan's text."""
        from kivra_app.i18n import t
        from kivra_app.mailbox.invoices import PaymentError, plan_payment
        from kivra_app.payments.factory import payment_provider

        user_id = await self._user_id()
        if user_id is None:
            return await self._logged_out()
        if not self.pay_for or not isinstance(form, dict):
            return None
        account, day = form.get("account"), form.get("date")
        self.pay_account = account if isinstance(account, str) else ""
        self.pay_date = day if isinstance(day, str) else ""
        lang = await self._lang()
        try:
            plan = await plan_payment(deps.services().engine, payment_provider(), user_id,
                                      self.pay_for, account_id=account, pay_date=day, lang=lang,
                                      today=today())
        except PaymentError as exc:
            self.pay_error = t(lang, exc.key, **exc.params)
            return None
        self.pay_error = ""
        self._plan = plan
        self.letter_id = self.pay_for
        return await self._start_order(user_id, "pay", text=plan.sign_text)

    async def _finish_payment(self, user_id: int, ref: str | None, lang: str) -> Any:
        from kivra_app.i18n import t
        from kivra_app.mailbox.invoices import PaymentError, execute_payment
        from kivra_app.payments.factory import payment_provider

        plan = self._plan
        self._plan = None
        if plan is None or plan.user_id != user_id:
            self._clear()
            return None
        try:
            status = await execute_payment(deps.services().engine, payment_provider(), plan,
                                           bankid_order_ref=ref, today=today())
        except PaymentError as exc:
            self._clear()
            self.pay_error = t(lang, exc.key, **exc.params)
            return MailboxState.reload_letter
        self._clear()
        self.pay_for = 0
        self.pay_done = (t(lang, "pay.done_paid") if status == "paid" else
                         t(lang, "pay.done_scheduled", date=plan.pay_date.isoformat()))
        return MailboxState.reload_letter

    # -- closing the account ------------------------------------------------------------------
    @rx.event
    async def start_close(self):
        from kivra_app.i18n import t

        user_id = await self._user_id()
        if user_id is None:
            return await self._logged_out()
        return await self._start_order(user_id, "close", text=t(await self._lang(), "close.sign_text"))

    async def _finish_close(self, user_id: int, lang: str) -> Any:
        from kivra_app.mailbox.account import close_account

        self._clear()
        await close_account(deps.services(), user_id, lang=lang)
        mailbox = await self.get_state(MailboxState)
        mailbox.reset()
        return deps.full_page("/api/me/closed")


def _payment_form(engine: Any, user_id: int, letter_id: int, lang: str,
                  day: Any) -> tuple[dict[str, Any] | None, Any]:
    """The invoice panel of this person's letter and its due date (blocking: the caller runs
    it in a worker thread)."""
    from sqlmodel import Session

    from kivra_app.mailbox.inbox import invoice_display
    from kivra_app.models import Invoice

    panel = invoice_display(engine, user_id, letter_id, lang=lang, today=day)
    if panel is None or not panel["payable"]:
        return panel, None
    with Session(engine) as session:
        invoice = session.get(Invoice, letter_id)
        return panel, invoice.due_date if invoice is not None else None
