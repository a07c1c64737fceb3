"""Every gallery story, on a computer and an iPhone 13, light and dark, Swedish and English:

- axe-core (WCAG 2.x A/AA tags, scoped to the story): 0 serious or critical violations;
- in Swedish, a screenshot of the story compared with its committed baseline
  (tests/e2e/support/visual.py);
- interactive stories (desktop): Tab reaches every control in DOM order with a visible focus
  ring, and every control is at least 24x24 CSS px (WCAG 2.5.8);
- every story (iPhone): reflows at 320 CSS px without horizontal scrolling (WCAG 1.4.10);
- no browser error (pageerror / console error) while the story is shown.

One browser context per viewport, navigating story to story; the theme is switched in place
(the head script's data-theme attribute), so each story and language costs one page load.
Every problem of a story is collected before it fails, so one run lists them all.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright

from components.stories import Story, discover
from state.gallery import raw_path
from tests.e2e.support import a11y, visual

STORIES = discover()
LANGS = ("sv", "en")
THEMES = ("light", "dark")
# Screenshots in Swedish only (the default): the English texts are checked by axe and by the
# same components' layout; a shot per language would double the baselines (~6 MB) for little.
VISUAL_LANGS = ("sv",)
FOCUSABLE = ("a[href], button:not([disabled]), iframe, input:not([disabled]):not([type=hidden]), "
             "select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])")


def _device(playwright: Playwright, name: str) -> dict:
    if name == "desktop":
        return {"viewport": {"width": 1280, "height": 800}}
    device = playwright.devices["iPhone 13"]
    return {k: v for k, v in device.items() if k != "default_browser_type"}


@pytest.fixture(scope="module", params=["desktop", "iphone13"])
def viewport(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def story_context(browser: Browser, playwright: Playwright, app_url: str,
                  viewport: str) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=app_url, locale="sv-SE", reduced_motion="reduce",
                                  timezone_id="Europe/Stockholm", **_device(playwright, viewport))
    context.set_default_timeout(15_000)
    a11y.install(context)
    yield context
    context.close()


@pytest.fixture(scope="module")
def story_page(story_context: BrowserContext) -> Iterator[Page]:
    page = story_context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.errors.append(f"pageerror: {e}"))  # type: ignore[attr-defined]
    page.on("console", lambda m: page.errors.append(f"console: {m.text}")  # type: ignore[attr-defined]
            if m.type == "error" else None)
    yield page
    page.close()


@pytest.fixture(scope="session")
def visual_env(browser: Browser, request) -> str | None:
    """Why screenshots can't be compared here (None: they can)."""
    from tests.e2e.conftest import CHROMIUM_ARGS

    current = {"chromium": browser.version, "args": CHROMIUM_ARGS}
    if request.config.getoption("--update-visual"):
        visual.write_env(current)
        return None
    return visual.env_mismatch(current)


def _open(page: Page, story: Story, lang: str) -> None:
    page.goto(f"{raw_path(lang, story.key)}?theme=light")
    page.get_by_test_id("story-hydrated").wait_for(state="attached")
    page.evaluate("document.fonts.ready.then(() => true)")
    # The QR library is a chunk of its own, loaded when a QR is first drawn (components/bankid.py).
    page.wait_for_function("() => [...document.querySelectorAll('#bankid-qr')]"
                           ".every(box => box.querySelector('svg'))")


def _set_theme(page: Page, theme: str) -> None:
    page.evaluate("t => document.documentElement.setAttribute('data-theme', t)", theme)


def _axe_problems(page: Page, where: str) -> list[str]:
    return a11y.blocking(a11y.violations(page, "[data-testid=story-root]"), where)


def _shot(page: Page, story: Story) -> bytes:
    root = page.get_by_test_id("story-root")
    return root.screenshot(animations="disabled", caret="hide", scale="css",
                           mask=[page.locator(sel) for sel in story.mask])


# The Tab stops a person meets: one per radio group (its checked radio, else its first).
EXPECTED_STOPS_JS = """sel => Array.from(document.querySelectorAll('[data-testid=story-root] ' + sel))
  .filter(e => e.offsetParent !== null)
  .filter(e => {
    if (e.type !== 'radio' || !e.name) return true;
    const group = Array.from(document.querySelectorAll('input[type=radio]'))
      .filter(r => r.name === e.name && (r.form === e.form));
    return e === (group.find(r => r.checked) || group[0]);
  })
  .map(e => e.outerHTML.slice(0, 80))"""
