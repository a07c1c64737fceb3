"""The start page renders on a computer and on phones, with no console errors."""

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import console_errors


def test_start_page_renders(any_page: Page) -> None:
    any_page.goto("/")
    expect(any_page.get_by_role("heading", level=1)).to_be_visible()
    expect(any_page.get_by_role("button", name="Skapa konto")).to_be_visible()
    any_page.wait_for_load_state("networkidle")
    assert console_errors(any_page) == []


def test_ping_and_health(app_url: str) -> None:
    assert httpx.get(f"{app_url}/ping").text.strip('"') == "pong"
    health = httpx.get(f"{app_url}/health")
    assert health.status_code == 200
    assert health.json()["database"] == "ok"
