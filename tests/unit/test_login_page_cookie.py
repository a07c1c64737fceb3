"""/login's own response carries a new login attempt's cookie when the browser has none, so the
page does not load, bounce through /api/login/begin and load again (issue #11, first load)."""

from __future__ import annotations

import itertools

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from kivra_app.settings import Settings
from kivra_app.web.login_page_cookie import LoginCookieOnPage

PAGE = "<html><body>Logga in</body></html>"


def _page(request):  # noqa: ANN001, ANN202 - the static export's page, cacheable as it is served
    return HTMLResponse(PAGE, headers={"cache-control": "public, max-age=3600"})


def _client(settings: Settings) -> TestClient:
    secrets = (f"secret-{n}" for n in itertools.count(1))
    pages = Starlette(routes=[
        Route("/login/", _page),
        Route("/login", lambda r: RedirectResponse("/login/", status_code=307)),
        Route("/signup/", _page),
    ])
    app = LoginCookieOnPage(pages, settings=settings, new_secret=lambda: next(secrets))
    return TestClient(app, base_url=settings.base_url, follow_redirects=False)


@pytest.fixture
def http(tmp_path) -> TestClient:  # noqa: ANN001
    return _client(Settings(_env_file=None, data_dir=tmp_path, secret_key="k" * 64))


def test_the_login_page_sets_the_cookie_once_and_is_not_cached(http) -> None:  # noqa: ANN001
    first = http.get("/login/")
    assert first.status_code == 200 and first.text == PAGE
    assert first.cookies.get("kivra_login") == "secret-1"
    set_cookie = first.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie and "path=/" in set_cookie
    assert first.headers["cache-control"] == "private, no-store"
    again = http.get("/login/", headers={"cookie": "kivra_login=secret-1"})
    assert "set-cookie" not in again.headers  # a login in progress is left alone
    assert again.headers["cache-control"] == "public, max-age=3600"


def test_only_the_login_page_itself(http) -> None:  # noqa: ANN001
    redirect = http.get("/login")
    assert redirect.status_code == 307 and "set-cookie" not in redirect.headers
    assert "set-cookie" not in http.get("/signup/").headers
    assert "set-cookie" not in http.post("/login/").headers


def test_on_https_the_cookie_is_the_host_prefixed_secure_one(tmp_path) -> None:  # noqa: ANN001
    secure = _client(Settings(_env_file=None, data_dir=tmp_path, secret_key="k" * 64,
                              public_url="https://kivra.example"))
    answer = secure.get("/login/")
    assert answer.headers["set-cookie"].startswith("__Host-kivra_login=secret-1")
    assert "secure" in answer.headers["set-cookie"].lower()
