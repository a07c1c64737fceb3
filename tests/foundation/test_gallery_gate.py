"""The gallery is a development part: its pages and every story module exist only when the
setting turns it on, and its bare pages are the only ones a same-origin frame may show."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from kivra_app.settings import ProductionMisconfigured, Settings
from kivra_app.web.api import build_api

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys
import kivra_app.kivra_app as m
gallery = [m for m in sys.modules if m.endswith("_stories")
           or m in ("components.stories", "pages.gallery", "state.gallery")]
routes = [r for r in m.app._unevaluated_pages if r.startswith("gallery")]
stories = sys.modules.get("components.stories")
components = sorted({s.component for s in stories.REGISTRY.values()}) if stories else []
product = sorted(r for r in m.app._unevaluated_pages if not r.startswith("gallery"))
print(json.dumps({"modules": sorted(gallery), "routes": sorted(routes),
                  "components": components, "product": product,
                  "signup_state": "state.signup" in sys.modules}))
"""


def _probe(tmp_path: Path, gallery: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIVRA_")}
    env.update(extra)
    env.update(KIVRA_GALLERY=gallery, KIVRA_DATA_DIR=str(tmp_path),
               REFLEX_TELEMETRY_ENABLED="false", REFLEX_CHECK_LATEST_VERSION="false")
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_app_without_the_gallery_imports_no_story_module(tmp_path: Path) -> None:
    off = _probe(tmp_path, "false")
    assert off["modules"] == off["routes"] == off["components"] == []
    on = _probe(tmp_path, "true")  # the probe can see them: the check above can fail
    assert "components.stories" in on["modules"] and "components.forms_stories" in on["modules"]
    # A page per component, not per story (issue #10: what a save recompiles and Vite reloads).
    assert "button" in on["components"] and "invoice-panel" in on["components"]
    assert on["routes"] == sorted([
        "gallery", "gallery/[gallery_component]/[gallery_story]",
        "gallery/raw/[gallery_lang]/[gallery_component]/[gallery_story]",
        *(f"gallery/raw/[gallery_lang]/{c}/[gallery_story]" for c in on["components"])])

    assert "signup" in on["product"] and on["signup_state"]


def test_gallery_only_serves_neither_the_products_pages_nor_their_states(tmp_path: Path) -> None:
    # `make dev`: a save recompiles every page, so the product's stay out (issue #10).
    alone = _probe(tmp_path, "true", KIVRA_GALLERY_ONLY="true")
    assert alone["product"] == []
    assert not alone["signup_state"]
    assert "gallery/raw/[gallery_lang]/button/[gallery_story]" in alone["routes"]
    # Without the gallery the setting changes nothing: the product is served.
    off = _probe(tmp_path, "false", KIVRA_GALLERY_ONLY="true")
    assert "signup" in off["product"] and off["routes"] == []


def test_production_refuses_gallery_only(tmp_path: Path) -> None:
    with pytest.raises(ProductionMisconfigured, match="KIVRA_GALLERY_ONLY"):
        Settings(_env_file=None, env="production", data_dir=tmp_path, gallery_only=True,
                 secret_key="x" * 40, bankid_url="https://bankid.example/rp/v6.0/",
                 smtp_host="smtp.example", sms_provider="46elks")


def test_only_bare_story_pages_may_be_framed_and_only_by_us(tmp_path: Path) -> None:
    on = TestClient(build_api(Settings(_env_file=None, data_dir=tmp_path, bankid_simulator=False)),
                    base_url="http://localhost")
    raw = on.get("/gallery/raw/sv/button/primary-default").headers
    assert "frame-ancestors 'self'" in raw["content-security-policy"]
    assert raw["x-frame-options"] == "SAMEORIGIN"
    page = on.get("/signup").headers
    assert "frame-ancestors 'none'" in page["content-security-policy"]
    assert page["x-frame-options"] == "DENY"
    off = TestClient(build_api(Settings(_env_file=None, data_dir=tmp_path, bankid_simulator=False,
                                        gallery=False)), base_url="http://localhost")
    assert off.get("/gallery/raw/sv/button/primary-default").headers["x-frame-options"] == "DENY"
