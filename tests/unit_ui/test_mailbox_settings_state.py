"""SendersState and SettingsState over the real domain: the session from the cookie only,
crafted ids and values change nothing."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlmodel import Session, SQLModel, select

import state.deps as deps
from kivra_app.db import make_engine
from kivra_app.models import SenderEvent, SenderPreference, User
from kivra_app.settings import Settings
from state.mailbox_settings import SendersState, SettingsState
from tests.unit.mailbox_data import letter, login, person, sender
from tests.unit_ui.fakes import state_tree


@pytest.fixture
def world(tmp_path, monkeypatch):
    settings = Settings(_env_file=None, data_dir=tmp_path, secret_key="k",
                        database_url=f"sqlite:///{tmp_path / 's.db'}")
    engine = make_engine(settings.effective_database_url)
    SQLModel.metadata.create_all(engine)
    monkeypatch.setattr(deps, "services", lambda: SimpleNamespace(engine=engine, settings=settings))
    me, other = person(engine, "Karin"), person(engine, "Olle")
    el, theirs = sender(engine, "Elbolaget AB"), sender(engine, "Olles bank")
    letter(engine, me, sender_id=el)
    letter(engine, other, sender_id=theirs)
    return SimpleNamespace(engine=engine, me=me, el=el, theirs=theirs, secret=login(engine, me))


async def test_senders_page_switches_only_my_senders(world) -> None:
    s = state_tree(SendersState, cookie=f"kivra_session={world.secret}", path="/mailbox/avsandare")
    await s.load()
    assert s.status == "in" and [x["name"] for x in s.senders] == ["Elbolaget AB"]
    assert "10 dagar" in s.intro
    await s.toggle(world.theirs)  # crafted: not on this page, not this person's
    await s.toggle({"id": world.el})
    with Session(world.engine) as session:
        assert session.exec(select(SenderPreference)).all() == []
    await s.toggle(world.el)
    assert s.senders[0]["enabled"] is False and "på papper" in s.notice
    await s.toggle(world.el)
    assert s.senders[0]["enabled"] is True
    with Session(world.engine) as session:
        assert [e.sender_id for e in session.exec(select(SenderEvent)).all()] == [world.el]


async def test_settings_save_and_crafted_values(world) -> None:
    s = state_tree(SettingsState, cookie=f"kivra_session={world.secret}",
                   path="/mailbox/installningar")
    await s.load()
    assert s.status == "in" and s.email_new_mail and not s.sms_invoices
    await s.save({"email_new_mail": "on", "sms_invoices": "on", "language": "en"})
    assert s.sms_invoices and s.language == "en" and s.notice == "Your settings are saved."
    await s.save({"language": "de"})  # checkboxes off, the language unchanged
    assert not s.email_new_mail and s.language == "en"
    await s.save("not a form")  # type: ignore[arg-type]
    with Session(world.engine) as session:
        assert session.get(User, world.me).language == "en"


async def test_no_session_no_settings(world) -> None:
    s = state_tree(SettingsState, cookie="kivra_session=forged", path="/mailbox/installningar")
    await s.load()
    assert s.status == "out" and s.email == ""
    await s.save({"email_new_mail": "on", "sms_invoices": "on", "language": "en"})
    with Session(world.engine) as session:
        assert session.get(User, world.me).language == "sv"


async def test_change_email_through_the_settings_page(tmp_path, monkeypatch) -> None:
    from tests.unit.fakes import FakeMailer, FakeSms

    class Mailer(FakeMailer):
        async def send(self, **kw) -> None:
            self.notices.append((kw["to"], "notice"))

    settings = Settings(_env_file=None, data_dir=tmp_path, secret_key="k",
                        database_url=f"sqlite:///{tmp_path / 'c.db'}")
    engine = make_engine(settings.effective_database_url)
    SQLModel.metadata.create_all(engine)
    mailer = Mailer()
    monkeypatch.setattr(deps, "services", lambda: SimpleNamespace(
        engine=engine, settings=settings, mailer=mailer, sms=FakeSms()))
    me = person(engine, email="gammal@example.se")
    s = state_tree(SettingsState, cookie=f"kivra_session={login(engine, me)}",
                   path="/mailbox/installningar")
    await s.load()
    await s.send_email_code({"value": "ny@example.se"})  # not started: ignored
    assert mailer.codes == []
    s.start_change("email")
    await s.send_email_code({"value": "fel"})
    assert s.email_stage == "new" and s.email_error.startswith("Mailadressen ser inte rätt ut")
    await s.send_email_code({"value": "ny@example.se"})
    assert s.email_stage == "code" and "ny@example.se" in s.email_sent
    await s.verify_email({"code": mailer.last_code("ny@example.se")})
    assert s.email == "ny@example.se" and s.email_stage == ""
    assert ("gammal@example.se", "notice") in mailer.notices