FOCUSED_JS = """() => { const e = document.activeElement, s = getComputedStyle(e);
  return {html: e.outerHTML.slice(0, 80), outline: s.outlineStyle,
          width: parseFloat(s.outlineWidth),
          parts: e.matches('input[type=date], input[type=time], input[type=datetime-local]')}; }"""
# Start from the top even when the story autofocuses a field (blur() alone would leave
# Chromium's sequential-focus starting point at that field).
START_JS = """() => { if (document.activeElement) document.activeElement.blur();
  const s = document.createElement('span'); s.tabIndex = -1; s.id = 'keyboard-start';
  s.style.position = 'absolute'; document.body.prepend(s); s.focus(); }"""


def _keyboard_problems(page: Page, where: str) -> list[str]:
    """Tab from the top: focus visits the controls in DOM order, each with a visible ring."""
    expected = page.evaluate(EXPECTED_STOPS_JS, FOCUSABLE)
    page.evaluate(START_JS)
    problems = []
    try:
        previous: dict | None = None
        for i, html in enumerate(expected):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED_JS)
            # A date field is one element with a Tab stop per part (year, month, day).
            for _ in range(4):
                if not (previous and previous["parts"] and focused["html"] == previous["html"]):
                    break
                page.keyboard.press("Tab")
                focused = page.evaluate(FOCUSED_JS)
            if focused["html"] != html:
                problems.append(f"[{where}] Tab {i + 1} focused {focused['html']!r}, "
                                f"expected {html!r}")
                break
            previous = focused
            # A frame is a tab stop, but its focus is drawn by its own document (the PDF
            # viewer), and Chromium matches neither :focus nor :focus-within on the <iframe>.
            if html.startswith("<iframe"):
                continue
            if focused["outline"] == "none" or focused["width"] < 2:
                problems.append(f"[{where}] no visible focus ring on {html!r}")
    finally:
        page.evaluate("() => document.getElementById('keyboard-start')?.remove()")
    return problems


def _target_problems(page: Page, where: str) -> list[str]:
    small = page.evaluate(
        "sel => Array.from(document.querySelectorAll('[data-testid=story-root] ' + sel))"
        ".filter(e => e.offsetParent !== null).map(e => [e.outerHTML.slice(0, 60),"
        " e.getBoundingClientRect().width, e.getBoundingClientRect().height])"
        ".filter(([, w, h]) => w < 24 || h < 24)", FOCUSABLE)
    return [f"[{where}] target {w:.0f}x{h:.0f} px < 24 px: {html!r}" for html, w, h in small]


def _reflow_problems(page: Page, where: str) -> list[str]:
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        widths = page.evaluate("[document.documentElement.scrollWidth, "
                               "document.querySelector('[data-testid=story-root]').scrollWidth]")
    finally:
        page.set_viewport_size(size)
    if max(widths) > 320:
        return [f"[{where}] scrolls sideways at 320 px (scrollWidth {widths})"]
    return []


@pytest.mark.parametrize("story", STORIES, ids=[s.key for s in STORIES])
def test_story(story: Story, story_page: Page, viewport: str, visual_env: str | None,
               request) -> None:
    update = request.config.getoption("--update-visual")
    page = story_page
    page.errors.clear()  # type: ignore[attr-defined]
    problems: list[str] = []
    mismatches: list[visual.Mismatch] = []
    for lang in LANGS:
        _open(page, story, lang)
        if lang == "sv":
            if viewport == "desktop" and story.interactive:
                problems += _keyboard_problems(page, f"{viewport} sv")
                problems += _target_problems(page, f"{viewport} sv")
            if viewport == "iphone13":
                problems += _reflow_problems(page, f"{viewport} sv")
        for theme in THEMES:
            _set_theme(page, theme)
            where = f"{viewport} {theme} {lang}"
            problems += _axe_problems(page, where)
            if visual_env is None and lang in VISUAL_LANGS:
                name = f"{story.key}/{viewport}-{theme}-{lang}"
                if (m := visual.check(name, _shot(page, story), update=update)) is not None:
                    mismatches.append(m)
    problems += page.errors  # type: ignore[attr-defined]
    problems += [f"visual {m.name}: {m.reason} (see test-results/visual/{m.name}/)"
                 for m in mismatches]
    assert not problems, f"{story.key}: {len(problems)} problem(s):\n" + "\n".join(problems)
    if visual_env is not None:
        pytest.skip(f"accessibility checked; screenshots not compared: {visual_env}")

