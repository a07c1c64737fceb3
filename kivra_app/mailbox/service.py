"""The welcome letter of a new account and the person's name and contact details for the
mailbox pages. (Reading the mailbox itself: kivra_app/mailbox/inbox.py.) Letter bodies are
plain text: render them escaped (R-35, R-44)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from kivra_app.models import Letter, User
from kivra_app.signup.validation import phone_national

WELCOME_SENDER = "Kivra"
WELCOME_SUBJECT = {"sv": "Välkommen till Kivra", "en": "Welcome to Kivra"}
WELCOME_BODY = {
    "sv": (
        "Hej {name}!\n\n"
        "Välkommen till Kivra. Din digitala brevlåda är nu klar.\n\n"
        "Här får du brev, fakturor och andra dokument från företag och myndigheter som är "
        "anslutna till Kivra. Vi meddelar dig på din verifierade mailadress när du får ny post, "
        "men det är bra att själv logga in då och då.\n\n"
        "Du loggar alltid in med BankID.\n\n"
        "Hälsningar,\nKivra"
    ),
    "en": (
        "Hi {name}!\n\n"
        "Welcome to Kivra. Your digital mailbox is ready.\n\n"
        "Here you receive letters, invoices and other documents from companies and authorities "
        "connected to Kivra. We notify you at your verified email address when new mail "
        "arrives, but it is a good idea to log in now and then.\n\n"
        "You always log in with BankID.\n\n"
        "Regards,\nKivra"
    ),
}


@dataclass(frozen=True)
class UserDisplay:
    given_name: str
    email: str
    phone_national: str


def welcome_letter(mailbox_id: int, language: str, given_name: str, *, now: datetime) -> Letter:
    lang = "en" if language == "en" else "sv"
    name = given_name.strip() or ("där" if lang == "sv" else "there")
    return Letter(
        mailbox_id=mailbox_id,
        sender=WELCOME_SENDER,
        subject=WELCOME_SUBJECT[lang],
        body=WELCOME_BODY[lang].format(name=name),
        kind="letter",
        received_at=now,
    )


def user_display(engine: Engine, user_id: int) -> UserDisplay | None:
    with Session(engine) as session:
        user = session.get(User, user_id)
        if user is None:
            return None
        return UserDisplay(
            given_name=user.given_name, email=user.email, phone_national=phone_national(user.phone)
        )
