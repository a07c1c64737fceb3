"""What the screen may show of a signup: SignupView, BankIdStart, BankIdProgress, and building a
SignupView from a `signup` row. Nothing here ever holds an orderRef, a qrStartSecret, a code or a
hash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel import Session

from kivra_app.bankid_flow.results import CollectResult, Complete, Failed, Started
from kivra_app.models import Signup, as_utc
from kivra_app.signup.codes import CHANNEL_EMAIL, CHANNEL_SMS, CodeStore, identity_hash
from kivra_app.signup.steps import Step
from kivra_app.signup.validation import mask_personnummer, phone_national

LANGUAGES = ("sv", "en")


@dataclass(frozen=True)
class SignupView:
    step: Step
    language: str
    personnummer: str
    personnummer_masked: str
    given_name: str
    email: str
    phone_national: str
    code_expires_at: datetime | None
    resend_available_at: datetime | None
    user_id: int | None
    welcome_back: bool = False  # addition: DONE because BankID showed an existing account
    # addition: BankID is done but this (pre-BankID) secret was not rotated yet: the browser
    # must exchange a continue ticket (GET /api/signup/continue). Nothing personal is shown.
    continue_required: bool = False
    # A refusal that is also an answer (the step it leaves the signup at): the i18n key of the
    # inline error to show on that step, e.g. "email.taken" when the account could not be
    # created because the address was taken meanwhile.
    error_key: str | None = None


BankIdStart = Started  # what start_bankid answers (the flow's Started)


@dataclass(frozen=True)
class BankIdProgress:
    """One collect of the signup's order: the flow's typed result and the signup's view."""

    result: CollectResult
    view: SignupView
    existing_user_id: int | None = None
    # Set once, for the poll that observed the completion: the one-time ticket for
    # GET /api/signup/continue?ticket=… (secret rotation). Never logged, never stored plain.
    continue_ticket: str | None = None

    @property
    def state(self) -> Literal["pending", "failed", "complete"]:
        if isinstance(self.result, Complete):
            return "complete"
        return "failed" if isinstance(self.result, Failed) else "pending"

    @property
    def message(self) -> str:
        return self.result.message

    @property
    def show_qr(self) -> bool:
        return self.result.show_qr


def signup_language(language: object) -> str:
    """The signup's language, "sv" unless it is one we have."""
    return language if language in LANGUAGES else "sv"  # type: ignore[return-value]


def rotation_due(signup: Signup) -> bool:
    """BankID done, the pre-BankID secret not yet replaced."""
    return signup.bankid_verified_at is not None and signup.secret_rotated_at is None


def build_view(session: Session, signup: Signup, codes: CodeStore) -> SignupView:
    step = Step(signup.step)
    if rotation_due(signup):
        # The pre-BankID secret learns nothing from BankID (name, number): only "continue".
        return SignupView(
            step=step, language=signup_language(signup.language), personnummer="",
            personnummer_masked="", given_name="", email="", phone_national="",
            code_expires_at=None, resend_available_at=None, user_id=None,
            continue_required=True,
        )
    code_expires_at = resend_at = None
    channel_dest = {
        Step.EMAIL_CODE: (CHANNEL_EMAIL, signup.email),
        Step.PHONE_CODE: (CHANNEL_SMS, signup.phone_e164),
    }.get(step)
    if channel_dest is not None:
        channel, destination = channel_dest
        live = codes.live_code(session, signup.id, channel)  # type: ignore[arg-type]
        if (
            live is not None
            and live.destination == destination
            and live.used_at is None
            and live.invalidated_at is None
        ):
            code_expires_at = as_utc(live.expires_at)
        identity = (identity_hash(codes.key, signup.verified_personnummer)
                    if signup.verified_personnummer else None)
        resend_at = codes.resend_available_at(
            session, signup.id, channel, destination, identity  # type: ignore[arg-type]
        )
    return SignupView(
        step=step,
        language=signup_language(signup.language),
        personnummer=(signup.personnummer_typed or "") if step == Step.PERSONNUMMER else "",
        personnummer_masked=mask_personnummer(
            signup.verified_personnummer or signup.personnummer_typed
        ),
        given_name=signup.verified_given_name or "",
        email=signup.email or "",
        phone_national=phone_national(signup.phone_e164),
        code_expires_at=code_expires_at,
        resend_available_at=resend_at,
        user_id=signup.user_id if step == Step.DONE else None,
        welcome_back=signup.welcome_back,
    )
