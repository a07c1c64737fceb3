"""The plain-HTTP routes: health, security headers, dev-only routes absent in production."""

from pathlib import Path

import pytest
from sqlalchemy import create_engine
from starlette.testclient import TestClient

from kivra_app.settings import Settings
from kivra_app.web import health as health_module
from kivra_app.web.api import build_api


def _dev_settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, bankid_simulator=False)


def test_health_ok_and_headers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'h.db'}")
    monkeypatch.setattr(health_module, "get_engine", lambda: engine)
    client = TestClient(build_api(_dev_settings(tmp_path)))
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "strict-transport-security" not in response.headers  # plain http in development


def test_health_503_when_database_unusable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = create_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    monkeypatch.setattr(health_module, "get_engine", lambda: broken)
    response = TestClient(build_api(_dev_settings(tmp_path))).get("/health")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_production_has_no_dev_routes_and_sends_hsts(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None, env="production", data_dir=tmp_path, public_url="https://kivra.example.se",
        bankid_url="https://appapi2.test.bankid.com/rp/v6.0/", smtp_host="smtp.example.se",
        sms_provider="46elks", secret_key="k" * 64,
    )
    client = TestClient(build_api(settings))
    for path in ("/dev/outbox", "/dev/outbox.json", "/dev/senders", "/bankid-sim/app"):
        assert client.get(path).status_code == 404, path
    assert "max-age=31536000" in client.get("/nowhere").headers["strict-transport-security"]
