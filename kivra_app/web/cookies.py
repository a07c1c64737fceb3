"""The two HttpOnly cookies: the signup in progress and the mailbox session."""

from __future__ import annotations

from http.cookies import SimpleCookie

from starlette.responses import Response

from kivra_app.settings import Settings

SIGNUP_COOKIE = "kivra_signup"
SESSION_COOKIE = "kivra_session"
SIGNUP_MAX_AGE = 24 * 3600
SESSION_MAX_AGE = 12 * 3600


def _secure(settings: Settings) -> bool:
    return settings.base_url.startswith("https://")


def set_cookie(response: Response, settings: Settings, name: str, value: str, max_age: int) -> None:
    # Lax, not Strict: the return from the BankID app is a top-level navigation from elsewhere.
    response.set_cookie(
        name, value, max_age=max_age, path="/", httponly=True, secure=_secure(settings),
        samesite="lax",
    )


def clear_cookie(response: Response, settings: Settings, name: str) -> None:
    response.delete_cookie(name, path="/", httponly=True, secure=_secure(settings), samesite="lax")


def read_cookie(cookie_header: str | None, name: str) -> str | None:
    """The value of one cookie from a raw Cookie header (also used by the websocket states)."""
    if not cookie_header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except Exception:  # noqa: BLE001 - a malformed header means no cookie
        return None
    morsel = jar.get(name)
    value = morsel.value if morsel else None
    return value if value and len(value) <= 256 else None
