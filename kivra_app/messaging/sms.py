"""Sending SMS: the dev outbox, 46elks and Twilio (httpx, async, with timeouts)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from sqlalchemy.engine import Engine

from kivra_app.db import session_scope
from kivra_app.models import OutboxMessage, utcnow

log = logging.getLogger("kivra.messaging.sms")


class SmsError(Exception):
    """The SMS gateway refused the message, failed, or did not answer in time."""

    def __init__(self, message: str, *, status: int | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail[:500]


@dataclass(frozen=True)
class SmsResult:
    provider_id: str | None
    status: str
    parts: int | None = None


class SmsSender(Protocol):
    async def send(self, to_e164: str, message: str) -> SmsResult: ...


class OutboxSms:
    """Dev only: stores the SMS as an OutboxMessage row (channel "sms")."""

    def __init__(self, engine: Engine, sender: str = "Kivra") -> None:
        self.engine = engine
        self.sender = sender

    async def send(self, to_e164: str, message: str) -> SmsResult:
        with session_scope(self.engine) as session:
            row = OutboxMessage(
                channel="sms", recipient=to_e164, sender=self.sender, text=message,
                created_at=utcnow(),
            )
            session.add(row)
            session.flush()
            row_id = row.id
        return SmsResult(provider_id=f"outbox-{row_id}", status="created", parts=1)


def _error_detail(response: httpx.Response) -> str:
    try:
        body = response.json()
        if isinstance(body, dict):
            return str(body.get("error") or body.get("message") or body)
    except ValueError:
        pass
    return response.text


class _HttpSms:
    def __init__(self, timeout: float, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.timeout = timeout
        self.transport = transport

    async def _post(self, url: str, auth: tuple[str, str], data: dict[str, str]) -> httpx.Response:
        try:
            async with httpx.AsyncClient(timeout=self.timeout, transport=self.transport) as client:
                response = await client.post(url, auth=auth, data=data)
        except httpx.HTTPError as exc:
            raise SmsError(f"transport: {type(exc).__name__}") from exc
        if not 200 <= response.status_code < 300:
            raise SmsError(
                f"HTTP {response.status_code}", status=response.status_code,
                detail=_error_detail(response),
            )
        return response

    async def _post_json(self, url: str, auth: tuple[str, str],
                         data: dict[str, str]) -> tuple[httpx.Response, dict[str, Any]]:
        """`_post`, and the provider's answer, which must be a JSON object."""
        response = await self._post(url, auth, data)
        try:
            body = response.json()
        except ValueError as exc:
            raise SmsError("unexpected response body", status=response.status_code) from exc
        if not isinstance(body, dict):
            raise SmsError("unexpected response body", status=response.status_code)
        return response, body


class ElksSms(_HttpSms):
    """46elks: POST {api}/sms, Basic auth, form from/to/message, dontlog=message."""

    def __init__(
        self, *, api_url: str, username: str, password: str, sender: str, timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(timeout, transport)
        self.api_url = api_url.rstrip("/")
        self.auth = (username, password)
        self.sender = sender

    async def send(self, to_e164: str, message: str) -> SmsResult:
        response, body = await self._post_json(
            f"{self.api_url}/sms",
            self.auth,
            {"from": self.sender, "to": to_e164, "message": message, "dontlog": "message"},
        )
        if body.get("status") == "failed":
            raise SmsError("message failed", status=response.status_code)
        return SmsResult(
            provider_id=body.get("id"), status=str(body.get("status", "created")),
            parts=body.get("parts"),
        )


class TwilioSms(_HttpSms):
    """Twilio: POST {api}/Accounts/{sid}/Messages.json, Basic auth sid:token, form To/From/Body."""

    def __init__(
        self, *, api_url: str, account_sid: str, auth_token: str, sender: str,
        timeout: float = 10.0, transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(timeout, transport)
        self.api_url = api_url.rstrip("/")
        self.account_sid = account_sid
        self.auth = (account_sid, auth_token)
        self.sender = sender

    async def send(self, to_e164: str, message: str) -> SmsResult:
        response, body = await self._post_json(
            f"{self.api_url}/Accounts/{self.account_sid}/Messages.json",
            self.auth,
            {"To": to_e164, "From": self.sender, "Body": message},
        )
        if body.get("error_code"):
            raise SmsError("message failed", status=response.status_code,
                           detail=str(body.get("error_message") or ""))
        segments = body.get("num_segments")
        return SmsResult(
            provider_id=body.get("sid"), status=str(body.get("status", "queued")),
            parts=int(segments) if str(segments or "").isdigit() else None,
        )
