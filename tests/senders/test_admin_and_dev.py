"""The admin command line (a real subprocess), the demo sender and /dev/senders."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from types import SimpleNamespace

from pypdf import PdfReader
from sqlmodel import Session, select
from starlette.testclient import TestClient

from kivra_app.models import Blob, Invoice, Letter, LetterPart, SenderCredential
from kivra_app.senders.demo import ensure_demo_sender
from kivra_app.settings import PROJECT_ROOT
from kivra_app.web import dev_senders
from kivra_app.web.api import build_api
from tests.senders.harness import make_settings, new_person


def admin(tmp_path, url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KIVRA_DATABASE_URL": url, "KIVRA_DATA_DIR": str(tmp_path),
           "KIVRA_SECRET_KEY": "x" * 32, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run([sys.executable, "-m", "kivra_app.admin", *args], cwd=tmp_path,
                          capture_output=True, text=True, env=env, timeout=120)


def _migrated(tmp_path):
    """A database the admin command itself migrates (as on a fresh clone)."""
    from kivra_app.db import make_engine

    url = f"sqlite:///{tmp_path / 'admin.db'}"
    assert admin(tmp_path, url, "list-senders").returncode == 0
    return url, make_engine(url)


def test_create_list_rotate_suspend(tmp_path) -> None:
    url, sqlite_engine = _migrated(tmp_path)
    created = admin(tmp_path, url, "create-sender", "--name", "Telia Sverige AB",
                    "--orgnr", "5564300142")
    assert created.returncode == 0, created.stderr
    out = json.loads(created.stdout)
    assert set(out) == {"sender_id", "client_id", "client_secret"}
    with Session(sqlite_engine) as session:
        cred = session.exec(select(SenderCredential)).one()
        assert cred.client_id == out["client_id"] and out["client_secret"] not in cred.secret_hash
    listed = admin(tmp_path, url, "list-senders")
    assert listed.returncode == 0 and out["client_secret"] not in listed.stdout
    assert json.loads(listed.stdout)[0]["orgnr"] == "5564300142"
    dup = admin(tmp_path, url, "create-sender", "--name", "Again", "--orgnr", "556430-0142")
    assert dup.returncode == 2 and "exists" in dup.stderr
    bad = admin(tmp_path, url, "create-sender", "--name", "X", "--orgnr", "5564300143")
    assert bad.returncode == 2 and "organisationsnummer" in bad.stderr
    rotated = json.loads(admin(tmp_path, url, "rotate-secret", "--sender", out["sender_id"]).stdout)
    assert rotated["client_secret"] != out["client_secret"]
    suspended = admin(tmp_path, url, "suspend-sender", "--sender", "556430-0142")
    assert json.loads(suspended.stdout) == {"sender_id": out["sender_id"], "status": "suspended"}


def test_demo_deliver_gives_real_pdfs_and_never_prints_the_number(tmp_path) -> None:
    url, sqlite_engine = _migrated(tmp_path)
    _, pnr = new_person(sqlite_engine)
    run = admin(tmp_path, url, "demo-deliver", "--personnummer", pnr)
    assert run.returncode == 0, run.stderr
    assert pnr not in run.stdout + run.stderr
    delivered = json.loads(run.stdout)["delivered"]
    assert [d["type"] for d in delivered] == ["letter", "invoice", "invoice", "letter"]
    with Session(sqlite_engine) as session:
        letters = session.exec(select(Letter).where(Letter.sender_id.is_not(None))).all()
        assert len(letters) == 4 and {x.sender for x in letters} == {"Demobolaget AB"}
        assert len(session.exec(select(Invoice)).all()) == 2
        for part in session.exec(select(LetterPart)).all():
            data = session.get(Blob, part.blob_id).data
            assert len(PdfReader(io.BytesIO(data)).pages) >= 1
    unknown = admin(tmp_path, url, "demo-deliver", "--personnummer", "197001015556")
    assert unknown.returncode == 2 and "197001015556" not in unknown.stderr + unknown.stdout


def test_demo_sender_is_kept_and_renewed(tmp_path, sqlite_engine) -> None:
    settings = make_settings(tmp_path, str(sqlite_engine.url))
    first = ensure_demo_sender(sqlite_engine, settings)
    assert ensure_demo_sender(sqlite_engine, settings) == first
    (tmp_path / "dev-sender.json").unlink()  # lost file: same sender, new secret
    second = ensure_demo_sender(sqlite_engine, settings)
    assert second["sender_id"] == first["sender_id"]
    assert second["client_secret"] != first["client_secret"]


def test_dev_senders_page_shows_the_demo_credentials(tmp_path, sqlite_engine, monkeypatch) -> None:
    settings = make_settings(tmp_path, str(sqlite_engine.url), bankid_simulator=False)
    monkeypatch.setattr(dev_senders, "services",
                        lambda: SimpleNamespace(engine=sqlite_engine, settings=settings))
    page = TestClient(build_api(settings), base_url="http://localhost").get("/dev/senders")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    demo = json.loads((tmp_path / "dev-sender.json").read_text())
    assert demo["client_id"] in page.text and demo["client_secret"] in page.text
    assert "/api/sender/v1/docs" in page.text
