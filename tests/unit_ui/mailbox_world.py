"""A real mailbox domain (SQLite in tmp_path) behind `state.deps.services`, for state tests that
must see what the browser would get: a person with a welcome-like letter and a live session."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlmodel import SQLModel

import state.deps as deps
import state.personal as personal
from kivra_app.db import make_engine
from kivra_app.settings import Settings
from tests.unit.mailbox_data import letter, login, person


def build_world(tmp_path, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:  # noqa: ANN001
    settings = Settings(_env_file=None, data_dir=tmp_path, secret_key="unit-test-key",
                        database_url=f"sqlite:///{tmp_path / 'ui.db'}")
    engine = make_engine(settings.effective_database_url)
    SQLModel.metadata.create_all(engine)
    monkeypatch.setattr(deps, "services", lambda: SimpleNamespace(engine=engine, settings=settings))
    monkeypatch.setattr(personal, "_live", {})  # no liveness cached from another test
    me = person(engine, "Anna")
    letter_id = letter(engine, me, sender_name="Kivra", subject="Välkommen till Kivra",
                       body="Hemlig brevtext")
    return SimpleNamespace(engine=engine, settings=settings, me=me, letter_id=letter_id,
                           secret=login(engine, me))
