"""The HttpOnly cookies: the signup in progress, the login in progress and the mailbox session.

Names: on https (`Settings.base_url` starts with https://) the cookies carry the `__Host-`
prefix (`__Host-kivra_signup`, `__Host-kivra_session`): the browser then only accepts them with
Secure, Path=/ and no Domain, so a sibling subdomain or a plain-http response cannot plant or
overwrite them (R-28). Plain names on http (development). Every reader and writer gets the name
from `cookie_name` (routes) or `state.deps` (states), never from a literal.
"""

from __future__ import annotations

from starlette.responses import Response

from kivra_app.settings import Settings

SIGNUP_COOKIE = "kivra_signup"
SESSION_COOKIE = "kivra_session"
LOGIN_COOKIE = "kivra_login"  # a login in progress (auth/login.py)
SIGNUP_MAX_AGE = 24 * 3600
SESSION_MAX_AGE = 12 * 3600
LOGIN_MAX_AGE = 3600
HOST_PREFIX = "__Host-"
MAX_VALUE_LENGTH = 256


def _secure(settings: Settings) -> bool:
    return settings.base_url.startswith("https://")


def cookie_name(settings: Settings, base: str) -> str:
    """The name actually used for `base` (SIGNUP_COOKIE or SESSION_COOKIE)."""
    return HOST_PREFIX + base if _secure(settings) else base


def set_cookie(response: Response, settings: Settings, base: str, value: str, max_age: int) -> None:
    # Lax, not Strict: the return from the BankID app is a top-level navigation from elsewhere.
    # Path=/ and no Domain: required by the __Host- prefix, and right for plain names too.
    response.set_cookie(
        cookie_name(settings, base), value, max_age=max_age, path="/", httponly=True,
        secure=_secure(settings), samesite="lax",
    )


def clear_cookie(response: Response, settings: Settings, base: str) -> None:
    response.delete_cookie(cookie_name(settings, base), path="/", httponly=True,
                           secure=_secure(settings), samesite="lax")


def read_cookie(cookie_header: str | None, name: str) -> str | None:
    """The value of one cookie from a raw Cookie header (also used by the websocket states).

    Lenient like browsers and Starlette: the header is split on ";" and a malformed pair
    elsewhere (`pref={"a":1}`) does not hide the others. A name that appears more than once (a
    planted duplicate next to the real cookie) counts as absent: we cannot tell which is ours.
    Surrounding double quotes are removed; an empty or overlong value is absent.
    """
    if not isinstance(cookie_header, str) or not cookie_header:
        return None
    found: list[str] = []
    for pair in cookie_header.split(";"):
        key, sep, value = pair.partition("=")
        if sep and key.strip() == name:
            found.append(value.strip())
    if len(found) != 1:
        return None
    value = found[0]
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return value if value and len(value) <= MAX_VALUE_LENGTH else None


def request_cookie(cookie_header: str | None, settings: Settings, base: str) -> str | None:
    """One of our cookies (by its base name) from a raw Cookie header, under the name in use."""
    return read_cookie(cookie_header, cookie_name(settings, base))
