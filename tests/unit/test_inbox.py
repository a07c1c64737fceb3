"""The inbox domain: keyset pages, filters, counts, the live-arrival probe, opening (read
marking, sensitive letters), mark unread, trash/restore, and ownership of every id."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from kivra_app.mailbox import inbox
from kivra_app.mailbox.formatting import UNREAD_COUNT_CAP, unread_label
from kivra_app.models import Invoice, Letter
from tests.unit.mailbox_data import START, letter, many_letters, minimal_pdf, person

TODAY = date(2026, 12, 1)


def _ids(page) -> list[int]:
    return [r.id for r in page.rows]


def test_keyset_pages_of_25_newest_first_to_the_end(engine) -> None:
    me = person(engine)
    many_letters(engine, me, 60)
    seen: list[int] = []
    page = inbox.inbox_page(engine, me, today=TODAY)
    sizes = []
    while True:
        sizes.append(len(page.rows))
        seen += _ids(page)
        if page.next_cursor is None:
            break
        page = inbox.inbox_page(engine, me, after=page.next_cursor, today=TODAY)
    assert sizes == [25, 25, 10]
    assert len(set(seen)) == 60
    assert [r for r in seen] == sorted(seen, reverse=True)  # newest (highest minute) first


def test_equal_times_are_ordered_by_id_and_never_skipped(engine) -> None:
    me = person(engine)
    ids = [letter(engine, me, subject=f"s{i}", received_at=START) for i in range(30)]
    first = inbox.inbox_page(engine, me, today=TODAY)
    second = inbox.inbox_page(engine, me, after=first.next_cursor, today=TODAY)
    assert _ids(first) + _ids(second) == sorted(ids, reverse=True)


def test_filters(engine) -> None:
    me = person(engine)
    plain = letter(engine, me, subject="plain", read=True)
    unread_invoice = letter(engine, me, subject="inv", invoice={},
                            received_at=START + timedelta(hours=1))
    handled = letter(engine, me, subject="handled", invoice={"status": "handled"}, read=True,
                     received_at=START + timedelta(hours=2))
    assert set(_ids(inbox.inbox_page(engine, me, filter="all", today=TODAY))) == {plain, unread_invoice, handled}
    assert _ids(inbox.inbox_page(engine, me, filter="unread", today=TODAY)) == [unread_invoice]
    assert _ids(inbox.inbox_page(engine, me, filter="invoices", today=TODAY)) == [handled, unread_invoice]
    assert _ids(inbox.inbox_page(engine, me, filter="unpaid", today=TODAY)) == [unread_invoice]
    assert _ids(inbox.inbox_page(engine, me, filter="trash", today=TODAY)) == []
    assert _ids(inbox.inbox_page(engine, me, filter="'; DROP TABLE letter", today=TODAY)) != []


def test_rows_carry_the_invoice_badge_and_hide_sensitive_subjects(engine) -> None:
    me = person(engine)
    letter(engine, me, subject="Provsvar", sensitive=True)
    letter(engine, me, subject="Faktura december", invoice={"due_date": date(2026, 11, 30)},
           received_at=START + timedelta(hours=1))
    rows = inbox.inbox_page(engine, me, today=TODAY).rows
    assert rows[0].invoice and rows[0].amount == "1 234,50 kr" and rows[0].due == "2026-11-30"
    assert rows[0].status == "Förfallen" and rows[0].status_code == "overdue"
    assert rows[1].subject == "Känsligt brev" and rows[1].sensitive
    en = inbox.inbox_page(engine, me, today=TODAY, lang="en").rows
    assert en[0].amount == "SEK 1,234.50" and en[1].subject == "Sensitive letter"


def test_unread_count_and_latest_letter_probe(engine) -> None:
    me = person(engine)
    assert inbox.latest_letter_id(engine, me) == 0
    a = letter(engine, me)
    b = letter(engine, me, read=True, received_at=START + timedelta(minutes=5))
    assert inbox.unread_count(engine, me) == 1
    assert inbox.latest_letter_id(engine, me) == b
    inbox.move_to_trash(engine, me, b)
    assert inbox.latest_letter_id(engine, me) == a
    inbox.move_to_trash(engine, me, a)
    assert inbox.unread_count(engine, me) == 0  # the trash does not count


def test_the_unread_count_is_exact_below_its_cap_and_stops_at_it(engine) -> None:
    me = person(engine)
    many_letters(engine, me, 297)  # every third unread: 99
    assert inbox.unread_count(engine, me) == 99
    assert unread_label(99) == "99"
    many_letters(engine, me, 300)  # 100 more unread
    assert inbox.unread_count(engine, me) == UNREAD_COUNT_CAP == 100
    assert unread_label(inbox.unread_count(engine, me)) == "99+"
    other = person(engine)  # another mailbox counts its own
    letter(engine, other)
    assert inbox.unread_count(engine, other) == 1


def test_opening_marks_read_and_mark_unread_undoes_it(engine) -> None:
    me = person(engine)
    lid = letter(engine, me, body="<script>alert(1)</script> Hej", pdf=minimal_pdf())
    detail = inbox.open_letter(engine, me, lid)
    assert detail is not None and detail.body.startswith("<script>")  # stored as text; the UI escapes
    assert detail.parts and detail.parts[0].content_type == "application/pdf"
    assert inbox.unread_count(engine, me) == 0
    assert inbox.mark_unread(engine, me, lid)
    assert inbox.unread_count(engine, me) == 1


def test_a_sensitive_letter_needs_a_fresh_bankid_identification(engine) -> None:
    me = person(engine)
    lid = letter(engine, me, subject="Provsvar", sensitive=True, body="Ditt provsvar",
                 pdf=minimal_pdf())
    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    locked = inbox.open_letter(engine, me, lid, now=now)
    assert locked.locked and locked.body == "" and locked.parts == []
    assert locked.subject == "Känsligt brev"
    assert inbox.unread_count(engine, me) == 1  # not read until it is really opened
    stale = inbox.open_letter(engine, me, lid, stepped_up_at=now - timedelta(minutes=6), now=now)
    assert stale.locked
    fresh = inbox.open_letter(engine, me, lid, stepped_up_at=now - timedelta(minutes=1), now=now)
    assert not fresh.locked and fresh.body == "Ditt provsvar" and fresh.subject == "Provsvar"
    part = fresh.parts[0].public_id
    assert inbox.owned_document(engine, me, part, stepped_up_at=None, now=now) is None
    assert inbox.owned_document(engine, me, part, stepped_up_at=now, now=now) is not None


def test_trash_and_restore(engine) -> None:
    me = person(engine)
    lid = letter(engine, me)
    assert inbox.move_to_trash(engine, me, lid)
    assert _ids(inbox.inbox_page(engine, me, today=TODAY)) == []
    assert _ids(inbox.inbox_page(engine, me, filter="trash", today=TODAY)) == [lid]
    assert inbox.restore(engine, me, lid)
    assert _ids(inbox.inbox_page(engine, me, today=TODAY)) == [lid]


def test_another_persons_ids_change_nothing_and_reveal_nothing(engine) -> None:
    me, other = person(engine, "Karin"), person(engine, "Olle")
    theirs = letter(engine, other, subject="Olles hemlighet", body="x", pdf=minimal_pdf(),
                    invoice={})
    part = inbox.open_letter(engine, other, theirs).parts[0].public_id
    inbox.mark_unread(engine, other, theirs)
    for crafted in (theirs, str(theirs), -1, 0, 2**60, True, None, {"id": theirs}, [theirs]):
        assert inbox.open_letter(engine, me, crafted) is None
        assert not inbox.mark_unread(engine, me, crafted)
        assert not inbox.move_to_trash(engine, me, crafted)
        assert not inbox.restore(engine, me, crafted)
        assert inbox.invoice_display(engine, me, crafted, lang="sv", today=TODAY) is None  # type: ignore[arg-type]
    assert inbox.owned_document(engine, me, part, stepped_up_at=None) is None
    assert inbox.owned_document(engine, me, "x" * 500, stepped_up_at=None) is None
    with Session(engine) as session:
        row = session.get(Letter, theirs)
        assert row.read_at is None and row.trashed_at is None
    assert inbox.unread_count(engine, other) == 1
    assert _ids(inbox.inbox_page(engine, me, today=TODAY)) == []


def test_invoice_panel_texts(engine) -> None:
    me = person(engine)
    lid = letter(engine, me, invoice={"account_type": "plusgiro", "account_number": "2865434"})
    panel = inbox.invoice_display(engine, me, lid, lang="sv", today=TODAY)
    assert panel["amount"] == "1 234,50 kr" and panel["account"] == "28 65 43-4"
    assert panel["account_label"] == "Plusgiro" and panel["reference"] == "4265 2379 1"
    assert panel["reference_digits"] == "426523791" and panel["status"] == "Obetald"
    assert panel["payable"] and not panel["handled"]
    with Session(engine) as session:
        inv = session.get(Invoice, lid)
        inv.due_date = date(2026, 11, 1)
        session.add(inv)
        session.commit()
    overdue = inbox.invoice_display(engine, me, lid, lang="sv", today=TODAY)
    assert overdue["status"] == "Förfallen" and not overdue["payable"]
    assert "Elbolaget AB" in overdue["note"]
