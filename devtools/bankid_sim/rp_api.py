"""HTTP layer of the simulated RP API: `POST /rp/v6.0/{auth,sign,phone/auth,phone/sign,collect,cancel}`.

Transport rules follow the real server: POST only (405), Content-Type exactly
`application/json` (415), unknown path (404), malformed body (400 invalidParameters).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devtools.bankid_sim.config import RP_METHODS
from devtools.bankid_sim.engine import SimulatorEngine, SimulatorError

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
MAX_BODY = 512 * 1024


def error_response(error: SimulatorError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


def rp_routes(engine: SimulatorEngine) -> list[Route]:
    async def rp_endpoint(request: Request) -> Response:
        method = request.path_params["method"]
        try:
            if method not in RP_METHODS:
                raise SimulatorError(404, "notFound", "Not found")
            if request.method != "POST":
                raise SimulatorError(405, "methodNotAllowed", "Method not allowed")
            content_type = request.headers.get("content-type", "")
            if content_type.strip().lower() != "application/json":
                raise SimulatorError(415, "unsupportedMediaType", "Unsupported media type")
            # The store is a database: its calls run off the event loop.
            faults = await asyncio.to_thread(lambda: engine.faults)
            if faults.latency > 0:
                await asyncio.sleep(faults.latency)
                if await request.is_disconnected():
                    # The caller gave up during the latency: do nothing on its behalf (a late
                    # call must not use up a fault injection or start an order meant for later).
                    return Response(status_code=400)
            # The fault settings as read when the call came in (`faults`), not as they may have
            # been changed during the latency by the next caller.
            if faults.error is not None:
                fault = await asyncio.to_thread(engine.injected_fault, method, faults)
                if fault is not None:
                    raise fault
            body = await _json_object(request)
            if method == "collect":
                result = await asyncio.to_thread(engine.collect, body)
            elif method == "cancel":
                result = await asyncio.to_thread(engine.cancel, body)
            else:
                result = await asyncio.to_thread(engine.start, method, body)
        except SimulatorError as error:
            return error_response(error)
        except ClientDisconnect:  # the caller gave up (e.g. its timeout hit during latency)
            return Response(status_code=400)
        return JSONResponse(result)

    return [Route("/rp/v6.0/{method:path}", rp_endpoint, methods=ALL_METHODS)]


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise SimulatorError(400, "invalidParameters", "Request too large")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise SimulatorError(400, "invalidParameters", "Invalid request") from None
    if not isinstance(body, dict):
        raise SimulatorError(400, "invalidParameters", "Invalid request")
    return body


async def not_found(request: Request) -> Response:
    return error_response(SimulatorError(404, "notFound", "Not found"))
