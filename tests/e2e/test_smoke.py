"""The start page renders on a computer and on phones, with no console errors."""

import httpx
import socketio
from playwright.sync_api import Page, expect

from tests.e2e.conftest import console_errors
from tests.e2e.helpers import run_async


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


async def _socket_connects(app_url: str, origin: str) -> bool:
    client = socketio.AsyncClient(reconnection=False)
    try:
        await client.connect(
            app_url, headers={"Origin": origin}, transports=["websocket"],
            socketio_path="/_event", wait_timeout=10,
        )
    except socketio.exceptions.ConnectionError:
        return False
    await client.disconnect()
    return True


def test_websocket_refuses_foreign_origins(app_url: str) -> None:
    """R-42: the Socket.IO endpoint only talks to the app's own origin."""
    assert run_async(_socket_connects(app_url, "https://evil.example")) is False
    assert run_async(_socket_connects(app_url, app_url)) is True


def test_security_headers_on_pages(app_url: str) -> None:
    headers = httpx.get(app_url).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert "object-src 'none'" in headers["content-security-policy"]
