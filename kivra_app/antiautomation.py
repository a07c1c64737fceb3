"""Anti-automation: how many signups, logins and BankID orders one client address may start.

One budget per address (a burst, then a sustained rate; settings `ip_start_burst` and
`ip_start_per_minute`), kept by the one rate limiter (`kivra_app.ratelimit`: Redis or the
database), so it holds across workers and instances. Keys carry an HMAC of the address, never
the address itself. Behind reverse proxies the address is the client's as resolved with
`trusted_proxy_hops` (Reflex does it for the websocket; `client_address` below for HTTP).

BankID orders are limited where every one of them starts: `LimitedBankId` wraps the RP client,
so signup, login and signing orders (and silent renewals) all count, whichever flow starts them.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from kivra_app.bankid import errors
from kivra_app.ratelimit import Decision, Rate, RateLimiter

log = logging.getLogger("kivra.antiautomation")

_START_METHODS = ("auth", "sign", "phone_auth", "phone_sign")


def start_rate(settings: Any) -> Rate:
    return Rate(burst=settings.ip_start_burst, per_second=settings.ip_start_per_minute / 60.0)


def _key(settings: Any, address: str | None) -> str:
    digest = hmac.new(settings.secret_key_bytes(), (address or "unknown").encode(),
                      hashlib.sha256).hexdigest()[:32]
    return "ip-start:" + digest


class StartLimiter:
    def __init__(self, limiter: RateLimiter, settings: Any) -> None:
        self.limiter = limiter
        self.settings = settings
        self.rate = start_rate(settings)

    def hit(self, address: str | None, what: str) -> Decision:
        decision = self.limiter.hit(_key(self.settings, address), self.rate)
        if not decision.allowed:
            log.warning("ip_start_limited what=%s retry_after=%.0f", what, decision.retry_after)
        return decision

    async def ahit(self, address: str | None, what: str) -> Decision:
        decision = await self.limiter.ahit(_key(self.settings, address), self.rate)
        if not decision.allowed:
            log.warning("ip_start_limited what=%s retry_after=%.0f", what, decision.retry_after)
        return decision


class LimitedBankId:
    """The BankID RP client with the per-address start limit in front of every order start;
    everything else (collect, cancel, ...) passes straight through. A refused start raises the
    client's own `RateLimited`, which every flow already answers with a calm "try again"."""

    def __init__(self, client: Any, limits: StartLimiter) -> None:
        self._client = client
        self._limits = limits

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if name not in _START_METHODS:
            return attr

        async def start(request: Any, *args: Any, **kwargs: Any) -> Any:
            address = getattr(request, "end_user_ip", None)
            decision = await self._limits.ahit(address, f"bankid_{name}")
            if not decision.allowed:
                raise errors.RateLimited(
                    "Too many BankID orders from this address",
                    error_code="tooManyRequests", http_status=429,
                    reset_after=decision.retry_after,
                )
            return await attr(request, *args, **kwargs)

        return start

    async def __aenter__(self) -> LimitedBankId:
        await self._client.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> Any:
        return await self._client.__aexit__(*exc)


def client_address(scope_client: tuple[str, int] | None, forwarded_for: str | None,
                   trusted_hops: int) -> str:
    """The client's address of an HTTP request, by the same rule Reflex applies to the
    websocket (reflex/app.py): with N trusted proxies, the N-th address from the right of
    X-Forwarded-For; without, the peer's address (a client-sent header is ignored)."""
    peer = scope_client[0] if scope_client else "unknown"
    if trusted_hops <= 0:
        return peer
    hops = [part.strip() for part in (forwarded_for or "").split(",") if part.strip()]
    return hops[-trusted_hops] if len(hops) >= trusted_hops else peer
