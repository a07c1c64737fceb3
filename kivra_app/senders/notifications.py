"""Notifications of new mail: queued in the delivery's transaction, sent by a worker.

Rows: one `notificationoutbox` row per delivery and channel (unique dedupe_key). The worker
claims *all* pending rows of one (person, channel) at once when the oldest is due, so a batch
that arrives within the window gives one mail. Claiming is atomic: on PostgreSQL the due row is
picked with SELECT ... FOR UPDATE SKIP LOCKED and the group is taken by a conditional UPDATE
(status pending -> sending, a fresh claim token, a lease); on SQLite the same conditional
UPDATE alone (writes are serialised). Only the holder of the token may mark rows sent.

Failures (SMTP/SMS errors) go back to pending with exponential back-off; after
notification_max_attempts the rows become "failed" and each sender gets `notification_failed`
in its feed. A worker that dies mid-send leaves its rows "sending" until the lease runs out;
another worker then sends them (the transport had not accepted the message, or the process
would have marked them sent right after: the window for a double is the few milliseconds
between the SMTP server's "250 OK" and our commit).

Content: the sender's display name and a link to log in; never a subject, an amount, an OCR,
a personnummer or any other content (tests check the templates).
"""

from __future__ import annotations

import asyncio
import html
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kivra_app.db import session_scope
from kivra_app.i18n import t
from kivra_app.models import (
    EVENT_NOTIFICATION_FAILED,
    Letter,
    NotificationOutbox,
    NotificationPreference,
    SenderEvent,
    User,
    utcnow,
)

log = logging.getLogger("kivra.notifications")

EMAIL = "email"
SMS = "sms"
_LOCK_SPACE = 0x4B1A0  # advisory lock keys (space + channel, user id): one group at a time


def outbox_rows(*, user_id: int, letter_id: int, kind: str, email_on: bool | None,
                sms_on: bool | None, sender_id: str, sender_name: str, now: datetime,
                settings) -> list[dict[str, object]]:  # noqa: ANN001
    """The `notificationoutbox` rows one delivery owes the person, for a Core insert inside the
    delivery's transaction. email_on / sms_on: the person's preferences (None: no preference
    row, i.e. the defaults: email on, SMS off)."""
    email = True if email_on is None else email_on
    # Due a little before the window ends, so the worker's poll still sends it inside it.
    lead = min(settings.notification_window, 2 * settings.notification_poll)
    due = now + timedelta(seconds=settings.notification_window - lead)
    channels = [EMAIL] if email else []
    if sms_on and kind == "invoice":
        channels.append(SMS)
    return [{"user_id": user_id, "letter_id": letter_id, "sender_id": sender_id,
             "sender_name": sender_name, "channel": channel, "kind": kind,
             "dedupe_key": f"{letter_id}:{channel}", "status": "pending", "attempts": 0,
             "due_at": due, "next_attempt_at": now, "created_at": now}
            for channel in channels]


# --- templates -----------------------------------------------------------------------------


def _names(rows: list[NotificationOutbox]) -> list[str]:
    seen: list[str] = []
    for row in rows:
        if row.sender_name not in seen:
            seen.append(row.sender_name)
    return seen


def login_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/login"


def mail_text(sender_names: list[str], language: str, base_url: str) -> tuple[str, str, str]:
    """(subject, plain text, html). Only sender names and the login link go in."""
    url = login_url(base_url)
    if len(sender_names) == 1:
        subject = t(language, "notify.mail_subject", sender=sender_names[0])
        line = t(language, "notify.mail_line_one", sender=sender_names[0])
    else:
        subject = t(language, "notify.mail_subject_many", count=len(sender_names))
        line = t(language, "notify.mail_line_many", senders=", ".join(sender_names))
    greeting = "Hi," if language == "en" else "Hej,"
    paragraphs = [greeting, line, t(language, "notify.mail_login", url=url),
                  t(language, "notify.mail_settings"), t(language, "notify.mail_phishing"),
                  "Kivra"]
    plain = "\n\n".join(paragraphs) + "\n"
    lang = "en" if language == "en" else "sv"
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    link = f'<p><a href="{html.escape(url)}">{html.escape(url)}</a></p>'
    rich = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{html.escape(subject)}</title></head>"
            f'<body style="font-family:Arial,sans-serif;color:#1d1d1b">{body}{link}</body></html>')
    return subject, plain, rich


