"""The per-worker token cache (senders/token_cache.py): what it delays and what it never does.

A suspension written by another process (the admin command line) reaches a worker that checked
the token within the cache's seconds only once those seconds have passed; one made in the same
process applies at once; a token's own expiry is honoured even while it is cached."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session

from kivra_app.models import SENDER_SUSPENDED, Sender, SenderAccessToken, utcnow
from kivra_app.senders import credentials
from kivra_app.senders.token_cache import TokenCache


class Clock:
    """Wall-clock seconds (the cache compares with the token's expiry), moved by hand."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return utcnow().timestamp() + self.offset


def _sender_with_token(engine) -> tuple[str, str]:  # noqa: ANN001
    issued = credentials.create_sender(engine, name="Telia Sverige AB", orgnr="5564300142")
    token, _ = credentials.issue_token(engine, issued.client_id, issued.client_secret, ttl=3600)
    return issued.sender_id, token


def _suspend_behind_the_cache(engine, sender_id: str) -> None:  # noqa: ANN001
    """What `suspend-sender` in another process does to the rows, without this process's
    cache hearing of it."""
    with Session(engine) as session:
        session.exec(update(Sender).where(Sender.id == sender_id)  # type: ignore[call-overload]
                     .values(status=SENDER_SUSPENDED, suspended_at=utcnow()))
        session.exec(update(SenderAccessToken).where(  # type: ignore[call-overload]
            SenderAccessToken.sender_id == sender_id).values(expires_at=utcnow()))
        session.commit()


def test_suspension_elsewhere_applies_once_the_cache_seconds_have_passed(any_engine) -> None:
    clock = Clock()
    cache = TokenCache(5.0, clock=clock)
    sender_id, token = _sender_with_token(any_engine)
    assert credentials.authenticate_cached(cache, any_engine, token).sender_id == sender_id
    _suspend_behind_the_cache(any_engine, sender_id)
    assert credentials.authenticate(any_engine, token) is None  # the database says no at once
    clock.offset = 4.0
    assert credentials.authenticate_cached(cache, any_engine, token) is not None  # within 5 s
    clock.offset = 5.5
    assert credentials.authenticate_cached(cache, any_engine, token) is None
    clock.offset = 6.0
    assert credentials.authenticate_cached(cache, any_engine, token) is None  # refusals not kept


def test_suspension_in_this_process_applies_at_once(sqlite_engine) -> None:
    cache = TokenCache(60.0)
    sender_id, token = _sender_with_token(sqlite_engine)
    assert credentials.authenticate_cached(cache, sqlite_engine, token) is not None
    credentials.suspend_sender(sqlite_engine, sender_id)
    assert credentials.authenticate_cached(cache, sqlite_engine, token) is None


def test_rotation_in_this_process_applies_at_once(sqlite_engine) -> None:
    cache = TokenCache(60.0)
    sender_id, token = _sender_with_token(sqlite_engine)
    assert credentials.authenticate_cached(cache, sqlite_engine, token) is not None
    credentials.rotate_secret(sqlite_engine, sender_id)
    assert credentials.authenticate_cached(cache, sqlite_engine, token) is None


def test_a_cached_token_still_ends_at_its_expiry(sqlite_engine) -> None:
    clock = Clock()
    cache = TokenCache(30.0, clock=clock)
    _, token = _sender_with_token(sqlite_engine)
    with Session(sqlite_engine) as session:
        session.exec(update(SenderAccessToken).values(  # type: ignore[call-overload]
            expires_at=utcnow() + timedelta(seconds=2)))
        session.commit()
    assert credentials.authenticate_cached(cache, sqlite_engine, token) is not None
    clock.offset = 1.0
    assert credentials.authenticate_cached(cache, sqlite_engine, token) is not None
    clock.offset = 2.5  # within the cache's 30 s, past the token's 2 s
    assert cache.get(credentials.sha256_hex(token)) is None


def test_no_cache_with_zero_seconds(sqlite_engine) -> None:
    cache = TokenCache(0.0)
    sender_id, token = _sender_with_token(sqlite_engine)
    assert credentials.authenticate_cached(cache, sqlite_engine, token) is not None
    _suspend_behind_the_cache(sqlite_engine, sender_id)
    assert credentials.authenticate_cached(cache, sqlite_engine, token) is None


def test_the_cache_stays_bounded() -> None:
    cache = TokenCache(60.0, max_entries=3)
    for i in range(10):
        cache.put(f"h{i}", object(), sender_id="s", valid_until=None)
    assert len(cache._entries) <= 3
    assert cache.get("h9") is not None
