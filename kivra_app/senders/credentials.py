"""Senders and their OAuth client credentials: create, rotate, suspend, list (the admin CLI),
the client-credentials token exchange and the bearer-token check (the API).

Secrets and tokens are 256 random bits; only their SHA-256 is stored, compared in constant time
through the unique index lookup of the hash (an attacker cannot time a hash prefix).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kivra_app.db import session_scope
from kivra_app.models import (
    SENDER_ACTIVE,
    SENDER_SUSPENDED,
    Sender,
    SenderAccessToken,
    SenderCredential,
    as_utc,
    utcnow,
)
from kivra_app.senders import validators
from kivra_app.senders.audit import audit
from kivra_app.senders.token_cache import TokenCache, forget_sender


class SenderAdminError(ValueError):
    """A refused admin action; the message is safe to print."""


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedCredentials:
    sender_id: str
    client_id: str
    client_secret: str

    def as_json(self) -> dict[str, str]:
        return {"sender_id": self.sender_id, "client_id": self.client_id,
                "client_secret": self.client_secret}


@dataclass(frozen=True)
class AuthenticatedSender:
    sender_id: str
    name: str
    client_id: str
    valid_until: datetime | None = None  # the token's (or its credential's) expiry


def _new_credential(session: Session, sender_id: str, now: datetime) -> IssuedCredentials:
    client_id = "kc_" + secrets.token_hex(12)
    secret = secrets.token_urlsafe(32)
    session.add(SenderCredential(sender_id=sender_id, client_id=client_id,
                                 secret_hash=sha256_hex(secret), created_at=now))
    return IssuedCredentials(sender_id, client_id, secret)


def create_sender(engine: Engine, *, name: str, orgnr: str) -> IssuedCredentials:
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= 200:
        raise SenderAdminError("--name must be 1-200 characters")
    try:
        number = validators.orgnr(orgnr)
    except validators.InvalidValue as exc:
        raise SenderAdminError(f"--orgnr is not a valid organisationsnummer ({exc.code})") from None
    now = utcnow()
    with session_scope(engine) as session:
        if session.exec(select(Sender.id).where(Sender.orgnr == number)).first():
            raise SenderAdminError("a sender with this organisationsnummer exists already")
        sender = Sender(name=name, orgnr=number, created_at=now)
        session.add(sender)
        session.flush()
        issued = _new_credential(session, sender.id, now)
        audit(session, actor_type="admin", actor_id=None, action="sender.create",
              object_type="sender", object_id=sender.id)
    return issued


def _sender(session: Session, sender_ref: str) -> Sender:
    sender = session.get(Sender, sender_ref)
    if sender is None:
        sender = session.exec(select(Sender).where(Sender.orgnr == sender_ref.replace("-", ""))).first()
    if sender is None:
        raise SenderAdminError("no such sender")
    return sender


def rotate_secret(engine: Engine, sender_ref: str, *, overlap_hours: float = 0) -> IssuedCredentials:
    """A new client id + secret; the old ones stop at once (or after `overlap_hours`, for a
    hand-over). Tokens issued from a revoked credential stop working too."""
    now = utcnow()
    with session_scope(engine) as session:
        sender = _sender(session, sender_ref)
        until = now + timedelta(hours=overlap_hours) if overlap_hours > 0 else None
        live = session.exec(select(SenderCredential).where(
            SenderCredential.sender_id == sender.id, SenderCredential.revoked_at.is_(None))).all()  # type: ignore[union-attr]
        for cred in live:
            if until is None:
                cred.revoked_at = now
            elif cred.expires_at is None or as_utc(cred.expires_at) > until:  # type: ignore[operator]
                cred.expires_at = until
            session.add(cred)
        issued = _new_credential(session, sender.id, now)
        audit(session, actor_type="admin", actor_id=None, action="sender.rotate_secret",
              object_type="sender", object_id=sender.id, details=f"overlap_hours={overlap_hours:g}")
    forget_sender(sender.id)  # this process's token caches; others within their seconds
    return issued


def suspend_sender(engine: Engine, sender_ref: str) -> str:
    now = utcnow()
    with session_scope(engine) as session:
        sender = _sender(session, sender_ref)
        sender.status = SENDER_SUSPENDED
        sender.suspended_at = now
        session.add(sender)
        session.exec(update(SenderAccessToken).where(  # type: ignore[call-overload]
            SenderAccessToken.sender_id == sender.id).values(expires_at=now))
        audit(session, actor_type="admin", actor_id=None, action="sender.suspend",
              object_type="sender", object_id=sender.id)
        sender_id = sender.id
    forget_sender(sender_id)  # this process's token caches; others within their seconds
    return sender_id


def list_senders(engine: Engine) -> list[dict[str, object]]:
    with Session(engine) as session:
        rows = session.exec(select(Sender).order_by(Sender.created_at)).all()  # type: ignore[arg-type]
        out = []
        for sender in rows:
            creds = session.exec(select(SenderCredential).where(
                SenderCredential.sender_id == sender.id,
                SenderCredential.revoked_at.is_(None))).all()  # type: ignore[union-attr]
            out.append({
                "sender_id": sender.id, "name": sender.name, "orgnr": sender.orgnr,
                "status": sender.status, "created_at": as_utc(sender.created_at).isoformat(),  # type: ignore[union-attr]
                "client_ids": [c.client_id for c in creds],
            })
        return out


def _credential_live(cred: SenderCredential, now: datetime) -> bool:
    if cred.revoked_at is not None:
        return False
    return cred.expires_at is None or as_utc(cred.expires_at) > now  # type: ignore[operator]


def issue_token(engine: Engine, client_id: str, client_secret: str, *, ttl: int,
                request_id: str | None = None) -> tuple[str, int] | None:
    """(access token, expires_in) for valid credentials of an active sender, else None."""
    now = utcnow()
    with session_scope(engine) as session:
        cred = session.exec(select(SenderCredential).where(
            SenderCredential.client_id == client_id)).first() if len(client_id) <= 64 else None
        ok = (cred is not None and _credential_live(cred, now)
              and hmac.compare_digest(cred.secret_hash, sha256_hex(client_secret)))
        sender = session.get(Sender, cred.sender_id) if ok and cred else None
        if cred is None or not ok or sender is None or sender.status != SENDER_ACTIVE:
            audit(session, actor_type="sender", actor_id=cred.sender_id if cred else None,
                  action="oauth.token", outcome="invalid_client", request_id=request_id)
            return None
        token = secrets.token_urlsafe(32)
        expires = now + timedelta(seconds=ttl)
        if cred.expires_at is not None:  # a credential in its rotation overlap
            expires = min(expires, as_utc(cred.expires_at))  # type: ignore[type-var]
        session.add(SenderAccessToken(token_hash=sha256_hex(token), sender_id=sender.id,
                                      credential_id=cred.id, created_at=now, expires_at=expires))  # type: ignore[arg-type]
        cred.last_used_at = now
        session.add(cred)
        audit(session, actor_type="sender", actor_id=sender.id, action="oauth.token",
              request_id=request_id)
        return token, max(1, int((expires - now).total_seconds()))


def authenticate(engine: Engine, token: str) -> AuthenticatedSender | None:
    """The sender behind a live bearer token (not expired, credential not revoked, sender
    active), else None. One indexed lookup."""
    if not token or len(token) > 200:
        return None
    now = utcnow()
    with Session(engine) as session:
        row = session.exec(
            select(SenderAccessToken, SenderCredential, Sender)
            .join(SenderCredential, SenderCredential.id == SenderAccessToken.credential_id)  # type: ignore[arg-type]
            .join(Sender, Sender.id == SenderAccessToken.sender_id)  # type: ignore[arg-type]
            .where(SenderAccessToken.token_hash == sha256_hex(token))
        ).first()
        if row is None:
            return None
        access, cred, sender = row
        if as_utc(access.expires_at) <= now or not _credential_live(cred, now):  # type: ignore[operator]
            return None
        if sender.status != SENDER_ACTIVE:
            return None
        until = as_utc(access.expires_at)
        if cred.expires_at is not None:
            until = min(until, as_utc(cred.expires_at))  # type: ignore[type-var]
        return AuthenticatedSender(sender.id, sender.name, cred.client_id, until)


def authenticate_cached(cache: TokenCache, engine: Engine, token: str) -> AuthenticatedSender | None:
    """`authenticate`, answered from `cache` for a token checked within its seconds (see
    token_cache.py for what that delays). Refusals are not cached."""
    if not token or len(token) > 200:
        return None
    key = sha256_hex(token)
    who = cache.get(key)
    if isinstance(who, AuthenticatedSender):
        return who
    who = authenticate(engine, token)
    if who is not None:
        cache.put(key, who, sender_id=who.sender_id, valid_until=who.valid_until)
    return who
