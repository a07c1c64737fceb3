"""The signup wizard: a thin cache of `SignupService.view(secret)` plus the BankID loop.

Rules (docs/signup-service.md, security-requirements §L):
- The signup secret comes from the HttpOnly cookie `kivra_signup` in the websocket's own request
  headers, read again by every handler and never kept in the state (#12 finding 2: state may be
  written to disk or Redis). A crafted event from a tab without that cookie can do nothing.
- Every public handler re-validates its arguments (type, length) and calls the service, which
  owns the step machine and refuses the wrong step. Public vars hold only what the screen
  shows: no orderRef, QR secret, code or full personnummer (except the typed one on step 1).
- The screen is re-derived from `service.view(secret)` on every page load, so a reload at any
  step lands on that step with what was entered. Personal values are shown only to the
  connection whose cookie loaded them (computed vars over `_shown`, #12 finding 3).
- After BankID the secret is rotated (R-24): the poll that sees the completion gets a one-time
  continue ticket and the tab loads GET /api/signup/continue?ticket=… (a full page load: only an
  HTTP response can set the HttpOnly cookie), which sets the new secret and returns to /signup.
  Until then the service answers the old secret with a `continue_required` view: the screen
  "continue" asks for a fresh ticket and goes there again (a reload, a lost redirect).
- BankID is the shared loop of state/bankid_loop.py over the one flow; the service judges every
  call (a crafted one is refused there and logged `sequence_fail`), not this tab's copy.
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
from state import deps, personal
from state.bankid_loop import BankIdLoopMixin
from state.lang import LangState, set_html_lang

TOTAL_STEPS = 7
STEP_NUMBERS = {
    "personnummer": 1, "bankid": 2, "email": 3, "email_code": 4, "phone": 5, "phone_code": 6,
    "done": 7,
}
CODE_STEPS = ("email_code", "phone_code")
MAX_FIELD = 320  # longest value any field accepts (an email address is at most 254)
MAX_CODE = 32  # a pasted code with spaces or dashes; the domain parses it

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


# The last viewer check of _is_viewer: (Cookie header, viewer, settings, answer). One entry: a
# delta's computed vars are built one after another on the event loop, with no await between
# them. It holds the last event's Cookie header, as the state's router data does.
_viewer_memo: tuple[object, str, object, bool] = (None, "", None, False)


class SignupState(BankIdLoopMixin, rx.State):
    # --- what the screen shows (public: sent to the browser) --------------------------------
    step: str = ""  # "" until loaded, "missing" without a signup, "continue" right after
    # BankID (on the way to the secret rotation), else a Step value
    step_number: int = 0
    progress_label: str = ""
    # pnr_prefill, pnr_masked, given_name, email, phone: computed vars below (#12 finding 3)
    field_error: str = ""  # the inline error of the step's one field
    notice: str = ""  # polite status text (code sent, try again, …)
    notice_is_error: bool = False
    code_valid_text: str = ""
    resend_wait: int = 0
    resend_label: str = ""
    form_key: int = 0  # bumped when the server's prefill changes, to re-mount the inputs
    # BankID: the bankid_* vars of BankIdLoopMixin
    on_phone: bool = False
    welcome_back: bool = False

    # --- backend only ----------------------------------------------------------------------
    _bankid_error_text: str = ""
    # Personal values (the typed personnummer only while step == "personnummer", the masked
    # one "19850709-****", the name, the email, the phone "070-123 45 67") and whose they are:
    # the SHA-256 of the signup cookie that loaded them.
    _shown: dict[str, str] = {}
    _viewer: str = ""
    _lang: str = "sv"
    _error: tuple[str, dict[str, Any]] | None = None
    _notice: tuple[str, dict[str, Any]] | None = None
    _code_expires_ts: float | None = None
    _resend_ts: float | None = None
    _tick_gen: int = 0
    _tick_beat: float = 0.0
    _continue_tries: int = 0

    # --- personal values: only for the connection whose cookie loaded them (#12 finding 3) ---
    def _personal(self, key: str) -> str:
        shown = self._shown
        if not shown or not self._is_viewer():
            return ""
        return shown.get(key, "")

    def _is_viewer(self) -> bool:
        """Whether this event's connection is the one the values were loaded for. All five
        computed vars ask in every delta; the answer is kept for one cookie header and viewer
        (the cookie parse, the router's assembly and the hash were a third of a delta's
        build)."""
        global _viewer_memo
        cookie, viewer = self.rx_router_headers.cookie, self._viewer
        settings = deps.services().settings  # the cookie's name depends on it (__Host- on https)
        memo = _viewer_memo  # one read: the tuple is replaced whole, never changed
        if memo[0] == cookie and memo[1] == viewer and memo[2] is settings:
            return memo[3]
        secret = deps.cookie_value(cookie, deps.SIGNUP_COOKIE)
        answer = personal.same_viewer(secret, viewer)
        _viewer_memo = (cookie, viewer, settings, answer)
        return answer

    @rx.var
    def pnr_prefill(self) -> str:
        return self._personal("pnr_prefill")

    @rx.var
    def pnr_masked(self) -> str:
        return self._personal("pnr_masked")

    @rx.var
    def given_name(self) -> str:
        return self._personal("given_name")

    @rx.var
    def email(self) -> str:
        return self._personal("email")

    @rx.var
    def phone(self) -> str:
        return self._personal("phone")

    # --- helpers (private: not callable from the browser) -----------------------------------
    def _request_secret(self) -> str | None:
        """The signup secret of THIS event's connection (its cookie); never stored."""
        return deps.cookie_value(self.router.headers.cookie, deps.SIGNUP_COOKIE)

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
        self._shown = {}
        self._viewer = ""
        self.welcome_back = False
        self._bankid_reset()
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
        shown = self._shown
        if (prefill, new_email, new_phone) != (shown.get("pnr_prefill", ""),
                                               shown.get("email", ""),
                                               shown.get("phone", "")) or previous != step:
            self.form_key += 1
        self._shown = {"pnr_prefill": prefill, "pnr_masked": view.personnummer_masked or "",
                       "given_name": view.given_name or "", "email": new_email,
                       "phone": new_phone}
        self._viewer = personal.viewer_of(self._request_secret())
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
                self._bankid_reset()
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
        """Run a service call; returns its result, or None after showing a refusal. A blocking
        (synchronous: database) call runs in a worker thread, off the event loop."""
        try:
            return await deps.off_loop(fn, *args, **kwargs)
        except SignupError as exc:
            if exc.key == "signup.wrong_step":
                await self._rederive()
                return None
            self._refuse(exc)
            return None

    async def _rederive(self) -> None:
        secret = self._request_secret()
        view = await deps.off_loop(self._svc().view, secret) if secret else None
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

    def _ask_bankid(self, *, same_device: bool) -> Any:
        """"Startar BankID…" now; `bankid_start` starts this tab's order without the lock."""
        self._bankid_ask_start(self._t("bankid.starting"), same_device=same_device)
        self._set_notice(None)
        return SignupState.bankid_start

    def _start_call(self, same_device: bool) -> Any:
        """The service's start, its arguments read from this connection (under the lock)."""
        secret = self._request_secret()
        if not secret:
            return None
        return self._svc().start_bankid(
            secret, tab=self._bankid_tab(), same_device=same_device,
            return_url=self._return_url(), **self._bankid_request())

    async def _bankid_start_error(self, exc: Exception) -> None:
        """A refused or failed start (under the lock): calm text and 'Försök igen'."""
        if isinstance(exc, SignupError) and exc.key == "signup.wrong_step":
            await self._rederive()
            if self.step == "bankid":
                self._bankid_reset()
            return
        self._bankid_error_text = ""
        self._refuse(exc)  # type: ignore[arg-type]
        self._bankid_failed(self._bankid_error_text or self.notice or self.field_error
                            or self._t("service.bankid"))
        self._set_notice(None)
        self._set_error(None)

    def _to_continue(self, ticket: str) -> Any:
        """The full page load that rotates the secret (GET /api/signup/continue)."""
        self._continue_tries += 1
        return deps.full_page(CONTINUE_URL + ticket)

    async def _fresh_continue_ticket(self, secret: str) -> str | None:
        try:
            ticket = await deps.off_loop(self._svc().continue_ticket, secret,
                                         tab=self._bankid_tab())
        except SignupError:
            return None
        return ticket if isinstance(ticket, str) and ticket else None

    # --- page load ----------------------------------------------------------------------------
    @rx.event
    async def load(self):
        """on_load of /signup: re-derive everything from the service."""
        self._set_error(None)
        self._set_notice(None)
        self.on_phone = self._on_phone()
        secret = self._request_secret()
        view = await deps.off_loop(self._svc().view, secret) if secret else None
        if view is None:
            self._missing()
            return set_html_lang(self._lang)
        self._apply_view(view)
        self.form_key += 1  # re-mount the inputs with the server's prefill
        await self._sync_lang_state()
        events: list[Any] = [set_html_lang(self._lang)]
        if self.step == "continue":
            if self._continue_tries < MAX_AUTO_CONTINUE:
                ticket = await self._fresh_continue_ticket(secret)
                if ticket:
                    events.append(self._to_continue(ticket))
        elif self.step == "bankid":
            resumed = await deps.off_loop(self._svc().current_bankid, secret,
                                          tab=self._bankid_tab())
            if resumed is not None:  # this tab's order (a reload, back from the app)
                self._bankid_started(resumed, same_device=resumed.qr is None)
                events.append(SignupState.bankid_loop)
            elif not self.on_phone:  # a computer shows a fresh QR at once
                events.append(self._ask_bankid(same_device=False))
            else:  # a phone: 'Öppna BankID' starts an autostart order on a tap
                self._bankid_reset()
                self.bankid_mode = "app"
        elif self.step in CODE_STEPS:
            events.append(SignupState.code_ticker)
        return events

    @rx.event
    async def continue_signup(self):
        """'Fortsätt' on the continue screen: a fresh continue ticket, then the rotation."""
        secret = self._request_secret()
        if not secret:
            return None
        ticket = await self._fresh_continue_ticket(secret)
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
        return self._ask_bankid(same_device=self.on_phone)

    # --- step 2: BankID (the service judges every call; no step pre-check here) --------------
    @rx.event
    async def use_this_device(self):
        """'Öppna BankID på den här datorn' / a restart on a phone: an autostart order."""
        return self._on_start_button(same_device=True)

    @rx.event
    async def use_other_device(self):
        """'Använd BankID på en annan enhet': a QR order."""
        return self._on_start_button(same_device=False)

    @rx.event
    async def retry_bankid(self):
        return self._on_start_button(same_device=self.bankid_mode == "app")

    def _on_start_button(self, *, same_device: bool) -> Any:
        """A button that starts BankID: ask for the order (`bankid_start` starts it, and the
        service refuses it unless the signup is at its BankID step)."""
        if not self._request_secret():
            return None
        return self._ask_bankid(same_device=same_device)

    @rx.event(background=True)
    async def bankid_start(self):
        """The order a handler asked for (state/bankid_loop.py), then its loop."""
        return await self._bankid_start_run(
            start=self._start_call, on_error=self._bankid_start_error, errors=(SignupError,),
            then=SignupState.bankid_loop)

    @rx.event
    async def cancel_bankid(self):
        secret = self._request_secret()
        if not secret:
            return None
        self._bankid_stop()  # the loop sees a new generation at its next tick
        view = await self._call(self._svc().cancel_bankid, secret)
        if view is not None:
            self._apply_view(view)
        return None

    @rx.event
    async def page_visibility(self, hidden: bool):
        """Back from the BankID app (or another tab): make sure the loop runs again."""
        if hidden is True:
            return None
        return SignupState.bankid_loop

    @rx.event(background=True)
    async def bankid_loop(self):
        """This tab's order: QR frames and collects (state/bankid_loop.py)."""
        async with self:
            secret = self._request_secret()
            svc = self._svc()
        if not secret:
            return None
        return await self._bankid_run(
            collect=lambda order_id, tab: svc.poll_bankid(secret, order_id, tab=tab),
            load_qr=lambda order_id, tab: _resumed_qr(svc, secret, tab),
            on_answer=self._bankid_answer,
            on_error=self._bankid_error,
            here=lambda: self.step == "bankid" and _on_path(self.router.url.path, "/signup"),
            errors=(SignupError,),
            # Acted on only when the signup moved on (another tab) or the order completed.
            quiet=lambda progress: progress.view is None or str(progress.view.step) == "bankid",
        )

    async def _bankid_answer(self, progress: Any) -> Any:
        """A collect answer for the signup (under the lock): the next screen, the rotation."""
        if progress.view is not None and (progress.state == "complete"
                                          or str(progress.view.step) != "bankid"):
            self._apply_view(progress.view)
        if progress.state != "complete":
            return None
        if progress.existing_user_id and self.step == "done":
            self.welcome_back = True
        if self.step == "continue" and progress.continue_ticket:
            return self._to_continue(progress.continue_ticket)
        if self.step == "continue":  # seen before (a reload): ask for a fresh ticket
            ticket = await self._fresh_continue_ticket(self._request_secret() or "")
            return self._to_continue(ticket) if ticket else None
        return SignupState.code_ticker if self.step in CODE_STEPS else None

    async def _bankid_error(self, error: Exception) -> Any:
        """A refused or failed collect (under the lock): calm text and 'Försök igen'."""
        if isinstance(error, SignupError) and error.key == "signup.wrong_step":
            # Not this tab's order (another tab started a newer one), or the step moved on.
            secret = self._request_secret()
            view = await deps.off_loop(self._svc().view, secret) if secret else None
            if view is None:
                self._missing()
                return None
            self._apply_view(view)
            if self.step == "bankid":
                self._bankid_failed(self._t("bankid.other_tab"))
            return None
        self._bankid_error_text = ""
        self._refuse(error)  # type: ignore[arg-type]
        self._bankid_failed(self._bankid_error_text or self.notice or self.field_error
                            or self._t("service.bankid"))
        self._set_notice(None)
        self._set_error(None)
        return None

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
            ticket = await deps.off_loop(self._svc().issue_login_ticket, secret)
        except SignupError as exc:
            if exc.key == "signup.expired":
                return deps.full_page("/mailbox")
            await self._rederive()
            return None
        if not isinstance(ticket, str) or not ticket:
            return None
        return deps.full_page(CLAIM_URL + ticket)


def _on_path(path: object, page: str) -> bool:
    return isinstance(path, str) and path.rstrip("/") in (page, "")


def _resumed_qr(svc: Any, secret: str, tab: str) -> Any:
    """The QR values of this tab's order, read once per loop (blocking; run in a thread)."""
    resumed = svc.current_bankid(secret, tab=tab)
    return resumed.qr if resumed is not None else None
