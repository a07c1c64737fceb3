"""`make dev`'s palette stylesheet (issue #10): the colour tokens of theme.py as it is on disk,
rewritten only when they change, with selectors that outrank the compiled inline copy."""

from __future__ import annotations

from pathlib import Path

from components import theme
from devtools.dev_palette import SHEET, THEME, palette_css, write_palette


def _copy(tmp_path: Path, brand: str) -> Path:
    source = THEME.read_text(encoding="utf-8")
    line = f'    "brand": "{theme.LIGHT["brand"]}",'
    assert line in source
    copy = tmp_path / "theme.py"
    copy.write_text(source.replace(line, f'    "brand": "{brand}",'), encoding="utf-8")
    return copy


def test_the_sheet_follows_the_file_not_the_imported_module(tmp_path: Path) -> None:
    css = palette_css(_copy(tmp_path, "#00714b"))
    assert "--kv-brand:#00714b" in css and theme.LIGHT["brand"] not in css
    assert css.replace(":root:root", ":root") == theme.css_variables().replace(
        theme.LIGHT["brand"], "#00714b")


def test_written_when_changed_only(tmp_path: Path) -> None:
    web = tmp_path / "web"
    copy = _copy(tmp_path, "#00714b")
    assert write_palette(web, copy)
    assert not write_palette(web, copy)  # same tokens: Vite sees no change
    _copy(tmp_path, "#00704a")  # the designer saves again
    assert write_palette(web, copy)
    assert "--kv-brand:#00704a" in (web / "styles" / SHEET).read_text()
