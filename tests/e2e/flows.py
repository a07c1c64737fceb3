"""The signup steps as a person does them (labels, roles, visible text), shared by the e2e tests.

Test people: the simulator's named identities (PEOPLE, used by the first signup tests) or any
other valid, adult 12-digit personnummer (OTHER_PEOPLE): the simulator's app API accepts
`personalNumber` instead of `identity` and then answers as "Test Testsson". The simulator refuses
a second open order for the same person, and code sends are limited per destination (60 s
cooldown), so every test uses its own person, email address and phone number.

Outside the page a test may also look at the e2e database (read-only checks, and the clock
"time travel" set-up of the code-expiry tests): `db_rows` / `db_execute`.
"""

from __future__ import annotations

import io
import re
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import zxingcpp
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.helpers import CODE, last_message_id, wait_for_code

SIGNUP_URL = re.compile(r".*/signup/?$")
MAILBOX_URL = re.compile(r".*/mailbox/?$")
PEOPLE = {
    "anna": "198107249289",
    "bertil": "199001189811",
    "cecilia": "194510168885",
    "david": "189912299816",
    "elsa": "191911612388",
    "filippa": "201701102384",
}
# Valid (Luhn), adult, not Skatteverket test numbers, accepted by kivra_app.signup.validation in
# development; one per test that needs a BankID identification.
OTHER_PEOPLE = {
    "expiry_email": "198503121231",
    "expiry_sms": "197706211237",
    "logs": "199209041236",
    "a11y_desktop": "196801171239",
    "a11y_phone": "198902281230",
    "websocket": "199505301235",
    "restart": "197311111236",
    "keyboard": "196604051232",
    "iphone": "198804151234",
    "pixel": "197912031239",
    # login (tests/e2e/test_login.py)
    "login_desktop": "198001011231",
    "login_phones": "197505051248",
    "login_expired": "196912121255",
    "stranger": "199112241261",
    "login_cancel": "198606061276",
    "qr_animation": "198303151230",
}


def unique_email(name: str) -> str:
    return f"{name}.{time.time_ns()}@example.se"


def _who(person: str) -> dict[str, str]:
    """The simulator's app API: a test identity key, or a 12-digit personnummer."""
    return {"personalNumber": person} if person.isdigit() else {"identity": person}


def pnr_of(person: str) -> str:
    return person if person.isdigit() else PEOPLE[person]


# ---------------------------------------------------------------- the steps


def start_signup(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Skapa ett Kivra-konto")
    page.get_by_role("button", name="Skapa konto").click()
    page.wait_for_url(SIGNUP_URL)
    expect(page.get_by_text("Steg 1 av 7")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "1")


def enter_personnummer(page: Page, pnr: str) -> None:
    page.get_by_label("Personnummer").fill(pnr)
    page.get_by_role("button", name="Fortsätt med BankID").click()
    expect(page.get_by_text("Steg 2 av 7")).to_be_visible()


def scan_qr(page: Page, app_url: str, person: str, action: str = "approve") -> dict:
    """Decode the QR on the screen and let the simulated BankID app scan it."""
    qr = page.get_by_role("img", name="QR-kod att scanna med BankID-appen")
    expect(qr).to_be_visible(timeout=10_000)
    last_error = ""
    for _ in range(5):
        image = Image.open(io.BytesIO(qr.screenshot()))
        found = zxingcpp.read_barcodes(image)
        if found and found[0].text.startswith("bankid."):
            response = httpx.post(
                f"{app_url}/bankid-sim/app/scan",
                json={"qrData": found[0].text, **_who(person), "action": action},
                timeout=10,
            )
            if response.status_code == 200:
                return response.json()
            last_error = response.text
        page.wait_for_timeout(400)
    raise AssertionError(f"could not scan the QR code: {last_error}")


QR_FRAME = re.compile(r"bankid\.[0-9a-f-]{36}\.(\d+)\.[0-9a-f]{64}")


def record_qr_seconds(page: Page) -> list[int]:
    """The animated QR's qrTime values (bankid.<token>.<t>.<code>) as they reach the page over
    its websocket, in order, without repeats (call before the page opens its websocket)."""
    seen: list[int] = []

    def on_frame(payload: str | bytes) -> None:
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
        for match in QR_FRAME.finditer(text):
            t = int(match.group(1))
            if not seen or seen[-1] != t:
                seen.append(t)

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    return seen


def open_bankid_app(page: Page, app_url: str, person: str, action: str = "approve") -> None:
    """On a phone: tap 'Öppna BankID'; the 'app' (the simulator) acts; then return to the
    browser. The link points at https://app.bankid.com/ (no internet here): the navigation is
    intercepted and the order approved through the simulator's app API with the link's
    autostart token, as the real app would, then the test goes back to the signup page."""
    link = page.get_by_role("link", name="Öppna BankID")
    expect(link).to_be_visible(timeout=10_000)
    href = link.get_attribute("href") or ""
    assert href.startswith("https://app.bankid.com/?autostarttoken=")
    token = parse_qs(urlparse(href).query)["autostarttoken"][0]
    page.route("https://app.bankid.com/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<html><body>BankID</body></html>"))
    link.click()
    page.wait_for_url(re.compile(r"^https://app\.bankid\.com/"))
    response = httpx.post(
        f"{app_url}/bankid-sim/app/autostart",
        json={"autoStartToken": token, **_who(person), "action": action},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    page.go_back()  # back in the browser, on the signup page


def enter_email(page: Page, address: str) -> None:
    expect(page.get_by_text("Steg 3 av 7")).to_be_visible(timeout=15_000)
    page.get_by_label("Mailadress").fill(address)
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.get_by_text("Steg 4 av 7")).to_be_visible(timeout=15_000)


