"""A small client for the test-support API (/_test; kivra_app/web/test_support.py)."""

from __future__ import annotations

import os
import time
from typing import Any

import httpx


class TestApi:
    __test__ = False  # not a pytest test class

    def __init__(self, base_url: str, token: str | None = None) -> None:
        token = token or os.environ.get("KIVRA_TEST_SUPPORT_TOKEN")
        headers = {"X-Test-Support-Token": token} if token else {}
        self.http = httpx.Client(base_url=f"{base_url.rstrip('/')}/_test", headers=headers,
                                 timeout=40)

    def _ok(self, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            raise AssertionError(f"{response.request.method} {response.request.url}: "
                                 f"{response.status_code} {response.text}")
        return response.json()

    # Outbox (Mailpit's shape)
    def messages(self, *, to: str | None = None, channel: str | None = None) -> list[dict]:
        params = {k: v for k, v in {"to": to, "channel": channel}.items() if v}
        return self._ok(self.http.get("/outbox/messages", params=params))["messages"]

    def message(self, message_id: str = "latest", **filters: str) -> dict:
        return self._ok(self.http.get(f"/outbox/message/{message_id}", params=filters))

    def latest_code(self, to: str, *, channel: str | None = None, after: str | int = 0,
                    wait_s: float = 15) -> dict:
        """{"code", "message_id", ...} of the newest code to `to` newer than message `after`."""
        params: dict[str, Any] = {"to": to, "after": after, "wait_s": wait_s}
        if channel:
            params["channel"] = channel
        return self._ok(self.http.get("/outbox/latest-code", params=params))

    def last_message_id(self, to: str, channel: str | None = None) -> str:
        found = self.messages(to=to, channel=channel)
        return found[0]["ID"] if found else "0"

    # Clock
    def clock(self) -> dict:
        return self._ok(self.http.get("/clock"))

    def advance_clock(self, seconds: float) -> dict:
        return self._ok(self.http.post("/clock", json={"advance_s": seconds}))

    def reset_clock(self) -> dict:
        return self._ok(self.http.delete("/clock"))

    # BankID simulator
    def bankid_orders(self) -> list[dict]:
        return self._ok(self.http.get("/bankid/orders"))["orders"]

    def wait_for_order(self, personal_number: str | None = None, timeout: float = 15) -> dict:
        """The newest pending order (oldest first in the list); with `personal_number`, the
        newest one the simulator shows for that person (masked YYYYMMDD-****) if there is one."""
        masked = f"{personal_number[:8]}-****" if personal_number else None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if orders := self.bankid_orders():
                mine = [o for o in orders if masked and o.get("personalNumber") == masked]
                return (mine or orders)[-1]
            time.sleep(0.2)
        raise AssertionError("no pending BankID order")

    def bankid_act(self, order_id: str, verb: str, *, hint_code: str | None = None,
                   personal_number: str | None = None) -> dict:
        body = {k: v for k, v in {"hintCode": hint_code,
                                  "personalNumber": personal_number}.items() if v}
        return self._ok(self.http.post(f"/bankid/orders/{order_id}/{verb}", json=body))

    def bankid_delay(self, seconds: float) -> dict:
        return self._ok(self.http.put("/bankid/delay", json={"seconds": seconds}))

    def bankid_no_delay(self) -> dict:
        return self._ok(self.http.delete("/bankid/delay"))
