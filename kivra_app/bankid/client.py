"""Async client for the BankID RP API v6.0 (httpx, mutual TLS through an `ssl.SSLContext`).

Only `maintenance` (503) is retried, with exponential backoff; every other failure is
raised at once as a typed `BankIdError`. Plain `http://` base URLs (the embedded
simulator) need no TLS context; `https://` ones require one, so the system CA store is
never consulted.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from kivra_app.bankid import errors
from kivra_app.bankid.models import (
    AuthRequest,
    CollectResponse,
    OrderResponse,
    PhoneRequest,
    SignRequest,
)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


# httpcore's pool looks at every connection it holds, for every queued request, each time a
# request arrives or ends (with a readability poll per idle connection): its cost grows with the
# pool times the queue. With 250 QR screens on one worker (125 collects/s) that was 11% of the
# worker's CPU with httpx's default pool (100 connections, 20 kept alive: bursts reconnected)
# and 20% with 16 connections and the rest queued inside httpcore. So the pool is small, keeps
# every connection alive (no new TCP/TLS handshake per burst), and requests beyond it wait on
# a semaphore (O(1)) instead of in httpcore's queue.
POOL_SIZE = 16
# Collects (every waiting screen polls every 2 s) may hold all but these: a person who has just
# pressed a button (a start, a cancel) never queues behind hundreds of background polls.
START_RESERVE = 4
# A start (or a cancel) waits longer for a connection than a collect's pool timeout: it is
# what the person is waiting for ("Startar BankID …", no state lock held), while a collect
# simply tries again. Within the flow's 20 s for one call (bankid_flow.CALL_TIMEOUT), leaving
# BankID 5 s to answer.
START_WAIT = 15.0
POOL_LIMITS = httpx.Limits(max_connections=POOL_SIZE, max_keepalive_connections=POOL_SIZE,
                           keepalive_expiry=30)


class BankIdClient:
    def __init__(
        self,
        base_url: str,
        *,
        ssl_context: ssl.SSLContext | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        maintenance_retries: int = 2,
        maintenance_backoff: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        start_wait: float = START_WAIT,
    ) -> None:
        if not base_url.endswith("/"):
            base_url += "/"
        scheme = httpx.URL(base_url).scheme
        if scheme == "https" and ssl_context is None and transport is None:
            raise ValueError(
                "BankID over https needs an ssl.SSLContext with the pinned BankID CA and "
                "the RP certificate (see kivra_app.bankid.tls.build_ssl_context)"
            )
        if scheme not in ("http", "https"):
            raise ValueError(f"unsupported BankID URL scheme: {scheme!r}")
        self.base_url = base_url
        self._maintenance_retries = maintenance_retries
        self._maintenance_backoff = maintenance_backoff
        self._sleep = sleep
        self._clock = clock
        self._http = httpx.AsyncClient(
            base_url=base_url,
            verify=ssl_context if ssl_context is not None else False,
            timeout=timeout,
            transport=transport,
            headers={"Accept": "application/json"},
            follow_redirects=False,
            trust_env=False,
            limits=POOL_LIMITS,
        )
        self._start_wait = start_wait
        self._slots = asyncio.Semaphore(POOL_SIZE)
        self._poll_slots = asyncio.Semaphore(POOL_SIZE - START_RESERVE)

    async def __aenter__(self) -> BankIdClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- API methods ---------------------------------------------------------------

    async def auth(self, request: AuthRequest) -> OrderResponse:
        body = await self._call("auth", request.to_json())
        return OrderResponse.from_json(body, started_at=self._clock())

    async def sign(self, request: SignRequest) -> OrderResponse:
        body = await self._call("sign", request.to_json())
        return OrderResponse.from_json(body, started_at=self._clock())

    async def phone_auth(self, request: PhoneRequest) -> OrderResponse:
        body = await self._call("phone/auth", request.to_json())
        return OrderResponse.from_json(body, started_at=self._clock())

    async def phone_sign(self, request: PhoneRequest) -> OrderResponse:
        if not request.user_visible_text:
            raise ValueError("phone sign requires user_visible_text")
        body = await self._call("phone/sign", request.to_json())
        return OrderResponse.from_json(body, started_at=self._clock())

    async def collect(self, order_ref: str) -> CollectResponse:
        return CollectResponse.from_json(await self._call("collect", {"orderRef": order_ref}))

    async def cancel(self, order_ref: str) -> None:
        await self._call("cancel", {"orderRef": order_ref})

    # --- transport -------------------------------------------------------------------

    async def _call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        attempt = 0
        while True:
            try:
                return await self._post_once(method, payload)
            except errors.Maintenance:
                if attempt >= self._maintenance_retries:
                    raise
                delay = self._maintenance_backoff * (2**attempt)
                attempt += 1
                log.info("BankID %s: maintenance, retry %d in %.1fs", method, attempt, delay)
                await self._sleep(delay)

    async def _post_once(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        poll = method == "collect"
        try:
            # A free connection within the pool timeout, as httpx's own pool would allow.
            pool_wait = self._http.timeout.pool if poll else self._start_wait
            async with asyncio.timeout(pool_wait):
                if poll:
                    await self._poll_slots.acquire()
                try:
                    await self._slots.acquire()
                except BaseException:
                    if poll:
                        self._poll_slots.release()
                    raise
        except TimeoutError as exc:
            raise errors.BankIdBusy(f"BankID {method}: no free connection in time") from exc
        try:
            # json= sends Content-Type exactly "application/json" (no charset), as BankID requires.
            response = await self._http.post(method, json=payload)
        except httpx.TimeoutException as exc:
            raise errors.BankIdTimeout(
                f"BankID {method}: timed out ({type(exc).__name__})"
            ) from exc
        except httpx.TransportError as exc:
            raise _transport_error(method, exc, tls=self.base_url.startswith("https:")) from exc
        finally:
            self._slots.release()  # the body is read: the connection is back in the pool
            if poll:
                self._poll_slots.release()
        if response.status_code == 200:
            try:
                body = response.json()
            except ValueError as exc:
                raise errors.UnknownBankIdError(
                    f"BankID {method}: response is not JSON", http_status=200
                ) from exc
            if not isinstance(body, dict):
                raise errors.UnknownBankIdError(
                    f"BankID {method}: response is not a JSON object", http_status=200
                )
            return body
        raise _api_error(method, response)


def _api_error(method: str, response: httpx.Response) -> errors.BankIdApiError:
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    code = body.get("errorCode")
    details = body.get("details")
    if status == 429:
        cls: type[errors.BankIdApiError] = errors.RateLimited
    elif isinstance(code, str) and code:
        cls = errors.ERRORS_BY_CODE.get(code, errors.UnknownBankIdError)
    else:
        cls = errors.ERRORS_BY_STATUS.get(status, errors.UnknownBankIdError)
        code = next((c for c, k in errors.ERRORS_BY_CODE.items() if k is cls), None)
    text = f"BankID {method}: HTTP {status} {code or '(no errorCode)'}"
    if cls is errors.RateLimited:
        return errors.RateLimited(
            text,
            error_code=code,
            http_status=status,
            details=details,
            reset_after=_float_header(response, "RateLimit-Reset"),
        )
    return cls(text, error_code=code, http_status=status, details=details)


def _float_header(response: httpx.Response, name: str) -> float | None:
    try:
        return float(response.headers[name])
    except (KeyError, ValueError):
        return None


_SERVER_CERT_MARKERS = ("CERTIFICATE_VERIFY_FAILED", "certificate verify failed")
_CLIENT_CERT_MARKERS = (
    "CERTIFICATE_REQUIRED",
    "certificate required",
    "BAD_CERTIFICATE",
    "UNKNOWN_CA",
    "bad certificate",
    "unknown ca",
    "HANDSHAKE_FAILURE",
)


# With TLS 1.3 the server checks the client certificate after the client considers the
# handshake done, so a rejection often surfaces as the connection dropping on first use.
_DROPPED_AFTER_HANDSHAKE = (
    "Broken pipe",
    "Connection reset",
    "EOF occurred",
    "UNEXPECTED_EOF",
    "Server disconnected",
)


def _transport_error(
    method: str, exc: httpx.TransportError, *, tls: bool
) -> errors.BankIdConnectionError:
    text = _describe_chain(exc)
    if any(m in text for m in _SERVER_CERT_MARKERS):
        return errors.BankIdTlsError(
            f"BankID {method}: the server certificate is not trusted by the pinned BankID CA "
            f"(wrong KIVRA_BANKID_CA or wrong URL): {text}"
        )
    if any(m in text for m in _CLIENT_CERT_MARKERS):
        return errors.BankIdTlsError(
            f"BankID {method}: the server rejected our client certificate (missing, expired "
            f"or not issued for this environment; check KIVRA_BANKID_CERT): {text}"
        )
    if tls and any(m in text for m in _DROPPED_AFTER_HANDSHAKE):
        return errors.BankIdTlsError(
            f"BankID {method}: the server closed the TLS connection; most likely it rejected "
            f"our client certificate (missing, expired or not issued for this environment; "
            f"check KIVRA_BANKID_CERT): {text}"
        )
    return errors.BankIdConnectionError(f"BankID {method}: connection failed: {text}")


def _describe_chain(exc: BaseException) -> str:
    parts = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError) or str(current):
            parts.append(str(current))
        current = current.__cause__ or current.__context__
    return " <- ".join(parts) or type(exc).__name__
