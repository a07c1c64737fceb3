"""The HttpOnly cookies: the signup in progress, the login in progress and the mailbox session.

Names: on https (`Settings.base_url` starts with https://) the cookies carry the `__Host-`
prefix (`__Host-kivra_signup`, `__Host-kivra_session`): the browser then only accepts them with
Secure, Path=/ and no Domain, so a sibling subdomain or a plain-http response cannot plant or
overwrite them (R-28). Plain names on http (development). Every reader and writer gets the name
from `cookie_name` (routes) or `state.deps` (states), never from a literal.
"""

from __future__ import annotations

import re

from starlette.responses import Response

from kivra_app.settings import Settings

SIGNUP_COOKIE = "kivra_signup"
SESSION_COOKIE = "kivra_session"
LOGIN_COOKIE = "kivra_login"  # a login in progress (auth/login.py)
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


# RFC 6265 §4.1.1 / RFC 9110 §5.6.2: a cookie name is a token; a value is cookie-octets,
# optionally in double quotes. Only SP and HTAB may surround a pair (RFC 6265 §5.2 strips
# those and nothing else: str.strip() would also remove \xa0, \x85, \x1c or \u3000, which is
# how "\xa0__Host-kivra_signup", a name any subdomain or plain-http page can set, was read as
# our __Host- cookie).
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_COOKIE_VALUE = re.compile(r'[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*')
_OWS = " \t"


def read_cookie(cookie_header: str | None, name: str) -> str | None:
    """The value of one cookie from a raw Cookie header (also used by the websocket states).

    The header is split on ";" and a malformed pair elsewhere (`pref={"a":1}`) does not hide
    the others, but a pair only counts if its name is an RFC 6265 token once SP/HTAB are
    removed, and matches `name` exactly; any other pair is ignored. A name that appears more
    than once (a planted duplicate next to the real cookie) counts as absent: we cannot tell
    which is ours. Surrounding double quotes are removed; an empty or overlong value, or one
    with characters outside cookie-octet, is absent.
    """
    if not isinstance(cookie_header, str) or not cookie_header:
        return None
    found: list[str] = []
    for pair in cookie_header.split(";"):
        key, sep, value = pair.partition("=")
        key = key.strip(_OWS)
        if sep and _TOKEN.fullmatch(key) and key == name:
            found.append(value.strip(_OWS))
    if len(found) != 1:
        return None
    value = found[0]
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not value or len(value) > MAX_VALUE_LENGTH or not _COOKIE_VALUE.fullmatch(value):
        return None
    return value


def request_cookie(cookie_header: str | None, settings: Settings, base: str) -> str | None:
    """One of our cookies (by its base name) from a raw Cookie header, under the name in use."""
    return read_cookie(cookie_header, cookie_name(settings, base))
