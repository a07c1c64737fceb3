"""The sender API's request and response bodies (pydantic): they are the OpenAPI description.
Semantic rules (check digits, PDFs, reachability) are applied after this shape check."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Recipient(Strict):
    personnummer: str = Field(min_length=1, max_length=20,
                              description="12 digits, YYYYMMDDNNNN (a hyphen is allowed)")


class Part(Strict):
    filename: str = Field(min_length=1, max_length=255, description="A label only; no paths")
    content_type: Literal["application/pdf", "text/plain"]
    data_base64: str = Field(min_length=1, description="The file, base64 (RFC 4648); <= 5 MB decoded")


class InvoiceData(Strict):
    amount: str = Field(pattern=r"^[0-9]{1,9}(\.[0-9]{1,2})?$", examples=["1234.50"],
                        description="SEK, > 0, at most two decimals")
    currency: Literal["SEK"]
    due_date: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", examples=["2026-12-31"])
    account_type: Literal["bankgiro", "plusgiro"]
    account_number: str = Field(min_length=1, max_length=20, examples=["5402-9681"])
    reference_type: Literal["ocr", "message"]
    reference: str = Field(min_length=1, max_length=25, examples=["426523791"])


class MessageRequest(Strict):
    recipient: Recipient
    external_id: str = Field(min_length=1, max_length=200, description="Your own id, unique per sender")
    type: Literal["letter", "invoice"]
    subject: str = Field(min_length=1, max_length=60)
    body_text: str | None = Field(default=None, max_length=100_000)
    parts: list[Part] = Field(min_length=1, max_length=10)
    sensitivity: Literal["normal", "sensitive"] = "normal"
    invoice: InvoiceData | None = Field(default=None, description="Required when type is invoice")


class MessageCreated(BaseModel):
    id: str
    status: Literal["delivered"]
    delivered_at: datetime


class MessageStatus(BaseModel):
    id: str
    external_id: str
    type: Literal["letter", "invoice"]
    status: Literal["delivered"]
    delivered_at: datetime
    invoice_status: Literal["unpaid", "scheduled", "paid", "handled"] | None


class MatchRequest(Strict):
    personnummer: list[str] = Field(max_length=10_000)


class MatchResponse(BaseModel):
    reachable: list[str]


class Event(BaseModel):
    id: str
    type: Literal["delivered", "payment_scheduled", "paid", "handled", "recipient_opted_out",
                  "notification_failed"]
    message_id: str | None
    at: datetime


class EventPage(BaseModel):
    events: list[Event]
    next_cursor: str


class Token(BaseModel):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int


class OAuthError(BaseModel):
    error: Literal["invalid_request", "invalid_client", "unsupported_grant_type"]
    error_description: str | None = None


class ProblemError(BaseModel):
    pointer: str
    code: str


class ProblemDetails(BaseModel):
    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[ProblemError] | None = None
