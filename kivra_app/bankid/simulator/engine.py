"""The simulator's order store and rules, as plain Python (no HTTP), driven by a clock.

RP side: `start`, `collect`, `cancel` return the JSON the real API would send, or raise
`SimulatorError` (HTTP status, errorCode, details). App side (what the phone does):
`scan`, `autostart`, `act` and `pending_orders`, raising `AppError` on refusal.

An order's pending hint is a timeline of (time, hintCode) entries and its end is the
earliest due of: the start deadline (if not picked up), the lifetime, or the user's
decision. Nothing runs in the background; each call settles orders against `clock()`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kivra_app.bankid.simulator import validation
from kivra_app.bankid.simulator.config import FaultSettings, SimulatorConfig
from kivra_app.bankid.simulator.identities import (
    TestIdentity,
    find_identity,
    mask_personal_number,
)
from kivra_app.bankid.simulator.signature import FAKE_OCSP_RESPONSE, fake_signature

NO_SUCH_ORDER = "No such order"
APP_ACTIONS = ("approve", "cancel", "blocked", "declineCall", "oldApp")
_ACTION_FAILURES = {
    "cancel": "userCancel",
    "blocked": "certificateErr",
    "declineCall": "userDeclinedCall",
    "oldApp": "notSupportedByUserApp",
}


class SimulatorError(Exception):
    def __init__(
        self, status: int, error_code: str, details: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {error_code}: {details}")
        self.status = status
        self.error_code = error_code
        self.details = details
        self.headers = headers or {}

    def body(self) -> dict[str, str]:
        return {"errorCode": self.error_code, "details": self.details}


class AppError(Exception):
    """The simulated app refuses (stale QR, unknown order, ...)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, str]:
        return {"error": self.code, "message": self.message}


@dataclass
class _Order:
    order_ref: str
    app_id: str  # the app's handle; the orderRef stays between RP and BankID
    method: str
    t0: float
    personal_number: str | None  # requirement.personalNumber, or the phone flow's number
    body: dict[str, Any]
    mrtd: bool
    auto_start_token: str | None = None
    qr_start_token: str | None = None
    qr_start_secret: str | None = None
    picked_up_at: float | None = None
    identity: TestIdentity | None = None
    hints: list[tuple[float, str]] = field(default_factory=list)
    decision: tuple[float, str, str | None] | None = None  # (due, status, hintCode)
    result: dict[str, Any] | None = None
    result_at: float = 0.0
    last_collect: float | None = None

    @property
    def phone(self) -> bool:
        return self.method.startswith("phone/")

    @property
    def signing(self) -> bool:
        return self.method.endswith("sign")


