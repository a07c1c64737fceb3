"""Apply the database migrations: `python -m kivra_app.migrate` (run by `make run`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from kivra_app.settings import PROJECT_ROOT, private_files


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config(str(Path(PROJECT_ROOT) / "alembic.ini"))
    cfg.attributes["configure_logging"] = False
    if engine is not None:
        cfg.attributes["connection"] = engine
    return cfg


def upgrade(engine: Engine | None = None) -> None:
    command.upgrade(alembic_config(engine), "head")


if __name__ == "__main__":
    private_files()
    upgrade()
    print("Database migrations applied.")
