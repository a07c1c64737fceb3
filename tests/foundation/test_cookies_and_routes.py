"""The cookie helpers and the plain-HTTP cookie routes: lenient parsing without duplicates,
`__Host-` names on https, a fresh signup on begin, the continue route (secret rotation), the
claim bound to its signup and the logout that ends the session."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlmodel import SQLModel
from starlette.responses import Response
from starlette.testclient import TestClient

import kivra_app.models  # noqa: F401 - registers the tables
from kivra_app.antiautomation import StartLimiter
from kivra_app.auth import sessions
from kivra_app.db import make_engine
from kivra_app.ratelimit import DatabaseBackend, RateLimiter
from kivra_app.settings import Settings
from kivra_app.signup.service import SignupService
from kivra_app.web import session_routes
from kivra_app.web.api import build_api
from kivra_app.web.cookies import (
    SESSION_COOKIE,
    SIGNUP_COOKIE,
    cookie_name,
    read_cookie,
    request_cookie,
    set_cookie,
)
from tests.unit.conftest import ADULT, Flow
from tests.unit.fakes import Clock, FakeBankId, FakeMailer, FakeSms

# ------------------------------------------------------------------ read_cookie (finding 2)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("kivra_signup=abc", "abc"),
        ("  kivra_signup=abc  ", "abc"),
        ("theme=light; kivra_signup=abc", "abc"),
        ('pref={"a":1}; kivra_signup=abc', "abc"),  # SimpleCookie stopped at the bad pair
        ("pref=a b c; kivra_signup=abc; x=1", "abc"),
        ('a="unterminated; kivra_signup=abc', "abc"),
        ("junk; ;;=; kivra_signup=abc", "abc"),
        ('kivra_signup="abc"', "abc"),
        ("kivra_signup=abc=def", "abc=def"),
        ("kivra_signup=abc; kivra_signup=evil", None),  # a planted duplicate: absent
        ("kivra_signup=evil; other=1; kivra_signup=abc", None),
        ("kivra_signup=", None),
        ("kivra_signup", None),
        ("xkivra_signup=abc", None),
        ("kivra_signupx=abc", None),
        ("Kivra_Signup=abc", None),  # names are case-sensitive
        ("kivra_signup=" + "a" * 257, None),
        ("kivra_signup=" + "a" * 256, "a" * 256),
        ("", None),
        (None, None),
        ("__Host-kivra_signup=abc", None),  # another name
        ("\tkivra_signup=abc\t", "abc"),  # SP and HTAB around a pair are allowed
        ("kivra_signup = abc", "abc"),
        # Issue #12 finding 1: other (Unicode) whitespace is part of the name, and such a name
        # is no token: a planted "\xa0kivra_signup" is not our cookie.
        ("\xa0kivra_signup=evil", None),
        ("\x85kivra_signup=evil", None),
        ("\x1ckivra_signup=evil", None),
        ("\u3000kivra_signup=evil", None),
        ("kivra_signup\xa0=evil", None),
        ("\xa0kivra_signup=evil; kivra_signup=mine", "mine"),
        ("kivra_signup=mine; \x0bkivra_signup=evil", "mine"),
        ("kivra_signup=a b", None),  # a value outside cookie-octet
        ("kivra_signup=a\\b", None),
        ("kivra_signup=\xa0abc", None),
    ],
)
def test_read_cookie(header: str | None, expected: str | None) -> None:
    assert read_cookie(header, "kivra_signup") == expected


@pytest.mark.parametrize("space", ["\xa0", "\x85", "\x1c", "\u3000", "\x0c", "\r"])
def test_a_host_cookie_cannot_be_planted_under_a_whitespace_name(tmp_path: Path,
                                                                  space: str) -> None:
    """Finding 1: `\xa0__Host-kivra_signup` can be set by a sibling subdomain or over plain
    http (it has no __Host- prefix to the browser); it must never be read as ours."""
    settings = _settings(tmp_path, "https://kivra.example.se")
    planted = f"{space}__Host-kivra_signup=attacker"
    assert request_cookie(planted, settings, SIGNUP_COOKIE) is None
    assert request_cookie(f"{planted}; __Host-kivra_signup=mine", settings,
                          SIGNUP_COOKIE) == "mine"


def _settings(tmp_path: Path, url: str | None) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, secret_key="k", public_url=url,
                    bankid_simulator=False, database_url=f"sqlite:///{tmp_path / 'r.db'}",
                    allow_test_personnummer=True)


@pytest.mark.parametrize(
    ("url", "signup", "session", "read"),
    [
        (None, "kivra_signup", "kivra_session", None),  # a duplicate: absent
        ("http://kivra.test", "kivra_signup", "kivra_session", None),
        # On https a plain-named cookie (planted over http or by a subdomain) is not read.
        ("https://kivra.example.se", "__Host-kivra_signup", "__Host-kivra_session", "mine"),
    ],
)
def test_cookie_names_follow_the_scheme(tmp_path: Path, url: str | None, signup: str,
                                        session: str, read: str | None) -> None:
    settings = _settings(tmp_path, url)
    assert cookie_name(settings, SIGNUP_COOKIE) == signup
    assert cookie_name(settings, SESSION_COOKIE) == session
    header = f"kivra_signup=planted; {signup}=mine"
    assert request_cookie(header, settings, SIGNUP_COOKIE) == read


def test_host_prefixed_cookie_attributes(tmp_path: Path) -> None:
    response = Response()
    set_cookie(response, _settings(tmp_path, "https://kivra.example.se"), SIGNUP_COOKIE, "v", 60)
    header = response.headers["set-cookie"]
    assert header.startswith("__Host-kivra_signup=v;")
    lowered = header.lower()
    assert "secure" in lowered and "httponly" in lowered and "path=/" in lowered
    assert "samesite=lax" in lowered and "domain" not in lowered


# ------------------------------------------------------------------ the routes


class App:
    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str | None) -> None:
        self.settings = _settings(tmp_path, url)
        self.engine = make_engine(self.settings.effective_database_url)
        SQLModel.metadata.create_all(self.engine)
        self.clock = Clock(datetime.now(UTC))  # the routes use the real clock
        self.bankid, self.mailer, self.sms = FakeBankId(), FakeMailer(), FakeSms()
        self.svc = SignupService(engine=self.engine, settings=self.settings, bankid=self.bankid,
                                 mailer=self.mailer, sms=self.sms, clock=self.clock)
        self.flow = Flow(self.svc, self.bankid, self.mailer, self.sms, self.clock)
        limits = StartLimiter(RateLimiter(DatabaseBackend(self.engine)), self.settings)
        services = SimpleNamespace(settings=self.settings, engine=self.engine, signup=self.svc,
                                   start_limits=limits)
        monkeypatch.setattr(session_routes, "services", lambda: services)
        base = url or "http://localhost"
        self.client = TestClient(build_api(self.settings), base_url=base, follow_redirects=False)
        self.signup_name = cookie_name(self.settings, SIGNUP_COOKIE)
        self.session_name = cookie_name(self.settings, SESSION_COOKIE)

    def get(self, path: str, cookie: str | None = None):  # noqa: ANN201
        self.client.cookies.clear()
        return self.client.get(path, headers={"cookie": cookie} if cookie else {})

    def post(self, path: str, cookie: str | None = None):  # noqa: ANN201
        self.client.cookies.clear()
        return self.client.post(path, headers={"cookie": cookie} if cookie else {})

    def set_value(self, response, name: str) -> str | None:  # noqa: ANN001
        for header in response.headers.get_list("set-cookie"):
            key, _, rest = header.partition("=")
            if key == name:
                return rest.split(";", 1)[0].strip('"')
        return None

    async def completed(self) -> tuple[str, str]:
        secret = await self.flow.to_bankid(ADULT)
        self.bankid.complete(ADULT)
        progress = await self.flow.poll(secret)
        return secret, progress.continue_ticket


@pytest.fixture(params=[None, "https://kivra.example.se"], ids=["http", "https"])
def app(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> App:  # noqa: ANN001
    application = App(tmp_path, monkeypatch, request.param)
    yield application
    application.engine.dispose()


def test_begin_always_starts_a_new_signup(app: App) -> None:
    first = app.post("/api/signup/begin")
    assert first.status_code == 303 and first.headers["location"] == "/signup"
    secret = app.set_value(first, app.signup_name)
    assert secret and app.svc.view(secret) is not None
    # A cookie the browser already sends (possibly planted) is never resumed.
    second = app.post("/api/signup/begin", cookie=f"{app.signup_name}={secret}")
    fresh = app.set_value(second, app.signup_name)
    assert fresh and fresh != secret


async def test_continue_rotates_the_cookie(app: App) -> None:
    old, ticket = await app.completed()
    response = app.get(f"/api/signup/continue?ticket={ticket}", cookie=f"{app.signup_name}={old}")
    assert response.status_code == 303 and response.headers["location"] == "/signup"
    new = app.set_value(response, app.signup_name)
    assert new and new != old
    assert app.svc.view(old) is None and not app.svc.view(new).continue_required
    # Replaying the same ticket changes nothing.
    again = app.get(f"/api/signup/continue?ticket={ticket}", cookie=f"{app.signup_name}={new}")
    assert again.status_code == 303 and app.set_value(again, app.signup_name) is None


async def test_continue_refuses_a_ticket_without_its_signups_cookie(app: App) -> None:
    _, ticket = await app.completed()
    other = app.svc.begin("sv")
    for cookie in (None, f"{app.signup_name}={other}", "unrelated=1"):
        response = app.get(f"/api/signup/continue?ticket={ticket}", cookie=cookie)
        assert response.status_code == 303 and app.set_value(response, app.signup_name) is None
    assert app.get("/api/signup/continue", cookie=f"{app.signup_name}={other}").status_code == 303


async def _done(app: App) -> str:
    old, ticket = await app.completed()
    secret = app.svc.rotate_secret(old, ticket)
    await app.svc.submit_contact("email", secret, "karin@example.se", client_ip="192.0.2.1")
    app.svc.verify_code("email", secret, app.mailer.last_code("karin@example.se"))
    await app.svc.submit_contact("phone", secret, "070-174 06 05", client_ip="192.0.2.1")
    app.svc.verify_code("phone", secret, app.sms.last_code())
    return secret


async def test_claim_needs_the_issuing_signups_cookie(app: App) -> None:
    secret = await _done(app)
    ticket = app.svc.issue_login_ticket(secret)
    attacker = app.svc.begin("sv")
    # Login CSRF: a link with the attacker's ticket, in a browser without that signup's cookie.
    for cookie in (None, f"{app.signup_name}={attacker}"):
        refused = app.get(f"/api/session/claim?ticket={ticket}", cookie=cookie)
        assert refused.status_code == 303 and refused.headers["location"] == "/mailbox"
        assert app.set_value(refused, app.session_name) is None
    ok = app.get(f"/api/session/claim?ticket={ticket}", cookie=f"{app.signup_name}={secret}")
    session_secret = app.set_value(ok, app.session_name)
    assert session_secret and sessions.user_for_session(app.engine, session_secret)
    assert app.set_value(ok, app.signup_name) == ""  # the signup cookie is cleared


async def test_logout_ends_the_session_and_clears_the_cookies(app: App) -> None:
    secret = await _done(app)
    ticket = app.svc.issue_login_ticket(secret)
    session_secret = sessions.claim_ticket(app.engine, ticket, signup_secret=secret)
    assert sessions.user_for_session(app.engine, session_secret)
    response = app.post("/api/logout", cookie=f"{app.session_name}={session_secret}")
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert sessions.user_for_session(app.engine, session_secret) is None
    cleared = [h for h in response.headers.get_list("set-cookie")
               if h.startswith(app.session_name + "=")]
    assert cleared and "max-age=0" in cleared[0].lower()


# ------------------------------------------------------------------ finding 7: cross-site

async def _session(app: App) -> str:
    secret = await _done(app)
    return sessions.claim_ticket(app.engine, app.svc.issue_login_ticket(secret),
                                 signup_secret=secret)


async def test_state_changes_refuse_get(app: App) -> None:
    """`location = …/api/logout` from a foreign page logged the victim out."""
    session_secret = await _session(app)
    response = app.get("/api/logout", cookie=f"{app.session_name}={session_secret}")
    assert response.status_code == 405
    assert sessions.user_for_session(app.engine, session_secret)
    begun = app.get("/api/signup/begin")
    assert begun.status_code == 405 and app.set_value(begun, app.signup_name) is None


@pytest.mark.parametrize("headers", [
    {"sec-fetch-site": "cross-site"},
    {"sec-fetch-site": "same-site"},  # a sibling subdomain is another site's page too
    {"sec-fetch-site": "none"},
    {"origin": "https://evil.example"},
    {"origin": "null"},
    {"sec-fetch-site": "same-origin", "origin": "https://evil.example"},
])
async def test_cross_site_posts_are_refused(app: App, headers: dict[str, str]) -> None:
    session_secret = await _session(app)
    app.client.cookies.clear()
    response = app.client.post("/api/logout", headers={
        "cookie": f"{app.session_name}={session_secret}", **headers})
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 403
    assert sessions.user_for_session(app.engine, session_secret)  # still logged in
    signup = app.svc.begin("sv")
    reset = app.client.post("/api/signup/begin", headers={
        "cookie": f"{app.signup_name}={signup}", **headers})
    assert reset.status_code == 403 and app.set_value(reset, app.signup_name) is None


async def test_same_origin_posts_pass(app: App) -> None:
    own = app.settings.allowed_origins[0]
    session_secret = await _session(app)
    app.client.cookies.clear()
    response = app.client.post("/api/logout", headers={
        "cookie": f"{app.session_name}={session_secret}", "sec-fetch-site": "same-origin",
        "origin": own})
    assert response.status_code == 303
    assert sessions.user_for_session(app.engine, session_secret) is None


async def test_ticket_navigations_are_refused_cross_site(app: App) -> None:
    old, ticket = await app.completed()
    app.client.cookies.clear()
    foreign = app.client.get(f"/api/signup/continue?ticket={ticket}", headers={
        "cookie": f"{app.signup_name}={old}", "sec-fetch-site": "cross-site"})
    assert foreign.status_code == 403 and app.set_value(foreign, app.signup_name) is None
    own = app.client.get(f"/api/signup/continue?ticket={ticket}", headers={
        "cookie": f"{app.signup_name}={old}", "sec-fetch-site": "same-origin"})
    assert own.status_code == 303 and app.set_value(own, app.signup_name)
