"""One opened letter: the PDF in the browser's own viewer, a download link, the plain-text body
(escaped: Reflex renders it as text, never as HTML), "Markera som oläst", "Flytta till
papperskorgen", and the lock of a sensitive letter.

The PDF frame has no `sandbox` attribute on purpose: Chromium refuses to run its PDF viewer in
a sandboxed iframe. The document itself is sandboxed instead, by the route's
`Content-Security-Policy: sandbox` header (docs/mailbox.md, "Documents").
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from components import theme
from components._util import drop_none, when
from components.forms import primary_button, secondary_button


def sensitive_lock(*, on_unlock: Any, texts: Any, busy: Any = False) -> rx.Component:
    return rx.el.div(
        rx.el.p(texts["letter.sensitive_explain"]),
        rx.el.div(primary_button(texts["letter.sensitive_open"], type="button",
                                 on_click=on_unlock, disabled=busy, id="sensitive-open"),
                  style={"max_width": "20rem"}),
        style={"display": "flex", "flex_direction": "column", "gap": theme.SPACE["md"],
               "padding": theme.SPACE["md"], "background": theme.INFO_TINT,
               "border_radius": theme.RADIUS["md"]},
        id="sensitive-lock",
    )


def pdf_frame(src: Any, *, title: Any, download_href: Any, download_text: Any) -> rx.Component:
    return rx.el.div(
        rx.el.iframe(src=src, title=title, id="letter-pdf",
                     style={"width": "100%", "height": ["70vh", "80vh"], "border": f"1px solid {theme.DIVIDER}",
                            "border_radius": theme.RADIUS["md"], "background": theme.PAGE_BG}),
        # reloadDocument: a real request to the HTTP route, not a client-side route change.
        rx.el.a(download_text, href=download_href, id="letter-download",
                custom_attrs={"reloadDocument": True, "download": ""},
                style={**theme.LINK, "margin_top": theme.SPACE["sm"]}),
        style={"display": "flex", "flex_direction": "column"},
    )


def letter_reader(*, sender: Any, subject: Any, date: Any, body: Any, texts: Any,
                  on_back: Any, on_mark_unread: Any = None, on_trash: Any = None,
                  pdf_src: Any = "", download_href: Any = "", locked: Any = False,
                  on_unlock: Any = None, unlock_busy: Any = False, extra: Any = None,
                  in_trash: Any = False, on_restore: Any = None) -> rx.Component:
    """`pdf_src`/`download_href` empty: no PDF part (a plain-text letter). `locked`: a sensitive
    letter not yet opened with BankID (only sender and date show). `extra`: the invoice panel."""
    actions = rx.el.div(
        *drop_none(
            on_mark_unread is not None and secondary_button(
                texts["mbx.mark_unread"], on_click=on_mark_unread, id="mark-unread") or None,
            on_trash is not None and rx.cond(
                in_trash,
                secondary_button(texts["mbx.restore"], on_click=on_restore, id="restore"),
                secondary_button(texts["mbx.move_to_trash"], on_click=on_trash, id="trash"),
            ) or None,
        ),
        style={"display": "grid", "grid_template_columns": ["1fr", "1fr 1fr"],
               "gap": theme.SPACE["sm"]},
    )
    content = rx.el.div(
        *drop_none(
            extra,
            when(pdf_src, pdf_frame(pdf_src, title=texts["letter.pdf_title"],
                                    download_href=download_href,
                                    download_text=texts["letter.download"])),
            when(body, rx.el.div(body, style={"white_space": "pre-wrap"}, id="letter-body")),
        ),
        style={"display": "flex", "flex_direction": "column", "gap": theme.SPACE["md"]},
    )
    return rx.el.article(
        rx.el.div(
            rx.el.button("← ", texts["mailbox.back"], type="button", on_click=on_back,
                         style=theme.TEXT_BUTTON, id="letter-back"),
            rx.el.h2(subject, id="letter-subject"),
            rx.el.p(
                rx.el.span(texts["mailbox.from"], ": ", rx.el.strong(sender)),
                rx.el.br(),
                rx.el.span(texts["mailbox.received"], ": ", date),
                style={"color": theme.INK_MUTED, "font_size": theme.FONT_SIZE["sm"]},
            ),
            rx.cond(locked, sensitive_lock(on_unlock=on_unlock, texts=texts, busy=unlock_busy)
                    if on_unlock is not None else rx.el.p(texts["letter.sensitive_explain"],
                                                          id="sensitive-lock"), content),
            actions,
            style={"display": "flex", "flex_direction": "column", "gap": theme.STACK_GAP},
        ),
        aria_labelledby="letter-subject",
        id="letter",
        style=theme.CARD,
    )
