"""The login attempt's cookie on the /login page itself (issue #11, first load).

/login needs a `kivra_login` cookie before BankID can start (kivra_app/web/login_routes.py), and
only an HTTP response can set an HttpOnly cookie. Without one, the page used to load, run its
JavaScript, go to GET /api/login/begin, be sent back and load again: two page loads (Lighthouse:
"avoid multiple page redirects", ~2.2 s on a throttled phone) for everyone who opens /login from
a bookmark or from a "Du har fått ny post" email. So the page's own response brings the cookie,
made exactly as /api/login/begin makes it. Where the pages are served by something else (a
static export behind nginx), /login still works through /api/login/begin.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kivra_app.settings import Settings
from kivra_app.web.cookies import LOGIN_COOKIE, LOGIN_MAX_AGE, request_cookie, set_cookie

LOGIN_PAGES = frozenset({"/login", "/login/"})
_PAGE_ANSWERS = frozenset({200, 304})  # the page itself, not the redirect to /login/


class LoginCookieOnPage:
    def __init__(self, app: ASGIApp, *, settings: Settings, new_secret: Callable[[], str]) -> None:
        self.app = app
        self.settings = settings
        self.new_secret = new_secret

    def _set_cookie_headers(self) -> list[tuple[bytes, bytes]]:
        carrier = Response()
        set_cookie(carrier, self.settings, LOGIN_COOKIE, self.new_secret(), LOGIN_MAX_AGE)
        return [(n, v) for n, v in carrier.raw_headers if n == b"set-cookie"]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD")
                or scope.get("path") not in LOGIN_PAGES):
            await self.app(scope, receive, send)
            return
        cookie = next((v.decode("latin-1") for n, v in scope.get("headers", [])
                       if n == b"cookie"), None)
        if request_cookie(cookie, self.settings, LOGIN_COOKIE):
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in _PAGE_ANSWERS:
                # A response that sets a cookie is this browser's alone: no shared cache keeps it.
                headers = [(n, v) for n, v in message.get("headers", [])
                           if n.lower() != b"cache-control"]
                message = {**message, "headers": [*headers, *self._set_cookie_headers(),
                                                  (b"cache-control", b"private, no-store")]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)
