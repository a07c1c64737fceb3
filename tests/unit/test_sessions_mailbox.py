"""Login tickets, web sessions and the mailbox queries."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlmodel import Session, select

from kivra_app.auth import sessions
from kivra_app.mailbox import inbox
from kivra_app.mailbox import service as mailbox
from kivra_app.models import Invoice, Letter, LoginTicket, Mailbox, User, WebSession


async def test_ticket_is_one_use_and_short_lived(flow, svc, engine, clock):
    secret = await flow.to_done()
    ticket = svc.issue_login_ticket(secret)
    with Session(engine) as session:
        row = session.exec(select(LoginTicket)).one()
    # Stored: SHA-256 of the ticket (an independent computation), and no column holds it.
    assert row.token_hash == hashlib.sha256(ticket.encode()).hexdigest()
    assert ticket not in {str(v) for v in row.model_dump().values()}
    session_secret = sessions.claim_ticket(engine, ticket, signup_secret=secret, now=clock.now)
    assert session_secret and len(session_secret) >= 43  # 256 bits
    assert sessions.claim_ticket(engine, ticket, signup_secret=secret, now=clock.now) is None
    for forged in ("forged", "", None):
        assert sessions.claim_ticket(engine, forged, signup_secret=secret, now=clock.now) is None


async def test_ticket_expires_after_60_seconds(flow, svc, engine, clock):
    secret = await flow.to_done()
    ticket = svc.issue_login_ticket(secret)
    late = clock.now + timedelta(seconds=60)
    assert sessions.claim_ticket(engine, ticket, signup_secret=secret, now=late) is None


async def _session(flow, svc, engine, clock) -> tuple[str, int]:
    """A fresh account (its own person) and a claimed mailbox session."""
    from tests.unit.fakes import make_pnr

    n = len(flow.bankid.orders)
    secret = await flow.to_done(pnr=make_pnr("19800101", f"{n + 200:03d}"),
                                email=f"p{n}@example.se", phone=f"070-174 06 {n + 10:02d}")
    user_id = svc.view(secret).user_id
    token = sessions.claim_ticket(engine, svc.issue_login_ticket(secret), signup_secret=secret,
                                  now=clock.now)
    assert token
    return token, user_id


async def test_session_lifecycle(flow, svc, engine, clock):
    token, user_id = await _session(flow, svc, engine, clock)
    assert sessions.user_for_session(engine, token, now=clock.now) == user_id
    assert sessions.user_for_session(engine, token + "x", now=clock.now) is None
    # Active use every 29 minutes keeps it alive up to the absolute limit (KIVRA_SESSION_MAX,
    # 12 h by default): 24 uses, the last one still inside it.
    uses = [clock.now + timedelta(minutes=29 * n) for n in range(1, 25)]
    assert uses[-1] < clock.now + timedelta(hours=12)
    assert [sessions.user_for_session(engine, token, now=t) for t in uses] == [user_id] * 24
    assert sessions.user_for_session(engine, token, now=clock.now + timedelta(hours=12)) is None
    other, _ = await _session(flow, svc, engine, clock)
    assert sessions.user_for_session(engine, other, now=clock.now + timedelta(minutes=31)) is None
    third, _ = await _session(flow, svc, engine, clock)
    sessions.end_session(engine, third, now=clock.now)
    assert sessions.user_for_session(engine, third, now=clock.now) is None
    with Session(engine) as session:
        stored = [str(v) for s in session.exec(select(WebSession)) for v in s.model_dump().values()]
    assert stored and third not in stored  # only digests are kept


async def test_the_signed_up_mailbox_lists_reads_and_isolates(flow, engine, clock):
    """From the signup to the live inbox (kivra_app/mailbox/inbox.py): the welcome letter is
    there unread, opening it marks it read and greets by name, and another person's id reveals
    nothing."""
    await flow.to_done(given="Karin")
    with Session(engine) as session:
        user = session.exec(select(User)).one()
        box = session.exec(select(Mailbox)).one()
        stranger = User(personnummer="197001012392", email="s@example.se", phone="+46701740699")
        session.add(stranger)
        invoice_letter = Letter(mailbox_id=box.id, sender="Skatteverket", subject="Slutskatt",
                                kind="invoice", received_at=clock.now + timedelta(days=1))
        session.add(invoice_letter)
        session.flush()
        session.add(Invoice(letter_id=invoice_letter.id, amount_ore=123450, currency="SEK",
                            due_date=clock.now.date(), account_type="bankgiro",
                            account_number="54029681", reference_type="ocr", reference="1230"))
        session.commit()
        session.refresh(stranger)
        user_id, stranger_id = user.id, stranger.id
    today = clock.now.date()
    rows = inbox.inbox_page(engine, user_id, today=today).rows
    assert [x.subject for x in rows] == ["Slutskatt", "Välkommen till Kivra"]  # newest first
    assert rows[0].invoice and rows[0].amount == "1 234,50 kr" and not rows[1].read
    assert [x.subject for x in inbox.inbox_page(engine, user_id, limit=1, today=today).rows] \
        == ["Slutskatt"]
    welcome_id = rows[1].id
    assert inbox.open_letter(engine, stranger_id, welcome_id) is None
    assert inbox.inbox_page(engine, stranger_id, today=today).rows == []
    letter = inbox.open_letter(engine, user_id, welcome_id)
    assert letter is not None and "Karin" in letter.body
    assert inbox.inbox_page(engine, user_id, today=today).rows[1].read
    assert inbox.open_letter(engine, user_id, str(welcome_id)) is None  # ids are ints
    assert inbox.unread_count(engine, user_id) == 1
    display = mailbox.user_display(engine, user_id)
    assert display == mailbox.UserDisplay("Karin", "karin@example.se", "070-174 06 05")
    assert mailbox.user_display(engine, 9999) is None
    assert inbox.inbox_page(engine, 9999, today=today).rows == []
