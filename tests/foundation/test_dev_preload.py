"""`make dev`'s reload supervisor preloads the app's third-party libraries (issue #10) and never
one of the project's own modules: those must be imported fresh by the worker after every save."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from devtools.dev_preload import third_party_imports

ROOT = Path(__file__).resolve().parents[2]
OWN = ("kivra_app", "components", "pages", "state")


def test_only_module_level_imports_of_other_packages_are_listed(tmp_path: Path) -> None:
    for package in ("kivra_app", "components", "pages", "state"):
        (tmp_path / package).mkdir()
    (tmp_path / "kivra_app" / "a.py").write_text(
        "import json\nimport httpx\nfrom sqlalchemy.orm import Session\nfrom . import b\n"
        "from components.theme import INK\nimport state.lang\n"
        "def later():\n    import pypdf\n")
    (tmp_path / "pages" / "b.py").write_text("from fastapi import FastAPI\n")
    assert third_party_imports(tmp_path) == ["fastapi", "httpx", "sqlalchemy.orm"]


def test_preloading_imports_none_of_the_projects_modules() -> None:
    probe = ("import json, sys\nfrom devtools.dev_preload import preload\nfailed = preload()\n"
             f"own = sorted(m for m in sys.modules if m.split('.')[0] in {OWN!r})\n"
             "print(json.dumps({'failed': failed, 'own': own, 'sqlalchemy': 'sqlalchemy' in "
             "sys.modules}))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=120)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"failed": [], "own": [], "sqlalchemy": True}


def test_a_forked_worker_does_not_parse_the_sources_again(monkeypatch) -> None:
    # Reflex imports rxconfig.py again in every worker forked after a save; the supervisor's
    # preload is inherited, so the worker's call must not redo it.
    import devtools.dev_preload as dev_preload

    calls: list[Path] = []
    monkeypatch.setattr(dev_preload, "_preloaded", None)
    monkeypatch.setattr(dev_preload, "third_party_imports",
                        lambda root: calls.append(root) or ["json"])
    assert dev_preload.preload() == []
    assert dev_preload.preload() == []
    assert len(calls) == 1
