"""Inbox cost by mailbox size: server time and bytes to the browser for the first page and the
next page, with 10, 1,000 and 10,000 letters in one mailbox (target: 10,000 within 1.3x of 10),
plus the live-arrival probe the open inbox runs every few seconds.

Run: .venv/bin/python bench/bench_inbox.py [--db sqlite|postgresql] [--repeat 30]

Server time is the MailboxState handler as Reflex calls it (`load`, `next_page`), with the real
domain over a real database: the session check, the keyset page, the unread count and the probe.
Bytes are the JSON of the state vars the handler changed (what the delta carries).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PYTEST_CURRENT_TEST", "bench_inbox")  # lets Reflex build states directly

from sqlalchemy import create_engine, text  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

import kivra_app.models  # noqa: E402, F401
import state.deps as deps  # noqa: E402
from kivra_app.db import make_engine  # noqa: E402
from kivra_app.mailbox.inbox import latest_letter_id  # noqa: E402
from kivra_app.settings import Settings  # noqa: E402
from state.mailbox import MailboxState  # noqa: E402
from tests.unit.mailbox_data import login, many_letters, person  # noqa: E402
from tests.unit_ui.fakes import state_tree  # noqa: E402

SIZES = (10, 1_000, 10_000)
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _engine(kind: str, tmp: Path):
    if kind == "sqlite":
        return make_engine(f"sqlite:///{tmp / 'bench.db'}"), None
    name = f"kivra_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_engine(f"postgresql://postgres@127.0.0.1:5432/{name}"), name


def _drop(name: str | None) -> None:
    if name:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _delta_bytes(before: dict, after: dict) -> int:
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    return len(json.dumps(changed, default=str, ensure_ascii=False).encode())


async def _measure(m, handler: str, repeat: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        if handler == "next_page":
            await m.first_page()
        before = m.dict()
        t0 = time.perf_counter()
        await getattr(m, handler)()
        times.append((time.perf_counter() - t0) * 1000)
        size = _delta_bytes(before, m.dict()) if handler == "next_page" else len(
            json.dumps(m.dict(), default=str, ensure_ascii=False).encode())
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    results = {}
    for n in SIZES:
        tmp = Path(tempfile.mkdtemp())
        engine, pg = _engine(args.db, tmp)
        try:
            SQLModel.metadata.create_all(engine)
            settings = Settings(_env_file=None, data_dir=tmp, secret_key="bench",
                                database_url=str(engine.url))
            deps.services = lambda e=engine, s=settings: SimpleNamespace(engine=e, settings=s)  # type: ignore[assignment]
            me = person(engine, "Bench")
            many_letters(engine, me, n, invoice_every=4)
            with engine.connect() as conn:  # planner statistics, as a live database has them
                conn.execute(text("ANALYZE"))
                conn.commit()
            m = state_tree(MailboxState, cookie=f"kivra_session={login(engine, me)}",
                           path="/mailbox")
            asyncio.run(m.load())  # warm-up (imports, caches)
            first = asyncio.run(_measure(m, "load", args.repeat))
            nxt = asyncio.run(_measure(m, "next_page", args.repeat))
            probe = []
            for _ in range(args.repeat * 3):
                t0 = time.perf_counter()
                latest_letter_id(engine, me)
                probe.append((time.perf_counter() - t0) * 1000)
            results[n] = (first, nxt, statistics.median(probe))
        finally:
            engine.dispose()
            _drop(pg)
    print(f"Inbox on {args.db}, median of {args.repeat} runs (server time; bytes to the browser)")
    print(f"{'letters':>8} | {'first page':>22} | {'next page':>22} | {'new-mail probe':>14}")
    for n, ((ft, fb), (nt, nb), pt) in results.items():
        print(f"{n:>8} | {ft:8.2f} ms {fb:8d} B | {nt:8.2f} ms {nb:8d} B | {pt:10.3f} ms")
    base, mid, big = (results[n] for n in SIZES)
    # 10 letters fit on one page: its "next page" is empty, so the next page is compared with
    # the 1,000-letter mailbox's.
    print(f"10,000 vs 10: first page {big[0][0] / base[0][0]:.2f}x (target <= 1.3x); "
          f"next page 10,000 vs 1,000: {big[1][0] / mid[1][0]:.2f}x")


if __name__ == "__main__":
    main()
