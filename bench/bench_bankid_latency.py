"""BankID approved -> next screen visible, through the real app in a browser.

Two figures, each the mean over N runs (default 20) on the production build:
- signup: the person approves in the BankID app -> the email step ("Steg 3 av 7") is visible
  (this includes the collect, the completion, the secret rotation's full page load, the email
  step's render);
- login: approves -> the mailbox ("Din Kivra") is visible (collect, ticket, session claim's page
  load, the mailbox's load).
As a person does it: the QR is scanned (the simulated app picks the order up: hint userSign,
"Skriv in din säkerhetskod..."), a moment later the person approves; the clock starts at the
approval. Accounts for the login runs are inserted straight into the bench database.

Run: .venv/bin/python bench/bench_bankid_latency.py [--runs 20]   (needs /usr/bin/chromium)
"""

from __future__ import annotations

import argparse
import io
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
import zxingcpp  # noqa: E402
from PIL import Image  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, RunningApp  # noqa: E402
from tests.unit.fakes import make_pnr  # noqa: E402

THINK = 2.5  # seconds between the app picking the order up and the approval


def _scan(page: Page, app_url: str, pnr: str) -> str:
    """Decode the QR on the screen; the simulated app picks the order up (no approval yet)."""
    qr = page.get_by_role("img", name="QR-kod att scanna med BankID-appen")
    expect(qr).to_be_visible(timeout=15_000)
    for _ in range(10):
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
        if found and found[0].text.startswith("bankid."):
            r = httpx.post(f"{app_url}/bankid-sim/app/scan",
                           json={"qrData": found[0].text, "personalNumber": pnr}, timeout=10)
            if r.status_code == 200:
                return r.json()["id"]
        page.wait_for_timeout(300)
    raise RuntimeError("could not scan the QR")


def _approve(app_url: str, app_id: str, pnr: str) -> float:
    time.sleep(THINK)
    t0 = time.perf_counter()
    r = httpx.post(f"{app_url}/bankid-sim/app/orders/{app_id}/action",
                   json={"action": "approve", "personalNumber": pnr}, timeout=10)
    assert r.status_code == 200, r.text
    return t0


def signup_run(page: Page, app_url: str, pnr: str) -> float:
    page.goto("/")
    page.get_by_role("button", name="Skapa konto").click()
    page.get_by_label("Personnummer").fill(pnr)
    page.get_by_role("button", name="Fortsätt med BankID").click()
    app_id = _scan(page, app_url, pnr)
    t0 = _approve(app_url, app_id, pnr)
    expect(page.get_by_text("Steg 3 av 7")).to_be_visible(timeout=20_000)
    return time.perf_counter() - t0


def login_run(page: Page, app_url: str, pnr: str) -> float:
    page.goto("/login")
    app_id = _scan(page, app_url, pnr)
    t0 = _approve(app_url, app_id, pnr)
    expect(page.get_by_role("heading", name="Din Kivra")).to_be_visible(timeout=20_000)
    return time.perf_counter() - t0


def _add_account(db: Path, pnr: str, n: int) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(db) as conn:
        cur = conn.execute(
            "INSERT INTO user (personnummer, given_name, surname, email, phone, language, "
            "created_at) VALUES (?, 'Bench', 'Bänk', ?, '+46701740600', 'sv', ?)",
            (pnr, f"bench{n}@example.se", now))
        conn.execute("INSERT INTO mailbox (user_id, created_at) VALUES (?, ?)",
                     (cur.lastrowid, now))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = RunningApp(Path(tmp)).start()
        db = Path(tmp) / "e2e.db"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                figures: dict[str, list[float]] = {"signup": [], "login": []}
                for i in range(args.runs):
                    for kind in ("signup", "login"):
                        pnr = make_pnr(f"19{60 + i % 30:02d}0{1 + i % 9}1{i % 10}",
                                       f"{(i * 7 + (kind == 'login')) % 900 + 100:03d}")
                        if kind == "login":
                            _add_account(db, pnr, i)
                        context = browser.new_context(base_url=app.url, locale="sv-SE",
                                                      viewport={"width": 1280, "height": 800})
                        page = context.new_page()
                        run = signup_run if kind == "signup" else login_run
                        figures[kind].append(run(page, app.url, pnr))
                        context.close()
                browser.close()
        finally:
            app.stop()
    for kind, values in figures.items():
        print(f"{kind}: BankID approved -> next screen visible: mean {statistics.mean(values):.2f} s, "
              f"median {statistics.median(values):.2f} s, min {min(values):.2f}, "
              f"max {max(values):.2f} over {len(values)} runs")


if __name__ == "__main__":
    main()
