"""The sender API alone, for bench_senders.py: `uvicorn --factory bench.sender_api_server:app`.
Database from KIVRA_DATABASE_URL (migrated first); rate limits from the KIVRA_SENDER_* settings."""

from __future__ import annotations

from starlette.applications import Starlette


def app() -> Starlette:
    from kivra_app.db import get_engine
    from kivra_app.migrate import upgrade
    from kivra_app.senders.api import SenderApiMount, build_sender_api
    from kivra_app.settings import get_settings

    upgrade(get_engine())
    return Starlette(routes=[SenderApiMount(build_sender_api(get_settings(), get_engine()))])
