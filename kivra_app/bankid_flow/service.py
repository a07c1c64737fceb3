"""BankIdFlow: the one driver of every BankID order (signup, login, sign). Plain Python.

Rules it keeps (reference: bankid-rp-api-v6.md §1-§3):
- A row in `bankid_order` per start; `owner` says whose it is ("signup:<id>", "login:<hash>",
  "user:<id>") and `tab_hash` which browser tab started it. `collect` answers only that owner
  and tab (anything else is `FlowRefused`, logged as `sequence_fail`).
- Collect: at most once a second per order, never two at once across tabs and processes. A
  collect first claims the order with one conditional UPDATE (`collect_claim_until`,
  `last_collect_at`); a caller that does not get the claim gets the stored state and BankID is
  not called. The terminal result (complete, failed) is written by a conditional UPDATE on the
  claimed orderRef before anything is returned.
- startFailed on an unopened QR order: a new order silently replaces it in the same row, until
  3 minutes after the person's start (`first_started_at`). Autostart orders are not renewed.
- The QR frame is `QrSource.frame(now)`: one HMAC over values read once per order, no I/O.
- Every database touch of an async method runs in a worker thread (asyncio.to_thread).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

from sqlalchemy import case, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kivra_app.bankid import errors as bankid_errors
from kivra_app.bankid.links import is_mobile, launch_url
from kivra_app.bankid.messages import user_message
from kivra_app.bankid.models import AuthRequest, SignRequest, WebDeviceData
from kivra_app.bankid_flow.results import (
    FIRST_COLLECT,
    CollectResult,
    Complete,
    Failed,
    FlowRefused,
    FlowUnavailable,
    Pending,
    Person,
    QrSource,
    Renewed,
    Started,
    next_collect_in,
)
from kivra_app.db import session_scope
from kivra_app.models import BankIdOrder, as_utc, utcnow
from kivra_app.settings import BANKID_CALL_WORST
from kivra_app.signup.audit import security_event

Purpose = Literal["signup", "login", "sign"]
PURPOSES = ("signup", "login", "sign")
RENEW_WINDOW = timedelta(minutes=3)
COLLECT_MIN_INTERVAL = timedelta(seconds=1)
CALL_TIMEOUT = BANKID_CALL_WORST  # seconds for one BankID call (the state lock is sized for it)
CLAIM_TTL = timedelta(seconds=CALL_TIMEOUT + 5)  # a claim of a crashed process runs out
# A collect that could not reach BankID is retried after COLLECT_RETRY seconds for as long as
# BankID has been asked without an answer for less than TRANSIENT_GRACE (the order's
# updated_at: its last answer, or the last collect our own pool could not send); then RFA5.
TRANSIENT_GRACE = timedelta(seconds=30)
# A collect our own pool could not send (BankIdBusy: this app overloaded, nothing reached
# BankID) is retried for as long as BankID may still hold the order: its lifetime, ~3 min.
BUSY_GRACE = timedelta(minutes=3)
COLLECT_RETRY = 2.0
_QR_HINTS = (None, "outstandingTransaction", "noClient")
_PNR = re.compile(r"\d{12}")


def tab_hash(tab: object) -> str | None:
    """SHA-256 of a Reflex tab token (the order remembers which tab started it)."""
    if not isinstance(tab, str) or not 0 < len(tab) <= 200:
        return None
    return hashlib.sha256(tab.encode()).hexdigest()


async def _call(coro):  # noqa: ANN001, ANN202
    try:
        async with asyncio.timeout(CALL_TIMEOUT):
            return await coro
    except TimeoutError as exc:
        raise bankid_errors.BankIdTimeout("timeout") from exc


class BankIdFlow:
    def __init__(self, *, engine: Engine, bankid: Any, settings: Any,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.bankid = bankid  # BankIdClient or a fake with auth/sign/collect/cancel
        self.settings = settings
        self.clock = clock

    # ------------------------------------------------------------------ texts

    def message(self, order: BankIdOrder, status: str | None, hint: str | None = None,
                error: str | None = None) -> str:
        """The RFA text for this order's device and language (sv/en)."""
        msg = user_message(
            status=status, hint_code=hint, error_code=error,
            lang=order.language if order.language in ("sv", "en") else "sv",  # type: ignore[arg-type]
            same_device=order.same_device, started_with_qr=not order.same_device,
            mobile=is_mobile(order.user_agent),
        )
        return msg.text if msg is not None else ""

    # ------------------------------------------------------------------ start

    def _request(self, order: BankIdOrder) -> AuthRequest:
        web = None
        if order.user_agent:
            web = WebDeviceData(
                referring_domain=urlsplit(self.settings.base_url).hostname or "localhost",
                user_agent=order.user_agent,
                device_identifier=hashlib.sha256(order.owner.encode()).hexdigest(),
            )
        # Never requirement.personalNumber (#12 finding 4): a typed number would let anyone
        # block that person's BankID; the caller compares completionData.user instead.
        fields: dict[str, Any] = dict(
            end_user_ip=order.end_user_ip or "127.0.0.1",
            return_url=order.return_url if order.same_device else None,
            web=web,
        )
        if order.purpose == "sign":
            return SignRequest(
                user_visible_text=order.user_visible_data,
                user_non_visible_data=(base64.b64decode(order.user_non_visible_data)
                                       if order.user_non_visible_data else None),
                **fields,
            )
        return AuthRequest(**fields)

    async def _order(self, order: BankIdOrder):  # noqa: ANN202 - bankid.models.OrderResponse
        request = self._request(order)
        if isinstance(request, SignRequest):
            return await _call(self.bankid.sign(request))
        return await _call(self.bankid.auth(request))

    async def start(
        self,
        purpose: Purpose,
        owner: str,
        *,
        tab: str,
        end_user_ip: str,
        user_agent: str,
        same_device: bool,
        return_url: str,
        language: str = "sv",
        user_visible_data: str | None = None,
        user_non_visible_data: bytes | None = None,
    ) -> Started:
        """A new order for `owner`, started from browser tab `tab` (earlier pending orders of
        the owner are cancelled first). Raises FlowUnavailable with a calm RFA text when BankID
        refuses or cannot be reached; FlowRefused for a malformed call."""
        tab_digest = tab_hash(tab)
        if purpose not in PURPOSES or not owner or tab_digest is None:
            security_event("sequence_fail", level=logging.WARNING, action="bankid_start",
                           reason="malformed")
            raise FlowRefused("malformed")
        if purpose == "sign" and not user_visible_data:
            raise FlowRefused("sign_without_text")
        await self.cancel(owner)
        now = self.clock()
        order = BankIdOrder(
            purpose=purpose, owner=owner[:80], tab_hash=tab_digest, same_device=bool(same_device),
            end_user_ip=(end_user_ip or "")[:64] or None,
            user_agent=(user_agent or "")[:512] or None,
            return_url=(return_url or "")[:512] or None,
            language=language if language in ("sv", "en") else "sv",
            user_visible_data=user_visible_data,
            user_non_visible_data=(base64.b64encode(user_non_visible_data).decode()
                                   if user_non_visible_data else None),
            first_started_at=now, started_at=now, created_at=now, updated_at=now,
        )
        try:
            response = await self._order(order)
        except bankid_errors.BankIdError as exc:
            security_event("bankid_start_fail", level=logging.WARNING, purpose=purpose,
                           error=exc.error_code or type(exc).__name__)
            lang = order.language
            raise FlowUnavailable(exc.user_message(lang).text,  # type: ignore[arg-type]
                                  exc.error_code) from exc
        now = self.clock()
        order.order_ref = response.order_ref
        order.qr_start_token = response.qr_start_token
        order.qr_start_secret = response.qr_start_secret
        order.auto_start_token = response.auto_start_token
        order.started_at = now
        order.hint = "outstandingTransaction"
        order_id = await asyncio.to_thread(self._insert, order)
        security_event("bankid_started", purpose=purpose, order=order_id,
                       same_device=bool(same_device))
        link = None
        if same_device and response.auto_start_token:
            link = launch_url(response.auto_start_token, user_agent, return_url or "null")
        return Started(order_id=order_id, message=self.message(order, "pending", order.hint),
                       qr=None if same_device else self._qr(order_id, order), launch_url=link)

    def _insert(self, order: BankIdOrder) -> int:
        with session_scope(self.engine) as session:
            session.add(order)
            session.flush()
            assert order.id is not None
            return order.id

    @staticmethod
    def _qr(order_id: int, order: BankIdOrder) -> QrSource | None:
        if order.same_device or not order.qr_start_token or not order.qr_start_secret:
            return None
        return QrSource(order_id, order.qr_start_token, order.qr_start_secret,
                        as_utc(order.started_at))  # type: ignore[arg-type]

    # ------------------------------------------------------------------ reading

    def _load(self, session: Session, order_id: object, owner: str, tab: object,
              action: str) -> BankIdOrder:
        order = None
        if isinstance(order_id, int) and not isinstance(order_id, bool) and 0 < order_id < 2**53:
            order = session.get(BankIdOrder, order_id)
        digest = tab_hash(tab)
        if order is None or order.owner != owner:
            security_event("sequence_fail", level=logging.WARNING, action=action,
                           reason="unknown_order")
            raise FlowRefused("unknown_order")
        if order.tab_hash is not None and order.tab_hash != digest:
            security_event("sequence_fail", level=logging.WARNING, action=action,
                           reason="other_tab", order=order.id)
            raise FlowRefused("other_tab")
        return order

    def qr_source(self, order_id: int, owner: str, tab: str) -> QrSource | None:
        """The QR values of a pending QR order (read once; e.g. after a reload). Blocking."""
        with Session(self.engine) as session:
            order = self._load(session, order_id, owner, tab, "bankid_qr")
            if order.status != "pending" or order.hint not in _QR_HINTS:
                return None
            return self._qr(order_id, order)

    def latest(self, owner: str) -> BankIdOrder | None:
        """The owner's newest order (detached), whatever its status. Blocking."""
        with Session(self.engine, expire_on_commit=False) as session:
            order = session.exec(
                select(BankIdOrder).where(BankIdOrder.owner == owner)
                .order_by(BankIdOrder.created_at.desc(), BankIdOrder.id.desc())  # type: ignore[union-attr]
            ).first()
            if order is not None:
                session.expunge(order)
            return order

    def _stored(self, order: BankIdOrder) -> CollectResult:
        """What the stored row says (no BankID call)."""
        assert order.id is not None
        if order.status == "complete":
            return Complete(order.id, _person(order), first=False, signature=order.signature)
        if order.status in ("failed", "cancelled"):
            hint = order.hint if order.status == "failed" else "cancelled"
            return Failed(order.id, self.message(order, "failed", hint, order.error), hint,
                          order.error)
        return Pending(order.id, self.message(order, "pending", order.hint), order.hint,
                       show_qr=not order.same_device and order.hint in _QR_HINTS,
                       next_collect_in=next_collect_in(order.hint))

    # ------------------------------------------------------------------ collect

    async def collect(self, order_id: int, owner: str, *, tab: str) -> CollectResult:
        """One step of the order. Raises FlowRefused (wrong owner/tab) or FlowUnavailable
        (BankID refused, or unreachable for longer than TRANSIENT_GRACE; the order stays
        pending and the claim is released). Unreachable for less: the stored Pending, with
        the next try in COLLECT_RETRY seconds."""
        now = self.clock()
        order, claimed = await asyncio.to_thread(self._claim, order_id, owner, tab, now)
        if not claimed:
            return self._stored(order)
        ref = order.order_ref
        assert ref is not None and order.id is not None
        try:
            result = await _call(self.bankid.collect(ref))
        except bankid_errors.InvalidParameters:
            # The order is gone (collected elsewhere, cancelled, too old): a dead order.
            return await asyncio.to_thread(self._finish, order, "failed", None,
                                           "invalidParameters", None)
        except bankid_errors.BankIdError as exc:
            retry = self._retry_after_failure(order, exc, now)
            # Never sent (BankIdBusy) and still worth waiting for: BankID was not asked, so
            # the time until now does not count as BankID not answering (TRANSIENT_GRACE
            # starts again when our pool gave up, not when the collect was claimed).
            unasked = retry and isinstance(exc, bankid_errors.BankIdBusy)
            await asyncio.to_thread(self._release, order.id, ref,
                                    self.clock() if unasked else None)
            security_event("bankid_collect_fail", level=logging.WARNING, order=order.id,
                           error=exc.error_code or type(exc).__name__, retry=retry)
            if retry:
                # The order is still valid at BankID: the person keeps the QR (or the app) and
                # the next collect tries again; nothing is shown for a blip.
                return replace(self._stored(order), next_collect_in=COLLECT_RETRY)
            raise FlowUnavailable(exc.user_message(order.language).text,  # type: ignore[arg-type]
                                  exc.error_code) from exc
        if result.status == "pending":
            return await asyncio.to_thread(self._pending, order, result.hint_code)
        if result.status == "complete" and result.completion_data is not None:
            return await asyncio.to_thread(self._finish, order, "complete", None, None,
                                           result.completion_data)
        hint = result.hint_code
        if result.status == "failed" and hint == "startFailed" and self._renewable(order):
            renewed = await self._renew(order)
            if renewed is not None:
                return renewed
        return await asyncio.to_thread(self._finish, order, "failed", hint, None, None)

    @staticmethod
    def _retry_after_failure(order: BankIdOrder, exc: Exception, now: datetime) -> bool:
        """A collect that did not reach BankID (a network failure or our own timeout, not an
        answer of BankID's, not TLS) is tried again while the order answered within
        TRANSIENT_GRACE: collect only reads the order, so a retry cannot do anything twice.
        BankID's own errors (internalError, requestTimeout: "no automatic retry") fail at once.
        A collect that was never sent (our pool busy under load) says nothing of BankID: the
        person, who may have approved in the app already, keeps waiting while the order can
        still be alive at BankID (BUSY_GRACE from its start), however long since its last
        answer; and the grace of a later network failure counts from that unsent collect (the
        caller stores it as updated_at), so a slow answer just after a busy spell is retried
        too (still bounded: a busy collect past BUSY_GRACE fails and moves nothing)."""
        if isinstance(exc, bankid_errors.BankIdBusy):
            started = as_utc(order.started_at)
            return started is not None and now - started < BUSY_GRACE
        transient = (isinstance(exc, bankid_errors.BankIdConnectionError)
                     and not isinstance(exc, bankid_errors.BankIdTlsError))
        last_answer = as_utc(order.updated_at)
        return transient and last_answer is not None and now - last_answer < TRANSIENT_GRACE

    def _claim(self, order_id: int, owner: str, tab: str,
               now: datetime) -> tuple[BankIdOrder, bool]:
        with session_scope(self.engine) as session:
            order = self._load(session, order_id, owner, tab, "bankid_collect")
            claimed = 0
            if order.status == "pending" and order.order_ref:
                claimed = session.exec(  # type: ignore[call-overload]
                    update(BankIdOrder).execution_options(synchronize_session=False)
                    .where(
                        BankIdOrder.id == order.id,
                        BankIdOrder.status == "pending",
                        BankIdOrder.order_ref == order.order_ref,
                        BankIdOrder.last_collect_at.is_(None)  # type: ignore[union-attr]
                        | (BankIdOrder.last_collect_at <= now - COLLECT_MIN_INTERVAL),  # type: ignore[operator]
                        BankIdOrder.collect_claim_until.is_(None)  # type: ignore[union-attr]
                        | (BankIdOrder.collect_claim_until <= now),  # type: ignore[operator]
                    )
                    .values(last_collect_at=now, collect_claim_until=now + CLAIM_TTL)
                ).rowcount
            session.expunge(order)
            return order, claimed == 1

    def _release(self, order_id: int, ref: str, unasked_at: datetime | None = None) -> None:
        """End this collect's claim; `unasked_at`: the collect was never sent, and BankID's
        silence is counted from then (updated_at)."""
        values: dict[str, Any] = {"collect_claim_until": None}
        if unasked_at is not None:  # never moved back past a newer answer stored meanwhile
            values["updated_at"] = case((BankIdOrder.updated_at < unasked_at, unasked_at),
                                        else_=BankIdOrder.updated_at)
        with session_scope(self.engine) as session:
            session.exec(  # type: ignore[call-overload]
                update(BankIdOrder).execution_options(synchronize_session=False)
                .where(BankIdOrder.id == order_id, BankIdOrder.order_ref == ref,
                       BankIdOrder.status == "pending")
                .values(**values)
            )

    def _reread(self, order_id: int) -> CollectResult:
        with Session(self.engine) as session:
            row = session.get(BankIdOrder, order_id)
            assert row is not None
            return self._stored(row)

    def _pending(self, order: BankIdOrder, hint: str | None) -> CollectResult:
        now = self.clock()
        with session_scope(self.engine) as session:
            moved = session.exec(  # type: ignore[call-overload]
                update(BankIdOrder).execution_options(synchronize_session=False)
                .where(BankIdOrder.id == order.id, BankIdOrder.order_ref == order.order_ref,
                       BankIdOrder.status == "pending")
                .values(hint=(hint or "")[:40] or None, collect_claim_until=None, updated_at=now)
            ).rowcount
        if moved != 1:
            return self._reread(order.id)  # type: ignore[arg-type]
        order.hint = hint
        return self._stored(order)

    def _finish(self, order: BankIdOrder, status: str, hint: str | None, error: str | None,
                completion: Any) -> CollectResult:
        """Persist a terminal result on the claimed orderRef, then answer."""
        now = self.clock()
        values: dict[str, Any] = dict(status=status, hint=(hint or "")[:40] or None, error=error,
                                      collect_claim_until=None, updated_at=now,
                                      qr_start_secret=None, auto_start_token=None)
        if completion is not None:
            user = completion.user
            pnr = str(user.personal_number or "")
            if not _PNR.fullmatch(pnr):
                security_event("bankid_identity_invalid", level=logging.ERROR, order=order.id)
                values.update(status="failed", error="identity")
            else:
                values.update(personnummer=pnr, given_name=str(user.given_name or "")[:200],
                              surname=str(user.surname or "")[:200],
                              name=str(user.name or "")[:400],
                              signature=completion.signature, completed_at=now)
        with session_scope(self.engine) as session:
            moved = session.exec(  # type: ignore[call-overload]
                update(BankIdOrder).execution_options(synchronize_session=False)
                .where(BankIdOrder.id == order.id, BankIdOrder.order_ref == order.order_ref,
                       BankIdOrder.status == "pending")
                .values(**values)
            ).rowcount
        if moved != 1:  # cancelled meanwhile: the stored state wins
            return self._reread(order.id)  # type: ignore[arg-type]
        assert order.id is not None
        if values["status"] == "complete":
            security_event("bankid_complete", purpose=order.purpose, order=order.id)
            return Complete(order.id, Person(values["personnummer"], values["given_name"],
                                             values["surname"], values["name"]),
                            first=True, signature=completion.signature)
        security_event("bankid_failed", level=logging.WARNING, purpose=order.purpose,
                       order=order.id, hint=values["hint"], error=values["error"])
        return Failed(order.id, self.message(order, "failed", values["hint"], values["error"]),
                      values["hint"], values["error"])

    def _renewable(self, order: BankIdOrder) -> bool:
        first = as_utc(order.first_started_at)
        return (not order.same_device and first is not None
                and self.clock() - first < RENEW_WINDOW)

    async def _renew(self, order: BankIdOrder) -> Renewed | None:
        """A new order in place of an unopened one (we hold the collect claim)."""
        try:
            response = await self._order(order)
        except bankid_errors.BankIdError as exc:
            security_event("bankid_renew_fail", level=logging.WARNING, order=order.id,
                           error=exc.error_code or type(exc).__name__)
            return None
        now = self.clock()
        moved = await asyncio.to_thread(self._store_renewal, order, response, now)
        if not moved:  # cancelled (or replaced) while BankID answered: drop the new order
            await self._cancel_ref(response.order_ref)
            return None
        security_event("bankid_renewed", purpose=order.purpose, order=order.id)
        order.order_ref = response.order_ref
        order.qr_start_token = response.qr_start_token
        order.qr_start_secret = response.qr_start_secret
        order.started_at = now
        assert order.id is not None
        qr = self._qr(order.id, order)
        assert qr is not None
        return Renewed(order.id, self.message(order, "pending", "outstandingTransaction"), qr,
                       next_collect_in=FIRST_COLLECT)

    def _store_renewal(self, order: BankIdOrder, response: Any, now: datetime) -> bool:
        with session_scope(self.engine) as session:
            return session.exec(  # type: ignore[call-overload]
                update(BankIdOrder).execution_options(synchronize_session=False)
                .where(BankIdOrder.id == order.id, BankIdOrder.order_ref == order.order_ref,
                       BankIdOrder.status == "pending")
                .values(order_ref=response.order_ref, qr_start_token=response.qr_start_token,
                        qr_start_secret=response.qr_start_secret,
                        auto_start_token=response.auto_start_token, started_at=now,
                        last_collect_at=now, collect_claim_until=None,
                        hint="outstandingTransaction", renewals=BankIdOrder.renewals + 1,
                        updated_at=now)
            ).rowcount == 1

    # ------------------------------------------------------------------ cancel / after

    async def cancel(self, owner: str) -> int:
        """Cancel every pending order of `owner` (here and at BankID). Returns how many."""
        refs = await asyncio.to_thread(self._mark_cancelled, owner)
        # At once, not one after another: a locked handler awaits this, and the state lock is
        # sized for one BankID call (two tabs of one owner can leave two pending orders).
        await asyncio.gather(*(self._cancel_ref(ref) for ref in refs))
        if refs:
            security_event("bankid_cancelled", count=len(refs))
        return len(refs)

    def _mark_cancelled(self, owner: str) -> list[str]:
        now = self.clock()
        refs: list[str] = []
        with session_scope(self.engine) as session:
            rows = session.exec(select(BankIdOrder).where(
                BankIdOrder.owner == owner, BankIdOrder.status == "pending")).all()
            for row in rows:
                moved = session.exec(  # type: ignore[call-overload]
                    update(BankIdOrder).execution_options(synchronize_session=False)
                    .where(BankIdOrder.id == row.id, BankIdOrder.status == "pending")
                    .values(status="cancelled", qr_start_secret=None, auto_start_token=None,
                            collect_claim_until=None, updated_at=now)
                ).rowcount
                if moved == 1 and row.order_ref:
                    refs.append(row.order_ref)
        return refs

    async def _cancel_ref(self, ref: str | None) -> None:
        if not ref:
            return
        try:
            await _call(self.bankid.cancel(ref))
        except bankid_errors.BankIdError:
            pass  # unknown, finished or already cancelled: nothing to do

    def consume(self, session: Session, order_id: int) -> bool:
        """Mark a complete order used by its purpose, once (in the caller's transaction)."""
        now = self.clock()
        return session.exec(  # type: ignore[call-overload]
            update(BankIdOrder).execution_options(synchronize_session=False)
            .where(BankIdOrder.id == order_id, BankIdOrder.status == "complete",
                   BankIdOrder.consumed_at.is_(None))  # type: ignore[union-attr]
            .values(consumed_at=now)
        ).rowcount == 1


def _person(order: BankIdOrder) -> Person:
    return Person(order.personnummer or "", order.given_name or "", order.surname or "",
                  order.name or "")
