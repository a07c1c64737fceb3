"""Issue #12 in a real browser and against the running app: a cookie planted under a name with
Unicode whitespace (finding 1), the unknown-handler log line (finding 5), cross-site and GET
logout (finding 7) and a forged Host header (finding 9)."""

from __future__ import annotations

import uuid

import httpx
import pytest
import socketio
from playwright.sync_api import Page, expect

from tests.e2e.conftest import RunningApp
from tests.e2e.flows import enter_personnummer, start_signup
from tests.e2e.helpers import run_async

NAMESPACE = "/_event"
STATE = "reflex___state____state.state___signup____signup_state"
PNR = "197010632391"


def test_a_cookie_planted_under_a_whitespace_name_is_not_read(desktop_page: Page,
                                                              running_app: RunningApp) -> None:
    """Finding 1. The page itself (as a script on a sibling subdomain or a plain-http page
    would) sets `\\xa0kivra_signup` next to the real HttpOnly cookie. Chromium keeps and sends
    both; before the fix the server read the planted name as its own (a duplicate: the signup
    vanished; alone: the attacker's signup)."""
    page = desktop_page
    start_signup(page)
    enter_personnummer(page, PNR)
    page.evaluate("document.cookie = '\\u00a0kivra_signup=planted-by-an-attacker; path=/'")
    names = [c["name"] for c in page.context.cookies()]
    assert "\xa0kivra_signup" in names and "kivra_signup" in names  # Chromium took it
    page.reload()
    expect(page.get_by_text("Steg 2 av 7")).to_be_visible()  # still this browser's signup

    # A browser with only the planted name has no signup at all.
    other = page.context.browser.new_context(base_url=running_app.url)
    try:
        real = next(c for c in page.context.cookies() if c["name"] == "kivra_signup")
        stranger = other.new_page()
        stranger.goto("/")
        stranger.evaluate(
            f"document.cookie = '\\u00a0kivra_signup={real['value']}; path=/'")
        stranger.goto("/signup")
        expect(stranger.get_by_role("heading", name="Vi hittar ingen pågående registrering")
               ).to_be_visible()
        expect(stranger.get_by_text("Steg 2 av 7")).to_have_count(0)
    finally:
        other.close()


async def _unknown_handler(app_url: str, cookie_header: str) -> None:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(
        f"{app_url}?token={uuid.uuid4()}",
        headers={"Origin": app_url, "Cookie": cookie_header},
        transports=["websocket"], socketio_path="/_event", namespaces=[NAMESPACE],
        wait_timeout=10,
    )
    try:
        await client.emit("event", {
            "name": f"{STATE}.a_handler_renamed_by_the_last_deploy",
            "payload": {"form_data": {"personnummer": PNR}},
            "router_data": {"pathname": "/signup", "query": {}, "asPath": "/signup"},
        }, namespace=NAMESPACE)
        await client.sleep(2)
    finally:
        await client.disconnect()


@pytest.mark.allow_app_errors  # an unknown handler is an error Reflex logs, on purpose here
def test_an_unknown_handler_is_logged_without_cookie_token_or_payload(
        running_app: RunningApp) -> None:
    """Finding 5: Reflex logs an event that names no handler; the log keeps the error but
    not the Cookie header, the tab token or the payload's personnummer."""
    with httpx.Client(base_url=running_app.url, follow_redirects=False) as client:
        begun = client.post("/api/signup/begin")
        secret = begun.cookies["kivra_signup"]
    before = running_app.log_path.read_text(errors="replace")
    run_async(_unknown_handler(running_app.url, f"kivra_signup={secret}"))
    log = running_app.log_path.read_text(errors="replace")[len(before):]
    flat = log.replace("\n", "")  # the console handler wraps long lines
    assert "a_handler_renamed_by_the_" in flat and "found for event" in flat  # it was logged
    assert secret not in log
    assert PNR not in log and "19701063-2391" not in log


def test_logout_is_post_only_and_same_origin(running_app: RunningApp) -> None:
    """Finding 7: `location = …/api/logout` and a foreign page's form no longer log out."""
    with httpx.Client(base_url=running_app.url, follow_redirects=False) as client:
        for path in ("/api/logout", "/api/signup/begin"):  # Reflex's 404 page or our 405
            response = client.get(path)
            assert response.status_code in (404, 405), path
            assert "set-cookie" not in response.headers, path
        foreign = client.post("/api/signup/begin", headers={
            "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
        assert foreign.status_code == 403 and "kivra_signup" not in foreign.cookies
        assert foreign.headers["content-type"] == "application/problem+json"


def test_a_forged_host_header_gets_no_answer(running_app: RunningApp) -> None:
    """Finding 9: `Host: evil.example` was redirected to http://evil.example/signup/."""
    with httpx.Client(base_url=running_app.url, follow_redirects=False) as client:
        for path in ("/signup", "/dev/outbox.json", "/"):
            response = client.get(path, headers={"Host": "evil.example"})
            assert response.status_code == 400, path
            assert "evil.example" not in response.headers.get("location", "")
        assert client.get("/dev/outbox.json").status_code == 200
