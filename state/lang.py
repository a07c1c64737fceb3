"""The current language and its catalogue texts (the only texts the browser gets in bulk)."""

from __future__ import annotations

import json

import reflex as rx

from kivra_app.i18n import DEFAULT_LANGUAGE, LANGUAGES, page_titles, texts_for


def set_html_lang(lang: str) -> rx.event.EventSpec:
    """Keep <html lang> and the page title in step with the language on screen (WCAG 3.1.1,
    2.4.2)."""
    titles = json.dumps(page_titles(lang))
    return rx.call_script(
        f"document.documentElement.lang={json.dumps(lang)};"
        f"var t={titles}[location.pathname.replace(/\\/$/, '') || '/'];"
        "if (t) { document.title = t; }"
    )


class LangState(rx.State):
    lang: str = DEFAULT_LANGUAGE

    @rx.var
    def texts(self) -> dict[str, str]:
        return texts_for(self.lang)

    @rx.event
    def set_language(self, lang: str):
        """The language switch on pages without a signup (start, help, mailbox)."""
        if not isinstance(lang, str) or lang not in LANGUAGES:
            return None
        self.lang = lang
        return set_html_lang(lang)

    @rx.event
    def apply(self):
        """on_load of every page: <html lang> follows the state (a reload resets it to sv)."""
        return set_html_lang(self.lang if self.lang in LANGUAGES else DEFAULT_LANGUAGE)
