"""The test-support API's only coupling to the BankID simulator: its own app/dev HTTP API
(kivra_app/bankid/simulator/app_api.py), reached on loopback. If the simulator moves or its
store becomes shared, only this module changes.
"""

from __future__ import annotations

from typing import Any

import httpx

from kivra_app.settings import Settings

# Failures a test can ask for by BankID hint code -> the simulator app's action that causes it.
FAIL_ACTIONS = {
    "userCancel": "cancel",
    "certificateErr": "blocked",
    "userDeclinedCall": "declineCall",
    "notSupportedByUserApp": "oldApp",
}


class SimulatorUnavailable(RuntimeError):
    pass


def _base(settings: Settings) -> str:
    if not settings.simulator_enabled:
        raise SimulatorUnavailable("the BankID simulator is not mounted (KIVRA_BANKID_URL is set)")
    return f"http://127.0.0.1:{settings.port}/bankid-sim"


async def call(settings: Settings, method: str, path: str,
               body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """(status, JSON) of one simulator call, e.g. call(s, "GET", "/app/orders")."""
    async with httpx.AsyncClient(base_url=_base(settings), timeout=10) as client:
        response = await client.request(method, path, json=body)
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, {"detail": response.text}


async def orders(settings: Settings) -> tuple[int, Any]:
    return await call(settings, "GET", "/app/orders")


async def act(settings: Settings, order_id: str, action: str,
              personal_number: str | None = None) -> tuple[int, Any]:
    body: dict[str, Any] = {"action": action}
    if personal_number:
        body["personalNumber"] = personal_number
    return await call(settings, "POST", f"/app/orders/{order_id}/action", body)


async def set_delay(settings: Settings, seconds: float) -> tuple[int, Any]:
    """Every RP API call (auth, collect, cancel) answers `seconds` later."""
    return await call(settings, "PUT", "/dev/faults", {"latency": seconds})


async def reset(settings: Settings) -> tuple[int, Any]:
    return await call(settings, "POST", "/dev/reset")
