"""'Avsändare': the senders that delivered, the switch with its grace period, ownership."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from kivra_app.mailbox.sender_choices import display_rows, list_senders, set_sender_enabled
from kivra_app.models import SenderEvent, SenderPreference
from tests.unit.mailbox_data import letter, person, sender

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_lists_only_senders_that_delivered_to_me(engine) -> None:
    me, other = person(engine), person(engine)
    el, skatt, unrelated = sender(engine, "Elbolaget AB"), sender(engine, "Skatteverket"), sender(engine, "Annan AB")
    letter(engine, me, sender_id=el)
    letter(engine, me, sender_id=el)
    letter(engine, me, sender_id=skatt)
    letter(engine, me)  # Kivra's own letter: no sender row
    letter(engine, other, sender_id=unrelated)
    assert [(c.name, c.enabled) for c in list_senders(engine, me)] == [
        ("Elbolaget AB", True), ("Skatteverket", True)]


def test_turning_off_sets_the_grace_period_and_tells_the_sender(engine) -> None:
    me = person(engine)
    el = sender(engine, "Elbolaget AB")
    letter(engine, me, sender_id=el)
    choice = set_sender_enabled(engine, me, el, False, grace_days=10, now=NOW)
    assert choice and not choice.enabled and choice.paper_from == NOW + timedelta(days=10)
    assert display_rows(list_senders(engine, me), "sv")[0]["note"] == \
        "Avstängd. Från 2026-12-11 skickar Elbolaget AB din post på papper."
    assert set_sender_enabled(engine, me, el, False, grace_days=10, now=NOW + timedelta(days=1)).paper_from == choice.paper_from
    on = set_sender_enabled(engine, me, el, True, grace_days=10, now=NOW)
    assert on.enabled and on.paper_from is None
    with Session(engine) as session:
        assert [e.type for e in session.exec(select(SenderEvent)).all()] == ["recipient_opted_out"]
        pref = session.get(SenderPreference, (me, el))
        assert pref.enabled and pref.grace_until is None


def test_crafted_sender_ids_change_nothing(engine) -> None:
    me, other = person(engine), person(engine)
    theirs = sender(engine, "Olles bank")
    letter(engine, other, sender_id=theirs)
    for crafted in (theirs, "x" * 100, 5, None, ["a"]):
        assert set_sender_enabled(engine, me, crafted, False, grace_days=10, now=NOW) is None
    assert set_sender_enabled(engine, me, theirs, "false", grace_days=10, now=NOW) is None
    with Session(engine) as session:
        assert session.exec(select(SenderPreference)).all() == []
        assert session.exec(select(SenderEvent)).all() == []
