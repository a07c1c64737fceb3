"""First-load bytes and Lighthouse scores (mobile, the default throttling) per page, the app's
against the bare Reflex app's, both production builds served on one port as `make run` does.

Lighthouse: npm `lighthouse` from bench/lighthouse (installed by `make lighthouse` from its lock
file) on the virtualenv's Node, with Debian's Chromium. Each build gets its own REFLEX_WEB_WORKDIR
(a copy of the worktree's .web for its node_modules), so the worktree's bundle is left alone.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.servers import ROOT, Server, bare_server, base_env  # noqa: E402

LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
APP_PAGES = ("/", "/signup", "/login")


def _web_copy(target: Path) -> None:
    source = ROOT / ".web"
    if target.exists() or not (source / "node_modules").exists():
        return

    def top_level_only(directory: str, names: list[str]) -> set[str]:
        return {"build", ".states"} & set(names) if Path(directory) == source else set()

    shutil.copytree(source, target, symlinks=True, ignore=top_level_only)


def _full(server: Server, web_dir: Path) -> Server:
    """Serve frontend and backend on one port (`reflex run --env prod`), from `web_dir`."""
    _web_copy(web_dir)
    server.env = dict(server.env)
    server.env["REFLEX_WEB_WORKDIR"] = str(web_dir)
    server.env["REFLEX_BACKEND_ONLY"] = "false"
    return server


def lighthouse(url: str, out: Path) -> dict[str, float]:
    node = shutil.which("node", path=base_env()["PATH"]) or "node"
    subprocess.run(
        [node, str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
         "--only-categories=performance,accessibility,best-practices",
         f"--chrome-path={CHROMIUM}",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
        check=True, env={**base_env(), "CHROME_PATH": CHROMIUM}, timeout=300,
    )
    report = json.loads(out.read_text())
    cats, audits = report["categories"], report["audits"]
    return {
        "performance": round(cats["performance"]["score"] * 100),
        "accessibility": round(cats["accessibility"]["score"] * 100),
        "best-practices": round(cats["best-practices"]["score"] * 100),
        "fcp": audits["first-contentful-paint"]["numericValue"] / 1000,
        "bytes": audits["total-byte-weight"]["numericValue"],
    }


def first_load_rows(workdir: Path) -> list[tuple[str, str, str, str]]:
    if not LIGHTHOUSE.exists():
        return [("Lighthouse", "not installed: run `make lighthouse`", "–", "–")]
    from bench.servers import app_server, create_database, drop_database

    rows: list[tuple[str, str, str, str]] = []
    bare = _full(bare_server(workdir), workdir / "bare-web").start(timeout=900)
    try:
        base = lighthouse(f"{bare.url}/", workdir / "lh-bare.json")
    finally:
        bare.stop()
    db = create_database()
    app = app_server("app-full", db, workdir / "app-full", workers=1, redis_url=None)
    app = _full(app, workdir / "app-web").start(timeout=900)
    try:
        for page in APP_PAGES:
            # The prod server answers /signup with a redirect to /signup/ (its static file):
            # measure the page a browser ends on.
            answer = httpx.get(f"{app.url}{page}", timeout=10, follow_redirects=True)
            if answer.status_code != 200:
                rows.append((f"first load {page}", "no such page on this branch", "–", "–"))
                continue
            got = lighthouse(str(answer.url), workdir / f"lh{page.replace('/', '_')}.json")
            rows.append((f"first-load bytes {page}", f"{got['bytes'] / 1024:.0f} KiB",
                         f"{base['bytes'] / 1024:.0f} KiB bare page (target ≤ 1.15×)",
                         f"{got['bytes'] / base['bytes']:.2f}×"))
            rows.append((f"Lighthouse mobile performance {page} (FCP)",
                         f"{got['performance']} ({got['fcp']:.1f} s)",
                         f"{base['performance']} ({base['fcp']:.1f} s) bare; target ≥ 95",
                         f"{got['fcp'] / base['fcp']:.2f}× FCP"))
            rows.append((f"Lighthouse accessibility / best practices {page}",
                         f"{got['accessibility']} / {got['best-practices']}",
                         f"{base['accessibility']} / {base['best-practices']} bare; target 100",
                         "–"))
    finally:
        app.stop()
        drop_database(db)
    return rows
