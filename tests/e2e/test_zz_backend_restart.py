"""R-48: the backend restarts between "code sent" and "code verified" (SLOW: ~2 app starts).

A separate app (its own data folder and database, started by this module) so the session's app
is untouched. A person reaches the email-code step and types one wrong code; the app is stopped
(SIGTERM to its process group) and started again on the same data folder. Then /signup shows
the same step with the email address, the code from before the restart still works, the
attempt counter was kept (the next wrong code has one attempt fewer), no message was sent again
by itself, and the signup finishes in the mailbox. Its log holds no code or personnummer.

Each start of an app rebuilds the frontend in .web with that app's port in the bundle, which
the session's app serves too: the module's fixture therefore restarts the session's app at the
end (its bundle then points at it again). Named test_zz_* to run late; pytest may still reorder
it (parametrized fixtures), which the restore above makes harmless.
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
    log_leaks,
    outbox_codes,
    reach_email_code_step,
    signup_step,
    unique_email,
)
from tests.e2e.helpers import outbox

MAX_ATTEMPTS = Settings.model_fields["code_max_attempts"].default

@pytest.fixture(scope="module")
def restart_app(tmp_path_factory: pytest.TempPathFactory,
                running_app: RunningApp) -> Iterator[RunningApp]:
    app = RunningApp(tmp_path_factory.mktemp("kivra-restart")).start()
    try:
        yield app
    finally:
        app.stop()
        _rebuild_for(running_app)


def _rebuild_for(session_app: RunningApp) -> None:
    """Every start rebuilds the frontend in .web with the app's own port baked into the bundle
    (.web/env.json: ws://localhost:<port>/_event), and the session's app serves those same files:
    after this module its pages would talk to the stopped app. Restart the session's app so
    its bundle points at it again (same data folder and database; its log so far is kept as
    app-<n>.log beside app.log)."""
    session_app.stop()
    kept = len(list(session_app.data_dir.glob("app-*.log"))) + 1
    session_app.log_path.rename(session_app.data_dir / f"app-{kept}.log")
    session_app.start()


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
    log_before = restart_app.log_path.read_text(errors="replace")  # start() overwrites the file
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
    # R-37 across a stop and a start: no code or personnummer in this app's log either.
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    leaks = log_leaks(log_before + restart_app.log_path.read_text(errors="replace"),
                      codes=outbox_codes(db), secrets={"kivra_session": cookies.get("kivra_session")})
    assert not leaks, f"the app log holds: {leaks}"