class SimulatorEngine:
    def __init__(
        self, config: SimulatorConfig | None = None, clock: Callable[[], float] | None = None
    ) -> None:
        self.config = config or SimulatorConfig()
        self.clock = clock or time.monotonic
        self._orders: dict[str, _Order] = {}
        self._lock = threading.Lock()
        self._random = random.Random()  # fault sampling only

    # --- administration --------------------------------------------------------------

    def reset(self, config: SimulatorConfig | None = None) -> None:
        with self._lock:
            self._orders.clear()
            if config is not None:
                self.config = config

    @property
    def faults(self) -> FaultSettings:
        return self.config.faults

    def set_faults(self, faults: FaultSettings) -> None:
        self.config.faults = faults

    def injected_fault(self, method: str) -> SimulatorError | None:
        """The error to answer this RP call with, if fault injection says so."""
        with self._lock:
            faults = self.config.faults
            if faults.error is None or (faults.endpoints and method not in faults.endpoints):
                return None
            if faults.remaining is not None and faults.remaining <= 0:
                return None
            if faults.rate < 1.0 and self._random.random() >= faults.rate:
                return None
            if faults.remaining is not None:
                faults.remaining -= 1
            return _fault_error(faults)

    # --- RP API ------------------------------------------------------------------------

    def start(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            requirement = validation.validate_order(method, body)
        except validation.InvalidRequest as exc:
            raise SimulatorError(400, "invalidParameters", str(exc)) from None
        phone = method.startswith("phone/")
        pnr = body.get("personalNumber") if phone else requirement.get("personalNumber")
        with self._lock:
            now = self.clock()
            self._settle_all(now)
            if pnr is not None:
                existing = [
                    o
                    for o in self._orders.values()
                    if o.personal_number == pnr and o.result is None
                ]
                if existing:
                    if self.config.already_in_progress_cancels_existing:
                        for other in existing:
                            self._finish(other, now, "failed", "cancelled")
                    raise SimulatorError(
                        400, "alreadyInProgress", "Order already in progress for pno"
                    )
            order = _Order(
                order_ref=str(uuid.uuid4()),
                app_id=secrets.token_hex(8),
                method=method,
                t0=now,
                personal_number=pnr,
                body=body,
                mrtd=bool(requirement.get("mrtd")),
            )
            if phone:
                order.hints.append((now, "noClient"))
                self._orders[order.order_ref] = order
                return {"orderRef": order.order_ref}
            order.auto_start_token = str(uuid.uuid4())
            order.qr_start_token = str(uuid.uuid4())
            order.qr_start_secret = str(uuid.uuid4())
            first = self.config.hint_with_personal_number if pnr else "outstandingTransaction"
            order.hints.append((now, first))
            self._orders[order.order_ref] = order
            return {
                "orderRef": order.order_ref,
                "autoStartToken": order.auto_start_token,
                "qrStartToken": order.qr_start_token,
                "qrStartSecret": order.qr_start_secret,
            }

    def collect(self, body: dict[str, Any]) -> dict[str, Any]:
        order_ref = self._order_ref(body)
        with self._lock:
            now = self.clock()
            self._settle_all(now)
            order = self._orders.get(order_ref)
            if order is None:
                raise SimulatorError(400, "invalidParameters", NO_SUCH_ORDER)
            interval = self.config.min_collect_interval
            if interval > 0 and order.last_collect is not None:
                if now - order.last_collect < interval:
                    raise SimulatorError(
                        429,
                        "tooManyRequests",
                        "Collect called too often",
                        _rate_limit_headers(int(interval) or 1),
                    )
            order.last_collect = now
            if order.result is not None:
                # A terminal result is handed out once.
                del self._orders[order_ref]
                return order.result
            return {"orderRef": order.order_ref, "status": "pending", "hintCode": _hint(order, now)}

    def cancel(self, body: dict[str, Any]) -> dict[str, Any]:
        order_ref = self._order_ref(body)
        with self._lock:
            self._settle_all(self.clock())
            if self._orders.pop(order_ref, None) is None:
                raise SimulatorError(400, "invalidParameters", NO_SUCH_ORDER)
            return {}

    # --- the simulated phone app ---------------------------------------------------------

    def pending_orders(self) -> list[dict[str, Any]]:
        with self._lock:
            now = self.clock()
            self._settle_all(now)
            return [
                {
                    "id": o.app_id,
                    "type": o.method,
                    "hintCode": _hint(o, now),
                    "ageSeconds": round(now - o.t0, 1),
                    "personalNumber": mask_personal_number(o.personal_number),
                    "userVisibleData": _decoded(o.body.get("userVisibleData")),
                    "pickedUp": o.picked_up_at is not None,
                }
                for o in self._orders.values()
                if o.result is None
            ]

    def scan(
        self,
        qr_data: str,
        *,
        identity: str | None = None,
        personal_number: str | None = None,
        action: str | None = None,
    ) -> dict[str, Any]:
        """The app reads a QR frame: HMAC and age are checked as the real app does."""
        with self._lock:
            now = self.clock()
            self._settle_all(now)
            order = self._order_for_qr(qr_data, now)
            return self._pick_up(order, now, "qr", identity, personal_number, action)

    def autostart(
        self,
        auto_start_token: str,
        *,
        identity: str | None = None,
        personal_number: str | None = None,
        action: str | None = None,
    ) -> dict[str, Any]:
        with self._lock:
            now = self.clock()
            self._settle_all(now)
            order = next(
                (
                    o
                    for o in self._orders.values()
                    if o.auto_start_token is not None
                    and hmac.compare_digest(o.auto_start_token, auto_start_token)
                ),
                None,
            )
            if order is None:
                raise AppError(404, "unknownOrder", "No order for this autostart token")
            return self._pick_up(order, now, "autostart", identity, personal_number, action)

    def act(
        self,
        app_id: str,
        action: str,
        *,
        identity: str | None = None,
        personal_number: str | None = None,
    ) -> dict[str, Any]:
        """An action on an order listed by `pending_orders` ("open" picks it up unscanned)."""
        if action != "open" and action not in APP_ACTIONS:
            raise AppError(400, "invalidAction", f"action must be open or one of {APP_ACTIONS}")
        with self._lock:
            now = self.clock()
            self._settle_all(now)
            order = next((o for o in self._orders.values() if o.app_id == app_id), None)
            if order is None:
                raise AppError(404, "unknownOrder", "No such pending order")
            if order.picked_up_at is None:
                return self._pick_up(
                    order,
                    now,
                    "list",
                    identity,
                    personal_number,
                    None if action == "open" else action,
                )
            if action == "open":
                raise AppError(409, "alreadyPickedUp", "The order is already open in an app")
            self._require_active(order)
            person = self._identity(identity, personal_number)
            if order.decision is not None:
                raise AppError(409, "alreadyDecided", "The user has already acted on this order")
            if person is not None and person != order.identity:
                self._assign_identity(order, now, person)
            if order.decision is None:  # not already failed by a wrong-person BankID
                self._decide(order, now, action)
            return self._app_view(order, now)

    # --- internals -----------------------------------------------------------------------

    def _order_ref(self, body: dict[str, Any]) -> str:
        try:
            return validation.order_ref_of(body)
        except validation.InvalidRequest as exc:
            raise SimulatorError(400, "invalidParameters", str(exc)) from None

    def _order_for_qr(self, qr_data: str, now: float) -> _Order:
        parts = qr_data.strip().split(".")
        if len(parts) != 4 or parts[0] != "bankid" or not parts[2].isdigit():
            raise AppError(400, "invalidQr", "Not a BankID QR code")
        _, token, qr_time, code = parts
        order = next((o for o in self._orders.values() if o.qr_start_token == token), None)
        if order is None or order.qr_start_secret is None:
            raise AppError(404, "unknownOrder", "No order for this QR code")
        expected = hmac.new(
            order.qr_start_secret.encode("ascii"), qr_time.encode("ascii"), hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(expected, code.lower()):
            raise AppError(400, "invalidQr", "The QR code is not valid")
        age = (now - order.t0) - int(qr_time)
        if age < -1:  # a frame from the future: precomputed, or a broken clock
            raise AppError(400, "invalidQr", "The QR code is not valid yet")
        if age > self.config.qr_max_age:
            raise AppError(400, "staleQr", "The QR code is too old")
        return order

    def _pick_up(
        self,
        order: _Order,
        now: float,
        via: str,
        identity: str | None,
        personal_number: str | None,
        action: str | None,
    ) -> dict[str, Any]:
        self._require_active(order)
        if order.picked_up_at is not None:
            raise AppError(409, "alreadyPickedUp", "The order is already open in an app")
        if action is not None and action not in APP_ACTIONS:
            raise AppError(400, "invalidAction", f"action must be one of {APP_ACTIONS}")
        person = self._identity(identity, personal_number)  # refuse before changing anything
        if action == "approve" and person is None:
            raise AppError(400, "identityRequired", "Choose an identity to approve")
        order.picked_up_at = now
        if order.phone:
            order.hints.append((now, "userCallConfirm"))
        elif order.mrtd:
            order.hints.append((now, "userMrtd"))
        elif via == "autostart":
            order.hints.append((now, "started"))
        else:
            order.hints.append((now, "userSign"))
        if person is not None:
            self._assign_identity(order, now, person)
        if action is not None and order.decision is None:
            self._decide(order, now, action)
        return self._app_view(order, now)

    def _assign_identity(self, order: _Order, now: float, person: TestIdentity) -> None:
        order.identity = person
        if order.personal_number is not None and person.personal_number != order.personal_number:
            # Another person's BankID cannot complete an order bound to a personal number.
            order.decision = (now, "failed", self.config.wrong_person_hint)
            return
        if order.hints[-1][1] == "started":
            order.hints.append((now + self.config.app_start_duration, "userSign"))
        # Opening a new order fails the same user's older open one (hint "cancelled").
        for other in self._orders.values():
            if (
                other is not order
                and other.result is None
                and other.identity is not None
                and other.identity.personal_number == person.personal_number
            ):
                self._finish(other, now, "failed", "cancelled")

    def _identity(self, key: str | None, personal_number: str | None) -> TestIdentity | None:
        if key is None and personal_number is None:
            return None
        ids = self.config.identities
        if key is not None:
            found = find_identity(ids, key=key)
            if found is None:
                raise AppError(400, "unknownIdentity", "No test identity with that key")
            return found
        try:
            pnr = validation.check_personal_number(personal_number, "personalNumber")
        except validation.InvalidRequest:
            raise AppError(
                400, "invalidPersonalNumber", "Give a 12-digit personal number"
            ) from None
        return find_identity(ids, personal_number=pnr) or TestIdentity(
            key="adhoc", personal_number=pnr, given_name="Test", surname="Testsson"
        )

    def _decide(self, order: _Order, now: float, action: str) -> None:
        if action not in APP_ACTIONS:
            raise AppError(400, "invalidAction", f"action must be one of {APP_ACTIONS}")
        if order.decision is not None:
            raise AppError(409, "alreadyDecided", "The user has already acted on this order")
        if action == "approve":
            if order.identity is None:
                raise AppError(400, "identityRequired", "Choose an identity to approve")
            if order.hints[-1][1] != "userSign":
                order.hints.append((now, "userSign"))
            order.decision = (now + self.config.user_sign_duration, "complete", None)
        else:
            order.decision = (now, "failed", _ACTION_FAILURES[action])

    def _require_active(self, order: _Order) -> None:
        if order.result is not None:
            raise AppError(409, "orderNotActive", "The order has already ended")

    def _settle_all(self, now: float) -> None:
        for order in list(self._orders.values()):
            self._settle(order, now)
            if order.result is not None and now >= order.result_at + self._keep_for(order):
                del self._orders[order.order_ref]

    def _settle(self, order: _Order, now: float) -> None:
        if order.result is not None:
            return
        cfg = self.config
        due: list[tuple[float, str, str | None]] = [
            (order.t0 + cfg.order_lifetime, "failed", "expiredTransaction")
        ]
        if order.picked_up_at is None:
            due.append((order.t0 + cfg.start_deadline, "failed", "startFailed"))
        if order.decision is not None:
            due.append(order.decision)
        at, status, hint = min(due, key=lambda d: d[0])
        if at <= now:
            self._finish(order, at, status, hint)

    def _finish(self, order: _Order, at: float, status: str, hint: str | None) -> None:
        order.result_at = at
        if status == "complete":
            order.result = {
                "orderRef": order.order_ref,
                "status": "complete",
                "completionData": self._completion_data(order),
            }
        else:
            order.result = {"orderRef": order.order_ref, "status": "failed", "hintCode": hint}

    def _keep_for(self, order: _Order) -> float:
        assert order.result is not None
        if order.result["status"] == "complete":
            return self.config.keep_complete
        if order.result.get("hintCode") == "startFailed":
            return self.config.keep_start_failed
        return self.config.keep_failed

    def _completion_data(self, order: _Order) -> dict[str, Any]:
        person = order.identity
        assert person is not None
        data: dict[str, Any] = {
            "user": {
                "personalNumber": person.personal_number,
                "name": person.name,
                "givenName": person.given_name,
                "surname": person.surname,
            },
            "device": {
                "ipAddress": self.config.phone_ip,
                "uhi": base64.b64encode(
                    hashlib.sha1(
                        ("sim-device:" + person.personal_number).encode(), usedforsecurity=False
                    ).digest()
                ).decode("ascii"),
            },
            "bankIdIssueDate": person.bank_id_issue_date,
            "signature": fake_signature(
                signing=order.signing,
                user_visible_data=order.body.get("userVisibleData"),
                user_non_visible_data=order.body.get("userNonVisibleData"),
            ),
            "ocspResponse": FAKE_OCSP_RESPONSE,
        }
        if order.mrtd:
            data["stepUp"] = {"mrtd": True}
        if order.body.get("returnRisk"):
            data["risk"] = self.config.risk
        return data

    def _app_view(self, order: _Order, now: float) -> dict[str, Any]:
        self._settle(order, now)
        view: dict[str, Any] = {"id": order.app_id, "type": order.method}
        if order.result is not None:
            view["status"] = order.result["status"]
            view["hintCode"] = order.result.get("hintCode")
        else:
            view["status"] = "pending"
            view["hintCode"] = _hint(order, now)
        view["identity"] = order.identity.key if order.identity else None
        return view


def _hint(order: _Order, now: float) -> str:
    current = order.hints[0][1]
    for at, hint in order.hints:
        if at <= now:
            current = hint
    return current


def _decoded(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value).decode("utf-8", errors="replace")
    except ValueError:
        return None


def _rate_limit_headers(reset: int) -> dict[str, str]:
    return {"RateLimit-Limit": "1", "RateLimit-Remaining": "0", "RateLimit-Reset": str(reset)}


def _fault_error(faults: FaultSettings) -> SimulatorError:
    if faults.error == "maintenance":
        return SimulatorError(503, "maintenance", "Simulated maintenance")
    if faults.error == "requestTimeout":
        return SimulatorError(408, "requestTimeout", "Simulated request timeout")
    if faults.error == "rateLimit":
        return SimulatorError(
            429,
            "tooManyRequests",
            "Simulated rate limit",
            _rate_limit_headers(faults.rate_limit_reset),
        )
    if faults.error == "unauthorized":
        return SimulatorError(401, "unauthorized", "Simulated unknown RP certificate")
    return SimulatorError(500, "internalError", "Simulated internal error")
