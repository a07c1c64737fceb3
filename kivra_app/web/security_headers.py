"""Security headers on every HTTP response (R-39). Websocket traffic passes untouched.

The CSP has no script allowlist: Reflex's production pages carry inline bootstrap scripts, so
script-src would need per-build hashes. What it does pin: no plugins, no <base> tricks, no framing,
forms only to ourselves.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, hsts: bool, frameable_prefix: str | None = None) -> None:
        self.app = app
        # Dev only: the gallery's bare story pages are framed by the gallery itself (same origin).
        self.frameable_prefix = frameable_prefix
        self.frame_headers = [
            (b"content-security-policy", CSP.replace("frame-ancestors 'none'",
                                                     "frame-ancestors 'self'").encode()),
            (b"x-frame-options", b"SAMEORIGIN"),
        ]
        self.headers = [
            (b"content-security-policy", CSP.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]
        if hsts:
            self.headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        headers = self.headers
        if self.frameable_prefix and scope.get("path", "").startswith(self.frameable_prefix):
            framed = dict(self.frame_headers)
            headers = [(n, framed.get(n, v)) for n, v in self.headers]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [
                    (n, v) for n, v in headers if n not in present
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)
