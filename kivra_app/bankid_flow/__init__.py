"""One BankID flow for every purpose (signup, login, sign): see service.py and
docs/bankid-flow.md."""

from kivra_app.bankid_flow.results import (
    CollectResult,
    Complete,
    Failed,
    FlowRefused,
    FlowUnavailable,
    Pending,
    Person,
    QrSource,
    Renewed,
    Started,
)
from kivra_app.bankid_flow.service import BankIdFlow, tab_hash

__all__ = ["BankIdFlow", "CollectResult", "Complete", "Failed", "FlowRefused", "FlowUnavailable",
           "Pending", "Person", "QrSource", "Renewed", "Started", "tab_hash"]
