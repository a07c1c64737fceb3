"""GET /api/me/documents/{part_id}: the owner's session only, with the sandboxing headers."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from starlette.testclient import TestClient

from kivra_app.mailbox.step_up import record_step_up
from kivra_app.web import documents
from kivra_app.web.api import build_api
from tests.unit.mailbox_data import letter, login, minimal_pdf, person


@pytest.fixture
def client(engine, settings, monkeypatch):
    monkeypatch.setattr(documents, "services", lambda: SimpleNamespace(settings=settings,
                                                                       engine=engine))
    return TestClient(build_api(settings), base_url=settings.base_url)


def _part(engine, user_id, **kw) -> str:
    lid = letter(engine, user_id, pdf=minimal_pdf("Faktura"), **kw)
    with __import__("sqlmodel").Session(engine) as session:
        from sqlmodel import select

        from kivra_app.models import LetterPart
        return session.exec(select(LetterPart.public_id).where(LetterPart.letter_id == lid)).one()


def test_owner_gets_the_pdf_with_sandboxing_headers(engine, client) -> None:
    me = person(engine)
    part = _part(engine, me)
    client.cookies.set("kivra_session", login(engine, me))
    response = client.get(f"/api/me/documents/{part}")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"].startswith("sandbox")
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["content-disposition"].startswith('inline; filename="Faktura dec.pdf"')
    download = client.get(f"/api/me/documents/{part}?download=1")
    assert download.headers["content-disposition"].startswith("attachment;")


def test_nobody_else_gets_it_and_all_refusals_look_the_same(engine, client) -> None:
    me, other = person(engine), person(engine)
    part = _part(engine, me)
    refusals = []
    refusals.append(client.get(f"/api/me/documents/{part}"))  # no session
    client.cookies.set("kivra_session", "forged-secret")
    refusals.append(client.get(f"/api/me/documents/{part}"))
    client.cookies.set("kivra_session", login(engine, other))
    refusals.append(client.get(f"/api/me/documents/{part}"))  # someone else's session
    refusals.append(client.get("/api/me/documents/00000000-0000-0000-0000-000000000000"))
    assert {r.status_code for r in refusals} == {404}
    assert len({r.content for r in refusals}) == 1
    assert all(r.headers["cache-control"] == "private, no-store" for r in refusals)


def test_a_sensitive_document_needs_the_sessions_fresh_bankid(engine, client) -> None:
    me = person(engine)
    part = _part(engine, me, sensitive=True)
    secret = login(engine, me)
    client.cookies.set("kivra_session", secret)
    assert client.get(f"/api/me/documents/{part}").status_code == 404
    assert record_step_up(engine, secret, me)
    assert client.get(f"/api/me/documents/{part}").status_code == 200
    other = person(engine)
    assert not record_step_up(engine, secret, other)  # a session is only its own user's
