"""The simulator as the app mounts it at /bankid-sim (only when `settings.simulator_enabled`).

Its orders live in the app's database (tables of its own, `devsim_*`), so every worker and every
instance behind the proxy serves the same BankID orders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from devtools.bankid_sim.app import create_simulator_app
from devtools.bankid_sim.config import SimulatorConfig
from devtools.bankid_sim.engine import SimulatorEngine

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from starlette.applications import Starlette

    from kivra_app.settings import Settings


def build_simulator(settings: Settings, db: Engine | None = None) -> Starlette:
    """`db`: where the orders live; default the app's own database."""
    if db is None:
        from kivra_app.db import get_engine

        db = get_engine()
    config = SimulatorConfig(
        start_deadline=settings.bankid_start_deadline,
        order_lifetime=settings.bankid_order_lifetime,
    )
    return create_simulator_app(engine=SimulatorEngine(config, db=db))
