"""The API describes itself: OpenAPI 3.1 with every operation, docs that load without the
internet, the mount in the real app, and schemathesis against the app's own description
(every operation; no server errors; every response matching its documented status, media type,
headers and schema)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
from starlette.testclient import TestClient

from tests.senders.harness import invoice_body, new_person, new_sender

OPERATIONS = {
    ("post", "/oauth/token"), ("post", "/recipients/match"), ("post", "/messages"),
    ("get", "/messages/{message_id}"), ("get", "/events"),
}


def test_openapi_31_lists_every_operation(live) -> None:
    spec = httpx.get(live.base_url + "/api/sender/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    found = {(m, p) for p, ops in spec["paths"].items() for m in ops}
    assert found == OPERATIONS
    assert spec["servers"] == [{"url": "/api/sender/v1"}]
    problem = spec["paths"]["/messages"]["post"]["responses"]["422"]["content"]
    assert "application/problem+json" in problem
    assert "Idempotency-Key" in {p["name"] for p in spec["paths"]["/messages"]["post"]["parameters"]}


def test_docs_work_offline(live) -> None:
    page = httpx.get(live.base_url + "/api/sender/v1/docs")
    assert page.status_code == 200 and "swagger-ui" in page.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/api/sender/v1/") for a in assets)  # nothing remote
    for asset in assets:
        assert httpx.get(live.base_url + asset).status_code == 200, asset
    assert "/api/sender/v1/openapi.json" in page.text
    redoc = httpx.get(live.base_url + "/api/sender/v1/redoc")
    assert redoc.status_code == 200 and "https://" not in re.sub(r"<style.*?</style>", "", redoc.text, flags=re.S).split("<body")[0]
    problem_page = httpx.get(live.base_url + "/api/sender/v1/problems/invalid-ocr")
    assert problem_page.status_code == 200 and "10-modul" in problem_page.text


def test_the_app_mounts_the_sender_api(tmp_path) -> None:
    from kivra_app.settings import Settings
    from kivra_app.web.api import build_api

    settings = Settings(_env_file=None, data_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/x.db")
    with TestClient(build_api(settings), base_url="http://localhost") as client:
        spec = client.get("/api/sender/v1/openapi.json")
        assert spec.status_code == 200 and spec.json()["info"]["title"] == "Kivra sender API"
        assert spec.headers["x-content-type-options"] == "nosniff"


def test_schemathesis_against_the_own_description(live, tmp_path) -> None:
    sender = new_sender(live.engine, live.base_url)
    _, pnr = new_person(live.engine)
    assert sender.send(invoice_body(pnr)).status_code == 201  # something to read back
    report = tmp_path / "report"
    cmd = [
        str(Path(sys.executable).parent / "schemathesis"), "run",
        live.base_url + "/api/sender/v1/openapi.json",
        "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                    "response_headers_conformance,response_schema_conformance",
        "--header", f"Authorization: Bearer {sender.token}",
        "--phases", "examples,coverage,fuzzing", "--max-examples", "40", "--workers", "1",
        "--seed", "8", "--generation-database", "none", "--no-color",
        "--request-timeout", "30", "--report", "junit", "--report-dir", str(report),
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": ""}
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    assert f"Selected: {len(OPERATIONS)}/{len(OPERATIONS)}" in output, output[-3000:]
    assert f"Tested: {len(OPERATIONS)}" in output, output[-3000:]
    junit = next(report.glob("junit*.xml")).read_text()
    for method, path in OPERATIONS:
        assert f"{method.upper()} {path}" in junit, (method, path)
    assert pnr not in output
