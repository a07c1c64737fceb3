"""What a tester does outside the page: read the dev outbox, act as the BankID app."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx

CODE = re.compile(r"\b(\d{6})\b")
T = TypeVar("T")


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from a sync Playwright test (whose thread already has an event loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def outbox(app_url: str, *, to: str | None = None, channel: str | None = None) -> list[dict]:
    params = {k: v for k, v in {"to": to, "channel": channel}.items() if v}
    response = httpx.get(f"{app_url}/dev/outbox.json", params=params, timeout=10)
    response.raise_for_status()
    return response.json()


def wait_for_code(
    app_url: str, *, to: str, channel: str, newer_than: int = 0, timeout: float = 20.0
) -> tuple[str, int]:
    """The 6-digit code of the newest message to `to` with id > newer_than, and that id."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in outbox(app_url, to=to, channel=channel):
            if message["id"] > newer_than and (match := CODE.search(message["text"])):
                return match.group(1), message["id"]
        time.sleep(0.3)
    raise AssertionError(f"no {channel} code reached {to} within {timeout}s")


def last_message_id(app_url: str, *, to: str, channel: str) -> int:
    messages = outbox(app_url, to=to, channel=channel)
    return messages[0]["id"] if messages else 0
