"""All database tables (SQLModel). Times are timezone-aware UTC datetimes.

Table names (SQLModel default: the class name in lower case):
signup, verificationcode, codefailurecounter, user, mailbox, letter, loginticket, websession,
outboxmessage.

Uniqueness that matters for correctness is enforced by the database, not by checks:
signup.secret_hash, user.personnummer, user.email, mailbox.user_id, loginticket.token_hash,
websession.token_hash and (identity_hash, channel, destination) on codefailurecounter.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Column, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(*, nullable: bool = True, index: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes even for timezone=True columns: treat them as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class Signup(SQLModel, table=True):
    """One signup attempt, keyed by the SHA-256 of the secret held in an HttpOnly cookie."""

    id: int | None = Field(default=None, primary_key=True)
    secret_hash: str = Field(max_length=64, unique=True, index=True)
    step: str = Field(default="personnummer", max_length=20)
    language: str = Field(default="sv", max_length=2)
    personnummer_typed: str | None = Field(default=None, max_length=12)  # normalised, 12 digits

    # BankID order (never shown to the browser except the derived QR payload / launch URL)
    bankid_order_ref: str | None = Field(default=None, max_length=64)
    bankid_qr_start_token: str | None = Field(default=None, max_length=64)
    bankid_qr_start_secret: str | None = Field(default=None, max_length=64)
    bankid_auto_start_token: str | None = Field(default=None, max_length=64)
    bankid_order_started_at: datetime | None = Field(default=None, sa_column=_ts())
    bankid_first_order_at: datetime | None = Field(default=None, sa_column=_ts())
    bankid_same_device: bool = False
    bankid_end_user_ip: str | None = Field(default=None, max_length=64)
    bankid_user_agent: str | None = Field(default=None, max_length=512)
    bankid_return_url: str | None = Field(default=None, max_length=512)
    bankid_last_collect_at: datetime | None = Field(default=None, sa_column=_ts())
    bankid_last_status: str | None = Field(default=None, max_length=20)
    bankid_last_hint: str | None = Field(default=None, max_length=40)

    # Identity verified by BankID (completionData.user), never the typed number
    verified_personnummer: str | None = Field(default=None, max_length=12)
    verified_given_name: str | None = Field(default=None, max_length=200)
    verified_surname: str | None = Field(default=None, max_length=200)
    verified_name: str | None = Field(default=None, max_length=400)
    bankid_verified_at: datetime | None = Field(default=None, sa_column=_ts())

    email: str | None = Field(default=None, max_length=254)
    email_verified_at: datetime | None = Field(default=None, sa_column=_ts())
    phone_e164: str | None = Field(default=None, max_length=16)
    phone_verified_at: datetime | None = Field(default=None, sa_column=_ts())

    # A short claim while a code is being sent, so a double click sends one message
    sending_until: datetime | None = Field(default=None, sa_column=_ts())

    # A cap on BankID order starts (crafted start loops): starts in the window that began at
    # bankid_start_window_at
    bankid_start_count: int = 0
    bankid_start_window_at: datetime | None = Field(default=None, sa_column=_ts())

    # Rotation after BankID: BankID completion issues a one-time continue ticket (only
    # its SHA-256 is kept); GET /api/signup/continue exchanges it, with the pre-BankID secret,
    # for a new secret. Until secret_rotated_at is set, the pre-BankID secret can do nothing
    # but ask for a continue ticket.
    continue_ticket_hash: str | None = Field(default=None, max_length=64)
    continue_ticket_expires_at: datetime | None = Field(default=None, sa_column=_ts())
    secret_rotated_at: datetime | None = Field(default=None, sa_column=_ts())
    closed_at: datetime | None = Field(default=None, sa_column=_ts())  # login ticket issued

    user_id: int | None = Field(default=None, foreign_key="user.id")
    welcome_back: bool = False  # BankID showed the person already had an account
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    expires_at: datetime = Field(sa_column=_ts(nullable=False, index=True))


class VerificationCode(SQLModel, table=True):
    """One issued code. Only HMAC-SHA256(key, code|id|channel|destination) is stored."""

    __table_args__ = (
        Index("ix_verificationcode_signup_channel", "signup_id", "channel"),
        Index("ix_verificationcode_destination_sent", "channel", "destination", "sent_at"),
        Index("ix_verificationcode_ip_sent", "client_ip", "sent_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    signup_id: int = Field(foreign_key="signup.id")
    channel: str = Field(max_length=10)  # "email" | "sms"
    destination: str = Field(max_length=254)  # normalised email or E.164
    code_hash: str = Field(default="", max_length=64)
    client_ip: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=_ts())  # null: never delivered
    expires_at: datetime = Field(sa_column=_ts(nullable=False))
    attempts: int = 0
    used_at: datetime | None = Field(default=None, sa_column=_ts())
    invalidated_at: datetime | None = Field(default=None, sa_column=_ts())


class CodeFailureCounter(SQLModel, table=True):
    """Consecutive wrong codes per identity + channel + destination, across resends."""

    __table_args__ = (
        UniqueConstraint("identity_hash", "channel", "destination", name="uq_codefailure_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    identity_hash: str = Field(max_length=64)  # HMAC of the BankID-verified personnummer
    channel: str = Field(max_length=10)
    destination: str = Field(max_length=254)
    failures: int = 0
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    personnummer: str = Field(max_length=12, unique=True, index=True)
    given_name: str = Field(default="", max_length=200)
    surname: str = Field(default="", max_length=200)
    email: str = Field(max_length=254, unique=True, index=True)
    phone: str = Field(max_length=16)  # E.164; not unique (a shared family phone is legitimate)
    language: str = Field(default="sv", max_length=2)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class Mailbox(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class Letter(SQLModel, table=True):
    __table_args__ = (Index("ix_letter_mailbox_received", "mailbox_id", "received_at"),)

    id: int | None = Field(default=None, primary_key=True)
    mailbox_id: int = Field(foreign_key="mailbox.id")
    sender: str = Field(max_length=200)
    subject: str = Field(max_length=300)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    kind: str = Field(default="letter", max_length=10)  # "letter" | "invoice"
    received_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    read_at: datetime | None = Field(default=None, sa_column=_ts())
    amount_ore: int | None = None  # invoices: amount in öre (1/100 SEK)
    currency: str | None = Field(default=None, max_length=3)
    due_date: date | None = None


class LoginTicket(SQLModel, table=True):
    """A one-time, short-lived ticket the browser exchanges for a session cookie."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id")
    # The signup that issued it: the claim must present that signup's cookie (login CSRF).
    # Nullable only for rows older than the column; such tickets are refused.
    signup_id: int | None = Field(default=None, foreign_key="signup.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    expires_at: datetime = Field(sa_column=_ts(nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=_ts())


class WebSession(SQLModel, table=True):
    """A logged-in mailbox session (cookie "kivra_session"); `used_at` = last seen."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    expires_at: datetime = Field(sa_column=_ts(nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=_ts())
    ended_at: datetime | None = Field(default=None, sa_column=_ts())


class OutboxMessage(SQLModel, table=True):
    """Dev outbox: every mail the embedded SMTP server received and every outbox SMS."""

    __table_args__ = (Index("ix_outboxmessage_recipient_created", "recipient", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=10)  # "email" | "sms"
    recipient: str = Field(max_length=254)
    sender: str | None = Field(default=None, max_length=254)
    subject: str | None = Field(default=None, max_length=300)
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False, index=True))


# --- The simulated bank (mailbox feature: paying invoices in development and tests) -----------
from kivra_app.payments.sim_models import SimBankAccount, SimBankPayment  # noqa: E402, F401
