"""GET /health: can this instance serve? The database, and Redis when Reflex's state lives there
(without it no tab can be served). JSON for load balancers and people alike."""

from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from kivra_app.db import database_ok, get_engine
from kivra_app.settings import get_settings


@lru_cache
def _redis(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def redis_ok(url: str) -> bool:
    try:
        return bool(_redis(url).ping())
    except Exception:  # noqa: BLE001 - any failure means "not usable"
        return False


async def health(_request: Request) -> JSONResponse:
    ok = await asyncio.to_thread(database_ok, get_engine())
    body = {"status": "ok" if ok else "unavailable", "database": "ok" if ok else "unavailable"}
    redis_url = get_settings().redis_url
    if redis_url:
        reachable = await asyncio.to_thread(redis_ok, redis_url)
        body["redis"] = "ok" if reachable else "unavailable"
        if not reachable:
            ok = False
            body["status"] = "unavailable"
    return JSONResponse(body, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"})
