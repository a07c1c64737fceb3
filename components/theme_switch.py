"""The light/dark switch: the page follows the system setting until the person picks one.

Purely client-side (THEME_HEAD_JS keeps the choice in localStorage), so it needs no state and
no server round trip. Its label says what it does: "Mörkt läge" while light, "Ljust läge" while
dark; the hidden label is display:none, so the accessible name follows too.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from components import theme

TOGGLE_SCRIPT = "window.kivraToggleTheme && window.kivraToggleTheme()"


def theme_switch(texts: Any, *, id: str = "theme-switch") -> rx.Component:
    """`texts`: a mapping with theme.to_dark and theme.to_light."""
    return rx.el.button(
        rx.el.span(texts["theme.to_dark"], class_name=theme.WHEN_LIGHT),
        rx.el.span(texts["theme.to_light"], class_name=theme.WHEN_DARK),
        type="button",
        on_click=rx.call_script(TOGGLE_SCRIPT),
        id=id,
        style=theme.TEXT_BUTTON,
    )
