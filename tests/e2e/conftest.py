"""E2E harness: the production app once per session, Debian's Chromium through Playwright.

The app runs as `reflex run --env prod` on a free port with its own temporary database and
data folder, exactly as `make run` serves it. Pages come in three shapes: a desktop (1280x800),
an iPhone 13 and a Pixel 7. A failed test leaves a Playwright trace and a screenshot under
test-results/.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "test-results"
CHROMIUM = os.environ.get("KIVRA_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Deterministic text rendering for the screenshot baselines (tests/e2e/support/visual.py).
    "--font-render-hinting=none",
    "--disable-lcd-text",
]
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "sv-SE"}
STARTUP_TIMEOUT = float(os.environ.get("KIVRA_E2E_STARTUP_TIMEOUT", "300"))

_console_errors: weakref.WeakKeyDictionary[Page, list[str]] = weakref.WeakKeyDictionary()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-visual", action="store_true", default=False,
                     help="rewrite the gallery screenshot baselines (make visual-update)")


# Device markers: `pytest -m iphone13` runs what runs on an iPhone 13 (by fixture or parameter).
_DEVICE_FIXTURES = {"desktop_page": "desktop", "iphone_page": "iphone13", "pixel_page": "pixel7"}
_DEVICE_PARAMS = {"desktop": "desktop", "iphone": "iphone13", "iphone13": "iphone13",
                  "pixel": "pixel7", "pixel7": "pixel7"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        devices = {d for f, d in _DEVICE_FIXTURES.items() if f in getattr(item, "fixturenames", ())}
        callspec = getattr(item, "callspec", None)
        if callspec is not None:
            for name in ("viewport", "device"):
                if callspec.params.get(name) in _DEVICE_PARAMS:
                    devices.add(_DEVICE_PARAMS[callspec.params[name]])
            for value in callspec.params.values():
                if isinstance(value, str) and value in ("desktop", "iphone", "pixel"):
                    devices.add(_DEVICE_PARAMS[value])
        for device in devices:
            item.add_marker(getattr(pytest.mark, device))


def _port_range() -> range | None:
    """KIVRA_E2E_PORTS="18250-18299": the ports this run may take (several engineers share a
    machine, each with a range of their own); unset, the system picks any free port."""
    if not (spec := os.environ.get("KIVRA_E2E_PORTS")):
        return None
    low, _, high = spec.partition("-")
    return range(int(low), int(high or low) + 1)


_taken: set[int] = set()  # handed out in this session, maybe not bound yet


def _free_port() -> int:
    if (ports := _port_range()) is None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    for port in ports:
        if port in _taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _taken.add(port)
        return port
    raise RuntimeError(f"no free port in KIVRA_E2E_PORTS={os.environ['KIVRA_E2E_PORTS']}")


def app_env(port: int, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIVRA_")}
    env.update(
        KIVRA_ENV="development",
        KIVRA_PORT=str(port),
        KIVRA_DATA_DIR=str(data_dir),
        KIVRA_DATABASE_URL=f"sqlite:///{data_dir / 'e2e.db'}",
        KIVRA_SMTP_PORT=str(_free_port()),
        # Every test of the suite comes from 127.0.0.1: the per-address caps (codes sent, BankID
        # orders and signups started) are for one person's address, not a whole test suite's.
        # Their own tests (tests/unit/test_codes.py, test_antiautomation.py) keep the defaults.
        KIVRA_CODE_MAX_SENDS_PER_IP="100000",
        KIVRA_IP_START_BURST="100000",
        KIVRA_IP_START_PER_MINUTE="100000",
        REFLEX_USE_NPM="1",
        REFLEX_CHECK_LATEST_VERSION="false",
        REFLEX_TELEMETRY_ENABLED="false",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    env.update(extra)
    return env


class RunningApp:
    """A production build of the app in a child process."""

    def __init__(self, data_dir: Path, **extra_env: str) -> None:
        self.port = _free_port()
        self.url = f"http://localhost:{self.port}"
        self.data_dir = data_dir
        self.env = app_env(self.port, data_dir, **extra_env)
        self.log_path = data_dir / "app.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> RunningApp:
        subprocess.run(
            [sys.executable, "-m", "kivra_app.migrate"], cwd=ROOT, env=self.env, check=True
        )
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [
                shutil.which("reflex", path=self.env["PATH"]) or "reflex",
                "run", "--env", "prod",
                "--frontend-port", str(self.port), "--backend-port", str(self.port),
            ],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app exited early:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/ping", timeout=2).text.strip('"') == "pong":
                    # The frontend is mounted after the backend answers /ping.
                    if httpx.get(self.url, timeout=5).status_code == 200:
                        return self
            except httpx.HTTPError:
                pass
            time.sleep(1)
        self.stop()
        raise RuntimeError(f"the app did not answer /ping in {STARTUP_TIMEOUT}s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@pytest.fixture(scope="session")
def running_app(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    app = RunningApp(tmp_path_factory.mktemp("kivra-app")).start()
    request.config.stash[_APP_KEY] = app
    yield app
    app.stop()


_APP_KEY = pytest.StashKey[RunningApp]()
# An error the app logged (our logging format or a Python traceback from Reflex/uvicorn).
_LOG_ERROR = re.compile(r"^\S+ \S+ (ERROR|CRITICAL) |^Traceback \(most recent call last\)",
                        re.MULTILINE)


@pytest.fixture(autouse=True)
def _fail_on_app_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test during which the app logged an error (opt out: @pytest.mark.allow_app_errors,
    for tests that break the app on purpose)."""
    app = request.config.stash.get(_APP_KEY, None)
    start = app.log_path.stat().st_size if app and app.log_path.exists() else None
    yield
    app = request.config.stash.get(_APP_KEY, None)
    if app is None or request.node.get_closest_marker("allow_app_errors"):
        return
    with app.log_path.open("rb") as log:
        log.seek(start or 0)
        new = log.read().decode(errors="replace")
    if found := [m.group(0) for m in _LOG_ERROR.finditer(new)]:
        lines = [line for line in new.splitlines() if _LOG_ERROR.match(line)][:5]
        pytest.fail(f"the app logged {len(found)} error(s) during this test:\n" + "\n".join(lines))


