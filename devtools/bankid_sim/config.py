"""Settings of the BankID simulator; all times in seconds."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from devtools.bankid_sim.identities import DEFAULT_IDENTITIES, TestIdentity

FAULT_ERRORS = ("internalError", "maintenance", "requestTimeout", "rateLimit", "unauthorized")
RP_METHODS = ("auth", "sign", "phone/auth", "phone/sign", "collect", "cancel")


@dataclass
class FaultSettings:
    """Errors injected into RP API calls (not into the test app's own API)."""

    error: str | None = None  # one of FAULT_ERRORS
    rate: float = 1.0  # probability per matching call
    remaining: int | None = None  # inject this many times, then stop; None: until cleared
    endpoints: tuple[str, ...] = ()  # RP methods to affect; empty: all
    latency: float = 0.0  # added to every RP call, faulty or not
    rate_limit_reset: int = 1  # RateLimit-Reset header on 429

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["endpoints"] = list(self.endpoints)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], base: FaultSettings | None = None) -> FaultSettings:
        """A copy of `base` with the keys in `data` applied; raises ValueError on bad input."""
        current = (base or cls()).to_json()
        unknown = set(data) - set(current)
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        current.update(data)
        error = current["error"]
        if error is not None and error not in FAULT_ERRORS:
            raise ValueError(f"error must be one of {FAULT_ERRORS} or null")
        endpoints = tuple(current["endpoints"] or ())
        if any(e not in RP_METHODS for e in endpoints):
            raise ValueError(f"endpoints must be among {RP_METHODS}")
        rate = float(current["rate"])
        latency = float(current["latency"])
        if not 0.0 <= rate <= 1.0 or latency < 0 or latency > 60:
            raise ValueError("rate must be within 0..1 and latency within 0..60 s")
        remaining = current["remaining"]
        return cls(
            error=error,
            rate=rate,
            remaining=None if remaining is None else int(remaining),
            endpoints=endpoints,
            latency=latency,
            rate_limit_reset=int(current["rate_limit_reset"]),
        )


@dataclass
class SimulatorConfig:
    start_deadline: float = 30.0  # not picked up by then: failed/startFailed
    order_lifetime: float = 180.0  # picked up but unfinished by then: failed/expiredTransaction
    qr_max_age: float = 2.0  # the app refuses a QR frame older than this
    app_start_duration: float = 1.0  # autostart: how long "started" shows before "userSign"
    user_sign_duration: float = 0.0  # from "approve" until complete
    # How long an uncollected terminal result is kept (reference §3.5 rule 5).
    keep_complete: float = 180.0
    keep_failed: float = 300.0
    keep_start_failed: float = 190.0
    # Hint before pick-up when requirement.personalNumber is set (live servers show either).
    hint_with_personal_number: str = "outstandingTransaction"
    # Whether a second order for the same personal number also kills the first (unverified).
    already_in_progress_cancels_existing: bool = False
    # Failure when a BankID for another person than requirement.personalNumber is used.
    wrong_person_hint: str = "certificateErr"
    min_collect_interval: float = 0.0  # > 0: a faster collect of one order gets 429
    phone_ip: str = "192.0.2.10"  # device.ipAddress of the simulated phone (TEST-NET-1)
    risk: str = "low"  # completionData.risk when returnRisk is set
    identities: tuple[TestIdentity, ...] = DEFAULT_IDENTITIES
    faults: FaultSettings = field(default_factory=FaultSettings)