def enter_code(page: Page, code: str) -> None:
    field = page.get_by_label("Verifieringskod")
    field.fill(code)
    field.press("Enter")  # Enter submits the form


def enter_phone(page: Page, national: str) -> None:
    expect(page.get_by_text("Steg 5 av 7")).to_be_visible(timeout=15_000)
    page.get_by_label("Mobilnummer").fill(national)
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.get_by_text("Steg 6 av 7")).to_be_visible(timeout=15_000)
    expect(page.get_by_text(national)).to_be_visible()


def enter_phone_and_code(page: Page, app_url: str, national: str, e164: str) -> None:
    expect(page.get_by_text("Steg 5 av 7")).to_be_visible(timeout=15_000)
    before = last_message_id(app_url, to=e164, channel="sms")
    enter_phone(page, national)
    code, _ = wait_for_code(app_url, to=e164, channel="sms", newer_than=before)
    enter_code(page, code)


def finish_and_open_mailbox(page: Page) -> None:
    expect(page.get_by_role("heading", name="Klart!")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Steg 7 av 7")).to_be_visible()
    expect(page.get_by_text("Ditt Kivra-konto är skapat.")).to_be_visible()
    page.get_by_role("button", name="Ok").click()
    page.wait_for_url(MAILBOX_URL)
    expect(page.get_by_role("heading", name="Din Kivra")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Välkommen till Kivra"))).to_be_visible()


def reach_email_code_step(page: Page, app_url: str, person: str, address: str) -> str:
    """Start page to step 4 (computer, QR); returns the emailed code."""
    start_signup(page)
    enter_personnummer(page, pnr_of(person))
    scan_qr(page, app_url, person)
    enter_email(page, address)
    code, _ = wait_for_code(app_url, to=address, channel="email")
    return code


def full_signup_desktop(page: Page, app_url: str, person: str, phone: tuple[str, str]) -> str:
    address = unique_email(person if not person.isdigit() else "test")
    code = reach_email_code_step(page, app_url, person, address)
    enter_code(page, code)
    enter_phone_and_code(page, app_url, *phone)
    finish_and_open_mailbox(page)
    return address


# ---------------------------------------------------------------- the database (set-up, checks)

_DB_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime in SQLite (naive UTC)


def db_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_DB_TIME)


def db_ago(seconds: float) -> str:
    return db_time(datetime.now(UTC) - timedelta(seconds=seconds))


def _connect(db: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(db, timeout=10)
    connection.execute("PRAGMA busy_timeout = 10000")
    return connection


def db_rows(db: Path, query: str, *params: object) -> list[tuple]:
    with _connect(db) as connection:
        return connection.execute(query, params).fetchall()


def db_execute(db: Path, query: str, *params: object) -> int:
    """One write in its own transaction; returns the number of rows changed."""
    connection = _connect(db)
    try:
        with connection:
            return connection.execute(query, params).rowcount
    finally:
        connection.close()


def signup_step(db: Path, destination: str) -> str:
    """The server-side step of the signup that sent a code to `destination` (email or E.164)."""
    rows = db_rows(
        db,
        "SELECT s.step FROM signup s JOIN verificationcode v ON v.signup_id = s.id "
        "WHERE v.destination = ? ORDER BY v.id DESC LIMIT 1",
        destination,
    )
    assert rows, f"no signup has sent a code to {destination}"
    return rows[0][0]


def expire_live_code(db: Path, destination: str) -> None:
    """'Time travel' past the code's lifetime (30 min in real life)."""
    changed = db_execute(
        db,
        "UPDATE verificationcode SET expires_at = ? "
        "WHERE destination = ? AND used_at IS NULL AND invalidated_at IS NULL",
        db_ago(60), destination,
    )
    assert changed == 1, f"expected one live code for {destination}, changed {changed}"


def pass_resend_cooldown(db: Path, destination: str, seconds: int = 120) -> None:
    """Move every send to `destination` back, so the per-destination cooldown is over."""
    changed = db_execute(
        db,
        "UPDATE verificationcode SET sent_at = ?, created_at = ? "
        "WHERE destination = ? AND sent_at IS NOT NULL",
        db_ago(seconds), db_ago(seconds), destination,
    )
    assert changed >= 1


# ---------------------------------------------------------------- logs


def _personnummer_forms(number12: str) -> list[str]:
    short = number12[2:]
    return [number12, f"{number12[:8]}-{number12[8:]}", short, f"{short[:6]}-{short[6:]}"]


def _in_log(log: str, secret: str) -> bool:
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])", log) is not None


def outbox_codes(db: Path) -> set[str]:
    """Every 6-digit code any mail or SMS of this app's outbox ever carried."""
    return {
        match
        for (text,) in db_rows(db, "SELECT text FROM outboxmessage")
        for match in CODE.findall(text)
    }


def log_leaks(log: str, *, codes: set[str], secrets: dict[str, str | None]) -> list[str]:
    """What the log holds that it never may: codes, any e2e personnummer (12 and 10 digits,
    with or without the dash), the given secrets (cookie values)."""
    leaks = [f"code {code}" for code in sorted(codes) if _in_log(log, code)]
    for number in sorted({*PEOPLE.values(), *OTHER_PEOPLE.values()}):
        leaks += [f"personnummer {form}" for form in _personnummer_forms(number)
                  if _in_log(log, form)]
    leaks += [f"secret {name}" for name, value in secrets.items() if value and value in log]
    return leaks
