"""Typed requests and responses of the BankID RP API v6.0.

Requests turn into the JSON body with `to_json()`. Responses are parsed leniently:
unknown fields are ignored (kept in `raw`), unknown statuses and hint codes are kept as
strings. Fields that must never reach a log (personal numbers, orderRefs, secrets) are
left out of `repr`.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Any

USER_AGENT_MAX = 256
DEVICE_IDENTIFIER_MAX = 64
RETURN_URL_MAX = 512


class Status:
    PENDING = "pending"
    FAILED = "failed"
    COMPLETE = "complete"


class Hint:
    OUTSTANDING_TRANSACTION = "outstandingTransaction"
    NO_CLIENT = "noClient"
    STARTED = "started"
    USER_MRTD = "userMrtd"
    USER_CALL_CONFIRM = "userCallConfirm"
    USER_SIGN = "userSign"
    EXPIRED_TRANSACTION = "expiredTransaction"
    CERTIFICATE_ERR = "certificateErr"
    USER_CANCEL = "userCancel"
    CANCELLED = "cancelled"
    START_FAILED = "startFailed"
    USER_DECLINED_CALL = "userDeclinedCall"
    NOT_SUPPORTED_BY_USER_APP = "notSupportedByUserApp"
    TRANSACTION_RISK_BLOCKED = "transactionRiskBlocked"


def _b64(text: str | bytes) -> str:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return base64.b64encode(raw).decode("ascii")


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class Requirement:
    personal_number: str | None = field(default=None, repr=False)
    pin_code: bool | None = None
    mrtd: bool | None = None
    card_reader: str | None = None  # "class1" or "class2"
    certificate_policies: tuple[str, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        return _drop_none(
            {
                "personalNumber": self.personal_number,
                "pinCode": self.pin_code,
                "mrtd": self.mrtd,
                "cardReader": self.card_reader,
                "certificatePolicies": (
                    list(self.certificate_policies) if self.certificate_policies else None
                ),
            }
        )


@dataclass(frozen=True)
class WebDeviceData:
    """Same-device browser data for BankID's risk assessment."""

    referring_domain: str
    user_agent: str
    device_identifier: str = field(repr=False)

    def to_json(self) -> dict[str, str]:
        device_id = self.device_identifier
        if len(device_id) > DEVICE_IDENTIFIER_MAX:
            device_id = hashlib.sha256(device_id.encode("utf-8")).hexdigest()
        return {
            # Punycode, as BankID asks for it.
            "referringDomain": self.referring_domain.encode("idna").decode("ascii"),
            # Longer values give 400 (in-app browsers send more than 256 characters).
            "userAgent": self.user_agent[:USER_AGENT_MAX],
            "deviceIdentifier": device_id,
        }


@dataclass(frozen=True)
class AppDeviceData:
    app_identifier: str
    device_os: str
    device_model_name: str
    device_identifier: str = field(repr=False)

    def to_json(self) -> dict[str, str]:
        return {
            "appIdentifier": self.app_identifier,
            "deviceOS": self.device_os,
            "deviceModelName": self.device_model_name,
            "deviceIdentifier": self.device_identifier,
        }


def _user_data_json(
    visible_text: str | None, non_visible: bytes | None, data_format: str | None
) -> dict[str, Any]:
    """The three user-data fields of auth, sign and phone orders (text sent as Base64 of UTF-8)."""
    return {
        "userVisibleData": _b64(visible_text) if visible_text is not None else None,
        "userNonVisibleData": _b64(non_visible) if non_visible is not None else None,
        "userVisibleDataFormat": data_format,
    }


@dataclass(frozen=True)
class AuthRequest:
    """`/auth`. Text fields are plain text; the client sends them as Base64 of UTF-8."""

    end_user_ip: str
    requirement: Requirement | None = None
    user_visible_text: str | None = None
    user_non_visible_data: bytes | None = field(default=None, repr=False)
    user_visible_data_format: str | None = None  # "simpleMarkdownV1"
    return_url: str | None = field(default=None, repr=False)
    return_risk: bool | None = None
    web: WebDeviceData | None = None
    app: AppDeviceData | None = None

    def __post_init__(self) -> None:
        if self.web is not None and self.app is not None:
            raise ValueError("send either web or app device data, not both")

    def to_json(self) -> dict[str, Any]:
        return _drop_none(
            {
                "endUserIp": self.end_user_ip,
                "requirement": self.requirement.to_json() if self.requirement else None,
                **_user_data_json(
                    self.user_visible_text, self.user_non_visible_data,
                    self.user_visible_data_format,
                ),
                "returnUrl": self.return_url,
                "returnRisk": self.return_risk,
                "web": self.web.to_json() if self.web else None,
                "app": self.app.to_json() if self.app else None,
            }
        )


