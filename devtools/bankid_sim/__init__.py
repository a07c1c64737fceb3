"""A faithful, time-driven BankID RP API v6.0 simulator with a simulated BankID app."""

from devtools.bankid_sim.app import create_simulator_app
from devtools.bankid_sim.config import FaultSettings, SimulatorConfig
from devtools.bankid_sim.engine import AppError, SimulatorEngine, SimulatorError
from devtools.bankid_sim.identities import DEFAULT_IDENTITIES, TestIdentity, find_identity

__all__ = [
    "DEFAULT_IDENTITIES",
    "AppError",
    "FaultSettings",
    "SimulatorConfig",
    "SimulatorEngine",
    "SimulatorError",
    "TestIdentity",
    "create_simulator_app",
    "find_identity",
]
