""""Avsändare": the senders that have delivered to this person and the "Ta emot digitalt"
switch. Off sets a grace period (settings.sender_opt_out_grace_days): deliveries before its end
still arrive; afterwards the sender API answers `recipient-not-reachable` (the sender posts on
paper). The sender's feed gets `recipient_opted_out` when the switch goes off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kivra_app.db import session_scope
from kivra_app.i18n import t
from kivra_app.mailbox.feed import audit, record_event
from kivra_app.mailbox.inbox import mailbox_id_of
from kivra_app.models import (
    EVENT_RECIPIENT_OPTED_OUT,
    Letter,
    Sender,
    SenderPreference,
    as_utc,
    utcnow,
)


@dataclass(frozen=True)
class SenderChoice:
    id: str
    name: str
    enabled: bool
    paper_from: datetime | None  # when off: the end of the grace period


def _local_day(moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    return as_utc(moment).astimezone(ZoneInfo("Europe/Stockholm")).strftime("%Y-%m-%d")  # type: ignore[union-attr]


def list_senders(engine: Engine, user_id: int) -> list[SenderChoice]:
    with Session(engine) as session:
        mailbox_id = mailbox_id_of(session, user_id)
        if mailbox_id is None:
            return []
        ids = select(Letter.sender_id).where(Letter.mailbox_id == mailbox_id,
                                             Letter.sender_id.is_not(None)).distinct()  # type: ignore[union-attr]
        rows = session.exec(
            select(Sender, SenderPreference)
            .join(SenderPreference, (SenderPreference.sender_id == Sender.id)  # type: ignore[arg-type]
                  & (SenderPreference.user_id == user_id), isouter=True)
            .where(Sender.id.in_(ids))  # type: ignore[attr-defined]
            .order_by(Sender.name)
        ).all()
        return [SenderChoice(id=s.id, name=s.name, enabled=p.enabled if p else True,
                             paper_from=as_utc(p.grace_until) if p and not p.enabled else None)
                for s, p in rows]


def display_rows(choices: list[SenderChoice], lang: str) -> list[dict]:
    return [{"id": c.id, "name": c.name, "enabled": c.enabled,
             "note": "" if c.enabled or c.paper_from is None else
             t(lang, "senders.off_from", date=_local_day(c.paper_from), sender=c.name)}
            for c in choices]


def set_sender_enabled(engine: Engine, user_id: int, sender_id: object, enabled: object, *,
                       grace_days: int, now: datetime | None = None) -> SenderChoice | None:
    """Turn one sender on or off for this person. Only a sender that has delivered to this
    person's mailbox; anything else (a crafted id) changes nothing and returns None."""
    if not isinstance(sender_id, str) or not 0 < len(sender_id) <= 36 or not isinstance(enabled, bool):
        return None
    now = now or utcnow()
    with session_scope(engine) as session:
        mailbox_id = mailbox_id_of(session, user_id)
        if mailbox_id is None:
            return None
        delivered = session.exec(select(Letter.id).where(Letter.mailbox_id == mailbox_id,
                                                         Letter.sender_id == sender_id).limit(1)).first()
        sender = session.get(Sender, sender_id) if delivered else None
        if sender is None:
            return None
        pref = session.get(SenderPreference, (user_id, sender_id))
        was_enabled = pref.enabled if pref else True
        if pref is None:
            pref = SenderPreference(user_id=user_id, sender_id=sender_id)
        if was_enabled == enabled:
            return SenderChoice(sender.id, sender.name, enabled,
                                None if enabled else as_utc(pref.grace_until))
        pref.enabled = enabled
        pref.changed_at = now
        pref.grace_until = None if enabled else now + timedelta(days=grace_days)
        session.add(pref)
        if not enabled:
            record_event(session, sender_id, EVENT_RECIPIENT_OPTED_OUT, None)
        audit(session, user_id, "sender.digital_on" if enabled else "sender.digital_off",
              object_type="sender", object_id=sender_id)
        return SenderChoice(sender.id, sender.name, enabled, pref.grace_until)