def sms_text(sender_names: list[str], language: str, base_url: str) -> str:
    return t(language, "notify.sms_invoice", sender=", ".join(sender_names),
             url=login_url(base_url))


# --- the worker ----------------------------------------------------------------------------


@dataclass
class Claim:
    token: str
    user_id: int
    channel: str
    rows: list[NotificationOutbox]


class NotificationWorker:
    def __init__(self, engine: Engine, settings, mailer, sms, *,  # noqa: ANN001
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.settings = settings
        self.mailer = mailer
        self.sms = sms
        self.clock = clock
        self.postgres = engine.dialect.name == "postgresql"

    # claiming (sync; run in a thread)

    def claim(self, skip: set[tuple[int, str]] | None = None) -> Claim | None | tuple[int, str]:
        """A claimed group; None when nothing is due; (user_id, channel) when that group is
        being claimed by another worker right now (PostgreSQL; pass it in `skip` next time)."""
        now = self.clock()
        lease_until = now + timedelta(seconds=self.settings.notification_lease)
        token = str(uuid.uuid4())
        with session_scope(self.engine) as session:
            claimable = (
                ((NotificationOutbox.status == "pending")
                 & (NotificationOutbox.next_attempt_at <= now))  # type: ignore[operator]
                | ((NotificationOutbox.status == "sending")
                   & (NotificationOutbox.claimed_until < now))  # type: ignore[operator]
            )
            due = (
                ((NotificationOutbox.status == "pending") & (NotificationOutbox.due_at <= now)  # type: ignore[operator]
                 & (NotificationOutbox.next_attempt_at <= now))  # type: ignore[operator]
                | ((NotificationOutbox.status == "sending")
                   & (NotificationOutbox.claimed_until < now))  # type: ignore[operator]
            )
            order = (NotificationOutbox.due_at, NotificationOutbox.id)
            claim_values = dict(status="sending", claim_token=token, claimed_until=lease_until,
                                attempts=NotificationOutbox.attempts + 1)
            if self.postgres:
                # The due row is ours alone (others skip it); the group's advisory lock makes
                # us the only worker taking this (person, channel) now. Without it two workers
                # holding two due rows of one group would wait for each other's row locks.
                pick = (select(NotificationOutbox.user_id, NotificationOutbox.channel)
                        .where(due).order_by(*order).limit(1).with_for_update(skip_locked=True))  # type: ignore[arg-type]
                for user_id, channel in skip or ():
                    pick = pick.where(~((NotificationOutbox.user_id == user_id)
                                        & (NotificationOutbox.channel == channel)))
                found = session.exec(pick).first()
                if found is None:
                    return None
                locked = session.exec(select(func.pg_try_advisory_xact_lock(
                    _LOCK_SPACE + (1 if found[1] == EMAIL else 2), found[0]))).one()
                if not locked:
                    return (found[0], found[1])
                user_match = NotificationOutbox.user_id == found[0]
                channel_match = NotificationOutbox.channel == found[1]
            else:
                # SQLite: one UPDATE statement picks and takes the group (writes are serialised;
                # a separate SELECT first could not upgrade its snapshot to a write).
                first = select(NotificationOutbox.id).where(due).order_by(*order).limit(1)  # type: ignore[arg-type]
                user_match = NotificationOutbox.user_id == (
                    select(NotificationOutbox.user_id).where(NotificationOutbox.id.in_(first))  # type: ignore[union-attr]
                    .scalar_subquery())
                channel_match = NotificationOutbox.channel == (
                    select(NotificationOutbox.channel).where(NotificationOutbox.id.in_(first))  # type: ignore[union-attr]
                    .scalar_subquery())
            session.exec(  # type: ignore[call-overload]
                update(NotificationOutbox).execution_options(synchronize_session=False)
                .where(user_match, channel_match, claimable).values(**claim_values)
            )
        with Session(self.engine, expire_on_commit=False) as session:
            rows = list(session.exec(select(NotificationOutbox).where(
                NotificationOutbox.claim_token == token).order_by(NotificationOutbox.id)).all())  # type: ignore[arg-type]
        if not rows:
            return None  # nothing due, or another worker took the group first
        return Claim(token, rows[0].user_id, rows[0].channel, rows)

    def _recipient(self, claim: Claim) -> tuple[str | None, str]:
        with Session(self.engine) as session:
            user = session.get(User, claim.user_id)
            if user is None:
                return None, "sv"
            pref = session.get(NotificationPreference, user.id)
            if claim.channel == EMAIL:
                wanted = pref.email_new_mail if pref else True
                return (user.email if wanted else None), user.language
            wanted = pref.sms_invoice if pref else False
            return (user.phone if wanted else None), user.language

    def finish(self, claim: Claim, outcome: str, error: str | None = None) -> None:
        """outcome: sent | skipped | retry | failed. Only rows still under our token."""
        now = self.clock()
        values: dict[str, object] = {"claim_token": None, "claimed_until": None}
        if outcome in ("sent", "skipped"):
            values.update(status=outcome, sent_at=now if outcome == "sent" else None)
        elif outcome == "retry":
            attempts = max(r.attempts for r in claim.rows)
            delay = self.settings.notification_backoff * (2 ** max(0, attempts - 1))
            values.update(status="pending", next_attempt_at=now + timedelta(seconds=delay),
                          last_error=error)
        else:
            values.update(status="failed", last_error=error)
        with session_scope(self.engine) as session:
            changed = session.exec(  # type: ignore[call-overload]
                update(NotificationOutbox).execution_options(synchronize_session=False)
                .where(NotificationOutbox.claim_token == claim.token,
                       NotificationOutbox.status == "sending")
                .values(**values)
            ).rowcount
            if outcome == "failed" and changed:
                for row in claim.rows:
                    if row.sender_id is None or row.letter_id is None:
                        continue
                    public_id = session.exec(select(Letter.public_id).where(
                        Letter.id == row.letter_id)).first()
                    session.add(SenderEvent(sender_id=row.sender_id, message_id=public_id,
                                            type=EVENT_NOTIFICATION_FAILED, at=now))

    # sending

    async def send(self, claim: Claim) -> str:
        address, language = await asyncio.to_thread(self._recipient, claim)
        if not address:
            await asyncio.to_thread(self.finish, claim, "skipped")
            return "skipped"
        names = _names(claim.rows)
        try:
            if claim.channel == EMAIL:
                subject, plain, rich = mail_text(names, language, self.settings.base_url)
                await self.mailer.send(to=address, subject=subject, text=plain, html=rich)
            else:
                await self.sms.send(address, sms_text(names, language, self.settings.base_url))
        except Exception as exc:  # noqa: BLE001 - any transport failure: retry later
            attempts = max(r.attempts for r in claim.rows)
            final = attempts >= self.settings.notification_max_attempts
            log.warning("notification_send_fail channel=%s rows=%d attempt=%d final=%s error=%s",
                        claim.channel, len(claim.rows), attempts, final, type(exc).__name__)
            await asyncio.to_thread(self.finish, claim, "failed" if final else "retry",
                                    type(exc).__name__)
            return "failed" if final else "retry"
        await asyncio.to_thread(self.finish, claim, "sent")
        log.info("notification_sent channel=%s rows=%d", claim.channel, len(claim.rows))
        return "sent"

    async def run_once(self) -> int:
        """Send every group that is due now; returns how many groups were handled."""
        handled = 0
        busy: set[tuple[int, str]] = set()
        while True:
            claim = await asyncio.to_thread(self.claim, busy)
            if claim is None:
                return handled
            if isinstance(claim, tuple):
                busy.add(claim)  # another worker is taking that group
                continue
            await self.send(claim)
            handled += 1

    async def run_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:  # noqa: BLE001 - a database hiccup must not end the worker
                log.exception("notification_worker_error")
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.settings.notification_poll)
            except TimeoutError:
                pass
