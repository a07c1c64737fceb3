"""R-37: the app's logs (its stdout and stderr) never hold a personnummer, a code or a secret.

One whole signup (with a wrong code, so a security event is surely logged), then the log of the
session's app is searched for: every personnummer the e2e tests use (12 digits with and without
the dash, 10 digits with and without the dash), every code the outbox received in this session
so far (email and SMS, all tests) and this browser's signup and session cookies (the signup
secret before and after BankID).
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import RunningApp
from tests.e2e.flows import (
    OTHER_PEOPLE,
    enter_code,
    enter_email,
    enter_personnummer,
    enter_phone_and_code,
    finish_and_open_mailbox,
    log_leaks,
    outbox_codes,
    scan_qr,
    start_signup,
    unique_email,
)
from tests.e2e.helpers import wait_for_code


def _cookies(page: Page) -> dict[str, str]:
    return {c["name"]: c["value"] for c in page.context.cookies()}


def test_logs_hold_no_personnummer_code_or_secret(desktop_page: Page,
                                                 running_app: RunningApp) -> None:
    page = desktop_page
    app_url = running_app.url
    person = OTHER_PEOPLE["logs"]
    start_signup(page)
    enter_personnummer(page, person)
    first_secret = _cookies(page).get("kivra_signup")
    scan_qr(page, app_url, person)
    address = unique_email("logs")
    enter_email(page, address)
    code, _ = wait_for_code(app_url, to=address, channel="email")
    enter_code(page, "000000" if code != "000000" else "111111")
    expect(page.get_by_text(re.compile("Koden stämmer inte"))).to_be_visible()
    later_secret = _cookies(page).get("kivra_signup")
    enter_code(page, code)
    enter_phone_and_code(page, app_url, "070-174 06 22", "+46701740622")
    finish_and_open_mailbox(page)

    # app.log, plus app-<n>.log when the session's app was restarted (test_zz_backend_restart)
    log = "\n".join(path.read_text(errors="replace")
                    for path in sorted(running_app.data_dir.glob("app*.log")))
    # The log is the right file and security events reach it (the wrong code above).
    assert "authn_login_fail" in log, log[-2000:]
    codes = outbox_codes(running_app.data_dir / "e2e.db")
    assert code in codes
    secrets = {"kivra_signup (step 1)": first_secret, "kivra_signup (step 4)": later_secret,
               "kivra_session": _cookies(page).get("kivra_session")}
    assert all(secrets.values()), secrets.keys()
    leaks = log_leaks(log, codes=codes, secrets=secrets)
    assert not leaks, f"the app log holds: {leaks}"
