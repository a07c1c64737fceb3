"""HTTP API of the simulated BankID app (the phone) and the dev-only fault settings.

    GET  /app/identities                  test identities to act as
    GET  /app/orders                      pending orders (personal numbers masked)
    POST /app/scan       {qrData, identity | personalNumber, action?}
    POST /app/autostart  {autoStartToken, identity | personalNumber, action?}
    POST /app/orders/{id}/action  {action, identity | personalNumber}
    GET|PUT|DELETE /dev/faults            fault injection into the RP API
    POST /dev/reset                       drop every order and clear faults

Without `action`, scan and autostart only pick the order up (hint userSign / started),
so a UI can show the intermediate message; a later action finishes it. Actions:
approve, cancel (userCancel), blocked (certificateErr), declineCall, oldApp; and
"open" on a listed order to pick it up without a QR.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from devtools.bankid_sim.app_page import APP_PAGE
from devtools.bankid_sim.config import FaultSettings
from devtools.bankid_sim.engine import AppError, SimulatorEngine


def _app_error(error: AppError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status)


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise AppError(400, "badRequest", "The body must be a JSON object") from None
    if not isinstance(body, dict):
        raise AppError(400, "badRequest", "The body must be a JSON object")
    return body


def _text(body: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise AppError(400, "badRequest", f"{name} must be a non-empty string")
    return value


def app_routes(engine: SimulatorEngine) -> list[Route]:
    async def page(request: Request) -> Response:
        return HTMLResponse(APP_PAGE, headers={"Cache-Control": "no-store"})

    async def identities(request: Request) -> Response:
        return JSONResponse({"identities": [i.to_public_json() for i in engine.config.identities]})

    async def orders(request: Request) -> Response:
        return JSONResponse({"orders": await asyncio.to_thread(engine.pending_orders)})

    def pick_up(method: Callable[..., dict[str, Any]], token_field: str) -> Callable[..., Any]:
        """The app opens an order from a QR frame or an autostart token, as a test identity."""

        async def handler(request: Request) -> Response:
            try:
                body = await _body(request)
                result = await asyncio.to_thread(
                    functools.partial(
                        method,
                        _text(body, token_field, required=True) or "",
                        identity=_text(body, "identity"),
                        personal_number=_text(body, "personalNumber"),
                        action=_text(body, "action"),
                    )
                )
            except AppError as error:
                return _app_error(error)
            return JSONResponse(result)

        return handler

    scan = pick_up(engine.scan, "qrData")
    autostart = pick_up(engine.autostart, "autoStartToken")

    async def act(request: Request) -> Response:
        try:
            body = await _body(request)
            result = await asyncio.to_thread(
                functools.partial(
                    engine.act,
                    request.path_params["app_id"],
                    _text(body, "action", required=True) or "",
                    identity=_text(body, "identity"),
                    personal_number=_text(body, "personalNumber"),
                )
            )
        except AppError as error:
            return _app_error(error)
        return JSONResponse(result)

    async def faults(request: Request) -> Response:
        if request.method == "PUT":
            try:
                body = await _body(request)
                current = await asyncio.to_thread(lambda: engine.faults)
                await asyncio.to_thread(
                    engine.set_faults, FaultSettings.from_json(body, base=current)
                )
            except AppError as error:
                return _app_error(error)
            except (ValueError, TypeError) as exc:
                return JSONResponse({"error": "badRequest", "message": str(exc)}, status_code=400)
        elif request.method == "DELETE":
            await asyncio.to_thread(engine.set_faults, FaultSettings())
        return JSONResponse((await asyncio.to_thread(lambda: engine.faults)).to_json())

    async def reset(request: Request) -> Response:
        await asyncio.to_thread(engine.reset)  # drops the fault settings too
        return JSONResponse({})

    return [
        Route("/app", page, methods=["GET"]),
        Route("/app/", page, methods=["GET"]),
        Route("/app/identities", identities, methods=["GET"]),
        Route("/app/orders", orders, methods=["GET"]),
        Route("/app/scan", scan, methods=["POST"]),
        Route("/app/autostart", autostart, methods=["POST"]),
        Route("/app/orders/{app_id}/action", act, methods=["POST"]),
        Route("/dev/faults", faults, methods=["GET", "PUT", "DELETE"]),
        Route("/dev/reset", reset, methods=["POST"]),
    ]
