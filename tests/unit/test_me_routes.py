"""GET /api/me/export (the streamed zip, only for the session's own person) and
GET /api/me/closed."""

from __future__ import annotations

import io
import json
import zipfile
from types import SimpleNamespace

import pytest
from starlette.testclient import TestClient

from kivra_app.web import me_routes
from kivra_app.web.api import build_api
from tests.unit.mailbox_data import letter, login, minimal_pdf, person


@pytest.fixture
def client(engine, settings, monkeypatch):
    monkeypatch.setattr(me_routes, "services", lambda: SimpleNamespace(settings=settings,
                                                                       engine=engine))
    return TestClient(build_api(settings), base_url=settings.base_url)


def test_export_is_the_sessions_own_data_as_a_zip(engine, client) -> None:
    me, other = person(engine, "Karin"), person(engine, "Olle")
    letter(engine, me, subject="Mitt brev", pdf=minimal_pdf())
    letter(engine, other, subject="Olles brev", pdf=minimal_pdf())
    assert client.get("/api/me/export").status_code == 404
    client.cookies.set("kivra_session", login(engine, me))
    response = client.get("/api/me/export")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith('attachment; filename="kivra-data-')
    assert response.headers["cache-control"] == "private, no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("account.json"))
    assert [x["subject"] for x in data["letters"]] == ["Mitt brev"]


def test_closed_clears_the_cookie_and_shows_the_confirmation(client) -> None:
    client.cookies.set("kivra_session", "whatever")
    response = client.get("/api/me/closed", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/konto-avslutat"
    assert "kivra_session=" in response.headers["set-cookie"]
