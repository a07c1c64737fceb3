"""All database tables (SQLModel). Times are timezone-aware UTC datetimes.

Table names (SQLModel default: the class name in lower case):
signup, verificationcode, codefailurecounter, user, mailbox, letter, loginticket, websession,
outboxmessage; senders and the mailbox's contents (section at the end): sender,
sendercredential, senderaccesstoken, blob, letterpart, invoice, payment, senderpreference,
notificationpreference, senderevent, notificationoutbox, idempotencyrecord, auditlog,
ratelimitstate; the BankID flow's orders: bankid_order.

Uniqueness that matters for correctness is enforced by the database, not by checks:
signup.secret_hash, user.personnummer, user.email, mailbox.user_id, loginticket.token_hash,
websession.token_hash and (identity_hash, channel, destination) on codefailurecounter.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import Column, DateTime, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_uuid() -> str:
    return str(uuid.uuid4())


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

    # The BankID order itself lives in `bankid_order` (owner "signup:<id>"), see below.

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
    # SHA-256 of the tab that started the completed BankID order: only it may ask for a fresh
    # continue ticket (another holder of the same cookie cannot, #12 finding 1)
    continue_tab_hash: str | None = Field(default=None, max_length=64)
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
        Index("ix_verificationcode_destination_identity_sent", "channel", "destination",
              "identity_hash", "sent_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    signup_id: int = Field(foreign_key="signup.id")
    channel: str = Field(max_length=10)  # "email" | "sms"
    destination: str = Field(max_length=254)  # normalised email or E.164
    # HMAC of the BankID-verified personnummer that asked for the code: the send cooldown and
    # cap count per (destination, identity) (issue #12 finding 6). Null for rows from before.
    identity_hash: str | None = Field(default=None, max_length=64)
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
    # "active": senders can match and deliver; "closed": the account is being closed/was closed
    status: str = Field(default="active", max_length=10,
                        sa_column_kwargs={"server_default": "active"})
    closed_at: datetime | None = Field(default=None, sa_column=_ts())


class Letter(SQLModel, table=True):
    """One delivered letter or invoice in a mailbox (a sender's delivery or Kivra's welcome
    letter). `id` is internal (the mailbox page's handlers); `public_id` (random UUID) is the
    only id a sender or a URL ever sees. `sender` is the sender's display name at delivery.
    Invoice data lives in `invoice`, the files in `letterpart` (+ `blob`)."""

    __table_args__ = (
        Index("ix_letter_mailbox_received", "mailbox_id", "received_at"),
        # Keyset pages of the inbox: (mailbox, not trashed, newest first, id as tie-breaker)
        Index("ix_letter_mailbox_trashed_received", "mailbox_id", "trashed_at", "received_at", "id"),
        UniqueConstraint("sender_id", "external_id", name="uq_letter_sender_external"),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_uuid, max_length=36, unique=True, index=True)
    mailbox_id: int = Field(foreign_key="mailbox.id")
    sender: str = Field(max_length=200)  # display name at delivery
    sender_id: str | None = Field(default=None, foreign_key="sender.id", max_length=36)
    external_id: str | None = Field(default=None, max_length=200)  # the sender's own id
    subject: str = Field(max_length=300)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # plain text
    kind: str = Field(default="letter", max_length=10)  # "letter" | "invoice"
    sensitivity: str = Field(default="normal", max_length=10)  # "normal" | "sensitive"
    received_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    read_at: datetime | None = Field(default=None, sa_column=_ts())  # None = "Oläst"
    trashed_at: datetime | None = Field(default=None, sa_column=_ts())  # "Papperskorg"
    payload_sha256: str | None = Field(default=None, max_length=64)  # the sender's request body


class LoginTicket(SQLModel, table=True):
    """A one-time, short-lived ticket the browser exchanges for a session cookie."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id")
    # The signup that issued it: the claim must present that signup's cookie (login CSRF).
    # Nullable only for rows older than the column; such tickets are refused.
    signup_id: int | None = Field(default=None, foreign_key="signup.id")
    # Or the login attempt that issued it (SHA-256 of the `kivra_login` cookie): a login claim
    # must present that cookie.
    login_hash: str | None = Field(default=None, max_length=64)
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
    expired: bool = False  # ended by the idle timeout or the absolute lifetime, not a logout
    # Mailbox: the last fresh BankID identification in this session (sensitive letters)
    stepped_up_at: datetime | None = Field(default=None, sa_column=_ts())


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


