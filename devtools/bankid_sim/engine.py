"""The simulator's order store and rules, as plain Python (no HTTP), driven by a clock.

RP side: `start`, `collect`, `cancel` return the JSON the real API would send, or raise
`SimulatorError` (HTTP status, errorCode, details). App side (what the phone does):
`scan`, `autostart`, `act` and `pending_orders`, raising `AppError` on refusal.

An order's pending hint is a timeline of (time, hintCode) entries and its end is the
earliest due of: the start deadline (if not picked up), the lifetime, or the user's
decision. Nothing runs in the background; each call settles the orders it touches against
`clock()` (wall-clock seconds by default, so every worker agrees on an order's age).

Orders live in `store.OrderStore` (a database shared by all workers and instances); without
one given, a private in-memory database (tests, the standalone single-process server).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from devtools.bankid_sim import validation
from devtools.bankid_sim.config import FaultSettings, SimulatorConfig
from devtools.bankid_sim.identities import (
    TestIdentity,
    find_identity,
    mask_personal_number,
)
from devtools.bankid_sim.signature import FAKE_OCSP_RESPONSE, fake_signature
from devtools.bankid_sim.store import OrderStore, Refusal, Tx, memory_engine

NO_SUCH_ORDER = "No such order"
FAULTS_TTL = 1.0  # seconds a process keeps the fault settings it read
APP_ACTIONS = ("approve", "cancel", "blocked", "declineCall", "oldApp")
_ACTION_FAILURES = {
    "cancel": "userCancel",
    "blocked": "certificateErr",
    "declineCall": "userDeclinedCall",
    "oldApp": "notSupportedByUserApp",
}


class SimulatorError(Refusal):
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


class AppError(Refusal):
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

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["identity"] = asdict(self.identity) if self.identity is not None else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _Order:
        data = dict(data)
        identity = data.pop("identity")
        order = cls(**data)
        order.identity = TestIdentity(**identity) if identity is not None else None
        order.hints = [(at, hint) for at, hint in order.hints]
        if order.decision is not None:
            due, status, hint = order.decision
            order.decision = (due, status, hint)
        return order


class SimulatorEngine:
    def __init__(
        self,
        config: SimulatorConfig | None = None,
        clock: Callable[[], float] | None = None,
        *,
        db: Engine | None = None,
    ) -> None:
        self.config = config or SimulatorConfig()
        self.clock = clock or time.time
        self.store = OrderStore(db if db is not None else memory_engine())
        self._random = random.Random()  # fault sampling only
        self._faults_cache: tuple[float, FaultSettings] | None = None

    # --- administration --------------------------------------------------------------

    def reset(self, config: SimulatorConfig | None = None) -> None:
        """Drop every order and the fault settings (for every worker sharing the store)."""
        self.store.clear()
        self._faults_cache = None
        if config is not None:
            self.config = config

    @property
    def faults(self) -> FaultSettings:
        """The shared fault settings, read at most once a second per process (every RP call
        asks; a change made through this process is seen at once, elsewhere within 1 s)."""
        now = time.monotonic()
        if self._faults_cache is not None and now - self._faults_cache[0] < FAULTS_TTL:
            return self._faults_cache[1]
        stored = self.store.read_knob("faults")
        faults = self.config.faults if stored is None else FaultSettings.from_json(json.loads(stored))
        self._faults_cache = (now, faults)
        return faults

    def set_faults(self, faults: FaultSettings) -> None:
        self.store.write_knob("faults", json.dumps(faults.to_json()))
        self._faults_cache = None

    def injected_fault(
        self, method: str, faults: FaultSettings | None = None
    ) -> SimulatorError | None:
        """The error to answer this RP call with, if fault injection says so (`faults`: the
        settings just read, to save reading them again)."""
        faults = faults or self.faults
        if faults.error is None or (faults.endpoints and method not in faults.endpoints):
            return None
        if faults.remaining is None:
            if faults.rate < 1.0 and self._random.random() >= faults.rate:
                return None
            return _fault_error(faults)
        with self.store.locked_knob("faults") as (stored, set_value):
            if stored is None:  # the default faults from the config: count in memory
                current = self.config.faults
            else:
                current = FaultSettings.from_json(json.loads(stored))
            if current.error is None or current.remaining is None or current.remaining <= 0:
                return None
            if current.rate < 1.0 and self._random.random() >= current.rate:
                return None
            current.remaining -= 1
            if stored is not None:
                set_value(json.dumps(current.to_json()))
            self._faults_cache = None
            return _fault_error(current)

    # --- RP API ------------------------------------------------------------------------

    def start(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            requirement = validation.validate_order(method, body)
        except validation.InvalidRequest as exc:
            raise SimulatorError(400, "invalidParameters", str(exc)) from None
        phone = method.startswith("phone/")
        pnr = body.get("personalNumber") if phone else requirement.get("personalNumber")
        with self._tx(exclusive=True) as tx:
            now = self.clock()
            tx.purge(now)
            if pnr is not None:
                existing = self._active(tx, now, "personal_number", pnr)
                if existing:
                    if self.config.already_in_progress_cancels_existing:
                        for other in existing:  # saved although the start is refused
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
                tx.add(order.order_ref, order)
                return {"orderRef": order.order_ref}
            order.auto_start_token = str(uuid.uuid4())
            order.qr_start_token = str(uuid.uuid4())
            order.qr_start_secret = str(uuid.uuid4())
            first = self.config.hint_with_personal_number if pnr else "outstandingTransaction"
            order.hints.append((now, first))
            tx.add(order.order_ref, order)
            return {
                "orderRef": order.order_ref,
                "autoStartToken": order.auto_start_token,
                "qrStartToken": order.qr_start_token,
                "qrStartSecret": order.qr_start_secret,
            }

    def collect(self, body: dict[str, Any]) -> dict[str, Any]:
        order_ref = self._order_ref(body)
        with self._tx(exclusive=False) as tx:
            now = self.clock()
            order = self._live(tx, tx.get(order_ref), now)
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
                if not tx.remove(order_ref):
                    raise SimulatorError(400, "invalidParameters", NO_SUCH_ORDER)
                return order.result
            return {"orderRef": order.order_ref, "status": "pending", "hintCode": _hint(order, now)}

    def cancel(self, body: dict[str, Any]) -> dict[str, Any]:
        order_ref = self._order_ref(body)
        with self._tx(exclusive=False) as tx:
            if self._live(tx, tx.get(order_ref), self.clock()) is None:
                raise SimulatorError(400, "invalidParameters", NO_SUCH_ORDER)
            tx.remove(order_ref)
            return {}

    # --- the simulated phone app ---------------------------------------------------------

    def pending_orders(self) -> list[dict[str, Any]]:
        with self._tx(exclusive=True) as tx:
            now = self.clock()
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
                for o in sorted(self._active(tx, now), key=lambda o: o.t0)
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
        with self._tx(exclusive=True) as tx:
            now = self.clock()
            order = self._order_for_qr(tx, qr_data, now)
            return self._pick_up(tx, order, now, "qr", identity, personal_number, action)

    def autostart(
        self,
        auto_start_token: str,
        *,
        identity: str | None = None,
        personal_number: str | None = None,
        action: str | None = None,
    ) -> dict[str, Any]:
        with self._tx(exclusive=True) as tx:
            now = self.clock()
            order = self._live(tx, tx.find("auto_start_token", auto_start_token), now)
            if order is None or order.auto_start_token is None or not hmac.compare_digest(
                order.auto_start_token, auto_start_token
            ):
                raise AppError(404, "unknownOrder", "No order for this autostart token")
            return self._pick_up(tx, order, now, "autostart", identity, personal_number, action)

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
        with self._tx(exclusive=True) as tx:
            now = self.clock()
            order = self._live(tx, tx.find("app_id", app_id), now)
            if order is None:
                raise AppError(404, "unknownOrder", "No such pending order")
            if order.picked_up_at is None:
                return self._pick_up(
                    tx,
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
                self._assign_identity(tx, order, now, person)
            if order.decision is None:  # not already failed by a wrong-person BankID
                self._decide(order, now, action)
            return self._app_view(order, now)

    # --- internals -----------------------------------------------------------------------

    def _tx(self, *, exclusive: bool) -> Any:
        return _BoundTx(self, exclusive)

    def _live(self, tx: Tx, order: _Order | None, now: float) -> _Order | None:
        """The order settled at `now`, or None if it is gone (its result kept past retention)."""
        if order is None:
            return None
        self._settle(order, now)
        if order.result is not None and now >= order.result_at + self._keep_for(order):
            tx.remove(order.order_ref)
            return None
        return order

    def _active(
        self, tx: Tx, now: float, column: str | None = None, value: str | None = None
    ) -> list[_Order]:
        """Orders without a result at `now` (those found ended on the way are saved as such)."""
        found = [self._live(tx, o, now) for o in tx.active(column, value)]
        return [o for o in found if o is not None and o.result is None]

    def _columns(self, order: _Order) -> dict[str, Any]:
        """The looked-up fields of an order's row (the rest is its JSON)."""
        return {
            "app_id": order.app_id,
            "qr_start_token": order.qr_start_token,
            "auto_start_token": order.auto_start_token,
            "personal_number": order.personal_number,
            "identity_pnr": order.identity.personal_number if order.identity else None,
            "active": order.result is None,
            "purge_at": (
                order.result_at + self._keep_for(order) if order.result is not None else None
            ),
        }

    def _order_ref(self, body: dict[str, Any]) -> str:
        try:
            return validation.order_ref_of(body)
        except validation.InvalidRequest as exc:
            raise SimulatorError(400, "invalidParameters", str(exc)) from None

    def _order_for_qr(self, tx: Tx, qr_data: str, now: float) -> _Order:
        parts = qr_data.strip().split(".")
        if len(parts) != 4 or parts[0] != "bankid" or not parts[2].isdigit():
            raise AppError(400, "invalidQr", "Not a BankID QR code")
        _, token, qr_time, code = parts
        order = self._live(tx, tx.find("qr_start_token", token), now)
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
        tx: Tx,
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
            self._assign_identity(tx, order, now, person)
        if action is not None and order.decision is None:
            self._decide(order, now, action)
        return self._app_view(order, now)

    def _assign_identity(self, tx: Tx, order: _Order, now: float, person: TestIdentity) -> None:
        order.identity = person
        if order.personal_number is not None and person.personal_number != order.personal_number:
            # Another person's BankID cannot complete an order bound to a personal number.
            order.decision = (now, "failed", self.config.wrong_person_hint)
            return
        if order.hints[-1][1] == "started":
            order.hints.append((now + self.config.app_start_duration, "userSign"))
        # Opening a new order fails the same user's older open one (hint "cancelled").
        for other in self._active(tx, now, "identity_pnr", person.personal_number):
            if other is not order:
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


class _BoundTx:
    """`with engine._tx(...) as tx`: a store transaction that loads and saves `_Order`s."""

    def __init__(self, engine: SimulatorEngine, exclusive: bool) -> None:
        self._cm = engine.store.transaction(exclusive=exclusive)
        self._engine = engine

    def __enter__(self) -> Tx:
        return self._cm.__enter__().bind(_Order.from_json, _Order.to_json, self._engine._columns)

    def __exit__(self, *exc: Any) -> Any:
        return self._cm.__exit__(*exc)
