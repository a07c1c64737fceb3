"""axe-core for Playwright pages, injected once per browser context (an init script) instead
of once per check, which is what makes hundreds of runs affordable. The axe build is the one
axe-playwright-python bundles."""

from __future__ import annotations

from functools import lru_cache

from playwright.sync_api import BrowserContext, Page

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")
OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}


@lru_cache(maxsize=1)
def axe_source() -> str:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script


def install(context: BrowserContext) -> None:
    """Every page of `context` has window.axe from its first script on."""
    context.add_init_script(axe_source())


def violations(page: Page, include: str | None = None) -> list[dict]:
    """axe's violations on `page` (scoped to the CSS selector `include`)."""
    context = {"include": [[include]]} if include else None
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())  # a page from a context without install()
    return page.evaluate(
        "([context, options]) => (context ? axe.run(context, options) : axe.run(options))"
        ".then(r => r.violations)", [context, OPTIONS])


def blocking(found: list[dict], where: str) -> list[str]:
    """Readable lines for the serious and critical violations."""
    lines = []
    for v in found:
        if v.get("impact") in BLOCKING:
            targets = [" ".join(map(str, n["target"])) for n in v["nodes"]]
            lines.append(f"[{where}] axe {v['id']} ({v['impact']}): {v['help']}; {targets}")
    return lines
