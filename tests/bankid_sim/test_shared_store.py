"""The simulator's orders are shared by every worker: separate engines (and separate processes)
on one database see the same orders, and a collect or scan racing from many places hands out a
terminal result exactly once."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from devtools.bankid_sim import SimulatorConfig, SimulatorEngine, SimulatorError
from kivra_app.bankid.qr import qr_data
from kivra_app.db import make_engine

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg_url() -> Iterator[str]:
    name = f"kivra_simtest_{uuid.uuid4().hex[:12]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'sim.db'}")
        yield engine
        engine.dispose()
    else:
        url = request.getfixturevalue("pg_url")
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_an_order_started_on_one_worker_is_collected_and_scanned_on_another(db: Engine) -> None:
    worker_a = SimulatorEngine(SimulatorConfig(), db=db)
    worker_b = SimulatorEngine(SimulatorConfig(), db=db)
    order = worker_a.start("auth", {"endUserIp": "203.0.113.7"})
    pending = worker_b.collect({"orderRef": order["orderRef"]})
    assert (pending["status"], pending["hintCode"]) == ("pending", "outstandingTransaction")
    frame = qr_data(order["qrStartToken"], order["qrStartSecret"], 0)
    worker_b.scan(frame, identity="elsa", action="approve")
    done = worker_a.collect({"orderRef": order["orderRef"]})
    assert done["status"] == "complete"
    assert done["completionData"]["user"]["personalNumber"] == "191911612388"
    with pytest.raises(SimulatorError, match="No such order"):
        worker_b.collect({"orderRef": order["orderRef"]})  # handed out once, everywhere


def test_fault_settings_reach_every_worker(db: Engine) -> None:
    from devtools.bankid_sim import FaultSettings

    worker_a = SimulatorEngine(SimulatorConfig(), db=db)
    worker_b = SimulatorEngine(SimulatorConfig(), db=db)
    worker_a.set_faults(FaultSettings(error="maintenance", remaining=1))
    fault = worker_b.injected_fault("auth")
    assert fault is not None and fault.error_code == "maintenance"
    assert worker_a.injected_fault("auth") is None  # the one injection was used up on B


def test_racing_collects_hand_the_result_out_once(db: Engine) -> None:
    workers = [SimulatorEngine(SimulatorConfig(), db=db) for _ in range(4)]
    order = workers[0].start("auth", {"endUserIp": "203.0.113.7"})
    frame = qr_data(order["qrStartToken"], order["qrStartSecret"], 0)
    workers[1].scan(frame, identity="elsa", action="approve")

    def collect(i: int) -> str:
        try:
            return workers[i % 4].collect({"orderRef": order["orderRef"]})["status"]
        except SimulatorError as exc:
            return exc.details

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(collect, range(16)))
    assert answers.count("complete") == 1
    assert answers.count("No such order") == 15


_WORKER = """
import sys
from devtools.bankid_sim import SimulatorConfig, SimulatorEngine
from kivra_app.db import make_engine
# Long deadlines: on a loaded machine each process takes tens of seconds just to start.
engine = SimulatorEngine(SimulatorConfig(start_deadline=900, order_lifetime=1200),
                         db=make_engine(sys.argv[1]))
if sys.argv[2] == "start":
    print(engine.start("auth", {"endUserIp": "203.0.113.7", "requirement": {"personalNumber": "191911612388"}})["orderRef"])
else:
    print(engine.collect({"orderRef": sys.argv[2]})["hintCode"])
"""


def test_separate_processes_share_orders_on_postgresql(pg_url: str) -> None:
    def run(*args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-c", _WORKER, pg_url, *args],
            cwd=ROOT, capture_output=True, text=True, timeout=600, check=True,
        )
        return out.stdout.strip()

    order_ref = run("start")
    assert run(order_ref) == "outstandingTransaction"
    # The same person cannot start a second order from another process either.
    proc = subprocess.run(
        [sys.executable, "-c", _WORKER, pg_url, "start"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode != 0 and "alreadyInProgress" in proc.stderr


def test_the_mounted_simulator_keeps_out_of_the_apps_schema(pg_url: str, tmp_path: Path) -> None:
    """PostgreSQL: schema `devsim`; SQLite: a file beside the app's. The app's schema (what
    Alembic and Reflex's schema check compare) gets no table of the simulator's."""
    from sqlalchemy import inspect

    from devtools.bankid_sim.mount import simulator_database

    app_db = make_engine(pg_url)
    sim = SimulatorEngine(SimulatorConfig(), db=simulator_database(app_db))
    sim.start("auth", {"endUserIp": "203.0.113.7"})
    tables = inspect(app_db)
    assert tables.get_table_names() == []  # public: nothing of the simulator's
    assert set(tables.get_table_names(schema="devsim")) == {
        "devsim_bankid_order", "devsim_bankid_setting"
    }
    app_db.dispose()

    sqlite_app = make_engine(f"sqlite:///{tmp_path / 'kivra.db'}")
    SimulatorEngine(SimulatorConfig(), db=simulator_database(sqlite_app)).start(
        "auth", {"endUserIp": "203.0.113.7"}
    )
    assert inspect(sqlite_app).get_table_names() == []
    assert (tmp_path / "bankid_sim.db").exists()
