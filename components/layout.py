"""The page shell: header (logo, language switch, help link), a centred column, one <main>."""

from __future__ import annotations

from typing import Any

import reflex as rx

from components import theme
from components._util import drop_none
from components.theme_switch import theme_switch

HELP_ROUTE = "/hjalp"
LOGIN_ROUTE = "/login"


def language_switch(texts: Any, on_switch: Any) -> rx.Component:
    """'In English' / 'På svenska': named in the language it switches to (and marked so)."""
    return rx.el.button(
        texts["lang.other"],
        type="button",
        lang=texts["lang.other_code"],
        on_click=on_switch,
        id="lang-switch",
        style=theme.TEXT_BUTTON,
    )


def _header(texts: Any, on_switch_lang: Any, help_href: str, width: str,
            login_href: str | None) -> rx.Component:
    return rx.el.header(
        rx.el.div(
            rx.el.a(
                texts["app.name"],
                href="/",
                aria_label=texts["nav.home"],
                style={
                    **theme.LINK,
                    "font_size": theme.FONT_SIZE["xl"],
                    "font_weight": "800",
                    "letter_spacing": "-0.02em",
                    "text_decoration": "none",
                    "color": theme.BRAND_DARK,
                },
            ),
            rx.el.nav(
                *drop_none(
                    language_switch(texts, on_switch_lang),
                    theme_switch(texts),
                    # A returning person logs in from every page (not from the mailbox's own
                    # pages: there the person is logged in and the page offers "Logga ut").
                    rx.el.a(texts["nav.login"], href=login_href, id="login-link",
                            style=theme.LINK) if login_href else None,
                # Same place on every page and step (WCAG 3.2.6 Consistent Help).
                    rx.el.a(texts["nav.help"], href=help_href, id="help-link", style=theme.LINK),
                ),
                aria_label=texts["lang.label"],
                style={"display": "flex", "gap": theme.SPACE["md"], "align_items": "center",
                       "flex_wrap": "wrap", "justify_content": "flex-end"},
            ),
            style={
                "display": "flex",
                "align_items": "center",
                "justify_content": "space-between",
                "gap": theme.SPACE["md"],
                "max_width": width,
                "margin": "0 auto",
                "padding": f"{theme.SPACE['sm']} {theme.SPACE['md']}",
            },
        ),
        style={"background": theme.SURFACE, "border_bottom": f"1px solid {theme.DIVIDER}"},
    )


def page_shell(
    *children: Any,
    texts: Any,
    on_switch_lang: Any,
    help_href: str = HELP_ROUTE,
    login_href: str | None = LOGIN_ROUTE,
    width: str = theme.COLUMN_WIDTH,
    extra: Any = None,
) -> rx.Component:
    """A whole page: a skip link, the header and a centred column (~480 px; full width on a phone).

    `texts` is a mapping (a Var of the catalogue or a plain dict) with the nav.* and lang.* keys
    (nav.login: the "Logga in" link of every page, to `login_href`; None leaves it out, for
    pages of someone logged in).
    `on_switch_lang` is the event for the language button. `extra` is rendered after <main>
    (e.g. window listeners).
    """
    return rx.el.div(
        *drop_none(
            rx.el.a(
                texts["nav.skip"],
                href="#main",
                style={
                    **theme.LINK,
                    "position": "absolute",
                    "left": "-9999px",
                    "&:focus": {"left": theme.SPACE["md"], "top": theme.SPACE["sm"],
                                "background": theme.SURFACE, "padding": theme.SPACE["sm"],
                                "z_index": "10"},
                },
            ),
            _header(texts, on_switch_lang, help_href, width, login_href),
            rx.el.main(
                *children,
                id="main",
                tab_index=-1,
                style={
                    "max_width": width,
                    "margin": "0 auto",
                    "padding": [
                        f"{theme.SPACE['lg']} {theme.SPACE['md']} {theme.SPACE['xxl']}",
                        f"{theme.SPACE['xl']} {theme.SPACE['md']} {theme.SPACE['xxl']}",
                    ],
                    "&:focus": {"outline": "none"},
                },
            ),
            extra,
        ),
        style=theme.SHELL_RULES,
    )


def card(*children: Any, **props: Any) -> rx.Component:
    style = {**theme.CARD, **props.pop("style", {})}
    return rx.el.section(*children, style=style, **props)


def stack(*children: Any, gap: str = theme.STACK_GAP, **props: Any) -> rx.Component:
    style = {"display": "flex", "flex_direction": "column", "gap": gap, **props.pop("style", {})}
    return rx.el.div(*drop_none(*children), style=style, **props)
