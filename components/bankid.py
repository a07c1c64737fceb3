"""The BankID QR panel: the animated QR image, the guide's three steps, the RFA text."""

from __future__ import annotations

from typing import Any

import reflex as rx

from components import theme
from components._util import pick, when


def qr_panel(src: Any, *, alt: Any, loading_text: Any, steps: list[Any] | None = None) -> rx.Component:
    """The QR image (a data URI refreshed every second; swapping `src` does not flash), with
    a fixed-size box so nothing jumps while the first frame loads."""
    image = rx.el.img(
        src=src,
        alt=alt,
        width=240,
        height=240,
        id="bankid-qr",
        style={"width": theme.QR_SIZE, "height": theme.QR_SIZE, "display": "block",
               "image_rendering": "pixelated"},
    )
    placeholder = rx.el.p(loading_text, style={"color": theme.INK_MUTED, "margin": "0"})
    box = rx.el.div(
        pick(src != "", image, placeholder) if isinstance(src, rx.Var) else pick(src, image, placeholder),
        style={"width": theme.QR_SIZE, "height": theme.QR_SIZE, "display": "flex",
               "align_items": "center", "justify_content": "center", "background": theme.SURFACE,
               "border": f"1px solid {theme.DIVIDER}", "border_radius": theme.RADIUS["md"],
               "margin": "0 auto", "padding": "0", "overflow": "hidden"},
    )
    return rx.el.div(
        when(bool(steps), rx.el.ol(*[rx.el.li(s) for s in (steps or [])])),
        box,
        id="bankid-qr-panel",
        style={"display": "flex", "flex_direction": "column", "gap": theme.STACK_GAP},
    )
