"""/_test: the test-support API (development and test only; see tests/e2e/README.md).

- the captured mail and SMS (the dev outbox table) in Mailpit's message-list shape, plus
  `latest-code`;
- BankID simulator control: list pending orders, approve, cancel, fail with a hint code, delay;
- the movable server clock (kivra_app/clock.py): read, advance, set, reset.

Mounted only when settings.test_support_enabled (refused in production by the settings).
Every request must come from a loopback address or carry X-Test-Support-Token equal to
KIVRA_TEST_SUPPORT_TOKEN. Errors are RFC 9457 problems. The contract is /_test/openapi.json.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from datetime import datetime
from typing import Any

from sqlmodel import Session, delete, func, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kivra_app.clock import MovableClock
from kivra_app.container import services
from kivra_app.messaging.outbox import extract_code
from kivra_app.models import OutboxMessage
from kivra_app.settings import Settings
from kivra_app.web import test_support_bankid as bankid

LOOPBACK = {"127.0.0.1", "::1"}
TOKEN_HEADER = "x-test-support-token"  # noqa: S105 - a header name
PROBLEM = "https://kivra.example/problems/test-support/"
MAX_WAIT_S = 30.0


def problem(status: int, kind: str, title: str, detail: str = "") -> JSONResponse:
    body = {"type": PROBLEM + kind, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


# --- outbox, Mailpit-shaped ------------------------------------------------------------------
def _address(value: str | None) -> dict[str, str]:
    """'Kivra <noreply@x>' -> {Name, Address}; an E.164 number stays the Address."""
    value = value or ""
    if "<" in value and value.endswith(">"):
        name, _, address = value[:-1].partition("<")
        return {"Name": name.strip().strip('"'), "Address": address.strip()}
    return {"Name": "", "Address": value}


def _summary(m: OutboxMessage) -> dict[str, Any]:
    return {
        "ID": str(m.id),
        "MessageID": f"outbox-{m.id}",
        "From": _address(m.sender),
        "To": [_address(m.recipient)],
        "Cc": [], "Bcc": [], "ReplyTo": [],
        "Subject": m.subject or "",
        "Created": m.created_at.isoformat(),
        "Tags": [m.channel],  # "email" | "sms"
        "Read": False,
        "Size": len((m.text or "").encode()) + len((m.html or "").encode()),
        "Attachments": 0,
        "Snippet": " ".join((m.text or "").split())[:250],
    }


def _query(channel: str | None, to: str | None):  # noqa: ANN202
    query = select(OutboxMessage)
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    if to:
        query = query.where(OutboxMessage.recipient == to.strip().lower())
    return query


def _int(value: str | None, default: int, lo: int, hi: int) -> int:
    try:
        return max(lo, min(hi, int(value))) if value is not None else default
    except ValueError:
        return default


def _list(start: int, limit: int, channel: str | None, to: str | None) -> dict[str, Any]:
    with Session(services().engine) as session:
        base = _query(channel, to)
        total = session.exec(select(func.count()).select_from(base.subquery())).one()
        rows = session.exec(base.order_by(OutboxMessage.id.desc())  # type: ignore[union-attr]
                            .offset(start).limit(limit)).all()
    messages = [_summary(m) for m in rows]
    return {"total": total, "unread": total, "count": len(messages),
            "messages_count": total, "start": start, "tags": ["email", "sms"],
            "messages": messages}


def _filters(request: Request) -> tuple[str | None, str | None]:
    channel = request.query_params.get("channel") or request.query_params.get("tag")
    return (channel if channel in ("email", "sms") else None,
            request.query_params.get("to") or None)


async def outbox_messages(request: Request) -> Response:
    if request.method == "DELETE":
        return await outbox_delete(request)
    start = _int(request.query_params.get("start"), 0, 0, 10**9)
    limit = _int(request.query_params.get("limit"), 50, 1, 500)
    return JSONResponse(await asyncio.to_thread(_list, start, limit, *_filters(request)))


async def outbox_delete(request: Request) -> Response:
    try:
        body = await request.json() if await request.body() else {}
    except ValueError:
        return problem(400, "bad-json", "The body is not JSON")
    ids = [int(i) for i in (body.get("IDs") or []) if str(i).isdigit()]

    def run() -> None:
        with Session(services().engine) as session:
            statement = delete(OutboxMessage)
            if ids:
                statement = statement.where(OutboxMessage.id.in_(ids))  # type: ignore[union-attr]
            session.exec(statement)  # type: ignore[call-overload]
            session.commit()

    await asyncio.to_thread(run)
    return JSONResponse({})


def _one(message_id: str, channel: str | None, to: str | None) -> OutboxMessage | None:
    with Session(services().engine, expire_on_commit=False) as session:
        if message_id == "latest":
            return session.exec(_query(channel, to).order_by(
                OutboxMessage.id.desc()).limit(1)).first()  # type: ignore[union-attr]
        if not message_id.isdigit():
            return None
        return session.get(OutboxMessage, int(message_id))


async def outbox_message(request: Request) -> Response:
    m = await asyncio.to_thread(_one, request.path_params["id"], *_filters(request))
    if m is None:
        return problem(404, "no-message", "No such message")
    return JSONResponse({**_summary(m), "Text": m.text, "HTML": m.html or "",
                         "Date": m.created_at.isoformat()})


async def latest_code(request: Request) -> Response:
    """The 6-digit code in the newest message to `to`; waits up to `wait_s` for one newer than
    `after` (a message ID), so a test needs no polling loop."""
    to = request.query_params.get("to")
    if not to:
        return problem(400, "missing-to", "Say whose code: ?to=<email or +46… number>")
    channel, _ = _filters(request)
    after = _int(request.query_params.get("after"), 0, 0, 10**12)
    try:
        wait_s = min(float(request.query_params.get("wait_s", "0")), MAX_WAIT_S)
    except ValueError:
        wait_s = 0.0
    deadline = time.monotonic() + max(wait_s, 0.0)
    while True:
        m = await asyncio.to_thread(_one, "latest", channel, to)
        if m is not None and (m.id or 0) > after and (code := extract_code(m.text)):
            return JSONResponse({"code": code, "message_id": str(m.id), "channel": m.channel,
                                 "to": m.recipient, "created": m.created_at.isoformat()})
        if time.monotonic() >= deadline:
            return problem(404, "no-code", "No code for this recipient yet",
                           f"nothing newer than message {after}" if after else "")
        await asyncio.sleep(0.2)


# --- the clock ---------------------------------------------------------------------------------
def _clock() -> MovableClock:
    clock = services().signup.clock
    if not isinstance(clock, MovableClock):  # cannot happen while the API is mounted
        raise RuntimeError("the server clock is not movable")
    return clock


def _clock_view(clock: MovableClock) -> dict[str, Any]:
    return {"now": clock().isoformat(), "offset_s": clock.offset()}


async def clock(request: Request) -> Response:
    c = _clock()
    if request.method == "DELETE":
        await asyncio.to_thread(c.reset)
    elif request.method == "POST":
        try:
            body = await request.json()
            if "advance_s" in body:
                await asyncio.to_thread(c.advance, float(body["advance_s"]))
            elif "set" in body:
                await asyncio.to_thread(c.set_time, datetime.fromisoformat(str(body["set"])))
            else:
                return problem(400, "bad-clock", "Send {\"advance_s\": N} or {\"set\": iso}")
        except (ValueError, TypeError) as exc:
            return problem(400, "bad-clock", "Send {\"advance_s\": N} or {\"set\": iso}", str(exc))
    return JSONResponse(await asyncio.to_thread(_clock_view, c))


# --- BankID ------------------------------------------------------------------------------------
def _settings() -> Settings:
    return services().settings


async def _simulator(coro) -> Response:  # noqa: ANN001
    try:
        status, body = await coro
    except bankid.SimulatorUnavailable as exc:
        return problem(409, "no-simulator", "The BankID simulator is not in use", str(exc))
    if status >= 400:
        return problem(status, "simulator", "The BankID simulator refused",
                       str(body.get("message") or body.get("detail") or body))
    return JSONResponse(body)


async def bankid_orders(request: Request) -> Response:
    return await _simulator(bankid.orders(_settings()))


async def bankid_action(request: Request) -> Response:
    order_id, verb = request.path_params["order_id"], request.path_params["verb"]
    try:
        body = await request.json() if await request.body() else {}
    except ValueError:
        return problem(400, "bad-json", "The body is not JSON")
    if verb in ("approve", "cancel"):
        action = verb
    elif verb == "fail":
        hint = body.get("hintCode")
        action = bankid.FAIL_ACTIONS.get(hint)
        if action is None:
            return problem(400, "bad-hint", "Unsupported hintCode",
                           f"one of {sorted(bankid.FAIL_ACTIONS)}")
    else:
        return problem(404, "no-action", "Use approve, cancel or fail")
    return await _simulator(bankid.act(_settings(), order_id, action,
                                       body.get("personalNumber")))


async def bankid_delay(request: Request) -> Response:
    seconds = 0.0
    if request.method == "PUT":
        try:
            seconds = float((await request.json())["seconds"])
        except (ValueError, KeyError, TypeError):
            return problem(400, "bad-delay", "Send {\"seconds\": N}")
        if not 0 <= seconds <= 60:
            return problem(400, "bad-delay", "seconds must be between 0 and 60")
    return await _simulator(bankid.set_delay(_settings(), seconds))


async def bankid_reset(request: Request) -> Response:
    return await _simulator(bankid.reset(_settings()))


async def openapi(request: Request) -> Response:
    from kivra_app.web.test_support_openapi import OPENAPI

    return JSONResponse(OPENAPI)


# --- the gate ------------------------------------------------------------------------------------
class LoopbackOrToken:
    """ASGI middleware: loopback clients, or the right X-Test-Support-Token; else 404 (the API
    does not admit it exists)."""

    def __init__(self, app, token: str | None) -> None:  # noqa: ANN001
        self.app = app
        self.token = token

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] == "http" and not self._allowed(scope):
            await problem(404, "not-found", "Not found")(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _allowed(self, scope) -> bool:  # noqa: ANN001
        headers = dict(scope.get("headers") or [])
        sent = headers.get(TOKEN_HEADER.encode(), b"").decode(errors="replace")
        if self.token and sent and hmac.compare_digest(sent, self.token):
            return True
        client = scope.get("client")
        return bool(client) and client[0] in LOOPBACK


def build_test_support(settings: Settings):  # noqa: ANN201
    from starlette.applications import Starlette
    from starlette.middleware import Middleware

    token = settings.test_support_token.get_secret_value() if settings.test_support_token else None
    routes = [
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/outbox/messages", outbox_messages, methods=["GET", "DELETE"]),
        Route("/outbox/message/{id}", outbox_message, methods=["GET"]),
        Route("/outbox/latest-code", latest_code, methods=["GET"]),
        Route("/clock", clock, methods=["GET", "POST", "DELETE"]),
        Route("/bankid/orders", bankid_orders, methods=["GET"]),
        Route("/bankid/orders/{order_id}/{verb}", bankid_action, methods=["POST"]),
        Route("/bankid/delay", bankid_delay, methods=["PUT", "DELETE"]),
        Route("/bankid/reset", bankid_reset, methods=["POST"]),
    ]
    return Starlette(routes=routes, middleware=[Middleware(LoopbackOrToken, token=token)])
