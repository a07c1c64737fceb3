"""QR frame on the one BankID flow: server CPU and database queries per frame.

What the loop does per frame (state/bankid_loop.py): `QrSource.frame(now)` over values read once
per order, and the frame text (not an image) goes to the browser, which draws it. This starts a
real order on a scratch SQLite database (BankID faked), counts every SQL statement the engine
executes while drawing frames, and times the frames.

Run: .venv/bin/python bench/bench_qr_frame.py [--frames 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import timeit
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

import kivra_app.models  # noqa: E402,F401
from kivra_app.bankid_flow import BankIdFlow  # noqa: E402
from kivra_app.db import make_engine  # noqa: E402
from kivra_app.settings import Settings  # noqa: E402
from tests.unit.fakes import FakeBankId  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp), secret_key="bench",
                            database_url=f"sqlite:///{tmp}/bench.db")
        engine = make_engine(settings.effective_database_url)
        SQLModel.metadata.create_all(engine)
        flow = BankIdFlow(engine=engine, bankid=FakeBankId(), settings=settings)
        started = asyncio.run(flow.start(
            "login", "login:bench", tab="bench-tab", end_user_ip="192.0.2.1",
            user_agent="Mozilla/5.0 (X11; Linux x86_64)", same_device=False,
            return_url="http://localhost/login"))
        qr = started.qr
        assert qr is not None
        statements: list[str] = []
        event.listen(engine, "before_cursor_execute",
                     lambda *a: statements.append(a[2]))
        t0 = datetime.now(UTC)
        moments = [t0 + timedelta(seconds=s) for s in range(180)]
        counter = iter(range(10**9))

        def frame() -> str:
            return qr.frame(moments[next(counter) % 180])

        cpu0 = time.process_time()
        runs = timeit.repeat(frame, number=args.frames, repeat=5)
        cpu = time.process_time() - cpu0
        sizes = [len(qr.frame(m).encode()) for m in moments]
        per_frame_ms = min(runs) / args.frames * 1000
        print(f"frames timed: {args.frames * 5}")
        print(f"server CPU per frame: {per_frame_ms:.4f} ms (best of 5), "
              f"{cpu / (args.frames * 5) * 1000:.4f} ms (process CPU, mean)")
        print(f"database queries per frame: {len(statements) / (args.frames * 5 + 180):.1f} "
              f"({len(statements)} statements in all)")
        print(f"frame text on the websocket: {min(sizes)}-{max(sizes)} bytes "
              f"(median {statistics.median(sizes):.0f})")
        engine.dispose()


if __name__ == "__main__":
    main()
