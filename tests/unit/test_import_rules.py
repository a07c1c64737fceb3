"""The Developers' guide's one direction of flow, checked on the modules' actual import
statements (parsed with `ast`, so a comment or a string never counts and every form of import
does): the domain under kivra_app/ imports no Reflex, pages or state (kivra_app/kivra_app.py,
the one module that wires Reflex, excepted); components/ import no state; state/ imports no
components (or pages)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    """Every absolute module name `path` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            names.add(node.args[0].value)  # importlib.import_module("...")
    return names


def _root(name: str) -> str:
    return name.split(".", 1)[0]


def _modules(folder: str, *, skip: tuple[str, ...] = ()) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py")
                  if str(p.relative_to(ROOT)) not in skip)


RULES = [
    ("kivra_app", ("kivra_app/kivra_app.py",), {"reflex", "pages", "state", "components"}),
    ("components", (), {"state", "pages"}),
    ("state", (), {"components", "pages"}),
]


@pytest.mark.parametrize(("folder", "skip", "forbidden"), RULES, ids=[r[0] for r in RULES])
def test_import_rules(folder: str, skip: tuple[str, ...], forbidden: set[str]) -> None:
    files = _modules(folder, skip=skip)
    assert files
    broken = {str(path.relative_to(ROOT)): sorted(n for n in imported_modules(path)
                                                   if _root(n) in forbidden)
              for path in files}
    assert {k: v for k, v in broken.items() if v} == {}


def test_the_parser_sees_every_form_of_import(tmp_path: Path) -> None:
    """The checker itself can fail: each form below is found."""
    sample = ROOT / "kivra_app" / "_import_rules_probe.py"
    sample.write_text(
        "import reflex as rx\n"
        "from state.signup import SignupState\n"
        "def f():\n    from pages import start\n"
        "import importlib\nimportlib.import_module('components.forms')\n"
        "# import state  (a comment is no import)\n"
        "x = 'import pages'\n"
    )
    try:
        found = {_root(n) for n in imported_modules(sample)}
    finally:
        sample.unlink()
    assert {"reflex", "state", "pages", "components"} <= found
