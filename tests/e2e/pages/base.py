"""What every page object shares: the page, the language and the catalogue lookup."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page

from kivra_app.i18n import t


class PageObject:
    path = "/"

    def __init__(self, page: Page, lang: str = "sv") -> None:
        self.page = page
        self.lang = lang

    def text(self, key: str, **params: object) -> str:
        """The catalogue text the screen shows for `key` in this object's language."""
        return t(self.lang, key, **params)

    def open(self) -> PageObject:
        self.page.goto(self.path)
        return self

    # The header on every page
    @property
    def heading(self) -> Locator:
        return self.page.get_by_role("heading", level=1)

    @property
    def language_switch(self) -> Locator:
        return self.page.get_by_role("button", name=self.text("lang.other"))

    @property
    def theme_switch(self) -> Locator:
        return self.page.locator("#theme-switch")

    @property
    def login_link(self) -> Locator:
        return self.page.get_by_role("link", name=self.text("nav.login"))

    @property
    def help_link(self) -> Locator:
        return self.page.get_by_role("link", name=self.text("nav.help"))

    def switch_language(self) -> PageObject:
        self.language_switch.click()
        self.lang = "en" if self.lang == "sv" else "sv"
        return self

    def progress_text(self, step: int, total: int = 7) -> re.Pattern[str]:
        return re.compile(re.escape(self.text("progress.label", n=step, total=total)))
