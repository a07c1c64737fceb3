"""The inbox list and one opened letter. Letter bodies are plain text, never raw HTML (R-44)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from components import theme
from components.layout import stack


def _row(letter: Any, on_open: Any, texts: Any) -> rx.Component:
    unread = ~letter["read"].to(bool)
    return rx.el.li(
        rx.el.button(
            rx.el.span(
                rx.el.span(letter["sender"], style={"font_weight": theme.WEIGHT_BOLD}),
                rx.el.span(letter["date"], style={"color": theme.INK_MUTED,
                                                  "font_size": theme.FONT_SIZE["sm"]}),
                style={"display": "flex", "justify_content": "space-between", "gap": theme.SPACE["sm"],
                       "flex_wrap": "wrap"},
            ),
            rx.el.span(
                rx.cond(
                    unread,
                    rx.el.span(texts["mailbox.unread"] + ": ",
                               style={"color": theme.BRAND_DARK, "font_weight": theme.WEIGHT_BOLD}),
                ),
                letter["subject"],
                style={"display": "block", "font_weight": rx.cond(unread, theme.WEIGHT_BOLD, "400")},
            ),
            type="button",
            on_click=on_open(letter["id"]),
            style={
                "display": "block", "width": "100%", "text_align": "left",
                "padding": f"{theme.SPACE['md']} {theme.SPACE['md']}",
                "min_height": theme.MIN_TARGET, "background": rx.cond(unread, theme.BRAND_TINT, theme.SURFACE),
                "border": "none", "border_bottom": f"1px solid {theme.DIVIDER}", "color": theme.INK,
                "font": "inherit", "cursor": "pointer",
                "&:hover": {"background": theme.INFO_TINT},
                "&:focus-visible": {**theme.FOCUS_RING, "outline_offset": "-3px"},
            },
        ),
        style={"list_style": "none", "margin": "0"},
    )


def letter_list(letters: Any, *, on_open: Any, texts: Any) -> rx.Component:
    """`letters`: a list of {id, sender, subject, date, read}. `on_open(letter_id)` opens one."""
    return rx.el.section(
        rx.el.h2(texts["mailbox.inbox"], id="inbox-heading",
                 style={"margin": f"0 0 {theme.SPACE['md']}"}),
        rx.cond(
            letters.length() > 0,  # type: ignore[union-attr]
            rx.el.ul(
                rx.foreach(letters, lambda letter: _row(letter, on_open, texts)),
                style={"padding": "0", "margin": "0", "border_top": f"1px solid {theme.DIVIDER}"},
            ),
            rx.el.p(texts["mailbox.empty"]),
        ),
        aria_labelledby="inbox-heading",
        style=theme.CARD,
    )


def letter_view(*, sender: Any, subject: Any, date: Any, body: Any, on_back: Any,
                texts: Any) -> rx.Component:
    return rx.el.article(stack(
        rx.el.button(
            "← ", texts["mailbox.back"], type="button", on_click=on_back, style=theme.TEXT_BUTTON,
            id="letter-back",
        ),
        rx.el.h2(subject, id="letter-subject"),
        rx.el.p(
            rx.el.span(texts["mailbox.from"], ": ", rx.el.strong(sender)),
            rx.el.br(),
            rx.el.span(texts["mailbox.received"], ": ", date),
            style={"color": theme.INK_MUTED, "font_size": theme.FONT_SIZE["sm"]},
        ),
        rx.el.div(body, style={"white_space": "pre-wrap"},
                  id="letter-body"),
        ), aria_labelledby="letter-subject",
        style=theme.CARD,
    )
