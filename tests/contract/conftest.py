from __future__ import annotations

import pytest
from sqlmodel import SQLModel

import kivra_app.models  # noqa: F401
from kivra_app.db import make_engine


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'contract.db'}")
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()
