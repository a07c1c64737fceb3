"""`make dev` only: a colour token edited in components/theme.py reaches the open page without
waiting for the backend's recompile (issue #10: within 3 s of the save).

The palettes are CSS variables (theme.css_variables()), written into the document's inline
<style> by the compile, which a save restarts from scratch (~3 s). Here the same CSS is also
kept in a stylesheet of the root bundle (.web/styles/kivra_palette.css, DevPalettePlugin), and
a thread of the process that runs `reflex run` rewrites it as soon as theme.py changes; Vite
hot-swaps the stylesheet. theme.py is run on its own (runpy, never imported here), so the
forked workers still import the edited module themselves.

Its selectors are doubled (`:root:root`) so they win over the inline <style> whatever the order
of the two in <head>: the inline copy still holds the old values until the recompile ends.
"""

from __future__ import annotations

import contextlib
import os
import runpy
import threading
import time
from pathlib import Path

from reflex_base.plugins.base import Plugin

ROOT = Path(__file__).resolve().parent.parent
THEME = ROOT / "components" / "theme.py"
SHEET = "kivra_palette.css"  # in .web/styles, next to Reflex's root stylesheet


def palette_css(theme: Path = THEME) -> str:
    """The palettes' CSS from theme.py as it is on disk, with selectors that outrank the
    inline copy."""
    css = runpy.run_path(str(theme))["css_variables"]()
    return css.replace(":root", ":root:root")


def write_palette(web_dir: Path, theme: Path = THEME) -> bool:
    """Write the stylesheet if its content changed; True when it did."""
    target = web_dir / "styles" / SHEET
    css = palette_css(theme)
    if target.exists() and target.read_text(encoding="utf-8") == css:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(css, encoding="utf-8")
    os.replace(tmp, target)  # Vite never reads half a file
    return True


def _web_dir() -> Path:
    from reflex.utils.prerequisites import get_web_dir

    return Path(get_web_dir())


class DevPalettePlugin(Plugin):
    """Adds the stylesheet to the root stylesheet, and writes it before every compile (so it
    exists, and matches theme.py, even when no watcher runs)."""

    def get_stylesheet_paths(self, **context) -> list[str]:  # noqa: ANN003
        return [f"./{SHEET}"]

    def pre_compile(self, **context) -> None:  # noqa: ANN003
        with contextlib.suppress(Exception):  # a theme.py that does not run: the compile says so
            write_palette(_web_dir())


_watcher: threading.Thread | None = None


def start_watcher(interval: float = 0.05) -> None:
    """Rewrite the stylesheet whenever theme.py changes (once per process: rxconfig.py, which
    calls this, is imported again in every worker, and threads do not survive the fork)."""
    global _watcher
    if _watcher is not None:
        return

    def watch() -> None:
        seen = None
        while True:
            with contextlib.suppress(OSError):
                stamp = THEME.stat().st_mtime_ns
                if stamp != seen:
                    if seen is not None and _web_dir().is_dir():
                        # A half-edited theme.py may not run; the next save will.
                        with contextlib.suppress(Exception):
                            write_palette(_web_dir())
                    seen = stamp
            time.sleep(interval)

    _watcher = threading.Thread(target=watch, name="dev-palette", daemon=True)
    _watcher.start()
