"""The simulator as the app mounts it at /bankid-sim (only when `settings.simulator_enabled`).

Its orders live in a database every worker and every instance behind the proxy shares, apart
from the app's schema (so neither Alembic nor Reflex's schema check sees them): on PostgreSQL the
schema `devsim` of the app's database, on SQLite the file `bankid_sim.db` beside the app's.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from devtools.bankid_sim.app import create_simulator_app
from devtools.bankid_sim.config import SimulatorConfig
from devtools.bankid_sim.engine import SimulatorEngine

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from starlette.applications import Starlette

    from kivra_app.settings import Settings


def build_simulator(settings: Settings, db: Engine | None = None) -> Starlette:
    """`db`: where the orders live; default beside the app's database (`simulator_database`)."""
    if db is None:
        from kivra_app.db import get_engine

        db = simulator_database(get_engine())
    config = SimulatorConfig(
        start_deadline=settings.bankid_start_deadline,
        order_lifetime=settings.bankid_order_lifetime,
    )
    return create_simulator_app(engine=SimulatorEngine(config, db=db))


def simulator_database(app_db: Engine) -> Engine:
    """Where the simulator keeps its orders, next to the app's database `app_db`."""
    from sqlalchemy import text

    from devtools.bankid_sim.store import memory_engine
    from kivra_app.db import make_engine

    if app_db.dialect.name == "sqlite":
        database = app_db.url.database
        if not database or database == ":memory:":
            return memory_engine()
        return make_engine(f"sqlite:///{Path(database).with_name('bankid_sim.db')}")
    with app_db.begin() as conn:
        conn.execute(text("CREATE SCHEMA IF NOT EXISTS devsim"))
    return app_db.execution_options(schema_translate_map={None: "devsim"})
