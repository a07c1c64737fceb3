"""Where a delivery's CPU time goes: POST /messages in-process (httpx's ASGI transport, no
socket), one request at a time, under cProfile, with `asyncio.to_thread` run inline so the
profiler sees the worker-thread part too (the database calls, the PDF check).

    .venv/bin/python bench/profile_senders.py [--db postgresql|sqlite] [--n 300]
        [--pg-name kivra_bench_senders_profile] [--redis-url redis://127.0.0.1:6379/5]
        [--sort tottime|cumulative] [--top 40]

Prints deliveries/s of the profiled loop (slower than real: the profiler's overhead) and the
top functions. Database and Redis keys are its own; the database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import cProfile
import io
import pstats
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_senders import PG_ADMIN, make_senders, setup_people  # noqa: E402


async def _inline(func, /, *args, **kwargs):  # noqa: ANN001, ANN202
    return func(*args, **kwargs)


async def run(base_app, token: str, people: list[str], pdf: str, n: int) -> float:  # noqa: ANN001
    transport = httpx.ASGITransport(app=base_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t/api/sender/v1") as http:
        start = time.perf_counter()
        for j in range(n):
            body = {"recipient": {"personnummer": people[j % len(people)]},
                    "external_id": uuid.uuid4().hex, "type": "letter", "subject": "Bench",
                    "parts": [{"filename": "b.pdf", "content_type": "application/pdf",
                               "data_base64": pdf}]}
            r = await http.post("/messages", json=body, headers={
                "Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex})
            if r.status_code != 201:
                raise RuntimeError(f"{r.status_code} {r.text[:200]}")
        return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="postgresql")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--pg-name", default="kivra_bench_senders_profile")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()

    from sqlalchemy import create_engine, text
    from starlette.applications import Starlette

    from kivra_app.db import make_engine
    from kivra_app.migrate import upgrade
    from kivra_app.senders.api import SenderApiMount, build_sender_api
    from kivra_app.senders.pdfwriter import make_pdf
    from kivra_app.settings import Settings

    tmp = tempfile.mkdtemp()
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    if args.db == "postgresql":
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{args.pg_name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{args.pg_name}"'))
        url = f"postgresql://postgres@127.0.0.1:5432/{args.pg_name}"
    else:
        url = f"sqlite:///{tmp}/profile.db"
    try:
        engine = make_engine(url)
        upgrade(engine)
        settings = Settings(_env_file=None, data_dir=Path(tmp), secret_key="profile" * 8,
                            database_url=url, redis_url=args.redis_url or None,
                            redis_prefix=f"kivra-profile-{uuid.uuid4().hex[:8]}:",
                            sender_rate_burst=100_000, sender_rate_per_second=100_000.0)
        app = Starlette(routes=[SenderApiMount(build_sender_api(settings, engine))])
        people = setup_people(url, 50)
        client_id, secret = make_senders(url, 1)[0]
        from kivra_app.senders import credentials

        token, _ = credentials.issue_token(engine, client_id, secret, ttl=3600)
        pdf = base64.b64encode(make_pdf("Bench", ["Rad"] * 40, pad_to=100_000)).decode()
        asyncio.to_thread = _inline  # type: ignore[assignment]
        asyncio.run(run(app, token, people, pdf, 30))  # warm up
        profiler = cProfile.Profile()
        if not args.no_profile:
            profiler.enable()
        rate = asyncio.run(run(app, token, people, pdf, args.n))
        profiler.disable()
        print(f"{args.db}: {rate:.1f} deliveries/s in-process, one at a time"
              f"{'' if args.no_profile else ' (under cProfile)'}")
        if not args.no_profile:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
            print(out.getvalue())
        engine.dispose()
    finally:
        if args.db == "postgresql":
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{args.pg_name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
