"""Plain-HTTP routes of the login (only an HTTP response can set the HttpOnly cookies).

- GET /api/login/begin?next=: a new login attempt: a fresh `kivra_login` cookie (random, no
  database row), then 303 to /login?next=. Nothing else changes, so a cross-site GET can only
  restart a login in progress. The /login page's own response sets one when it is missing
  (login_page_cookie.py); where it cannot (a static export), the page loads this route.
- GET /api/login/claim?ticket=&next=: the one-time login ticket plus the login cookie it is
  bound to -> a NEW session cookie (rotation; a session cookie sent along is ended on the
  server), the login and signup cookies cleared, 303 to `next` (validated) or /mailbox.
- POST /api/login/signup: "Skapa konto" after "Du har inget Kivra-konto": the completed BankID
  identification of this login cookie becomes a signup at the email step (signup cookie set).
"""

from __future__ import annotations

import asyncio
import re
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kivra_app.auth import sessions
from kivra_app.container import services
from kivra_app.web.cookies import (
    LOGIN_COOKIE,
    LOGIN_MAX_AGE,
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    SIGNUP_COOKIE,
    clear_cookie,
    request_cookie,
    set_cookie,
)

DEFAULT_NEXT = "/mailbox"
MAX_TICKET = 256
# A path of this site: no scheme, no host ("//evil"), no backslash, no API route, printable.
_SAFE_NEXT = re.compile(r"/(?!/|\\)(?!api/)(?!_)(?!login)[A-Za-z0-9/_\-.~]*(\?[A-Za-z0-9_\-.~=&%]*)?")


def safe_next(value: object) -> str:
    """`next` if it is a same-origin page path, else the mailbox."""
    if isinstance(value, str) and len(value) <= 200 and _SAFE_NEXT.fullmatch(value):
        return value
    return DEFAULT_NEXT


def _cookie(request: Request, base: str) -> str | None:
    return request_cookie(request.headers.get("cookie"), services().settings, base)


def new_login_secret() -> str:
    """A new login attempt's cookie value (here and on the /login page itself,
    kivra_app/web/login_page_cookie.py)."""
    return services().login.begin()


async def begin_login(request: Request) -> Response:
    svc = services()
    nxt = safe_next(request.query_params.get("next"))
    response = RedirectResponse("/login?next=" + quote(nxt, safe="/"), status_code=303)
    set_cookie(response, svc.settings, LOGIN_COOKIE, new_login_secret(), LOGIN_MAX_AGE)
    return response


async def claim_login(request: Request) -> Response:
    svc = services()
    ticket = request.query_params.get("ticket", "")[:MAX_TICKET]
    login_secret = _cookie(request, LOGIN_COOKIE)
    nxt = safe_next(request.query_params.get("next"))
    session_secret = None
    if ticket and login_secret:
        session_secret = await asyncio.to_thread(
            sessions.claim_ticket, svc.engine, ticket, login_secret=login_secret)
    if session_secret is None:
        return RedirectResponse("/login?next=" + quote(nxt, safe="/"), status_code=303)
    previous = _cookie(request, SESSION_COOKIE)
    if previous:
        await asyncio.to_thread(sessions.end_session, svc.engine, previous)
    response = RedirectResponse(nxt, status_code=303)
    set_cookie(response, svc.settings, SESSION_COOKIE, session_secret, SESSION_MAX_AGE)
    clear_cookie(response, svc.settings, LOGIN_COOKIE)
    clear_cookie(response, svc.settings, SIGNUP_COOKIE)
    return response


async def signup_from_login(request: Request) -> Response:
    svc = services()
    login_secret = _cookie(request, LOGIN_COOKIE)
    lang = request.query_params.get("lang", "")
    secret = await asyncio.to_thread(svc.login.signup_from_login, login_secret,
                                     lang if lang in ("sv", "en") else svc.settings.default_language)
    if secret is None:
        return RedirectResponse("/login", status_code=303)
    response = RedirectResponse("/signup", status_code=303)
    set_cookie(response, svc.settings, SIGNUP_COOKIE, secret,
               svc.settings.signup_cookie_max_age)
    clear_cookie(response, svc.settings, LOGIN_COOKIE)
    return response