@dataclass(frozen=True)
class SignRequest(AuthRequest):
    """`/sign`: like auth, but `user_visible_text` is required."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.user_visible_text:
            raise ValueError("sign requires user_visible_text")


@dataclass(frozen=True)
class PhoneRequest:
    """`/phone/auth` and `/phone/sign` (the user is on a call with us)."""

    personal_number: str = field(repr=False)
    call_initiator: str  # "user" or "RP"
    requirement: Requirement | None = None
    user_visible_text: str | None = None
    user_non_visible_data: bytes | None = field(default=None, repr=False)
    user_visible_data_format: str | None = None

    def to_json(self) -> dict[str, Any]:
        return _drop_none(
            {
                "personalNumber": self.personal_number,
                "callInitiator": self.call_initiator,
                "requirement": self.requirement.to_json() if self.requirement else None,
                **_user_data_json(
                    self.user_visible_text, self.user_non_visible_data,
                    self.user_visible_data_format,
                ),
            }
        )


@dataclass(frozen=True)
class OrderResponse:
    """The answer to auth or sign. `started_at` is when we received it: the QR's t0."""

    order_ref: str = field(repr=False)
    auto_start_token: str | None = field(default=None, repr=False)
    qr_start_token: str | None = field(default=None, repr=False)
    qr_start_secret: str | None = field(default=None, repr=False)
    started_at: float = 0.0

    @classmethod
    def from_json(cls, body: dict[str, Any], started_at: float) -> OrderResponse:
        return cls(
            order_ref=str(body["orderRef"]),
            auto_start_token=body.get("autoStartToken"),
            qr_start_token=body.get("qrStartToken"),
            qr_start_secret=body.get("qrStartSecret"),
            started_at=started_at,
        )


@dataclass(frozen=True)
class User:
    personal_number: str = field(repr=False)
    name: str = field(repr=False)
    given_name: str = field(repr=False)
    surname: str = field(repr=False)


@dataclass(frozen=True)
class Device:
    ip_address: str | None = field(default=None, repr=False)
    uhi: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class CompletionData:
    user: User
    device: Device
    bank_id_issue_date: str | None = None
    step_up: dict[str, Any] | None = None
    signature: str | None = field(default=None, repr=False)
    ocsp_response: str | None = field(default=None, repr=False)
    risk: str | None = None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> CompletionData:
        user = body.get("user") or {}
        device = body.get("device") or {}
        return cls(
            user=User(
                personal_number=str(user.get("personalNumber", "")),
                name=str(user.get("name", "")),
                given_name=str(user.get("givenName", "")),
                surname=str(user.get("surname", "")),
            ),
            device=Device(ip_address=device.get("ipAddress"), uhi=device.get("uhi")),
            bank_id_issue_date=body.get("bankIdIssueDate"),
            step_up=body.get("stepUp"),
            signature=body.get("signature"),
            ocsp_response=body.get("ocspResponse"),
            risk=body.get("risk"),
        )


@dataclass(frozen=True)
class CollectResponse:
    order_ref: str = field(repr=False)
    status: str
    hint_code: str | None = None
    completion_data: CompletionData | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_pending(self) -> bool:
        return self.status == Status.PENDING

    @property
    def is_complete(self) -> bool:
        return self.status == Status.COMPLETE

    @property
    def is_failed(self) -> bool:
        return self.status == Status.FAILED

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> CollectResponse:
        completion = body.get("completionData")
        return cls(
            order_ref=str(body.get("orderRef", "")),
            status=str(body.get("status", "")),
            hint_code=body.get("hintCode"),
            completion_data=CompletionData.from_json(completion) if completion else None,
            raw=body,
        )