@pytest.fixture(scope="session")
def app_url(request: pytest.FixtureRequest) -> str:
    """The app under test: a fresh production build, or KIVRA_E2E_APP_URL (an app you already
    run, e.g. `make run`, to iterate quickly; tests that read the app's log still start one)."""
    if url := os.environ.get("KIVRA_E2E_APP_URL"):
        return url.rstrip("/")
    return request.getfixturevalue("running_app").url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # noqa: ARG001
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:120]


def console_errors(page: Page) -> list[str]:
    """Console errors and uncaught exceptions the page has shown so far."""
    return _console_errors.setdefault(page, [])


def _open_page(
    request: pytest.FixtureRequest, browser: Browser, name: str, **context_args
) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(**context_args)
    context.set_default_timeout(15_000)
    context.tracing.start(screenshots=True, snapshots=True, sources=False)
    page = context.new_page()
    errors = console_errors(page)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    uncaught: list[str] = []
    page.on("pageerror", lambda e: (errors.append(str(e)), uncaught.append(str(e))))
    yield page
    failed = any(
        getattr(request.node, f"rep_{when}", None) is not None
        and getattr(request.node, f"rep_{when}").failed
        for when in ("setup", "call")
    )
    if failed:
        out = RESULTS / _slug(f"{request.node.nodeid}-{name}")
        out.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(Exception):  # the page may be gone; the trace still helps
            page.screenshot(path=str(out / "screenshot.png"), full_page=True)
        context.tracing.stop(path=str(out / "trace.zip"))
    else:
        context.tracing.stop()
    context.close()
    if uncaught and not failed and not request.node.get_closest_marker("allow_page_errors"):
        pytest.fail(f"uncaught browser error(s) on the {name} page: {uncaught[:3]}")


@pytest.fixture
def desktop_page(request, browser: Browser, app_url: str) -> Iterator[Page]:
    yield from _open_page(request, browser, "desktop", base_url=app_url, **DESKTOP)


@pytest.fixture
def iphone_page(request, browser: Browser, playwright: Playwright, app_url: str) -> Iterator[Page]:
    device = {k: v for k, v in playwright.devices["iPhone 13"].items() if k != "default_browser_type"}
    yield from _open_page(request, browser, "iphone", base_url=app_url, locale="sv-SE", **device)


@pytest.fixture
def pixel_page(request, browser: Browser, playwright: Playwright, app_url: str) -> Iterator[Page]:
    device = {k: v for k, v in playwright.devices["Pixel 7"].items() if k != "default_browser_type"}
    yield from _open_page(request, browser, "pixel", base_url=app_url, locale="sv-SE", **device)


@pytest.fixture(params=["desktop", "iphone", "pixel"])
def any_page(request) -> Page:
    """The same test on a desktop, an iPhone 13 and a Pixel 7."""
    return request.getfixturevalue(f"{request.param}_page")


# --- The QA kit: the test-support API, test data, reaching any signup step -----------------
@pytest.fixture(scope="session")
def test_api(app_url: str):
    """The /_test client (outbox, latest-code, BankID control, clock)."""
    from tests.e2e.support.test_api import TestApi

    return TestApi(app_url)


@pytest.fixture
def server_clock(test_api):
    """The movable server clock; back to real time after the test."""
    yield test_api
    test_api.reset_clock()


@pytest.fixture
def person():
    """A new test person: personnummer, email address and phone number nobody else uses."""
    from tests.e2e.support.factories import person as new_person

    return new_person()


@pytest.fixture
def signup_at(desktop_page: Page, test_api, person):
    """`signup_at("email_code")` -> a SignupFlow standing on that step (desktop, Swedish)."""
    from tests.e2e.support.flow import SignupFlow

    def go(step: str, *, page: Page | None = None, lang: str = "sv"):
        return SignupFlow(page or desktop_page, test_api, person, lang).go_to(step)

    return go
