"""The gallery for designers: the filterable index, a story's viewer with its toolbar in the
query string, real CSS-pixel frames, the arguments table, and the theme of the bare page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from components.stories import discover
from tests.e2e.support import a11y

STORIES = discover()
COMPONENTS = {s.component for s in STORIES}


def test_the_index_lists_every_component_and_filters(desktop_page: Page) -> None:
    page = desktop_page
    page.goto("/gallery")
    expect(page.get_by_role("heading", level=1)).to_have_text("Komponentgalleri")
    expect(page.locator("#gallery-count")).to_have_text(
        re.compile(rf"^{len(STORIES)} berättelser om {len(COMPONENTS)} "))
    expect(page.get_by_role("heading", level=2, name="bankid-panel")).to_be_visible()
    page.get_by_label("Filtrera").fill("klar")  # "Klart!" is the done card's title
    expect(page.get_by_role("heading", level=2, name="done-card")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="bankid-panel")).to_have_count(0)
    assert a11y.blocking(a11y.violations(page), "gallery index") == []


def test_the_viewer_keeps_every_choice_in_the_url(desktop_page: Page) -> None:
    page = desktop_page
    # The view loads frames: wait for the page itself, not for every frame (slow machines).
    page.goto("/gallery/code-field/expired?viewport=desktop&theme=light&lang=sv",
              wait_until="domcontentloaded")
    expect(page.get_by_role("heading", level=1)).to_have_text("code-field · expired")
    expect(page).to_have_title("code-field · expired · Gallery")
    page.get_by_label("Skärm").select_option("all")
    expect(page).to_have_url(re.compile(r"viewport=all&theme=light&lang=sv$"))
    expect(page.locator("iframe")).to_have_count(3)  # the new view is on screen
    expect(page.get_by_label("Skärm")).to_have_value("all")
    page.get_by_label("Tema").select_option("both")
    expect(page).to_have_url(re.compile(r"viewport=all&theme=both&lang=sv$"))
    frames = page.locator("iframe")
    expect(frames).to_have_count(6)  # three viewports x two themes
    sizes = {(round(b["width"]), round(b["height"])) for b in
             (frames.nth(i).bounding_box() for i in range(6))}
    assert sizes == {(1280, 800), (390, 844), (412, 915)}
    dark = page.frame_locator("[data-testid=frame-iphone13-dark]")
    expect(dark.get_by_test_id("story-root")).to_be_visible()
    assert page.frame_locator("[data-testid=frame-iphone13-dark]").locator("html").get_attribute(
        "data-theme") == "dark"
    # A pasted link shows the same view (a design review).
    page.goto("/gallery/code-field/expired?viewport=pixel7&theme=dark&lang=en",
              wait_until="domcontentloaded")
    expect(page.locator("iframe")).to_have_count(1)
    expect(page.get_by_test_id("frame-pixel7-dark")).to_have_attribute(
        "src", "/gallery/raw/en/code-field/expired?theme=dark")
    expect(page.get_by_role("cell", name='"code.expired"')).to_be_visible()  # the args table


def test_a_bare_page_follows_theme_and_language_from_its_url(desktop_page: Page) -> None:
    page = desktop_page
    page.goto("/gallery/raw/en/button/primary-default?theme=dark")
    expect(page.get_by_test_id("story-hydrated")).to_be_attached()
    html = page.locator("html")
    expect(html).to_have_attribute("data-theme", "dark")
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_title("button · primary-default · Gallery")
    expect(page.get_by_role("button", name="Continue")).to_be_visible()
    background = page.get_by_role("button", name="Continue").evaluate(
        "b => getComputedStyle(b).backgroundColor")
    assert background == "rgb(92, 207, 152)"  # DARK["brand"] #5ccf98


def test_an_unknown_story_says_so(desktop_page: Page) -> None:
    # A dynamic route per component serves its stories, and a catch-all the components that do
    # not exist: a key that is not in the registry renders no story on either.
    page = desktop_page
    for path in ("/gallery/raw/sv/button/no-such-story", "/gallery/raw/sv/no-such-part/default"):
        page.goto(f"{path}?theme=light")
        expect(page.get_by_test_id("story-missing")).to_have_text("Ingen sådan berättelse")
        expect(page.get_by_test_id("story-root")).to_have_count(0)
        expect(page.get_by_test_id("story-hydrated")).to_have_count(0)
    page.goto("/gallery/button/no-such-story?viewport=all&theme=both&lang=sv",
              wait_until="domcontentloaded")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ingen sådan berättelse")
    expect(page.locator("iframe")).to_have_count(0)
    expect(page.get_by_label("Skärm")).to_have_count(0)


def test_the_theme_switch_follows_the_system_then_the_person(browser, app_url: str) -> None:
    context = browser.new_context(base_url=app_url, color_scheme="dark")
    page = context.new_page()
    page.goto("/")
    html = page.locator("html")
    expect(html).to_have_attribute("data-theme", "dark")  # the system setting
    page.get_by_role("button", name="Ljust läge").click()
    expect(html).to_have_attribute("data-theme", "light")
    expect(page.get_by_role("button", name="Mörkt läge")).to_be_visible()
    page.reload()
    expect(html).to_have_attribute("data-theme", "light")  # the choice is kept
    context.close()
