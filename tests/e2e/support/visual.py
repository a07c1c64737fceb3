"""Screenshot comparison for the story matrix: exact fast path, then pixelmatch (C++).

Baselines: tests/e2e/baselines/<component>/<story>/<viewport>-<theme>-<lang>.png, written by
`make visual-update` (pytest --update-visual). A failed comparison writes expected, actual and
diff PNGs under test-results/visual/. Baselines depend on the browser build and its flags, so
baselines/_env.json records them and a mismatch says "regenerate" instead of failing by pixels.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pybind11_pixelmatch
from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[3]
BASELINES = ROOT / "tests" / "e2e" / "baselines"
RESULTS = ROOT / "test-results" / "visual"
ENV_FILE = BASELINES / "_env.json"
THRESHOLD = 0.1  # pixelmatch's per-pixel colour distance (0..1); pixelmatch's default


@dataclass
class Mismatch:
    name: str
    reason: str


def diff_pixels(actual: Image.Image, expected: Image.Image) -> tuple[int, Image.Image | None]:
    """(number of differing pixels, diff image); -1 when the sizes differ."""
    a, b = actual.convert("RGBA"), expected.convert("RGBA")
    if a.size != b.size:
        return -1, None
    if ImageChops.difference(a, b).getbbox() is None:
        return 0, None
    arr_a, arr_b = np.asarray(a).copy(), np.asarray(b).copy()
    out = np.zeros_like(arr_a)
    options = pybind11_pixelmatch.Options()
    options.threshold = THRESHOLD
    count = pybind11_pixelmatch.pixelmatch(arr_a, arr_b, output=out, options=options)
    return count, Image.fromarray(out)


def baseline_path(name: str) -> Path:
    return BASELINES / f"{name}.png"


def check(name: str, png: bytes, *, update: bool, max_diff_pixels: int = 0) -> Mismatch | None:
    """Compare one shot with its baseline (or write it when updating)."""
    path = baseline_path(name)
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Re-encoded with zlib's best effort: the same pixels, about a third smaller in git.
        Image.open(io.BytesIO(png)).save(path, optimize=True)
        return None
    if not path.exists():
        _save_failure(name, png, None, None)
        return Mismatch(name, "no baseline (run `make visual-update`)")
    actual = Image.open(io.BytesIO(png))
    expected = Image.open(path)
    count, diff = diff_pixels(actual, expected)
    if count == -1:
        _save_failure(name, png, path, None)
        return Mismatch(name, f"size {actual.size} != baseline {expected.size}")
    if count > max_diff_pixels:
        _save_failure(name, png, path, diff)
        return Mismatch(name, f"{count} pixels differ")
    return None


def _save_failure(name: str, png: bytes, expected: Path | None, diff: Image.Image | None) -> None:
    out = RESULTS / name
    out.mkdir(parents=True, exist_ok=True)
    (out / "actual.png").write_bytes(png)
    if expected is not None:
        (out / "expected.png").write_bytes(expected.read_bytes())
    if diff is not None:
        diff.save(out / "diff.png")


def env_mismatch(current: dict[str, object]) -> str | None:
    """Why the baselines don't fit this browser (None when they do)."""
    if not ENV_FILE.exists():
        return "tests/e2e/baselines/_env.json is missing: run `make visual-update`"
    recorded = json.loads(ENV_FILE.read_text())
    if recorded != current:
        return (f"the baselines were made with {recorded}, this run uses {current}: "
                "regenerate them with `make visual-update` on this machine image")
    return None


def write_env(current: dict[str, object]) -> None:
    BASELINES.mkdir(parents=True, exist_ok=True)
    ENV_FILE.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
