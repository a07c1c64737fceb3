"""Login for returning users (kivra_app/auth/login.py) on the one BankID flow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from kivra_app.auth import sessions
from kivra_app.auth.login import LoginRefused, LoginService
from kivra_app.bankid_flow import BankIdFlow, FlowRefused
from kivra_app.models import BankIdOrder, Signup, User
from kivra_app.signup.service import Step
from tests.unit.conftest import ADULT
from tests.unit.fakes import make_pnr

TAB = "login-tab"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64)"


@pytest.fixture
def login(engine, bankid, settings, clock) -> LoginService:
    flow = BankIdFlow(engine=engine, bankid=bankid, settings=settings, clock=clock)
    return LoginService(engine=engine, flow=flow, settings=settings, clock=clock)


async def _identify(login, bankid, pnr: str, *, secret: str | None = None):
    secret = secret or login.begin()
    started = await login.start(secret, tab=TAB, end_user_ip="192.0.2.1", user_agent=DESKTOP,
                                same_device=False, return_url="http://x/login", language="sv")
    bankid.complete(pnr)
    return secret, await login.poll(secret, started.order_id, tab=TAB)


async def test_a_person_with_an_account_gets_a_ticket_bound_to_the_login_cookie(
        flow, login, bankid, engine, clock):
    await flow.to_done()  # ADULT has an account now
    secret, progress = await _identify(login, bankid, ADULT)
    assert progress.outcome == "account" and progress.ticket
    assert bankid.auth_requests[-1].requirement is None  # nothing typed, nothing required
    # Only with the same login cookie (login CSRF): a ticket alone opens nothing.
    assert sessions.claim_ticket(engine, progress.ticket, login_secret="other",
                                 now=clock.now) is None
    assert sessions.claim_ticket(engine, progress.ticket, signup_secret=secret,
                                 now=clock.now) is None
    token = sessions.claim_ticket(engine, progress.ticket, login_secret=secret, now=clock.now)
    assert token and sessions.user_for_session(engine, token, now=clock.now) is not None
    assert sessions.claim_ticket(engine, progress.ticket, login_secret=secret,
                                 now=clock.now) is None  # one use


async def test_every_login_makes_a_new_session_secret(flow, login, bankid, engine, clock):
    await flow.to_done()
    tokens = set()
    for _ in range(2):
        secret, progress = await _identify(login, bankid, ADULT)
        tokens.add(sessions.claim_ticket(engine, progress.ticket, login_secret=secret,
                                         now=clock.now))
    assert len(tokens) == 2 and None not in tokens


async def test_a_stranger_is_told_after_bankid_and_nothing_is_created(login, bankid, engine):
    stranger = make_pnr("19750505", "123")
    secret, progress = await _identify(login, bankid, stranger)
    assert (progress.outcome, progress.ticket) == ("no_account", None)
    with Session(engine) as session:
        assert session.exec(select(User)).all() == []
        assert session.exec(select(Signup)).all() == []


async def test_create_account_continues_the_signup_without_a_second_bankid(login, bankid, svc,
                                                                           engine):
    stranger = make_pnr("19750505", "123")
    secret, _ = await _identify(login, bankid, stranger)
    orders = len(bankid.auth_requests)
    signup_secret = login.signup_from_login(secret, "en")
    view = svc.view(signup_secret)
    assert (view.step, view.given_name, view.language) == (Step.EMAIL, "Karin", "en")
    assert not view.continue_required and view.personnummer_masked == "19750505-****"
    assert len(bankid.auth_requests) == orders  # no second BankID
    assert login.signup_from_login(secret, "sv") is None  # the identification is used up
    await svc.submit_contact("email", signup_secret, "k@example.se", client_ip="192.0.2.1")


async def test_create_account_refuses_an_old_identification_or_another_cookie(login, bankid,
                                                                              clock):
    stranger = make_pnr("19750505", "123")
    secret, _ = await _identify(login, bankid, stranger)
    assert login.signup_from_login("another-cookie", "sv") is None
    assert login.signup_from_login(None, "sv") is None
    clock.advance(11 * 60)
    assert login.signup_from_login(secret, "sv") is None


async def test_create_account_when_the_person_has_an_account_is_refused(flow, login, bankid):
    secret, progress = await _identify(login, bankid, make_pnr("19750505", "123"))
    assert progress.outcome == "no_account"
    await flow.to_done(pnr=make_pnr("19750505", "123"))  # signed up meanwhile elsewhere
    assert login.signup_from_login(secret, "sv") is None


async def test_a_login_order_answers_only_its_own_cookie_and_tab(login, bankid):
    secret = login.begin()
    started = await login.start(secret, tab=TAB, end_user_ip="192.0.2.1", user_agent=DESKTOP,
                                same_device=False, return_url="http://x/", language="sv")
    bankid.complete(ADULT)
    with pytest.raises(FlowRefused):
        await login.poll(login.begin(), started.order_id, tab=TAB)
    with pytest.raises(FlowRefused):
        await login.poll(secret, started.order_id, tab="other-tab")
    with pytest.raises(LoginRefused):
        await login.poll("", started.order_id, tab=TAB)
    assert bankid.collect_calls == []


async def test_a_reloaded_login_tab_gets_its_order_back(login):
    secret = login.begin()
    started = await login.start(secret, tab=TAB, end_user_ip="192.0.2.1", user_agent=DESKTOP,
                                same_device=False, return_url="http://x/", language="sv")
    again = login.current(secret, tab=TAB)
    assert again.order_id == started.order_id and again.qr.token == started.qr.token
    assert login.current(secret, tab="other") is None
    await login.cancel(secret)
    assert login.current(secret, tab=TAB) is None


async def test_session_lifetimes_come_from_the_settings(flow, login, bankid, engine, clock,
                                                        monkeypatch):
    from kivra_app.settings import get_settings

    monkeypatch.setenv("KIVRA_SESSION_IDLE", "120")
    get_settings.cache_clear()
    try:
        await flow.to_done()
        secret, progress = await _identify(login, bankid, ADULT)
        token = sessions.claim_ticket(engine, progress.ticket, login_secret=secret,
                                      now=clock.now)
        assert sessions.session_status(engine, token,
                                       now=clock.now + timedelta(seconds=100)).state == "live"
        late = clock.now + timedelta(seconds=100 + 121)
        assert sessions.session_status(engine, token, now=late).state == "expired"
        assert sessions.session_status(engine, token, now=late).state == "expired"  # stays so
        sessions.end_session(engine, "unknown")
        assert sessions.session_status(engine, "unknown").state == "none"
    finally:
        get_settings.cache_clear()


async def test_a_logged_out_session_is_none_not_expired(flow, login, bankid, engine, clock):
    await flow.to_done()
    secret, progress = await _identify(login, bankid, ADULT)
    token = sessions.claim_ticket(engine, progress.ticket, login_secret=secret, now=clock.now)
    sessions.end_session(engine, token, now=clock.now)
    assert sessions.session_status(engine, token, now=clock.now).state == "none"
    with Session(engine) as session:
        assert session.exec(select(BankIdOrder.consumed_at)).first() is not None
