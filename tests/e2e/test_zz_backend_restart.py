"""R-48: the backend restarts between "code sent" and "code verified" (SLOW: ~2 app starts).

A separate app (its own data folder and database, started by this module) so the session's app
is untouched. A person reaches the email-code step and types one wrong code; the app is stopped
(SIGTERM to its process group) and started again on the same data folder. Then /signup shows
the same step with the email address, the code from before the restart still works, the
attempt counter was kept (the next wrong code has one attempt fewer), no message was sent again
by itself, and the signup finishes in the mailbox.

Named test_zz_* so it runs last: each start rebuilds the frontend in .web, and nothing of the
session's app runs while it does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from kivra_app.settings import Settings
from tests.e2e.conftest import DESKTOP, RunningApp, _open_page
from tests.e2e.flows import (
    OTHER_PEOPLE,
    enter_code,
    enter_phone_and_code,
    finish_and_open_mailbox,
    reach_email_code_step,
    signup_step,
    unique_email,
)
from tests.e2e.helpers import outbox

MAX_ATTEMPTS = Settings.model_fields["code_max_attempts"].default

@pytest.fixture(scope="module")
def restart_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    app = RunningApp(tmp_path_factory.mktemp("kivra-restart")).start()
    yield app
    app.stop()


@pytest.fixture
def restart_page(request: pytest.FixtureRequest, browser: Browser,
                 restart_app: RunningApp) -> Iterator[Page]:
    yield from _open_page(request, browser, "restart", base_url=restart_app.url, **DESKTOP)


def _wrong_text(attempts_left: int) -> re.Pattern[str]:
    return re.compile(re.escape(f"Du kan försöka {attempts_left} gånger till."))


def test_signup_survives_a_backend_restart(restart_page: Page, restart_app: RunningApp) -> None:
    page = restart_page
    db = restart_app.data_dir / "e2e.db"
    address = unique_email("restart")
    code = reach_email_code_step(page, restart_app.url, OTHER_PEOPLE["restart"], address)
    wrong = "000000" if code != "000000" else "111111"
    field = page.get_by_label("Verifieringskod")
    enter_code(page, wrong)
    expect(field).to_have_accessible_description(_wrong_text(MAX_ATTEMPTS - 1))
    sent_before = len(outbox(restart_app.url, to=address, channel="email"))

    restart_app.stop()
    restart_app.start()  # same data folder, database and code key; the port may differ

    page.goto(f"{restart_app.url}/signup")
    expect(page.get_by_text("Steg 4 av 7")).to_be_visible(timeout=20_000)
    expect(page.get_by_text(address)).to_be_visible()
    assert signup_step(db, address) == "email_code"
    assert len(outbox(restart_app.url, to=address, channel="email")) == sent_before

    enter_code(page, wrong)  # the attempts were kept: one fewer than before the restart
    expect(field).to_have_accessible_description(_wrong_text(MAX_ATTEMPTS - 2))
    enter_code(page, code)  # the code from before the restart still works
    enter_phone_and_code(page, restart_app.url, "070-174 06 26", "+46701740626")
    finish_and_open_mailbox(page)
    assert signup_step(db, address) == "done"
