"""Request validation of the simulated RP API (400 invalidParameters with a short detail)."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from typing import Any

AUTH_VISIBLE_MAX = 1_500
AUTH_NON_VISIBLE_MAX = 1_500
SIGN_VISIBLE_MAX = 40_000
SIGN_NON_VISIBLE_MAX = 200_000
RETURN_URL_MAX = 512
USER_AGENT_MAX = 256
DEVICE_ID_MAX = 64
_PNR = re.compile(r"\d{12}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class InvalidRequest(ValueError):
    """The body breaks the API's rules; the message becomes `details`."""


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def check_personal_number(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _PNR.fullmatch(value) or not _luhn_ok(value[2:]):
        raise InvalidRequest(f"Invalid {field}")
    return value


def _check_base64(body: dict[str, Any], field: str, limit: int, required: bool) -> None:
    value = body.get(field)
    if value is None:
        if required:
            raise InvalidRequest(f"Missing {field}")
        return
    if not isinstance(value, str) or not 1 <= len(value) <= limit:
        raise InvalidRequest(f"Invalid {field}")
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest(f"Invalid {field}") from None


def _check_string(obj: dict[str, Any], field: str, low: int, high: int, where: str = "") -> None:
    value = obj.get(field)
    if value is None:
        return
    if not isinstance(value, str) or not low <= len(value) <= high:
        raise InvalidRequest(f"Invalid {where}{field}")


def _check_requirement(body: dict[str, Any]) -> dict[str, Any]:
    requirement = body.get("requirement")
    if requirement is None:
        return {}
    if not isinstance(requirement, dict):
        raise InvalidRequest("Invalid requirement")
    if "personalNumber" in requirement:
        check_personal_number(requirement["personalNumber"], "requirement.personalNumber")
    if requirement.get("cardReader") not in (None, "class1", "class2"):
        raise InvalidRequest("Invalid requirement.cardReader")
    for flag in ("pinCode", "mrtd"):
        if requirement.get(flag) not in (None, True, False):
            raise InvalidRequest(f"Invalid requirement.{flag}")
    policies = requirement.get("certificatePolicies")
    if policies is not None and (
        not isinstance(policies, list) or not all(isinstance(p, str) for p in policies)
    ):
        raise InvalidRequest("Invalid requirement.certificatePolicies")
    return requirement


def validate_order(method: str, body: dict[str, Any]) -> dict[str, Any]:
    """Check an auth/sign/phone body; returns the requirement object."""
    phone = method.startswith("phone/")
    signing = method.endswith("sign")
    if phone:
        check_personal_number(body.get("personalNumber"), "personalNumber")
        if body.get("callInitiator") not in ("user", "RP"):
            raise InvalidRequest("Invalid callInitiator")
    else:
        ip = body.get("endUserIp")
        if ip is None:
            raise InvalidRequest("Missing endUserIp")
        try:
            ipaddress.ip_address(ip if isinstance(ip, str) else "")
        except ValueError:
            raise InvalidRequest("Invalid endUserIp") from None
        _check_string(body, "returnUrl", 1, RETURN_URL_MAX)
        if body.get("returnRisk") not in (None, True, False):
            raise InvalidRequest("Invalid returnRisk")
        for device_field in ("web", "app"):
            device = body.get(device_field)
            if device is not None and not isinstance(device, dict):
                raise InvalidRequest(f"Invalid {device_field}")
        if body.get("web") is not None and body.get("app") is not None:
            raise InvalidRequest("Invalid request: both web and app")
        web = body.get("web") or {}
        _check_string(web, "referringDomain", 3, 253, "web.")
        _check_string(web, "userAgent", 1, USER_AGENT_MAX, "web.")
        _check_string(web, "deviceIdentifier", 1, DEVICE_ID_MAX, "web.")
        app = body.get("app") or {}
        _check_string(app, "deviceIdentifier", 1, DEVICE_ID_MAX, "app.")
    _check_base64(
        body, "userVisibleData", SIGN_VISIBLE_MAX if signing else AUTH_VISIBLE_MAX, signing
    )
    _check_base64(
        body,
        "userNonVisibleData",
        SIGN_NON_VISIBLE_MAX if signing else AUTH_NON_VISIBLE_MAX,
        False,
    )
    if body.get("userVisibleDataFormat") not in (None, "simpleMarkdownV1", "plaintext"):
        raise InvalidRequest("Invalid userVisibleDataFormat")
    return _check_requirement(body)


def order_ref_of(body: dict[str, Any]) -> str:
    ref = body.get("orderRef")
    if not isinstance(ref, str) or not _UUID.fullmatch(ref):
        raise InvalidRequest("Invalid orderRef")
    return ref
