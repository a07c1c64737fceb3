""""Avsändare": every sender that has delivered to the person, each with a "Ta emot digitalt"
switch (a button with role="switch" and aria-checked; its name includes the sender's).

`senders`: [{id, name, enabled, note}], `note` e.g. "Avstängd. Från 2026-12-11 skickar …".
`on_toggle(sender_id)` flips one.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from components import theme


def sender_switch(sender: Any, *, on_toggle: Any, texts: Any) -> rx.Component:
    on = sender["enabled"].to(bool)
    sid = sender["id"].to_string()
    return rx.el.li(
        rx.el.div(
            rx.el.span(sender["name"], id="sender-name-" + sid,
                       style={"font_weight": theme.WEIGHT_BOLD}),
            rx.cond(sender["note"] != "", rx.el.span(sender["note"], id="sender-note-" + sid,
                                                     style={"color": theme.INK_MUTED,
                                                            "font_size": theme.FONT_SIZE["sm"]})),
            style={"display": "flex", "flex_direction": "column", "flex": "1"},
        ),
        rx.el.button(
            rx.el.span(texts["senders.switch"], id="sender-switch-label-" + sid),
            rx.el.span(
                rx.el.span(style={
                    "position": "absolute", "top": "3px", "left": rx.cond(on, "23px", "3px"),
                    "width": "20px", "height": "20px", "border_radius": "50%",
                    "background": rx.cond(on, theme.ON_BRAND, theme.BORDER),
                    "transition": "left 0.15s"}),
                aria_hidden="true",
                style={"position": "relative", "display": "inline-block", "width": "48px",
                       "height": "28px", "border_radius": theme.RADIUS["pill"],
                       "border": f"2px solid {theme.BORDER}",
                       "background": rx.cond(on, theme.BRAND, theme.SURFACE),
                       "flex_shrink": "0"},
            ),
            type="button", role="switch", aria_checked=rx.cond(on, "true", "false"),
            aria_labelledby="sender-switch-label-" + sid + " sender-name-" + sid,
            on_click=on_toggle(sender["id"]),
            id="sender-switch-" + sid,
            class_name="sender-switch",
            style={"display": "inline-flex", "align_items": "center", "gap": theme.SPACE["sm"],
                   "min_height": theme.MIN_TARGET, "padding": f"0 {theme.SPACE['sm']}",
                   "background": "transparent", "border": "none", "font": "inherit",
                   "color": theme.INK, "cursor": "pointer",
                   "&:focus-visible": theme.FOCUS_RING},
        ),
        style={"list_style": "none", "margin": "0", "display": "flex", "flex_wrap": "wrap",
               "align_items": "center", "gap": theme.SPACE["md"],
               "padding": f"{theme.SPACE['sm']} 0", "border_bottom": f"1px solid {theme.DIVIDER}"},
    )


def senders_list(senders: Any, *, intro: Any, on_toggle: Any, texts: Any) -> rx.Component:
    return rx.el.section(
        rx.el.h1(texts["senders.heading"], id="senders-heading"),
        rx.el.p(intro, style={"margin": f"{theme.SPACE['sm']} 0 {theme.SPACE['md']}"}),
        rx.cond(
            senders.length() > 0,  # type: ignore[union-attr]
            rx.el.ul(rx.foreach(senders, lambda s: sender_switch(s, on_toggle=on_toggle,
                                                                 texts=texts)),
                     style={"padding": "0", "margin": "0",
                            "border_top": f"1px solid {theme.DIVIDER}"}),
            rx.el.p(texts["senders.empty"]),
        ),
        aria_labelledby="senders-heading",
        style=theme.CARD,
    )
