"""A faithful, time-driven BankID RP API v6.0 simulator with a simulated BankID app."""

from kivra_app.bankid.simulator.app import create_simulator_app
from kivra_app.bankid.simulator.config import FaultSettings, SimulatorConfig
from kivra_app.bankid.simulator.engine import AppError, SimulatorEngine, SimulatorError
from kivra_app.bankid.simulator.identities import DEFAULT_IDENTITIES, TestIdentity, find_identity

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
