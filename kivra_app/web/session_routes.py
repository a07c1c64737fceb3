"""Plain-HTTP routes that set or clear the HttpOnly cookies (Reflex state cannot)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kivra_app.auth import sessions
from kivra_app.container import services
from kivra_app.web.cookies import (
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    SIGNUP_COOKIE,
    SIGNUP_MAX_AGE,
    clear_cookie,
    read_cookie,
    set_cookie,
)

LANGUAGES = ("sv", "en")


def _language(request: Request) -> str:
    lang = request.query_params.get("lang", "")
    if lang in LANGUAGES:
        return lang
    accept = request.headers.get("accept-language", "").lower()
    return "en" if accept.startswith("en") else services().settings.default_language


async def begin_signup(request: Request) -> Response:
    """'Skapa konto': resume the signup this browser has going, or start a new one."""
    svc = services()
    current = read_cookie(request.headers.get("cookie"), SIGNUP_COOKIE)
    if current:
        view = await asyncio.to_thread(svc.signup.view, current)
        if view is not None and view.step != "done":
            return RedirectResponse("/signup", status_code=303)
    secret = await asyncio.to_thread(svc.signup.begin, _language(request))
    response = RedirectResponse("/signup", status_code=303)
    set_cookie(response, svc.settings, SIGNUP_COOKIE, secret, SIGNUP_MAX_AGE)
    return response


async def claim_session(request: Request) -> Response:
    """Exchange a one-time login ticket for the mailbox session cookie."""
    svc = services()
    ticket = request.query_params.get("ticket", "")[:256]
    session_secret = await asyncio.to_thread(sessions.claim_ticket, svc.engine, ticket) if ticket else None
    if session_secret is None:
        return RedirectResponse("/mailbox", status_code=303)
    response = RedirectResponse("/mailbox", status_code=303)
    set_cookie(response, svc.settings, SESSION_COOKIE, session_secret, SESSION_MAX_AGE)
    clear_cookie(response, svc.settings, SIGNUP_COOKIE)
    return response


async def logout(request: Request) -> Response:
    svc = services()
    current = read_cookie(request.headers.get("cookie"), SESSION_COOKIE)
    if current:
        await asyncio.to_thread(sessions.end_session, svc.engine, current)
    response = RedirectResponse("/", status_code=303)
    clear_cookie(response, svc.settings, SESSION_COOKIE)
    return response
