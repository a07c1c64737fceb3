"""What the BankID flow answers: one type per outcome (as ActiveLogin's BankIdFlowCollectResult
types), so a caller matches on the type instead of reading one record with defaults.

Nothing here holds an orderRef or a qrStartSecret except `QrSource`, which is meant to stay on
the server (in the loop that draws the frames): its `frame()` is the only thing that may reach
the browser.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime

from kivra_app.bankid.qr import qr_data

# The loop asks BankID /collect every 2 s (RP guideline) and never more than once a second. Once
# the app holds the order (hint started/userSign/…), approval is imminent: collect every second,
# as BankID's own sample code does, so the completion is seen sooner.
COLLECT_EVERY = 2.0
COLLECT_EVERY_ACTIVE = 1.0
FIRST_COLLECT = 1.0  # the first collect after a start (or a renewal)
QR_EVERY = 1.0  # a new animated QR frame every second
ACTIVE_HINTS = frozenset({"started", "userSign", "userMrtd", "userCallConfirm"})


@dataclass(frozen=True)
class QrSource:
    """The values an animated QR needs, read once per order. Keep it server-side."""

    order_id: int
    token: str = field(repr=False)
    secret: str = field(repr=False)
    started_at: datetime  # the order's t0 (when the RP received the order)

    def frame(self, now: datetime) -> str:
        """`bankid.<token>.<seconds>.<hmac>`: one HMAC, no I/O."""
        seconds = max(0, int((now - self.started_at).total_seconds()))
        return qr_data(self.token, self.secret, seconds)

    def until_next(self, now: datetime) -> float:
        """Seconds until the next frame: a loop that wakes on the frame's boundary shows
        every frame (one tick a second would drift and now and then skip one)."""
        elapsed = max(0.0, (now - self.started_at).total_seconds())
        return 1.0 - elapsed % 1.0

    def fingerprint(self) -> str:
        """Tells two orders apart without revealing anything (for change detection)."""
        return hmac.new(self.secret.encode(), self.token.encode(), hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class Person:
    """completionData.user of a complete order."""

    personnummer: str = field(repr=False)
    given_name: str = field(repr=False)
    surname: str = field(repr=False)
    name: str = field(repr=False)


@dataclass(frozen=True)
class Started:
    """A new order. `qr` for another device, `launch_url` for this device (autostart)."""

    order_id: int
    message: str
    qr: QrSource | None
    launch_url: str | None
    next_collect_in: float = FIRST_COLLECT


@dataclass(frozen=True)
class Pending:
    order_id: int
    message: str
    hint: str | None
    show_qr: bool  # the QR is only shown until the app has the order
    next_collect_in: float = COLLECT_EVERY


@dataclass(frozen=True)
class Renewed:
    """startFailed on an unopened QR order: a new order silently replaced it; draw `qr` now."""

    order_id: int
    message: str
    qr: QrSource
    next_collect_in: float = FIRST_COLLECT
    show_qr: bool = True


@dataclass(frozen=True)
class Complete:
    """Persisted before it is returned. `first` is True for exactly one observer."""

    order_id: int
    person: Person
    first: bool
    signature: str | None = field(default=None, repr=False)
    next_collect_in: None = None
    message: str = ""
    show_qr: bool = False


@dataclass(frozen=True)
class Failed:
    """A dead order (terminal, persisted). `message` is the RFA text to show; start again."""

    order_id: int
    message: str
    hint: str | None = None
    error: str | None = None
    next_collect_in: None = None
    show_qr: bool = False


CollectResult = Pending | Renewed | Complete | Failed


def next_collect_in(hint: str | None) -> float:
    return COLLECT_EVERY_ACTIVE if hint in ACTIVE_HINTS else COLLECT_EVERY


class FlowRefused(Exception):
    """A call the flow refuses (unknown order, another owner or tab, nothing started). Logged
    as `sequence_fail`; the caller shows a calm state, never the reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FlowUnavailable(Exception):
    """BankID could not be reached or refused the start; `message` is the calm RFA text."""

    def __init__(self, message: str, error: str | None = None) -> None:
        super().__init__(error or "unavailable")
        self.message = message
        self.error = error
