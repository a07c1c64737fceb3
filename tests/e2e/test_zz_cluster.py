"""Issue #11: a whole signup through `make cluster`'s set-up (nginx in front of two instances with
two workers each, Reflex's state in Redis, PostgreSQL), with the tab's websocket on one instance
and then on the other, surviving that instance killed mid-flow and a Redis restart mid-flow.
Nothing lost (the signup finishes, its attempts and codes hold), nothing doubled (one account,
one mail, one SMS). SLOW: one frontend build and two instance starts.

The Redis restarted here is a private `redis-server` on a free port started by this module (no
persistence, so the restart loses every tab's state): the machine's shared Redis is never
touched. The database is a throwaway PostgreSQL database. The cluster's frontend is built in its
own folder (REFLEX_WEB_WORKDIR), so the session's app keeps its bundle.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, text

from deploy.cluster import Cluster, Instance, free_port
from deploy.private_redis import PrivateRedis
from kivra_app.settings import Settings
from tests.e2e.conftest import DESKTOP, _open_page
from tests.e2e.flows import (
    enter_code,
    enter_email,
    enter_personnummer,
    finish_and_open_mailbox,
    start_signup,
    unique_email,
)
from tests.e2e.helpers import last_message_id, outbox, wait_for_code

MAX_ATTEMPTS = Settings.model_fields["code_max_attempts"].default
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PERSON = "198612242001"  # valid, adult, used by no other e2e test
PHONE = ("070-174 06 91", "+46701740691")
@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    """Not pytest's tmp_path: other pytest runs on this machine prune old ones while the cluster
    still serves from it."""
    path = Path(tempfile.mkdtemp(prefix="kivra-e2e-cluster-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def private_redis(workdir: Path) -> Iterator[PrivateRedis]:
    redis = PrivateRedis(workdir / "redis")
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture(scope="module")
def cluster_db() -> Iterator[str]:
    name = f"kivra_e2e_cluster_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def cluster(workdir: Path, private_redis: PrivateRedis, cluster_db: str) -> Iterator[Cluster]:
    if not Path("/usr/sbin/nginx").exists():
        pytest.fail("nginx is not installed: run `make nginx`")
    cluster = Cluster(port=free_port(), workdir=workdir / "cluster",
                      database_url=cluster_db, redis_url=private_redis.url, workers=2)
    with cluster.running():
        yield cluster


@pytest.fixture
def patient_expect() -> Iterator[None]:
    """Each step's answer crosses nginx, an instance and Redis: on a machine shared with other
    builds (load average 15-20 seen) the shared helpers' 5 s can pass. 30 s for this test only."""
    expect.set_options(timeout=30_000)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture
def cluster_page(request: pytest.FixtureRequest, browser: Browser,
                 cluster: Cluster) -> Iterator[Page]:
    yield from _open_page(request, browser, "cluster", base_url=cluster.url, **DESKTOP)


def approve_in_the_bankid_app(url: str, pnr: str, timeout: float = 60) -> None:
    """The person opens the order in the BankID test app's list and approves it as `pnr` (not
    by scanning: on a loaded machine a QR frame can be older than the app accepts). Orders
    carry no personal number (issue #12, finding 4), so the order is found as the one pending
    order of this cluster's own database."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listed = httpx.get(f"{url}/bankid-sim/app/orders", timeout=30)
        if listed.status_code != 200:  # an instance too slow to answer in time: ask again
            time.sleep(0.5)
            continue
        pending = [o for o in listed.json()["orders"] if not o["pickedUp"]]
        assert len(pending) <= 1, f"more than this test's order is pending: {pending}"
        if pending:
            response = httpx.post(f"{url}/bankid-sim/app/orders/{pending[0]['id']}/action",
                                  json={"action": "approve", "personalNumber": pnr}, timeout=30)
            assert response.status_code == 200, response.text
            return
        time.sleep(0.5)
    raise AssertionError("the BankID order never showed in the test app")


def _attempts_left(count: int) -> re.Pattern[str]:
    return re.compile(re.escape(f"Du kan försöka {count} gånger till."))


def websocket_holder(cluster: Cluster, timeout: float = 30) -> Instance:
    """The instance nginx has an open connection to: the tab's websocket (nginx keeps no idle
    upstream connections, and the test makes no other request meanwhile)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        holders = [i for i in cluster.instances if i.running() and _established(i.port)]
        if len(holders) == 1:
            return holders[0]
        time.sleep(0.2)
    raise AssertionError("no single instance holds the tab's websocket")


