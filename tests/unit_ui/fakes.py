"""A fake SignupService with the contract's shape (docs/signup-service.md) and a state tree
built the way Reflex builds it, so handlers can be called directly under pytest."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import reflex as rx
from reflex.istate.data import RouterData

from kivra_app.bankid_flow import Pending, QrSource
from kivra_app.signup.errors import ServiceUnavailable, SignupError
from kivra_app.signup.interfaces import ContactKind
from kivra_app.signup.service import BankIdProgress, BankIdStart, SignupView
from kivra_app.signup.steps import Step

SECRET = "s3cret-signup-value-0123456789abcdefghijklmnop"
PNR = "198107249289"
ORDER_REF = "order-ref-1234-should-never-leave-the-server"
QR_SECRET = "qr-start-secret-never-in-state"
AUTOSTART = "autostart-token-5678"
EMAIL_CODE = "424242"
SMS_CODE = "131313"
DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130 Safari/537.36"
IPHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"


@dataclass
class FakeSignupService:
    step: Step = Step.PERSONNUMMER
    language: str = "sv"
    pnr: str = ""
    email: str = ""
    phone: str = ""
    welcome_back: bool = False
    unrotated: bool = False  # BankID done, the cookie's secret not yet rotated
    tickets_issued: int = 0
    started_tab: str | None = None  # the tab of the last start_bankid
    calls: list[tuple[str, tuple, dict]] = field(default_factory=list)
    fail_next: SignupError | None = None
    email_taken_meanwhile: bool = False  # the last code finds the email taken by another account
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    # --- helpers ---
    def _log(self, name: str, *args: Any, **kwargs: Any) -> None:
        self.calls.append((name, args, kwargs))

    def _check(self, secret: str, *steps: Step) -> None:
        if secret != SECRET:
            raise SignupError("signup.expired")
        if self.unrotated:
            raise SignupError("signup.wrong_step")
        if self.fail_next is not None:
            exc, self.fail_next = self.fail_next, None
            raise exc
        if steps and self.step not in steps:
            raise SignupError("signup.wrong_step")

    def _view(self) -> SignupView:
        if self.unrotated:
            return SignupView(step=self.step, language=self.language, personnummer="",
                              personnummer_masked="", given_name="", email="", phone_national="",
                              code_expires_at=None, resend_available_at=None, user_id=None,
                              continue_required=True)
        coded = self.step in (Step.EMAIL_CODE, Step.PHONE_CODE)
        return SignupView(
            step=self.step,
            language=self.language,
            personnummer=self.pnr if self.step == Step.PERSONNUMMER else "",
            personnummer_masked=(self.pnr[:8] + "-****") if self.pnr else "",
            given_name="Anna" if self.step not in (Step.PERSONNUMMER, Step.BANKID) else "",
            email=self.email,
            phone_national=self.phone,
            code_expires_at=self.now + timedelta(minutes=30) if coded else None,
            resend_available_at=self.now + timedelta(seconds=60) if coded else None,
            user_id=7 if self.step == Step.DONE else None,
            welcome_back=self.welcome_back,
        )

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]

    # --- the contract ---
    def view(self, secret: str) -> SignupView | None:
        self._log("view", secret)
        return self._view() if secret == SECRET else None

    def continue_ticket(self, secret: str, *, tab: str) -> str:
        self._log("continue_ticket", secret, tab=tab)
        if secret != SECRET:
            raise SignupError("signup.expired")
        if not self.unrotated:
            raise SignupError("signup.wrong_step")
        self.tickets_issued += 1
        return f"cont-{self.tickets_issued}"

    def set_language(self, secret: str, language: str) -> SignupView:
        self._log("set_language", secret, language)
        self._check(secret)
        self.language = language
        return self._view()

    def submit_personnummer(self, secret: str, raw: str) -> SignupView:
        self._log("submit_personnummer", secret, raw)
        self._check(secret, Step.PERSONNUMMER)
        digits = "".join(ch for ch in raw if ch.isdigit())
        if not digits:
            raise SignupError("pnr.required")
        if len(digits) != 12:
            self.pnr = ""
            raise SignupError("pnr.invalid")
        self.pnr = digits
        self.step = Step.BANKID
        return self._view()

    async def start_bankid(self, secret: str, *, tab: str, end_user_ip: str, same_device: bool,
                           user_agent: str, return_url: str) -> BankIdStart:
        self._log("start_bankid", secret, tab=tab, end_user_ip=end_user_ip,
                  same_device=same_device, user_agent=user_agent, return_url=return_url)
        self._check(secret, Step.BANKID)
        self.started_tab = tab
        return self._started(same_device)

    def _started(self, same_device: bool) -> BankIdStart:
        qr = None if same_device else QrSource(1, "qr-start-token", QR_SECRET, self.now)
        link = (f"https://app.bankid.com/?autostarttoken={AUTOSTART}&redirect=null"
                if same_device else None)
        return BankIdStart(1, "Starta BankID-appen.", qr, link)

    def current_bankid(self, secret: str, *, tab: str) -> BankIdStart | None:
        self._log("current_bankid", secret, tab=tab)
        self._check(secret)
        if self.step != Step.BANKID or tab != self.started_tab:
            return None
        return self._started(False)

    async def poll_bankid(self, secret: str, order_id: int, *, tab: str) -> BankIdProgress:
        self._log("poll_bankid", secret, order_id, tab=tab)
        self._check(secret, Step.BANKID)
        return BankIdProgress(Pending(order_id, "Starta BankID-appen.", "outstandingTransaction",
                                      True), self._view())

    async def cancel_bankid(self, secret: str) -> SignupView:
        self._log("cancel_bankid", secret)
        self._check(secret, Step.BANKID)
        self.step = Step.PERSONNUMMER
        return self._view()

    # Steps 3-6 (interfaces.ContactSteps). Calls are logged under the per-step names the
    # tests read ("submit_email", "verify_phone_code", ...).
    async def submit_contact(self, kind: ContactKind, secret: str, raw: str, *,
                             client_ip: str) -> SignupView:
        self._log(f"submit_{kind}", secret, raw, client_ip=client_ip)
        if kind == "email":
            self._check(secret, Step.EMAIL)
            if "@" not in raw:
                raise SignupError("email.invalid")
            self.email = raw.strip().lower()
            self.step = Step.EMAIL_CODE
        else:
            self._check(secret, Step.PHONE)
            self.phone = "070-174 06 05"
            self.step = Step.PHONE_CODE
        return self._view()

    async def resend_code(self, kind: ContactKind, secret: str, *,
                          client_ip: str) -> SignupView:
        self._log(f"resend_{kind}_code", secret, client_ip=client_ip)
        self._check(secret, Step.EMAIL_CODE if kind == "email" else Step.PHONE_CODE)
        return self._view()

    def verify_code(self, kind: ContactKind, secret: str, code: str) -> SignupView:
        self._log(f"verify_{kind}_code", secret, code)
        if kind == "email":
            self._check(secret, Step.EMAIL_CODE)
            if code.strip() != EMAIL_CODE:
                raise SignupError("code.wrong", {"attempts_left": 4})
            self.step = Step.PHONE
            return self._view()
        self._check(secret, Step.PHONE_CODE)
        if code.strip() != SMS_CODE:
            raise SignupError("code.wrong", {"attempts_left": 4})
        if self.email_taken_meanwhile:  # the account-conflict answer (contact_steps)
            self.step = Step.EMAIL
            return replace(self._view(), error_key="email.taken")
        self.step = Step.DONE
        return self._view()

    def change_contact(self, kind: ContactKind, secret: str) -> SignupView:
        self._log(f"change_{kind}", secret)
        if kind == "email":
            self._check(secret, Step.EMAIL_CODE)
            self.step = Step.EMAIL
        else:
            self._check(secret, Step.PHONE_CODE)
            self.step = Step.PHONE
        return self._view()

    def issue_login_ticket(self, secret: str) -> str:
        self._log("issue_login_ticket", secret)
        self._check(secret, Step.DONE)
        return "ticket-abc"


def fake_services(signup: FakeSignupService) -> SimpleNamespace:
    settings = SimpleNamespace(base_url="http://localhost:8100")
    return SimpleNamespace(signup=signup, settings=settings, engine=object())


def state_tree(state_cls: type[rx.State], *, cookie: str | None = None,
               user_agent: str = DESKTOP_UA, path: str = "/signup") -> Any:
    """The root state with `state_cls` inside it, as Reflex builds it for one tab."""
    root = rx.State()
    substate = root.get_substate(state_cls.get_full_name().split(".")[1:])
    set_connection(root, cookie=cookie, user_agent=user_agent, path=path)
    return substate


async def started(state: Any, handler_call: Any) -> Any:
    """Await a handler; when it asked for a BankID start (it returned the state's
    `bankid_start` background event), run that event as Reflex would next, and return its
    answer (the loop's event, or None). Otherwise the handler's own answer."""
    answer = await handler_call
    start = type(state).bankid_start
    events = answer if isinstance(answer, list) else [answer]
    if any(getattr(e, "fn", None) is start.fn for e in events):
        return await start.fn(state)
    return answer


def set_connection(root_or_sub: Any, *, cookie: str | None, user_agent: str = DESKTOP_UA,
                   path: str = "/signup") -> None:
    """What Reflex fills in server-side from the websocket connection (headers, client IP)."""
    root = root_or_sub
    while getattr(root, "parent_state", None) is not None:
        root = root.parent_state
    headers = {"user-agent": user_agent, "host": "localhost:8100"}
    if cookie is not None:
        headers["cookie"] = cookie
    root.router = RouterData.from_router_data(
        {"headers": headers, "pathname": path, "ip": "192.0.2.10", "token": "tab-token"}
    )


def with_step(service: FakeSignupService, step: Step, **changes: Any) -> FakeSignupService:
    return replace(service, step=step, **changes)


__all__ = ["ServiceUnavailable", "SignupError"]
