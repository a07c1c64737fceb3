"""Requiring a login session in a state (docs/bankid-flow.md, "Requiring a session").

The session secret is the HttpOnly cookie `kivra_session` of THIS event's own connection, read
per event and never kept in a state var; the database says whether it is live (idle and
absolute lifetime, KIVRA_SESSION_IDLE / KIVRA_SESSION_MAX) and refreshes its idle timer.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from state import deps


def session_secret(state: Any) -> str | None:
    return deps.cookie_value(state.router.headers.cookie, deps.SESSION_COOKIE)


async def session_check(state: Any) -> Any:
    """`SessionCheck(user_id, state: live|expired|none)` of this connection's cookie."""
    from kivra_app.auth.sessions import SessionCheck, session_status

    secret = session_secret(state)
    if not secret:
        return SessionCheck(None, "none")
    return await deps.off_loop(session_status, deps.services().engine, secret)


async def current_user(state: Any) -> int | None:
    """The user id of a live session on this connection, else None."""
    return (await session_check(state)).user_id


def login_path(next_path: str) -> str:
    """/login?next=… (the login validates `next` again: a same-origin page path only)."""
    return "/login?next=" + quote(next_path, safe="/")


def login_redirect(next_path: str) -> Any:
    """Send a visitor without a session to the login, and back to `next_path` afterwards."""
    import reflex as rx

    return rx.redirect(login_path(next_path))