def _established(port: int) -> bool:
    out = subprocess.run(["ss", "-Htn", "state", "established", f"( sport = :{port} )"],
                         capture_output=True, text=True, check=True).stdout
    return bool(out.strip())


def _db_rows(url: str, query: str, **params: object) -> list[tuple]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(query), params)]
    finally:
        engine.dispose()


# Part of `make e2e` (last, by its file name); `make cluster-e2e` runs it alone. Its earlier
# failures were the approval helper looking for the order by personal number, which orders no
# longer carry (issue #12, finding 4), not the kill or the Redis restart.
@pytest.mark.cluster
def test_signup_through_the_cluster_survives_a_killed_instance_and_a_redis_restart(
    cluster_page: Page, cluster: Cluster, private_redis: PrivateRedis, patient_expect: None
) -> None:
    page, url = cluster_page, cluster.url
    address = unique_email("cluster")
    start_signup(page)
    enter_personnummer(page, PERSON)
    first = websocket_holder(cluster)
    approve_in_the_bankid_app(url, PERSON)
    enter_email(page, address)
    code, _ = wait_for_code(url, to=address, channel="email")
    wrong = "000000" if code != "000000" else "111111"
    enter_code(page, wrong)
    field = page.get_by_label("Verifieringskod")
    expect(field).to_have_accessible_description(_attempts_left(MAX_ATTEMPTS - 1))

    # The instance holding the tab dies without warning; the tab reconnects through nginx to
    # the other one, which finds the tab's state in Redis.
    cluster.stop_instance(first, signal.SIGKILL)
    # Typed only once the tab is back on the other instance: a code typed while the tab was
    # reconnecting was wiped by the re-hydration and sent empty ("Skriv koden.", 1 run in 3).
    second = websocket_holder(cluster)
    assert second is not first
    expect(page.get_by_text("Steg 4 av 7")).to_be_visible()
    enter_code(page, wrong)
    expect(field).to_have_accessible_description(_attempts_left(MAX_ATTEMPTS - 2),
                                                 timeout=30_000)
    enter_code(page, code)
    expect(page.get_by_text("Steg 5 av 7")).to_be_visible(timeout=15_000)

    # Redis restarts (no persistence: every tab's state is gone). The signup lives in the
    # database: the page comes back at the same step.
    private_redis.stop()
    private_redis.start()
    page.reload()
    expect(page.get_by_text("Steg 5 av 7")).to_be_visible(timeout=30_000)
    before = last_message_id(url, to=PHONE[1], channel="sms")
    page.get_by_label("Mobilnummer").fill(PHONE[0])
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.get_by_text("Steg 6 av 7")).to_be_visible(timeout=15_000)
    sms_code, _ = wait_for_code(url, to=PHONE[1], channel="sms", newer_than=before)
    enter_code(page, sms_code)
    finish_and_open_mailbox(page)

    # Nothing doubled: one signup, done; one account; one mail and one SMS sent.
    assert len(outbox(url, to=address, channel="email")) == 1
    assert len(outbox(url, to=PHONE[1], channel="sms")) == 1
    steps = _db_rows(cluster.database_url,
                     "SELECT step FROM signup WHERE email = :email", email=address)
    assert steps == [("done",)]
    accounts = _db_rows(cluster.database_url,
                        "SELECT email FROM \"user\" WHERE personnummer = :p", p=PERSON)
    assert accounts == [(address,)]
