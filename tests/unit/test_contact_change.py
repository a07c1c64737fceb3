"""Changing the email address or mobile number: a 6-digit code to the new one, exactly as in the
signup (the same code store and limits), then a notice to the old one."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import Session

from kivra_app.mailbox.contact_change import ContactChange
from kivra_app.models import User
from tests.unit.fakes import FakeMailer, FakeSms
from tests.unit.mailbox_data import person


class Mailer(FakeMailer):
    def __init__(self) -> None:
        super().__init__()
        self.plain: list[dict] = []

    async def send(self, **kw) -> None:
        self.plain.append(kw)


@pytest.fixture
def change(engine, settings, clock):
    return ContactChange(engine=engine, settings=settings, mailer=Mailer(), sms=FakeSms(),
                         clock=clock)


def _run(coro):
    return asyncio.run(coro)


def _user(engine, user_id: int) -> User:
    with Session(engine) as session:
        return session.get(User, user_id)


def test_change_email_with_the_code_and_notify_the_old_address(engine, change) -> None:
    me = person(engine, email="gammal@example.se")
    sent = _run(change.send_code(me, "email", " Ny@Example.se ", client_ip="192.0.2.1", lang="sv"))
    assert sent.ok and sent.key == "settings.code_sent_email"
    assert _user(engine, me).email == "gammal@example.se"  # not before the code
    wrong = _run(change.verify(me, "email", "000000", lang="sv"))
    assert not wrong.ok and wrong.key in ("code.wrong", "code.locked")
    done = _run(change.verify(me, "email", change.mailer.last_code("ny@example.se"), lang="sv"))
    assert done.ok and done.key == "settings.email_changed"
    assert _user(engine, me).email == "ny@example.se"
    assert change.mailer.plain[0]["to"] == "gammal@example.se"
    again = _run(change.verify(me, "email", change.mailer.last_code("ny@example.se"), lang="sv"))
    assert not again.ok  # a code works once


def test_change_phone_with_an_sms_code(engine, change, clock) -> None:
    me = person(engine)
    assert _run(change.send_code(me, "phone", "070-174 06 77", client_ip=None, lang="sv")).ok
    code = change.sms.last_code()
    assert _run(change.verify(me, "phone", code, lang="sv")).ok
    assert _user(engine, me).phone == "+46701740677"
    assert change.sms.sent[-1][0] == "+46701740605"  # the notice to the old number


def test_the_signups_limits_apply(engine, change, clock) -> None:
    me = person(engine)
    assert _run(change.send_code(me, "email", "a@example.se", client_ip=None, lang="sv")).ok
    again = _run(change.send_code(me, "email", "a@example.se", client_ip=None, lang="sv"))
    assert not again.ok and again.key == "code.resend_wait"
    for _ in range(5):
        _run(change.verify(me, "email", "111111", lang="sv"))
    locked = _run(change.verify(me, "email", change.mailer.last_code("a@example.se"), lang="sv"))
    assert not locked.ok and locked.key == "code.locked"
    clock.advance(31 * 60)
    assert not _run(change.verify(me, "email", change.mailer.last_code(), lang="sv")).ok


def test_bad_input_same_address_and_someone_elses_address(engine, change) -> None:
    me = person(engine, email="karin@example.se")
    person(engine, email="olle@example.se")
    assert _run(change.send_code(me, "email", "inte en adress", client_ip=None, lang="sv")).key == "email.invalid"
    assert _run(change.send_code(me, "email", "karin@example.se", client_ip=None, lang="sv")).key == "settings.same_contact"
    assert _run(change.send_code(me, "fax", "x", client_ip=None, lang="sv")).key == "error.generic"
    # Olle's address: the same answer on screen, but the owner gets a notice and no code exists
    taken = _run(change.send_code(me, "email", "olle@example.se", client_ip=None, lang="sv"))
    assert taken.ok and change.mailer.notices == [("olle@example.se", "sv")]
    assert change.mailer.codes == []
    assert _user(engine, me).email == "karin@example.se"


def test_a_failing_mail_sends_nothing_and_changes_nothing(engine, change) -> None:
    from tests.unit.fakes import mail_down

    me = person(engine)
    change.mailer.fail = mail_down()
    failed = _run(change.send_code(me, "email", "ny@example.se", client_ip=None, lang="sv"))
    assert not failed.ok and failed.key == "service.mail"
    assert not _run(change.verify(me, "email", "123456", lang="sv")).ok
