"""R-19/R-40: a crafted websocket event cannot skip a step.

A browser reaches the email-code step (step 4). A second Socket.IO client, from the app's own
origin and carrying that browser's cookies (as a script or a stolen cookie would), calls the
later steps' handlers by their full Reflex event names: `submit_phone` and `verify_phone_code`.
The server-side step stays `email_code`, no SMS is sent and no account is created. As a positive
control the same client then sends `verify_email_code` with the real code, and the step does
move to `phone`: the channel, the cookie and the event names are right, so the refusals above
are real refusals. Reflex handles one event at a time per client token, in order.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import socketio
from playwright.sync_api import Page

from tests.e2e.conftest import RunningApp
from tests.e2e.flows import OTHER_PEOPLE, db_rows, reach_email_code_step, signup_step, unique_email
from tests.e2e.helpers import outbox, run_async

STATE = "reflex___state____state.state___signup____signup_state"
NAMESPACE = "/_event"  # Reflex's Socket.IO namespace (config.get_event_namespace())
PHONE_E164 = "+46701740625"


def _event(handler: str, **payload: Any) -> dict[str, Any]:
    return {
        "name": f"{STATE}.{handler}",
        "payload": payload,
        "router_data": {"pathname": "/signup", "query": {}, "asPath": "/signup"},
    }


async def _send(app_url: str, cookie_header: str, events: list[dict[str, Any]]) -> int:
    """Send the events in order on one socket; returns how many state updates came back."""
    client = socketio.AsyncClient(reconnection=False)
    updates: asyncio.Queue[Any] = asyncio.Queue()

    @client.on("event", namespace=NAMESPACE)
    async def _update(data: Any) -> None:
        await updates.put(data)

    await client.connect(
        f"{app_url}?token={uuid.uuid4()}",
        headers={"Origin": app_url, "Cookie": cookie_header},
        transports=["websocket"], socketio_path="/_event", namespaces=[NAMESPACE],
        wait_timeout=10,
    )
    received = 0
    try:
        for event in events:
            await client.emit("event", event, namespace=NAMESPACE)
            try:  # each handler answers with (at least) one update
                await asyncio.wait_for(updates.get(), timeout=10)
                received += 1
            except TimeoutError:
                pass
    finally:
        await client.disconnect()
    return received


def _wait_for_step(db: Path, destination: str, step: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    current = signup_step(db, destination)
    while current != step and time.monotonic() < deadline:
        time.sleep(0.2)
        current = signup_step(db, destination)
    return current


def _sms_after(app_url: str, newer_than: int) -> list[dict]:
    return [m for m in outbox(app_url, to=PHONE_E164, channel="sms") if m["id"] > newer_than]


def test_a_crafted_event_cannot_skip_to_the_phone_steps(desktop_page: Page,
                                                        running_app: RunningApp) -> None:
    page = desktop_page
    app_url = running_app.url
    db = running_app.data_dir / "e2e.db"
    address = unique_email("websocket")
    code = reach_email_code_step(page, app_url, OTHER_PEOPLE["websocket"], address)
    cookie_header = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    assert "kivra_signup=" in cookie_header

    # Other tests' people get random numbers from the same fictional range (factories.phone):
    # an earlier SMS to this number is theirs. Only what comes after this point counts.
    before = max((m["id"] for m in outbox(app_url, to=PHONE_E164, channel="sms")), default=0)
    crafted = [
        _event("submit_phone", form_data={"phone": "070-174 06 25"}),
        _event("verify_phone_code", form_data={"code": "123456"}),
        _event("verify_phone_code", form_data={"code": code}),
    ]
    assert run_async(_send(app_url, cookie_header, crafted)) == len(crafted)
    assert signup_step(db, address) == "email_code"
    assert _sms_after(app_url, before) == []
    # each refusal is recorded as a security event.
    log = running_app.log_path.read_text(errors="replace")
    for action in ("submit_phone", "verify_phone_code"):
        assert "event=sequence_fail" in log and f"action={action}" in log, action

    # Positive control: the same channel with the legitimate next event does move the step.
    assert run_async(_send(app_url, cookie_header,
                           [_event("verify_email_code", form_data={"code": code})])) == 1
    assert _wait_for_step(db, address, "phone") == "phone"
    # Nothing the crafted events asked for happened, even later.
    assert _sms_after(app_url, before) == []
    assert db_rows(db, 'SELECT id FROM "user" WHERE email = ?', address) == []
