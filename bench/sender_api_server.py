"""The sender API alone, for bench_senders.py: `granian --interface asgi --factory
bench.sender_api_server:app`, as `make run` serves the app (Granian workers). Database from
KIVRA_DATABASE_URL, migrated by the benchmark before the workers start (two workers migrating at
once would race); rate limits from the KIVRA_SENDER_* settings, in Redis with KIVRA_REDIS_URL."""

from __future__ import annotations

from starlette.applications import Starlette


def app() -> Starlette:
    from kivra_app.db import get_engine
    from kivra_app.senders.api import SenderApiMount, build_sender_api
    from kivra_app.settings import get_settings

    return Starlette(routes=[SenderApiMount(build_sender_api(get_settings(), get_engine()))])
