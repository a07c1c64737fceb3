"""The simulator as a Starlette app, mountable under any prefix (the main app uses /bankid-sim)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.applications import Starlette
from starlette.routing import Route

from devtools.bankid_sim.app_api import app_routes
from devtools.bankid_sim.config import SimulatorConfig
from devtools.bankid_sim.engine import SimulatorEngine
from devtools.bankid_sim.rp_api import ALL_METHODS, not_found, rp_routes


def create_simulator_app(
    config: SimulatorConfig | None = None,
    clock: Callable[[], float] | None = None,
    *,
    engine: SimulatorEngine | None = None,
) -> Starlette:
    """RP API under `rp/v6.0/`, the simulated phone app under `app/`, faults under `dev/`.

    The engine is reachable as `app.state.engine` (tests and dev tooling).
    """
    engine = engine or SimulatorEngine(config, clock)
    routes = [
        *rp_routes(engine),
        *app_routes(engine),
        Route("/{path:path}", not_found, methods=ALL_METHODS),
    ]
    app = Starlette(routes=routes)
    app.state.engine = engine
    return app
