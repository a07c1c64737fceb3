"""SignupService: the server-side step machine of docs/signup-service.md.

This module is the facade the UI and the routes call; the work is done in
views.py (what the screen may show), core.py (loading a signup, step checks), lifecycle.py
(begin, language, secret rotation), bankid_step.py (steps 1-2), contact_steps.py (steps 3-6,
email and phone through one channel-generic implementation) and account.py (the account and
the login ticket).

Every public method loads the signup by the SHA-256 of its secret, refuses an unknown or
expired signup (`signup.expired`) and checks the stored step first (`signup.wrong_step`, logged
as `sequence_fail`); nothing the browser sends can skip a step, mark anything verified or create
an account. Nothing returned ever contains an orderRef, a qrStartSecret, a code or a hash.

Decisions (see also the module docs of validation.py and codes.py):
- Signups expire after KIVRA_SIGNUP_IDLE_TIMEOUT (default 1 h) without activity.
- BankID runs on the one flow (kivra_app/bankid_flow, docs/bankid-flow.md): no
  `requirement.personalNumber` is sent (#12 finding 4); the identity in `completionData.user`
  must equal the typed number, else `bankid.mismatch` and nothing is stored. The order is
  consumed and the step moved in one transaction. Collect claims, renewal on `startFailed` for
  3 minutes (QR only) and the RFA texts are the flow's. Only the tab that started the order sees
  its result and gets the continue ticket (#12 finding 1).
- Existing account: after BankID, a person who already has a User gets `existing_user_id` and
  the signup ends at DONE with `welcome_back`; nothing before BankID depends on it (R-18).
- Secret rotation (R-24): the poll that observes BankID completion (one, atomically) gets a
  one-time continue ticket (KIVRA_CONTINUE_TICKET_TTL, 120 s) in `BankIdProgress.continue_ticket`; the browser takes it to
  GET /api/signup/continue, which calls `rotate_secret` with the cookie's (pre-BankID) secret and
  sets the new one. Until then the pre-BankID secret only sees a `continue_required` view, a
  late `poll_bankid`, and can ask `continue_ticket` for a fresh ticket (a reload); every other
  method refuses it (`signup.wrong_step`). After rotation the old secret is dead.
- One login ticket per signup: `issue_login_ticket` closes the signup (`closed_at`); a closed
  signup's secret resolves to nothing (`view` None, `signup.expired`), and the ticket can only be
  claimed with that signup's cookie (auth.sessions.claim_ticket).
- BankID starts are capped: at most BANKID_MAX_STARTS orders per BANKID_START_WINDOW per
  signup (`bankid.start_limit`), counted atomically; silent renewals of an unopened QR order do
  not count (they need a `startFailed` from BankID and stop 3 minutes after the start).
- Email already used by another account (R-17, R-51): submit_email behaves exactly the same
  (same answer, a code row, a mail sent), but the mail sent is a notice "this address is already
  used by a Kivra account" instead of a code, so the flow cannot continue with that address and
  nothing is revealed on screen. If the address is taken between the code and account creation,
  the signup goes back to EMAIL with the address kept and `error_key` "email.taken".
- Phone numbers are not unique (a shared family phone is legitimate).
- Mail/SMS/BankID failures or timeouts raise ServiceUnavailable; the step does not advance and
  the unsent code row is invalidated (a resend of an earlier live code keeps it live).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine

from kivra_app.models import utcnow
from kivra_app.signup import account, bankid_step, contact_steps, lifecycle, personnummer_step
from kivra_app.signup.bankid_step import BANKID_MAX_STARTS as BANKID_MAX_STARTS
from kivra_app.signup.contact_steps import channel
from kivra_app.signup.core import SignupCore
from kivra_app.signup.errors import ServiceUnavailable, SignupError
from kivra_app.signup.interfaces import ContactKind
from kivra_app.signup.steps import Step
from kivra_app.signup.views import BankIdProgress, BankIdStart, SignupView

__all__ = [
    "BankIdProgress",
    "BankIdStart",
    "ServiceUnavailable",
    "SignupError",
    "SignupService",
    "SignupView",
    "Step",
]


def _shared(name: str) -> property:
    """An attribute of the shared SignupCore, read and written through the service."""
    return property(lambda self: getattr(self._core, name),
                    lambda self, value: setattr(self._core, name, value))


class SignupService:  # implements interfaces.SignupApi
    engine = _shared("engine")
    settings = _shared("settings")
    bankid = _shared("bankid")
    mailer = _shared("mailer")
    sms = _shared("sms")
    clock = _shared("clock")
    codes = _shared("codes")

    def __init__(
        self,
        *,
        engine: Engine,
        settings,  # noqa: ANN001
        bankid,  # noqa: ANN001 - BankIdClient or a fake with auth/collect/cancel
        mailer,  # noqa: ANN001 - messaging.mail.Mailer
        sms,  # noqa: ANN001 - messaging.sms.SmsSender
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._core = SignupCore(engine=engine, settings=settings, bankid=bankid, mailer=mailer,
                                sms=sms, clock=clock)

    # ================================================================== sessions

    def begin(self, language: str) -> str:
        return lifecycle.begin(self._core, language)

    def view(self, secret: str) -> SignupView | None:
        return lifecycle.view(self._core, secret)

    def continue_ticket(self, secret: str, *, tab: str) -> str:
        return lifecycle.continue_ticket(self._core, secret, tab=tab)

    def rotate_secret(self, secret: str, ticket: str) -> str | None:
        return lifecycle.rotate_secret(self._core, secret, ticket)

    def set_language(self, secret: str, language: str) -> SignupView:
        return lifecycle.set_language(self._core, secret, language)

    # ================================================================== steps 1-2

    def submit_personnummer(self, secret: str, raw: str) -> SignupView:
        return personnummer_step.submit_personnummer(self._core, secret, raw)

    async def start_bankid(self, secret: str, *, tab: str, end_user_ip: str, same_device: bool,
                           user_agent: str, return_url: str) -> BankIdStart:
        """A new BankID order for this signup, bound to browser tab `tab`."""
        return await bankid_step.start_bankid(
            self._core, secret, tab=tab, end_user_ip=end_user_ip, same_device=same_device,
            user_agent=user_agent, return_url=return_url,
        )

    def current_bankid(self, secret: str, *, tab: str) -> BankIdStart | None:
        """This tab's pending order (after a reload), with its QR values read once."""
        return bankid_step.current_bankid(self._core, secret, tab=tab)

    async def poll_bankid(self, secret: str, order_id: int, *, tab: str) -> BankIdProgress:
        return await bankid_step.poll_bankid(self._core, secret, order_id, tab=tab)

    async def cancel_bankid(self, secret: str) -> SignupView:
        return await bankid_step.cancel_bankid(self._core, secret)

    # ================================================================== steps 3-6

    async def submit_contact(self, kind: ContactKind, secret: str, raw: str, *,
                             client_ip: str) -> SignupView:
        """The email (step 3) or mobile number (step 5): a code is sent -> its code step."""
        return await contact_steps.submit(self._core, channel(kind), secret, raw,
                                          client_ip=client_ip)

    async def resend_code(self, kind: ContactKind, secret: str, *,
                          client_ip: str) -> SignupView:
        return await contact_steps.resend(self._core, channel(kind), secret, client_ip=client_ip)

    def verify_code(self, kind: ContactKind, secret: str, code: str) -> SignupView:
        """Email code -> PHONE; SMS code -> creates User + Mailbox + welcome Letter in ONE
        transaction -> DONE (or the account-conflict answer)."""
        return contact_steps.verify(self._core, channel(kind), secret, code)

    def change_contact(self, kind: ContactKind, secret: str) -> SignupView:
        return contact_steps.change(self._core, channel(kind), secret)

    # ================================================================== after DONE

    def issue_login_ticket(self, secret: str) -> str:
        """The one login ticket of this signup (60 s, bound to it); issuing it closes the
        signup, so the secret cannot mint more tickets or extend anything."""
        return account.issue_login_ticket(self._core, secret)
