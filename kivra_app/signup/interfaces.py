"""What the UI may call on the signup domain, as `typing.Protocol`s: the state types its
service with `SignupApi`, `SignupService` implements it, and the UI tests' fake is checked
against the same protocols (tests/unit_ui/test_service_protocol.py), so a renamed or reshaped
method fails a test instead of a user's click.

The email and the phone steps are one set of calls with the channel as a parameter
(`ContactKind`), the same one implementation in contact_steps.py serves both.
"""

from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable

from kivra_app.signup.views import BankIdProgress, BankIdStart, SignupView

ContactKind = Literal["email", "phone"]
CONTACT_KINDS: tuple[ContactKind, ...] = ("email", "phone")


@runtime_checkable
class SignupSessions(Protocol):
    """What a tab asks about its signup (the secret comes from its cookie)."""

    def view(self, secret: str) -> SignupView | None: ...
    def continue_ticket(self, secret: str, *, tab: str) -> str: ...
    def set_language(self, secret: str, language: str) -> SignupView: ...
    def issue_login_ticket(self, secret: str) -> str: ...


@runtime_checkable
class SignupCookieRoutes(Protocol):
    """What the plain-HTTP routes that set the cookie call (web/session_routes.py)."""

    def begin(self, language: str) -> str: ...
    def rotate_secret(self, secret: str, ticket: str) -> str | None: ...


@runtime_checkable
class BankIdSteps(Protocol):
    """Steps 1-2, on the one BankID flow (docs/bankid-flow.md); `tab` is the Reflex tab token
    the order is bound to."""

    def submit_personnummer(self, secret: str, raw: str) -> SignupView: ...
    async def start_bankid(self, secret: str, *, tab: str, end_user_ip: str, same_device: bool,
                           user_agent: str, return_url: str) -> BankIdStart: ...
    def current_bankid(self, secret: str, *, tab: str) -> BankIdStart | None: ...
    async def poll_bankid(self, secret: str, order_id: int, *, tab: str) -> BankIdProgress: ...
    async def cancel_bankid(self, secret: str) -> SignupView: ...


@runtime_checkable
class ContactSteps(Protocol):
    """Steps 3-6: an address, then its one-time code; `kind` is "email" or "phone"."""

    async def submit_contact(self, kind: ContactKind, secret: str, raw: str, *,
                             client_ip: str) -> SignupView: ...
    async def resend_code(self, kind: ContactKind, secret: str, *,
                          client_ip: str) -> SignupView: ...
    def verify_code(self, kind: ContactKind, secret: str, code: str) -> SignupView: ...
    def change_contact(self, kind: ContactKind, secret: str) -> SignupView: ...


@runtime_checkable
class SignupApi(SignupSessions, BankIdSteps, ContactSteps, Protocol):
    """Everything the signup state calls (SignupService also implements SignupCookieRoutes)."""
