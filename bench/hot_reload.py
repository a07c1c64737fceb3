"""Save-to-screen time of a design-token edit, as a designer sees it in the gallery.

Starts the app the way `make dev` (or `--mode preview`, the old `make dev`) does, opens a bare
story page in Chromium, changes one token in components/theme.py (--edit: a colour, or a
shape token compiled into the components' styles), and measures the seconds from
the save until the page shows the new value (the page reloads itself; the script also reloads
it every 0.5 s in case it does not). The edit is undone afterwards.

Run: .venv/bin/python bench/hot_reload.py [--mode dev|preview] [--edit colour|shape] [--runs 3]
     [--port 18200] (the app on 18200, its backend on 18201, its SMTP server on 18202)
Not a test (timings belong in bench/): it edits a source file while it runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
THEME = ROOT / "components" / "theme.py"
STORY = "/gallery/raw/sv/button/primary-default?theme=light"
# What a designer edits, the two values it toggles between, and the button's computed style that
# shows it. "colour" is a palette token (a CSS variable: only the document's <style> changes);
# "shape" is a style token that is compiled into every component using it (every page's code
# changes, the gallery's bare page included), like an edit of a component's style.
EDITS = {
    "colour": ('    "brand": "#00704a",  # Kivra-ish green: buttons, progress',
               ["#00704a", "#00714b"],  # AA either way; rgb(0, 112, 74) / rgb(0, 113, 75)
               "backgroundColor"),
    "shape": ('RADIUS = {"sm": "6px", "md": "10px", "lg": "16px", "pill": "999px"}',
              ["999px", "998px"], "borderTopLeftRadius"),
}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ports(base: int) -> tuple[int, int, int]:
    """Frontend, backend and SMTP ports: base, base+1, base+2 (--port), or any free ones."""
    return (base, base + 1, base + 2) if base else (_port(), _port(), _port())


def _start(mode: str, data: Path, loglevel: str | None, base_port: int = 0,
           product_pages: bool = False) -> tuple[subprocess.Popen, str]:
    front, back, smtp = _ports(base_port)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIVRA_")}
    env.update(KIVRA_DATA_DIR=str(data), KIVRA_DATABASE_URL=f"sqlite:///{data / 'hr.db'}",
               KIVRA_SMTP_PORT=str(smtp), REFLEX_USE_NPM="1", REFLEX_TELEMETRY_ENABLED="false",
               REFLEX_CHECK_LATEST_VERSION="false",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    subprocess.run([sys.executable, "-m", "kivra_app.migrate"], cwd=ROOT, env={
        **env, "KIVRA_PORT": str(back)}, check=True, capture_output=True)
    if mode == "preview":
        env["KIVRA_PORT"] = str(front)
        cmd = ["reflex", "run", "--env", "preview", "--frontend-port", str(front),
               "--backend-port", str(front)]
        url = f"http://localhost:{front}"
    else:
        env["KIVRA_PORT"], env["KIVRA_DEV_FRONTEND_PORT"] = str(back), str(front)
        env.update(PYTHONDONTWRITEBYTECODE="", PYTHONPYCACHEPREFIX=str(ROOT / ".pycache"),
                   KIVRA_GALLERY_ONLY=str(not product_pages).lower())
        cmd = ["reflex", "run", "--env", "dev", "--frontend-port", str(front),
               "--backend-port", str(back), *(["--loglevel", loglevel] if loglevel else [])]
        url = f"http://localhost:{front}"
    log = (data / "app.log").open("wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((data / "app.log").read_text()[-3000:])
        try:
            if httpx.get(url + STORY, timeout=5).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError("the app did not start")


def _shown(page, prop: str) -> str:  # noqa: ANN001
    return page.evaluate("p => getComputedStyle(document.querySelector("
                         "'[data-testid=story-root] button'))[p]", prop)


def _css(value: str) -> str:
    """A value as getComputedStyle reports it."""
    if value.startswith("#"):
        return "rgb({}, {}, {})".format(*(int(value[i:i + 2], 16) for i in (1, 3, 5)))
    return value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["dev", "preview"], default="dev")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--edit", choices=sorted(EDITS), default="colour")
    parser.add_argument("--no-reload", action="store_true",
                        help="never reload the page: measure what Vite's HMR shows by itself")
    parser.add_argument("--loglevel", default=None,
                        help="the app's log level (debug: Reflex's compile timings in the log)")
    parser.add_argument("--port", type=int, default=0,
                        help="the app's frontend port; the backend and SMTP take the next two "
                             "(default: any free ports)")
    parser.add_argument("--product-pages", action="store_true",
                        help="dev mode with the product's pages too (make dev GALLERY_ONLY=false)")
    parser.add_argument("--max-wait", type=float, default=120,
                        help="give up on an edit after this many seconds")
    args = parser.parse_args()
    line, values, prop = EDITS[args.edit]
    original = THEME.read_text()
    assert line in original, "the token line moved: update bench/hot_reload.py"
    data = Path(tempfile.mkdtemp(prefix="hot-reload-"))
    started = time.monotonic()
    proc, url = _start(args.mode, data, args.loglevel, args.port, args.product_pages)
    print(f"app up after {time.monotonic() - started:.0f} s (log: {data / 'app.log'})")
    times = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"))
            page = browser.new_page()
            page.goto(url + STORY)
            page.get_by_test_id("story-hydrated").wait_for(state="attached", timeout=120_000)
            time.sleep(3)
            for run in range(args.runs):
                new = values[(run + 1) % 2]
                THEME.write_text(original.replace(line, line.replace(values[0], new)))
                saved, saved_at = time.monotonic(), time.time()
                last_reload = saved
                while _safe_shown(page, prop) != _css(new):
                    if time.monotonic() - saved > args.max_wait:
                        raise RuntimeError(f"no change after {args.max_wait:.0f} s "
                                           f"(the app's log: {data / 'app.log'})")
                    if not args.no_reload and time.monotonic() - last_reload > 0.5:
                        last_reload = time.monotonic()
                        try:
                            page.reload(wait_until="commit", timeout=5000)
                        except Exception:  # noqa: BLE001,S110 - the server may be restarting
                            pass
                    time.sleep(0.05)
                times.append(time.monotonic() - saved)
                print(f"run {run + 1}: {times[-1]:.1f} s from save to screen (saved at "
                      f"{time.strftime('%H:%M:%S', time.localtime(saved_at))}"
                      f".{int(saved_at % 1 * 1000):03d})")
                time.sleep(5)
            browser.close()
    finally:
        THEME.write_text(original)
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    print(f"{args.mode}, {args.edit}: median {statistics.median(times):.1f} s over "
          f"{len(times)} edits")


def _safe_shown(page, prop: str) -> str:  # noqa: ANN001
    try:
        return _shown(page, prop)
    except Exception:  # noqa: BLE001 - mid-reload
        return ""


if __name__ == "__main__":
    main()