# ---------------------------------------------------------------------------------------------
# Senders, the mailbox's contents and what flows between them (issues #8 and #9).
#
# A sender (company/authority) holds client credentials and delivers `letter` rows (+ parts,
# + `invoice`) by personnummer over /api/sender/v1. Each delivery, in ONE transaction, writes
# the letter, its parts, the invoice, a `senderevent` ("delivered"), the `notificationoutbox`
# rows and the `idempotencyrecord` answer. The person's side (read state, trash, invoice status,
# payments, per-sender opt-out, notification preferences) lives on the same rows.
# Nothing here stores a personnummer except `user.personnummer`; audit rows carry ids only.
# ---------------------------------------------------------------------------------------------

SENDER_ACTIVE = "active"
SENDER_SUSPENDED = "suspended"

INVOICE_UNPAID = "unpaid"
INVOICE_SCHEDULED = "scheduled"
INVOICE_PAID = "paid"
INVOICE_HANDLED = "handled"

# senderevent.type: the sender's pull feed. Never "viewed"/"opened": reading is the person's.
EVENT_DELIVERED = "delivered"
EVENT_PAYMENT_SCHEDULED = "payment_scheduled"
EVENT_PAID = "paid"
EVENT_HANDLED = "handled"
EVENT_RECIPIENT_OPTED_OUT = "recipient_opted_out"
EVENT_NOTIFICATION_FAILED = "notification_failed"
EVENT_TYPES = (EVENT_DELIVERED, EVENT_PAYMENT_SCHEDULED, EVENT_PAID, EVENT_HANDLED,
               EVENT_RECIPIENT_OPTED_OUT, EVENT_NOTIFICATION_FAILED)


class Sender(SQLModel, table=True):
    """A company or authority allowed to deliver. `id` is the `sender_id` the admin CLI prints."""

    id: str = Field(default_factory=new_uuid, primary_key=True, max_length=36)
    name: str = Field(max_length=200)  # display name, shown in the inbox and in notifications
    orgnr: str = Field(max_length=10, unique=True, index=True)  # 10 digits, validated
    status: str = Field(default=SENDER_ACTIVE, max_length=10)  # "active" | "suspended"
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    suspended_at: datetime | None = Field(default=None, sa_column=_ts())


class SenderCredential(SQLModel, table=True):
    """OAuth client credentials. The secret (256 random bits) is shown once; only its SHA-256
    is kept (a high-entropy secret needs no slow hash). Rotation adds a row and revokes (or
    lets expire) the old one, so two can be live during a hand-over."""

    id: int | None = Field(default=None, primary_key=True)
    sender_id: str = Field(foreign_key="sender.id", max_length=36, index=True)
    client_id: str = Field(max_length=64, unique=True, index=True)
    secret_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    last_used_at: datetime | None = Field(default=None, sa_column=_ts())
    expires_at: datetime | None = Field(default=None, sa_column=_ts())  # set on rotation overlap
    revoked_at: datetime | None = Field(default=None, sa_column=_ts())


class SenderAccessToken(SQLModel, table=True):
    """A bearer token from POST /oauth/token; only its SHA-256 is kept (every worker sees it;
    suspending the sender or revoking the credential ends it at once)."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    sender_id: str = Field(foreign_key="sender.id", max_length=36)
    credential_id: int = Field(foreign_key="sendercredential.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    expires_at: datetime = Field(sa_column=_ts(nullable=False, index=True))


class Blob(SQLModel, table=True):
    """File bytes, apart from their metadata so listing parts never loads them."""

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, index=True)
    size_bytes: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class LetterPart(SQLModel, table=True):
    """One file of a letter (PDF or plain text), in the sender's order. `filename` is only a
    label (no path); `public_id` is what the reader's file route takes."""

    __table_args__ = (UniqueConstraint("letter_id", "ordinal", name="uq_letterpart_ordinal"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_uuid, max_length=36, unique=True, index=True)
    letter_id: int = Field(foreign_key="letter.id", index=True)
    ordinal: int  # 0 = the primary document
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)  # "application/pdf" | "text/plain"
    size_bytes: int
    sha256: str = Field(max_length=64)
    blob_id: int = Field(foreign_key="blob.id")


