"""Plain-HTTP routes that set or clear the HttpOnly cookies (Reflex state cannot).

- POST/GET /api/signup/begin: always a NEW signup and secret. A signup cookie the browser
  already sends is not resumed: it may have been planted (session fixation, R-24). Reloading
  /signup still resumes the signup in progress.
- GET /api/signup/continue?ticket=: after BankID, the continue ticket plus the current signup
  cookie (the pre-BankID secret) of the same signup -> a new secret in the cookie (rotation).
- GET /api/session/claim?ticket=: the login ticket plus the cookie of the signup that issued it
  -> the mailbox session cookie; otherwise /mailbox shows "not logged in" (login CSRF).
- GET/POST /api/logout: ends the presented mailbox session on the server, clears the cookies.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kivra_app.antiautomation import client_address
from kivra_app.auth import sessions
from kivra_app.container import services
from kivra_app.web.busy_page import too_many_starts
from kivra_app.web.cookies import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    SIGNUP_COOKIE,
    clear_cookie,
    request_cookie,
    set_cookie,
)

LANGUAGES = ("sv", "en")
MAX_TICKET = 256


def _language(request: Request) -> str:
    lang = request.query_params.get("lang", "")
    if lang in LANGUAGES:
        return lang
    accept = request.headers.get("accept-language", "").lower()
    return "en" if accept.startswith("en") else services().settings.default_language


def _cookie(request: Request, base: str) -> str | None:
    return request_cookie(request.headers.get("cookie"), services().settings, base)


def _ticket(request: Request) -> str:
    return request.query_params.get("ticket", "")[:MAX_TICKET]


async def begin_signup(request: Request) -> Response:
    """'Skapa konto' / 'Börja om': a new signup with a new secret, always (within the
    per-address start limit, issue #11)."""
    svc = services()
    address = client_address(request.scope.get("client"),
                             request.headers.get("x-forwarded-for"),
                             svc.settings.trusted_proxy_hops)
    decision = await svc.start_limits.ahit(address, "signup")
    if not decision.allowed:
        return too_many_starts(_language(request), decision.retry_after_header)
    secret = await asyncio.to_thread(svc.signup.begin, _language(request))
    response = RedirectResponse("/signup", status_code=303)
    set_cookie(response, svc.settings, SIGNUP_COOKIE, secret,
               svc.settings.signup_cookie_max_age)
    return response


async def continue_signup(request: Request) -> Response:
    """Rotate the signup secret after BankID. On any refusal the cookie stays as it was and
    /signup shows where the signup is (it asks for a new ticket if one is still due)."""
    svc = services()
    ticket = _ticket(request)
    current = _cookie(request, SIGNUP_COOKIE)
    new_secret = None
    if ticket and current:
        new_secret = await asyncio.to_thread(svc.signup.rotate_secret, current, ticket)
    response = RedirectResponse("/signup", status_code=303)
    if new_secret:
        set_cookie(response, svc.settings, SIGNUP_COOKIE, new_secret,
                   svc.settings.signup_cookie_max_age)
    return response


async def claim_session(request: Request) -> Response:
    """Exchange a one-time login ticket (with its signup's cookie) for the session cookie."""
    svc = services()
    ticket = _ticket(request)
    signup_secret = _cookie(request, SIGNUP_COOKIE)
    session_secret = None
    if ticket and signup_secret:
        session_secret = await asyncio.to_thread(
            sessions.claim_ticket, svc.engine, ticket, signup_secret=signup_secret
        )
    response = RedirectResponse("/mailbox", status_code=303)
    if session_secret is None:
        return response
    set_cookie(response, svc.settings, SESSION_COOKIE, session_secret, SESSION_MAX_AGE)
    clear_cookie(response, svc.settings, SIGNUP_COOKIE)
    return response


async def logout(request: Request) -> Response:
    """End the presented session on the server (R-27) and clear the cookies; then the start."""
    svc = services()
    current = _cookie(request, SESSION_COOKIE)
    if current:
        await asyncio.to_thread(sessions.end_session, svc.engine, current)
    response = RedirectResponse("/", status_code=303)
    clear_cookie(response, svc.settings, SESSION_COOKIE)
    clear_cookie(response, svc.settings, SIGNUP_COOKIE)
    clear_cookie(response, svc.settings, LOGIN_COOKIE)
    return response
