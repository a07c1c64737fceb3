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
    client = TestClient(build_api(_dev_settings(tmp_path)), base_url="http://localhost")
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "strict-transport-security" not in response.headers  # plain http in development


def test_health_503_when_database_unusable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = create_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    monkeypatch.setattr(health_module, "get_engine", lambda: broken)
    response = TestClient(build_api(_dev_settings(tmp_path)), base_url="http://localhost").get("/health")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_production_has_no_dev_routes_and_sends_hsts(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None, env="production", data_dir=tmp_path, public_url="https://kivra.example.se",
        bankid_url="https://appapi2.test.bankid.com/rp/v6.0/", smtp_host="smtp.example.se",
        sms_provider="46elks", secret_key="k" * 64,
    )
    client = TestClient(build_api(settings), base_url="https://kivra.example.se")
    for path in ("/dev/outbox", "/dev/outbox.json", "/dev/senders", "/bankid-sim/app"):
        assert client.get(path).status_code == 404, path
    assert "max-age=31536000" in client.get("/nowhere").headers["strict-transport-security"]


# ------------------------------------------------------------------ issue #12 finding 9

@pytest.mark.parametrize("host", ["evil.example", "localhost.evil.example", "10.0.0.7:8000"])
def test_foreign_host_headers_are_refused(tmp_path: Path, host: str) -> None:
    """A request with `Host: evil.example` was answered (and redirected to that host); DNS
    rebinding reached /dev/outbox.json. Now only our own names get an answer."""
    client = TestClient(build_api(_dev_settings(tmp_path)), base_url="http://localhost")
    for path in ("/health", "/dev/outbox.json", "/api/signup/continue", "/signup/"):
        response = client.get(path, headers={"host": host}, follow_redirects=False)
        assert response.status_code == 400, (host, path)
        assert "location" not in response.headers
        assert response.headers["x-frame-options"] == "DENY"


def test_development_answers_localhost_and_loopback(tmp_path: Path) -> None:
    client = TestClient(build_api(_dev_settings(tmp_path)), base_url="http://localhost")
    for host in ("localhost:8000", "127.0.0.1:8000", "localhost"):
        assert client.get("/nowhere", headers={"host": host}).status_code == 404, host


def test_production_answers_only_its_public_host(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None, env="production", data_dir=tmp_path, public_url="https://kivra.example.se",
        bankid_url="https://appapi2.test.bankid.com/rp/v6.0/", smtp_host="smtp.example.se",
        sms_provider="46elks", secret_key="k" * 64,
    )
    client = TestClient(build_api(settings), base_url="https://kivra.example.se")
    assert client.get("/nowhere").status_code == 404  # our host: routed
    for host in ("localhost", "127.0.0.1", "evil.example"):
        assert client.get("/nowhere", headers={"host": host}).status_code == 400, host


def test_websocket_with_a_foreign_host_is_refused(tmp_path: Path) -> None:
    from starlette.routing import WebSocketRoute
    from starlette.testclient import WebSocketDenialResponse
    from starlette.websockets import WebSocket

    async def echo(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_text("hello")
        await ws.close()

    app = build_api(_dev_settings(tmp_path))
    app.router.routes.append(WebSocketRoute("/_event", echo))  # where Reflex's socket lives
    client = TestClient(app, base_url="http://localhost")
    with client.websocket_connect("ws://localhost/_event") as ws:
        assert ws.receive_text() == "hello"
    with pytest.raises(WebSocketDenialResponse) as denied, client.websocket_connect(
            "ws://evil.example/_event"):
        pass
    assert denied.value.status_code == 400


# ------------------------------------------------------------------ issue #11: Redis in /health

def test_health_reports_redis_when_the_state_lives_there(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """With KIVRA_REDIS_URL an instance without its Redis cannot serve a tab: 503."""
    import socket

    from kivra_app.settings import get_settings

    engine = create_engine(f"sqlite:///{tmp_path / 'h.db'}")
    monkeypatch.setattr(health_module, "get_engine", lambda: engine)
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    client = TestClient(build_api(_dev_settings(tmp_path)), base_url="http://localhost")
    for url, status, redis in (("redis://127.0.0.1:6379/15", 200, "ok"),
                               (f"redis://127.0.0.1:{dead}/0", 503, "unavailable")):
        monkeypatch.setattr(health_module, "get_settings",
                            lambda url=url: get_settings().model_copy(update={"redis_url": url}))
        response = client.get("/health")
        assert (response.status_code, response.json().get("redis")) == (status, redis)
