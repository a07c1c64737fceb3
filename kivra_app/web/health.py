"""GET /health: is the database usable? JSON for load balancers and people alike."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse

from kivra_app.db import database_ok, get_engine


async def health(_request: Request) -> JSONResponse:
    ok = await asyncio.to_thread(database_ok, get_engine())
    body = {"status": "ok" if ok else "unavailable", "database": "ok" if ok else "unavailable"}
    return JSONResponse(body, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"})
