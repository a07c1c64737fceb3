"""R-37: the app's logs (its stdout and stderr) never hold a personnummer, a code or a secret.

One whole signup (with a wrong code, so a security event is surely logged), then the log of the
session's app is searched for: every personnummer the e2e tests use (12 digits with and without
the dash, 10 digits with and without the dash), every code the outbox ever received in this
session (email and SMS) and this browser's signup and session cookies.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import RunningApp
from tests.e2e.flows import (
    OTHER_PEOPLE,
    PEOPLE,
    db_rows,
    enter_code,
    enter_phone_and_code,
    finish_and_open_mailbox,
    reach_email_code_step,
    unique_email,
)
from tests.e2e.helpers import CODE


def _personnummer_forms(number12: str) -> list[str]:
    short = number12[2:]
    return [number12, f"{number12[:8]}-{number12[8:]}", short, f"{short[:6]}-{short[6:]}"]


def _absent(log: str, secret: str) -> bool:
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])", log) is None


def test_logs_hold_no_personnummer_code_or_secret(desktop_page: Page,
                                                 running_app: RunningApp) -> None:
    page = desktop_page
    app_url = running_app.url
    address = unique_email("logs")
    code = reach_email_code_step(page, app_url, OTHER_PEOPLE["logs"], address)
    enter_code(page, "000000" if code != "000000" else "111111")
    expect(page.get_by_text(re.compile("Koden stämmer inte"))).to_be_visible()
    signup_cookie = {c["name"]: c["value"] for c in page.context.cookies()}.get("kivra_signup")
    enter_code(page, code)
    enter_phone_and_code(page, app_url, "070-174 06 22", "+46701740622")
    finish_and_open_mailbox(page)
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}

    log = running_app.log_path.read_text(errors="replace")
    # The log is the right file and security events reach it (the wrong code above).
    assert "authn_login_fail" in log, log[-2000:]

    codes = {
        match
        for (text,) in db_rows(running_app.data_dir / "e2e.db", "SELECT text FROM outboxmessage")
        for match in CODE.findall(text)
    }
    assert code in codes
    leaks = [f"code {c}" for c in sorted(codes) if not _absent(log, c)]
    for number in {*PEOPLE.values(), *OTHER_PEOPLE.values()}:
        leaks += [f"personnummer {form}" for form in _personnummer_forms(number)
                  if not _absent(log, form)]
    secrets = {"kivra_signup": signup_cookie, "kivra_session": cookies.get("kivra_session")}
    assert all(secrets.values()), secrets.keys()
    leaks += [f"cookie {name}" for name, value in secrets.items() if value and value in log]
    assert not leaks, f"the app log holds: {leaks}"
