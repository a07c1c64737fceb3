"""/login: BankID without a typed personnummer, on the shared BankID loop.

The login attempt is the HttpOnly cookie `kivra_login`, read per event (never kept here). Without
it, the page loads GET /api/login/begin, which sets one and comes back. After BankID: an account
-> GET /api/login/claim (a full page load: only an HTTP response can set the session cookie);
no account -> "Du har inget Kivra-konto" with "Skapa konto" (a form POST to /api/login/signup).
The service judges every call (owner, tab); nothing here pre-checks a step.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import reflex as rx

from kivra_app.auth.login import LoginRefused
from kivra_app.bankid_flow import FlowRefused, FlowUnavailable
from kivra_app.i18n import t
from state import deps
from state.bankid_loop import BankIdLoopMixin
from state.lang import LangState, set_html_lang
from state.session import session_check

CLAIM_URL = "/api/login/claim?ticket="
BEGIN_URL = "/api/login/begin?next="


def _safe_next(value: object) -> str:
    from kivra_app.web.login_routes import safe_next

    return safe_next(value)


class LoginState(BankIdLoopMixin, rx.State):
    status: str = ""  # "" loading | bankid | no_account | done
    on_phone: bool = False
    next_path: str = "/mailbox"  # where to go after the login (validated, same-origin)

    _lang: str = "sv"

    def _login_secret(self) -> str | None:
        return deps.cookie_value(self.router.headers.cookie, deps.LOGIN_COOKIE)

    def _svc(self) -> Any:
        return deps.services().login

    def _t(self, key: str) -> str:
        return t(self._lang, key)

    def _return_url(self) -> str:
        return f"{deps.services().settings.base_url}/login"

    @rx.event
    async def load(self):
        """on_load of /login."""
        lang_state = await self.get_state(LangState)
        self._lang = lang_state.lang
        params = self.router.page.params if self.router.page else {}
        self.next_path = _safe_next(params.get("next") if isinstance(params, dict) else None)
        from kivra_app.bankid.links import is_mobile

        self.on_phone = is_mobile(self.router.headers.user_agent)
        events: list[Any] = [set_html_lang(self._lang)]
        if (await session_check(self)).state == "live":
            return [*events, rx.redirect(self.next_path)]  # already logged in
        secret = self._login_secret()
        if not secret:
            return [*events, deps.full_page(BEGIN_URL + quote(self.next_path, safe="/"))]
        self.status = "bankid"
        resumed = await deps.off_loop(self._svc().current, secret, tab=self._bankid_tab())
        if resumed is not None:  # a reload, or back from the BankID app
            self._bankid_started(resumed, same_device=resumed.qr is None)
            return [*events, LoginState.bankid_loop]
        if self.bankid_state in ("failed", "complete"):
            return events
        # A computer shows the QR at once; a phone gets the autostart link ('Öppna BankID').
        return [*events, self._ask_bankid(same_device=self.on_phone)]

    def _ask_bankid(self, *, same_device: bool) -> Any:
        """"Startar BankID…" now; `bankid_start` starts this tab's order without the lock."""
        self._bankid_ask_start(self._t("bankid.starting"), same_device=same_device)
        return LoginState.bankid_start

    def _start_call(self, same_device: bool) -> Any:
        """The service's start, its arguments read from this connection (under the lock)."""
        secret = self._login_secret()
        if not secret:
            return None
        return self._svc().start(
            secret, tab=self._bankid_tab(), same_device=same_device,
            return_url=self._return_url(), language=self._lang, **self._bankid_request())

    def _start_error(self, exc: Exception) -> None:
        message = getattr(exc, "message", "") if isinstance(exc, FlowUnavailable) else ""
        self._bankid_failed(message or self._t("service.bankid"))

    @rx.event(background=True)
    async def bankid_start(self):
        """The order a handler asked for (state/bankid_loop.py), then its loop."""
        return await self._bankid_start_run(
            start=self._start_call, on_error=self._start_error,
            errors=(FlowUnavailable, FlowRefused), then=LoginState.bankid_loop)

    def _on_start_button(self, *, same_device: bool) -> Any:
        """A button that starts BankID: ask for the order (`bankid_start` starts it), or,
        without a login cookie, the page that sets one first."""
        secret = self._login_secret()
        if not secret:
            return deps.full_page(BEGIN_URL + quote(self.next_path, safe="/"))
        self.status = "bankid"
        return self._ask_bankid(same_device=same_device)

    @rx.event
    async def use_this_device(self):
        return self._on_start_button(same_device=True)

    @rx.event
    async def use_other_device(self):
        return self._on_start_button(same_device=False)

    @rx.event
    async def retry_bankid(self):
        return self._on_start_button(same_device=self.bankid_mode == "app")

    @rx.event
    async def cancel_bankid(self):
        """'Avbryt': the order is cancelled; back to the start page."""
        self._bankid_stop()
        secret = self._login_secret()
        if secret:
            await self._svc().cancel(secret)
        self._bankid_reset()
        return rx.redirect("/")

    @rx.event
    async def page_visibility(self, hidden: bool):
        if hidden is True:
            return None
        return LoginState.bankid_loop

    @rx.event(background=True)
    async def bankid_loop(self):
        async with self:
            secret = self._login_secret()
            svc = self._svc()
        if not secret:
            return None
        return await self._bankid_run(
            collect=lambda order_id, tab: svc.poll(secret, order_id, tab=tab),
            load_qr=lambda order_id, tab: _resumed_qr(svc, secret, tab),
            on_answer=self._login_answer,
            on_error=self._login_error,
            here=lambda: self.status == "bankid" and _on_login(self.router.url.path),
            errors=(FlowRefused, FlowUnavailable, LoginRefused),
            quiet=lambda progress: progress.outcome == "pending",
        )

    def _login_answer(self, progress: Any) -> Any:
        if progress.outcome == "account" and progress.ticket:
            self.status = "done"
            self.bankid_message = self._t("login.done")
            url = CLAIM_URL + progress.ticket + "&next=" + quote(self.next_path, safe="/")
            return deps.full_page(url)
        if progress.outcome == "no_account":
            self.status = "no_account"
            return None
        if progress.outcome == "failed" and not self.bankid_message:
            self._bankid_failed(self._t("service.bankid"))
        return None

    def _login_error(self, error: Exception) -> Any:
        message = getattr(error, "message", "") or self._t("service.bankid")
        if isinstance(error, FlowRefused):
            message = self._t("bankid.other_tab")
        self._bankid_failed(message)
        return None


def _on_login(path: object) -> bool:
    return isinstance(path, str) and path.rstrip("/") == "/login"


def _resumed_qr(svc: Any, secret: str, tab: str) -> Any:
    resumed = svc.current(secret, tab=tab)
    return resumed.qr if resumed is not None else None
