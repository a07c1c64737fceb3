"""A call whose caller gave up during the simulated latency does nothing later: it cannot use up
a fault injection set after it (the lead saw `test_faults_set_at_runtime_through_the_dev_endpoint`
fail under load, right after the latency test, for this reason)."""

from __future__ import annotations

import asyncio

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from devtools.bankid_sim import (
    FaultSettings,
    SimulatorConfig,
    SimulatorEngine,
    create_simulator_app,
)
from kivra_app.bankid import errors
from kivra_app.bankid.client import BankIdClient
from kivra_app.bankid.models import AuthRequest
from tests.bankid.conftest import ServerThread

REQUEST = AuthRequest(end_user_ip="198.51.100.4")


@pytest.fixture
def served() -> tuple[SimulatorEngine, str]:
    engine = SimulatorEngine(SimulatorConfig())
    app = Starlette(routes=[Mount("/bankid-sim", create_simulator_app(engine=engine))])
    with ServerThread(app) as server:
        yield engine, f"http://127.0.0.1:{server.port}/bankid-sim/rp/v6.0/"


async def test_a_late_call_does_not_use_up_a_later_fault(served) -> None:
    engine, url = served
    engine.set_faults(FaultSettings(latency=0.5))
    async with BankIdClient(url, timeout=0.1) as client:
        with pytest.raises(errors.BankIdTimeout):
            await client.auth(REQUEST)
    engine.set_faults(FaultSettings(error="internalError", remaining=1))
    await asyncio.sleep(0.8)  # the abandoned call's latency is over by now
    async with BankIdClient(url) as client:
        with pytest.raises(errors.InternalError):
            await client.auth(REQUEST)
        assert (await client.auth(REQUEST)).order_ref  # the one injection, used by us
    assert engine.pending_orders()[0]["type"] == "auth"
    assert len(engine.pending_orders()) == 1  # and the abandoned call started no order
