"""The signup wizard: a thin cache of `SignupService.view(secret)` plus the BankID loop.

Rules (docs/signup-service.md, security-requirements §L):
- The signup secret comes from the HttpOnly cookie `kivra_signup` in the websocket's own request
  headers, read again by every handler; it is kept only in the backend var `_secret`. A crafted
  event from a tab without that cookie (e.g. a stolen tab token) can do nothing.
- Every public handler re-validates its arguments (type, length) and calls the service, which
  owns the step machine and refuses the wrong step. Public vars hold only what the screen
  shows: no orderRef, QR secret, code or full personnummer (except the typed one on step 1).
- The screen is re-derived from `service.view(secret)` on every page load, so a reload at any
  step lands on that step with what was entered.
- After BankID the secret is rotated (R-24): the poll that sees the completion gets a one-time
  continue ticket and the tab loads GET /api/signup/continue?ticket=… (a full page load: only an
  HTTP response can set the HttpOnly cookie), which sets the new secret and returns to /signup.
  Until then the service answers the old secret with a `continue_required` view: the screen
  "continue" asks for a fresh ticket and goes there again (a reload, a lost redirect).
- The background BankID loop never awaits BankID (start, collect) while holding the state lock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import reflex as rx

from kivra_app.i18n import LANGUAGES, normalise_language, t
from kivra_app.signup.errors import ServiceUnavailable, SignupError
from kivra_app.signup.interfaces import ContactKind, SignupApi
from state import deps
from state.lang import LangState, set_html_lang

TOTAL_STEPS = 7
STEP_NUMBERS = {
    "personnummer": 1, "bankid": 2, "email": 3, "email_code": 4, "phone": 5, "phone_code": 6,
    "done": 7,
}
CODE_STEPS = ("email_code", "phone_code")
MAX_FIELD = 320  # longest value any field accepts (an email address is at most 254)
MAX_CODE = 32  # a pasted code with spaces or dashes; the domain parses it

QR_INTERVAL = 1.0  # a new animated QR frame every second
POLL_EVERY = 2  # collect every second tick
BANKID_LOOP_LIMIT = 240.0  # seconds; the service renews orders for up to 3 minutes
LOOP_STALE = 6.0  # a loop that has not ticked for this long is considered dead
TICK_LIMIT = 35 * 60.0  # the code-step ticker stops after the 30-minute code lifetime
CONTINUE_URL = "/api/signup/continue?ticket="
CLAIM_URL = "/api/session/claim?ticket="
MAX_AUTO_CONTINUE = 2  # automatic trips to the continue route in a row; then a button


def _form_value(form_data: Any, name: str, limit: int) -> str | None:
    """A submitted form field as a bounded string, or None for a malformed payload."""
    if not isinstance(form_data, dict):
        return None
    value = form_data.get(name, "")
    if not isinstance(value, str) or len(value) > limit:
        return None
    return value


def _iso(moment: datetime | None) -> float | None:
    return moment.timestamp() if isinstance(moment, datetime) else None


async def _call_start(svc: Any, secret: str, same_device: bool,
                      request: dict[str, str]) -> tuple[Any, SignupError | None]:
    """The BankID order start (an HTTP call to BankID): run it without the state lock."""
    try:
        return await svc.start_bankid(secret, same_device=same_device, **request), None
    except SignupError as exc:
        return None, exc


@dataclass(frozen=True)
class _ContactChannel:
    """What differs between the email and the phone steps of the state."""

    kind: ContactKind  # the channel parameter of the service's ContactSteps calls
    field: str  # the form field, and the step where it is typed
    code_step: str  # the step where its code is typed
    sent_key: str  # the notice after a resend


_EMAIL = _ContactChannel(kind="email", field="email", code_step="email_code",
                         sent_key="code.sent_email")
_PHONE = _ContactChannel(kind="phone", field="phone", code_step="phone_code",
                         sent_key="code.sent_sms")


class SignupState(rx.State):
    # --- what the screen shows (public: sent to the browser) --------------------------------
    step: str = ""  # "" until loaded, "missing" without a signup, "continue" right after
    # BankID (on the way to the secret rotation), else a Step value
    step_number: int = 0
    progress_label: str = ""
    pnr_prefill: str = ""  # the typed personnummer, only while step == "personnummer"
    pnr_masked: str = ""  # "19850709-****"
    given_name: str = ""
    email: str = ""
    phone: str = ""  # national format "070-123 45 67"
    field_error: str = ""  # the inline error of the step's one field
    notice: str = ""  # polite status text (code sent, try again, …)
    notice_is_error: bool = False
    code_valid_text: str = ""
    resend_wait: int = 0
    resend_label: str = ""
    form_key: int = 0  # bumped when the server's prefill changes, to re-mount the inputs
    # BankID
    on_phone: bool = False
    bankid_mode: str = "qr"  # "qr" (another device) | "app" (this device)
    bankid_state: str = "idle"  # idle | starting | pending | failed | complete
    bankid_message: str = ""
    qr_src: str = ""  # data URI of the current animated frame
    qr_visible: bool = True
    launch_url: str = ""  # the autostart link (it has to reach the browser to be clicked)
    welcome_back: bool = False

    # --- backend only ----------------------------------------------------------------------
    _secret: str = ""
    _bankid_error_text: str = ""
    _lang: str = "sv"
    _error: tuple[str, dict[str, Any]] | None = None
    _notice: tuple[str, dict[str, Any]] | None = None
    _code_expires_ts: float | None = None
    _resend_ts: float | None = None
    _loop_gen: int = 0
    _loop_beat: float = 0.0
    _tick_gen: int = 0
    _tick_beat: float = 0.0
    _continue_tries: int = 0

    # --- helpers (private: not callable from the browser) -----------------------------------
    def _request_secret(self) -> str | None:
        secret = deps.cookie_value(self.router.headers.cookie, deps.SIGNUP_COOKIE)
        self._secret = secret or ""
        return secret

    def _svc(self) -> SignupApi:
        return deps.services().signup

    def _t(self, key: str, **params: Any) -> str:
        return t(self._lang, key, **params)

    def _retranslate(self) -> None:
        self.progress_label = (
            self._t("progress.label", n=self.step_number, total=TOTAL_STEPS)
            if self.step_number else ""
        )
        self.field_error = self._t(self._error[0], **self._error[1]) if self._error else ""
        self.notice = self._t(self._notice[0], **self._notice[1]) if self._notice else ""
        self._render_code_texts()

    def _render_code_texts(self) -> None:
        now = time.time()
        if self.step in CODE_STEPS and self._code_expires_ts is not None:
            if now < self._code_expires_ts:
                when = deps.local_time(datetime.fromtimestamp(self._code_expires_ts, deps.UTC))
                self.code_valid_text = self._t("code.valid_until", time=when)
            else:
                self.code_valid_text = self._t("code.valid_gone")
        else:
            self.code_valid_text = ""
        wait = 0
        if self._resend_ts is not None:
            wait = max(0, int(self._resend_ts - now + 0.999))
        self.resend_wait = wait
        self.resend_label = (
            self._t("code.resend_in", seconds=wait) if wait else self._t("code.resend")
        )

    def _set_error(self, key: str | None, params: dict[str, Any] | None = None) -> None:
        self._error = (key, dict(params or {})) if key else None
        self.field_error = self._t(key, **(params or {})) if key else ""

    def _set_notice(self, key: str | None, params: dict[str, Any] | None = None,
                    *, error: bool = False) -> None:
        self._notice = (key, dict(params or {})) if key else None
        self.notice = self._t(key, **(params or {})) if key else ""
        self.notice_is_error = bool(key) and error

    def _missing(self) -> None:
        self.step = "missing"
        self.step_number = 0
        self.progress_label = ""
        self.pnr_prefill = self.pnr_masked = self.given_name = self.email = self.phone = ""
        self.qr_src = self.launch_url = ""
        self._stop_loop()
        self._tick_gen += 1

    def _apply_view(self, view: Any) -> None:
        """Copy what the screen may show from a SignupView."""
        previous = self.step
        # BankID is done but this secret is the pre-BankID one: only "continue" (no data).
        step = "continue" if getattr(view, "continue_required", False) else str(view.step)
        if step != "continue":
            self._continue_tries = 0
        self._lang = normalise_language(getattr(view, "language", self._lang))
        self.step = step
        self.step_number = STEP_NUMBERS.get(step, 0)
        prefill = (view.personnummer or "") if step == "personnummer" else ""
        new_email = view.email or ""
        new_phone = view.phone_national or ""
        if (prefill, new_email, new_phone) != (self.pnr_prefill, self.email, self.phone) or (
            previous != step
        ):
            self.form_key += 1
        self.pnr_prefill = prefill
        self.pnr_masked = view.personnummer_masked or ""
        self.given_name = view.given_name or ""
        self.email = new_email
        self.phone = new_phone
        self._code_expires_ts = _iso(view.code_expires_at) if step in CODE_STEPS else None
        self._resend_ts = _iso(view.resend_available_at) if step in CODE_STEPS else None
        # An existing account goes from BankID straight to DONE (SignupView.welcome_back).
        self.welcome_back = step == "done" and bool(getattr(view, "welcome_back", False))
        if previous != step:
            self._set_error(None)
        if getattr(view, "error_key", None):  # an answer that is also a refusal (email.taken)
            self._set_error(view.error_key)
        if previous != step:
            if step != "bankid":
                self._stop_loop()
                self.bankid_state = "idle"
                self.bankid_message = ""
                self.qr_src = ""
                self.launch_url = ""
        self._retranslate()

    def _refuse(self, exc: SignupError) -> None:
        """Show a domain refusal: unavailable services calmly, input errors inline."""
        if isinstance(exc, ServiceUnavailable):
            self._set_notice(exc.key, exc.params, error=True)
            message = exc.params.get("message")
            self._bankid_error_text = message if isinstance(message, str) else ""
        elif exc.key == "signup.expired":
            self._missing()
            self._set_notice("signup.expired", error=True)
        else:
            self._set_notice(None)
            self._set_error(exc.key, exc.params)

    async def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a service call; returns its result, or None after showing a refusal."""
        try:
            result = fn(*args, **kwargs)
            if asyncio.iscoroutine(result):
                return await result
            return result
        except SignupError as exc:
            if exc.key == "signup.wrong_step":
                await self._rederive()
                return None
            self._refuse(exc)
            return None

    async def _rederive(self) -> None:
        secret = self._request_secret()
        view = self._svc().view(secret) if secret else None
        if view is None:
            self._missing()
        else:
            self._apply_view(view)

    async def _sync_lang_state(self) -> None:
        lang_state = await self.get_state(LangState)
        if lang_state.lang != self._lang:
            lang_state.lang = self._lang

    def _on_phone(self) -> bool:
        from kivra_app.bankid.links import is_mobile

        return is_mobile(self.router.headers.user_agent)

    def _return_url(self) -> str:
        return f"{deps.services().settings.base_url}/signup"

    def _prepare_start(self) -> dict[str, str]:
        """Show 'starting' and collect what the start needs from the connection."""
        self.bankid_state = "starting"
        self.bankid_message = self._t("bankid.starting")
        self.qr_src = ""
        self.launch_url = ""
        self.qr_visible = True
        self._bankid_error_text = ""
        return {
            "end_user_ip": self.router.session.client_ip or "127.0.0.1",
            "user_agent": self.router.headers.user_agent or "",
            "return_url": self._return_url(),
        }

    async def _finish_start(self, secret: str, started: Any, error: SignupError | None, *,
                            same_device: bool) -> bool:
        """Show the result of a start; True when an order is pending."""
        if error is not None:
            if error.key == "signup.wrong_step":
                await self._rederive()
            else:
                self._refuse(error)
        if started is None:
            self.bankid_state = "failed"
            self.bankid_message = (self._bankid_error_text or self.notice or self.field_error
                                   or self._t("service.bankid"))
            self._set_notice(None)
            self._set_error(None)
            return False
        self.bankid_mode = "app" if same_device else "qr"
        self.launch_url = (getattr(started, "launch_url", None) or "") if same_device else ""
        if not same_device:
            self.qr_src = self._qr_frame(secret)
        self.bankid_state = "pending"
        self._set_notice(None)
        return True

    async def _start_bankid(self, secret: str, *, same_device: bool) -> bool:
        """A start from a normal handler (which holds the state lock for its whole run)."""
        request = self._prepare_start()
        started, error = await _call_start(self._svc(), secret, same_device, request)
        return await self._finish_start(secret, started, error, same_device=same_device)

    def _to_continue(self, ticket: str) -> Any:
        """The full page load that rotates the secret (GET /api/signup/continue)."""
        self._continue_tries += 1
        return deps.full_page(CONTINUE_URL + ticket)

    def _fresh_continue_ticket(self, secret: str) -> str | None:
        try:
            ticket = self._svc().continue_ticket(secret)
        except SignupError:
            return None
        return ticket if isinstance(ticket, str) and ticket else None

    def _qr_frame(self, secret: str) -> str:
        payload = self._svc().bankid_qr(secret)
        if not payload:
            return ""
        from kivra_app.bankid.qr import render_qr_svg_data_uri

        return render_qr_svg_data_uri(payload)

    # --- page load ----------------------------------------------------------------------------
    @rx.event
    async def load(self):
        """on_load of /signup: re-derive everything from the service."""
        self._set_error(None)
        self._set_notice(None)
        self.on_phone = self._on_phone()
        secret = self._request_secret()
        view = self._svc().view(secret) if secret else None
        if view is None:
            self._missing()
            return set_html_lang(self._lang)
        self._apply_view(view)
        self.form_key += 1  # re-mount the inputs with the server's prefill
        await self._sync_lang_state()
        events: list[Any] = [set_html_lang(self._lang)]
        if self.step == "continue":
            if self._continue_tries < MAX_AUTO_CONTINUE:
                ticket = self._fresh_continue_ticket(secret)
                if ticket:
                    events.append(self._to_continue(ticket))
        elif self.step == "bankid":
            if self.bankid_state not in ("pending", "starting"):
                self.bankid_mode = "app" if self.on_phone else "qr"
                self.bankid_state = "pending"
                self.bankid_message = ""
            events.append(SignupState.bankid_loop)
        elif self.step in CODE_STEPS:
            events.append(SignupState.code_ticker)
        return events

    @rx.event
    async def continue_signup(self):
        """'Fortsätt' on the continue screen: a fresh continue ticket, then the rotation."""
        secret = self._request_secret()
        if not secret or self.step != "continue":
            return None
        ticket = self._fresh_continue_ticket(secret)
        if ticket is None:
            await self._rederive()
            return None
        return self._to_continue(ticket)

    # --- language -----------------------------------------------------------------------------
    @rx.event
    async def switch_language(self, lang: str):
        if not isinstance(lang, str) or lang not in LANGUAGES:
            return None
        secret = self._request_secret()
        if secret and self.step not in ("", "missing"):
            view = await self._call(self._svc().set_language, secret, lang)
            if view is not None:
                self._apply_view(view)
        self._lang = lang
        self._retranslate()
        await self._sync_lang_state()
        return set_html_lang(lang)

    # --- step 1: personnummer -------------------------------------------------------------------
    @rx.event
    async def submit_personnummer(self, form_data: dict):
        raw = _form_value(form_data, "personnummer", MAX_FIELD)
        secret = self._request_secret()
        if raw is None or not secret:
            return None
        self._set_notice(None)
        view = await self._call(self._svc().submit_personnummer, secret, raw)
        if view is None:
            return None
        self._apply_view(view)
        if self.step != "bankid":
            return None
        self.on_phone = self._on_phone()
        await self._start_bankid(secret, same_device=self.on_phone)
        return SignupState.bankid_loop

    # --- step 2: BankID -----------------------------------------------------------------------
    @rx.event
    async def use_this_device(self):
        """'Öppna BankID på den här datorn' / a restart on a phone: an autostart order."""
        secret = self._request_secret()
        if not secret or self.step != "bankid":
            return None
        if await self._start_bankid(secret, same_device=True):
            return SignupState.bankid_loop
        return None

    @rx.event
    async def use_other_device(self):
        """'Använd BankID på en annan enhet': a QR order."""
        secret = self._request_secret()
        if not secret or self.step != "bankid":
            return None
        if await self._start_bankid(secret, same_device=False):
            return SignupState.bankid_loop
        return None

    @rx.event
    async def retry_bankid(self):
        secret = self._request_secret()
        if not secret or self.step != "bankid":
            return None
        if await self._start_bankid(secret, same_device=self.bankid_mode == "app"):
            return SignupState.bankid_loop
        return None

    @rx.event
    async def cancel_bankid(self):
        secret = self._request_secret()
        if not secret or self.step != "bankid":
            return None
        self._stop_loop()  # the loop sees a new generation at its next tick
        view = await self._call(self._svc().cancel_bankid, secret)
        if view is not None:
            self._apply_view(view)
        return None

    @rx.event
    async def page_visibility(self, hidden: bool):
        """Back from the BankID app (or another tab): make sure the loop runs again."""
        if hidden is True or self.step != "bankid" or self.bankid_state == "failed":
            return None
        return SignupState.bankid_loop

    @rx.event(background=True)
    async def bankid_loop(self):
        """One loop per tab: a QR frame every second, collect every two seconds. It stops on
        complete/failed, when the step changes, when the tab leaves /signup, or at a deadline."""
        async with self:
            now = time.monotonic()
            if self.step != "bankid" or self.bankid_state == "failed":
                return
            if self._loop_beat and now - self._loop_beat < LOOP_STALE:
                return  # a live loop already runs for this tab
            self._loop_gen += 1
            gen = self._loop_gen
            self._loop_beat = now
            secret = self._request_secret()
            svc = self._svc()
        if not secret:
            return
        deadline = time.monotonic() + BANKID_LOOP_LIMIT
        tick = 0
        auto_started = False
        try:
            while time.monotonic() < deadline:
                progress = None
                error: SignupError | None = None
                if tick % POLL_EVERY == 0:
                    try:
                        progress = await svc.poll_bankid(secret)  # BankID: outside the lock
                    except SignupError as exc:
                        error = exc
                start_request: dict[str, str] | None = None
                async with self:
                    if not self._loop_is_current(gen):
                        return
                    self._loop_beat = time.monotonic()
                    if error is not None:
                        if error.key != "signup.wrong_step":
                            self._bankid_error_text = ""
                            self._refuse(error)
                            self.bankid_state = "failed"
                            self.bankid_message = (self._bankid_error_text or self.notice
                                                   or self.field_error)
                            self._set_notice(None)
                            self._set_error(None)
                            return
                        await self._rederive()
                        if self.step == "bankid" and not self.on_phone and not auto_started:
                            # Nothing was started (e.g. a reload after a failed start):
                            # a computer shows a fresh QR at once.
                            auto_started = True
                            start_request = self._prepare_start()
                        elif self.step == "bankid":
                            self.bankid_state = "idle"  # the phone shows 'Öppna BankID'
                            self.bankid_message = ""
                            return
                        elif self.step != "continue":
                            return
                    elif progress is not None and self._apply_progress(progress):
                        if self.step == "continue":
                            first_observer = getattr(progress, "continue_ticket", None)
                            if first_observer:
                                return self._to_continue(first_observer)
                        elif self.step in CODE_STEPS:
                            return SignupState.code_ticker
                        else:
                            return
                    mode = self.bankid_mode
                    show_qr = self.qr_visible
                    is_continue = self.step == "continue"
                if is_continue:
                    # BankID is done but this poll did not get the ticket (another poll did,
                    # or the completion was seen before a reload): ask for a fresh one.
                    ticket = self._fresh_continue_ticket(secret)
                    async with self:
                        if ticket and self.step == "continue":
                            return self._to_continue(ticket)
                        await self._rederive()
                    return
                if start_request is not None:
                    started, start_error = await _call_start(svc, secret, False, start_request)
                    async with self:
                        if not self._loop_is_current(gen):
                            return
                        if not await self._finish_start(secret, started, start_error,
                                                        same_device=False):
                            return
                    continue  # poll the new order at once
                if mode == "qr" and show_qr:
                    try:
                        frame = self._qr_frame(secret)
                    except SignupError:
                        frame = ""
                    async with self:
                        if not self._loop_is_current(gen):
                            return
                        if frame:
                            self.qr_src = frame
                tick += 1
                await asyncio.sleep(QR_INTERVAL)
        finally:
            async with self:
                if self._loop_gen == gen:
                    self._loop_beat = 0.0

    def _loop_is_current(self, gen: int) -> bool:
        path = self.router.url.path or "/signup"
        return (
            self._loop_gen == gen
            and self.step == "bankid"
            and path.rstrip("/") in ("/signup", "")
            and deps.client_connected(self.router.session.client_token)
        )

    def _stop_loop(self) -> None:
        self._loop_gen += 1
        self._loop_beat = 0.0

    def _apply_progress(self, progress: Any) -> bool:
        """Show a collect result; True when the BankID step is over."""
        state = str(getattr(progress, "state", "pending"))
        self.bankid_message = getattr(progress, "message", "") or ""
        self.qr_visible = bool(getattr(progress, "show_qr", True))
        if state == "pending":
            self.bankid_state = "pending"
            return False
        if state == "failed":
            self.bankid_state = "failed"
            self.qr_src = ""
            self.launch_url = ""
            view = getattr(progress, "view", None)
            if view is not None and str(view.step) != "bankid":
                self._apply_view(view)
            return True
        self.bankid_state = "complete"
        view = getattr(progress, "view", None)
        if view is not None:
            self._apply_view(view)
        if getattr(progress, "existing_user_id", None) and self.step == "done":
            self.welcome_back = True
        return True

    # --- steps 3-6: email and phone (one implementation, see _ContactChannel) ----------------
    @rx.event
    async def submit_email(self, form_data: dict):
        return await self._submit_address(_EMAIL, form_data)

    @rx.event
    async def verify_email_code(self, form_data: dict):
        return await self._verify_code(_EMAIL, form_data)

    @rx.event
    async def resend_email_code(self):
        return await self._resend_code(_EMAIL)

    @rx.event
    async def change_email(self):
        return await self._change_address(_EMAIL)

    @rx.event
    async def submit_phone(self, form_data: dict):
        return await self._submit_address(_PHONE, form_data)

    @rx.event
    async def verify_phone_code(self, form_data: dict):
        return await self._verify_code(_PHONE, form_data)

    @rx.event
    async def resend_phone_code(self):
        return await self._resend_code(_PHONE)

    @rx.event
    async def change_phone(self):
        return await self._change_address(_PHONE)

    async def _submit_address(self, channel: _ContactChannel, form_data: Any) -> Any:
        raw = _form_value(form_data, channel.field, MAX_FIELD)
        secret = self._request_secret()
        if raw is None or not secret:
            return None
        return await self._send_step(
            self._svc().submit_contact, channel.kind, secret, raw, expect=channel.field,
            sent_key=None,
        )

    async def _verify_code(self, channel: _ContactChannel, form_data: Any) -> None:
        code = _form_value(form_data, "code", MAX_CODE)
        secret = self._request_secret()
        if code is None or not secret:
            return None
        return await self._show_result(self._svc().verify_code, channel.kind, secret, code)

    async def _resend_code(self, channel: _ContactChannel) -> Any:
        secret = self._request_secret()
        if not secret or self.step != channel.code_step:
            return None
        return await self._send_step(
            self._svc().resend_code, channel.kind, secret, expect=channel.code_step,
            sent_key=channel.sent_key,
        )

    async def _change_address(self, channel: _ContactChannel) -> None:
        secret = self._request_secret()
        if not secret or self.step != channel.code_step:
            return None
        return await self._show_result(self._svc().change_contact, channel.kind, secret)

    async def _show_result(self, fn: Callable[..., Any], *args: Any) -> None:
        """A service call that answers with a SignupView: show it (or the refusal)."""
        view = await self._call(fn, *args)
        if view is not None:
            self._set_notice(None)
            self._apply_view(view)
        return None

    async def _send_step(self, fn: Callable[..., Any], *args: Any, expect: str,
                         sent_key: str | None) -> Any:
        """Submit/resend: a call that sends a mail or an SMS, then the countdown ticker. The
        service checks the step (and records a refused sequence, R-19), not this tab's copy."""
        self._set_notice(None)
        view = await self._call(fn, *args, client_ip=self.router.session.client_ip or "")
        if view is None:
            return None
        self._apply_view(view)
        if sent_key and self.step == expect:
            self._set_notice(sent_key)
        if self.step in CODE_STEPS:
            return SignupState.code_ticker
        return None

    @rx.event(background=True)
    async def code_ticker(self):
        """Counts the resend cooldown down each second and notices when the code expires."""
        async with self:
            if self.step not in CODE_STEPS:
                return
            self._tick_gen += 1
            gen = self._tick_gen
        deadline = time.monotonic() + TICK_LIMIT
        while time.monotonic() < deadline:
            async with self:
                if (
                    self._tick_gen != gen
                    or self.step not in CODE_STEPS
                    or not deps.client_connected(self.router.session.client_token)
                ):
                    return
                self._render_code_texts()
                waiting = self.resend_wait > 0
                expired = self._code_expires_ts is None or time.time() >= self._code_expires_ts
            if not waiting and expired:
                return
            await asyncio.sleep(1.0 if waiting else 10.0)

    # --- step 7: done -------------------------------------------------------------------------
    @rx.event
    async def open_mailbox(self):
        """'Ok' / 'Gå till din Kivra': the signup's one login ticket, exchanged by GET
        /api/session/claim (with this browser's signup cookie) for the HttpOnly session cookie;
        a full page load, so the next socket carries it. Issuing closes the signup: a second
        click (or a closed/expired signup) just opens /mailbox, which shows the login state."""
        secret = self._request_secret()
        if not secret or self.step != "done":
            return None
        try:
            ticket = self._svc().issue_login_ticket(secret)
        except SignupError as exc:
            if exc.key == "signup.expired":
                return deps.full_page("/mailbox")
            await self._rederive()
            return None
        if not isinstance(ticket, str) or not ticket:
            return None
        return deps.full_page(CLAIM_URL + ticket)
