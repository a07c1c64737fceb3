"""`make dev` only: load the third-party libraries the app imports once, in Reflex's reload
supervisor, so that the backend worker forked after every save imports only the project's own
modules (issue #10: a save in the gallery should reach the screen within 3 s).

With Granian (REFLEX_USE_GRANIAN, set by rxconfig.py) and the fork start method, Reflex's dev
supervisor imports `reflex.app` and forks a fresh worker on every save; the worker then imports
the app. Of the app's ~3.5 s import, ~1.4 s is third-party libraries that reflex.app does not load
(SQLAlchemy, pypdf, FastAPI, cryptography, ...) and only ~0.5 s is this project's code. Here the
supervisor imports them first; a forked worker finds them in sys.modules.

The list is not kept by hand: the project's own sources are parsed (never imported, so every
save still reloads all of them) for their absolute imports of other packages.
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OWN = ("kivra_app", "components", "pages", "state", "devtools", "rxconfig", "tests", "bench",
       "alembic", "deploy")


def third_party_imports(root: Path = ROOT) -> list[str]:
    """The modules of other packages that the app's sources import at their top level."""
    names: set[str] = set()
    for package in ("kivra_app", "components", "pages", "state"):
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in tree.body:  # module level only: imports inside functions stay lazy
                if isinstance(node, ast.Import):
                    names.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module)
    return sorted(n for n in names if n.split(".")[0] not in OWN
                  and n.split(".")[0] not in sys.stdlib_module_names)


_preloaded: list[str] | None = None  # the failures of this process's preload, once it ran


def preload(root: Path = ROOT) -> list[str]:
    """Import the third-party modules; the ones that could not be imported are returned.

    Once per process: Reflex imports rxconfig.py afresh in every worker it forks after a save,
    and parsing the sources again there cost ~0.2 s of each save for modules already loaded."""
    global _preloaded
    if _preloaded is not None:
        return list(_preloaded)
    failed = []
    for name in third_party_imports(root):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - an optional library: the worker reports it, not us
            failed.append(name)
    _preloaded = failed
    return failed
