"""Security headers on every HTTP response (R-39). Websocket traffic passes untouched.

The CSP has no script allowlist: Reflex's production pages carry inline bootstrap scripts, so
script-src would need per-build hashes. What it does pin: no plugins, no <base> tricks, no framing,
forms only to ourselves.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
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

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [
                    (n, v) for n, v in self.headers if n not in present
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)