class Invoice(SQLModel, table=True):
    """The payment data of a letter of kind "invoice" (validated at delivery: amount in öre,
    SEK, bankgiro/plusgiro and OCR check digits). `status`: unpaid | scheduled | paid | handled
    ("handled" = the person marked it paid elsewhere; reversible to unpaid)."""

    letter_id: int = Field(foreign_key="letter.id", primary_key=True)
    amount_ore: int  # > 0
    currency: str = Field(default="SEK", max_length=3)
    due_date: date
    account_type: str = Field(max_length=10)  # "bankgiro" | "plusgiro"
    account_number: str = Field(max_length=10)  # digits only
    reference_type: str = Field(max_length=10)  # "ocr" | "message"
    reference: str = Field(max_length=25)
    status: str = Field(default=INVOICE_UNPAID, max_length=10, index=True)
    status_changed_at: datetime | None = Field(default=None, sa_column=_ts())


class Payment(SQLModel, table=True):
    """A payment the person approved with BankID. `active_letter_id` equals `letter_id` while
    the payment is scheduled or paid and is NULL otherwise: its unique constraint is the
    database's guarantee of one live payment per invoice (two tabs at once)."""

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_uuid, max_length=36, unique=True, index=True)
    letter_id: int = Field(foreign_key="letter.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    active_letter_id: int | None = Field(default=None, unique=True)
    amount_ore: int
    pay_date: date
    from_account: str = Field(max_length=64)  # the payer's account label/number at the bank
    status: str = Field(default="scheduled", max_length=10)  # scheduled|paid|failed|cancelled
    bankid_order_ref: str | None = Field(default=None, max_length=64)
    # Mailbox (issue 9): the payment provider's reference, to ask for a scheduled payment's fate
    provider_ref: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class SenderPreference(SQLModel, table=True):
    """The person's "Ta emot digitalt" switch per sender. No row = enabled. Turning it off
    sets `grace_until` (settings: sender_opt_out_grace_days); until then deliveries still
    arrive, afterwards they get `recipient-not-reachable`."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    sender_id: str = Field(foreign_key="sender.id", primary_key=True, max_length=36)
    enabled: bool = True
    changed_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    grace_until: datetime | None = Field(default=None, sa_column=_ts())


class NotificationPreference(SQLModel, table=True):
    """No row = the defaults: email for new mail on, SMS for invoices off. The language is
    `user.language`."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    email_new_mail: bool = True
    sms_invoice: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class SenderEvent(SQLModel, table=True):
    """The sender's pull feed (GET /events): `id` is the cursor, oldest first. `message_id` is
    the letter's public id, kept as text so the feed outlives a deleted account."""

    __table_args__ = (Index("ix_senderevent_sender_id_id", "sender_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    sender_id: str = Field(foreign_key="sender.id", max_length=36)
    message_id: str | None = Field(default=None, max_length=36)
    type: str = Field(max_length=30)  # one of EVENT_TYPES
    at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class NotificationOutbox(SQLModel, table=True):
    """One notification owed for one delivery on one channel ("email" | "sms"), written in the
    delivery's transaction. The worker claims all pending rows of a (user, channel) at once
    (coalescing: one mail for a batch), sends, then marks them. `dedupe_key` =
    "{letter_id}:{channel}" makes a second row for the same delivery impossible."""

    __table_args__ = (
        Index("ix_notificationoutbox_status_due", "status", "due_at"),
        Index("ix_notificationoutbox_user_channel_status", "user_id", "channel", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    letter_id: int | None = Field(default=None, foreign_key="letter.id")
    sender_id: str | None = Field(default=None, max_length=36)
    sender_name: str = Field(max_length=200)
    channel: str = Field(max_length=10)  # "email" | "sms"
    kind: str = Field(max_length=10)  # "letter" | "invoice"
    dedupe_key: str = Field(max_length=80, unique=True)
    status: str = Field(default="pending", max_length=10)  # pending|sending|sent|failed|skipped
    attempts: int = 0
    due_at: datetime = Field(sa_column=_ts(nullable=False))  # delivered + coalescing window
    next_attempt_at: datetime = Field(sa_column=_ts(nullable=False))  # back-off after failures
    claim_token: str | None = Field(default=None, max_length=36, index=True)
    claimed_until: datetime | None = Field(default=None, sa_column=_ts())
    sent_at: datetime | None = Field(default=None, sa_column=_ts())
    last_error: str | None = Field(default=None, max_length=100)  # an error class, no content
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class IdempotencyRecord(SQLModel, table=True):
    """POST /messages under an Idempotency-Key: inserting the row claims the key (the primary
    key makes a concurrent second claim fail); `done` rows replay the stored answer."""

    sender_id: str = Field(foreign_key="sender.id", primary_key=True, max_length=36)
    key: str = Field(primary_key=True, max_length=255)
    request_sha256: str = Field(max_length=64)
    status: str = Field(default="in_progress", max_length=12)  # in_progress | done
    response_code: int | None = None
    response_body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    expires_at: datetime = Field(sa_column=_ts(nullable=False, index=True))


class AuditLog(SQLModel, table=True):
    """Append-only trail: who did what to which object, when. Ids and counts only: never a
    personnummer, a subject, an amount or file bytes."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False, index=True))
    actor_type: str = Field(max_length=20)  # "sender" | "user" | "admin" | "system"
    actor_id: str | None = Field(default=None, max_length=64)
    action: str = Field(max_length=40)  # e.g. "oauth.token", "message.create"
    object_type: str | None = Field(default=None, max_length=20)
    object_id: str | None = Field(default=None, max_length=64)
    outcome: str = Field(default="ok", max_length=40)  # "ok" or a problem slug
    request_id: str | None = Field(default=None, max_length=64)
    details: str | None = Field(default=None, max_length=500)  # counts, sizes; no personal data


class RateLimitState(SQLModel, table=True):
    """The rate limiter's state when no Redis is configured (kivra_app/ratelimit.py): the GCRA
    "theoretical arrival time" per key, in epoch seconds."""

    key: str = Field(primary_key=True, max_length=200)
    tat: float
    expires: float = Field(index=True)  # a row past this is equivalent to no row


# ---------------------------------------------------------------- BankID orders (one flow)
# One row per BankID identification or signature the person started (signup, login, sign); a
# silent renewal of an unopened QR order replaces order_ref/tokens in the same row. Written only
# by kivra_app/bankid_flow. Never shown to the browser except the derived QR frame text and the
# autostart link.


class BankIdOrder(SQLModel, table=True):
    __tablename__ = "bankid_order"
    __table_args__ = (Index("ix_bankid_order_owner", "owner", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=10)  # "signup" | "login" | "sign"
    owner: str = Field(max_length=80)  # "signup:<id>", "login:<sha256 of cookie>", "user:<id>"
    # SHA-256 of the Reflex tab token that started it: only that tab sees the result (#12 #1)
    tab_hash: str | None = Field(default=None, max_length=64)
    order_ref: str | None = Field(default=None, max_length=64)
    qr_start_token: str | None = Field(default=None, max_length=64)
    qr_start_secret: str | None = Field(default=None, max_length=64)
    auto_start_token: str | None = Field(default=None, max_length=64)
    same_device: bool = False
    end_user_ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=512)
    return_url: str | None = Field(default=None, max_length=512)
    language: str = Field(default="sv", max_length=2)
    # sign orders: what the person sees in the app, and what the app signs but does not show
    user_visible_data: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    user_non_visible_data: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    first_started_at: datetime = Field(sa_column=_ts(nullable=False))  # renewals stop 3 min on
    started_at: datetime = Field(sa_column=_ts(nullable=False))  # the current order's QR t0
    last_collect_at: datetime | None = Field(default=None, sa_column=_ts())
    collect_claim_until: datetime | None = Field(default=None, sa_column=_ts())  # one collect
    status: str = Field(default="pending", max_length=10)  # pending|complete|failed|cancelled
    hint: str | None = Field(default=None, max_length=40)
    error: str | None = Field(default=None, max_length=40)
    renewals: int = 0
    # completionData.user of a complete order
    personnummer: str | None = Field(default=None, max_length=12)
    given_name: str | None = Field(default=None, max_length=200)
    surname: str | None = Field(default=None, max_length=200)
    name: str | None = Field(default=None, max_length=400)
    signature: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    completed_at: datetime | None = Field(default=None, sa_column=_ts())
    consumed_at: datetime | None = Field(default=None, sa_column=_ts())  # used by its purpose
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


# --- The simulated bank (mailbox feature: paying invoices in development and tests) -----------
from kivra_app.payments.sim_models import SimBankAccount, SimBankPayment  # noqa: E402, F401
