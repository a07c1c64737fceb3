"""The BankID QR panel: the animated QR (drawn in the browser), the guide's steps, the RFA text.

The server sends only the frame text (`bankid.<token>.<seconds>.<hmac>`, ~110 bytes) once a
second; the browser draws it with the npm package qrcode.react (an SVG, so swapping frames does
not flash). Values in, nothing else: a designer can render it with any string.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from components import theme
from components._util import pick, when

QR_PIXELS = 240
QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks (scanners need it)


class QrCodeSvg(rx.NoSSRComponent):
    """qrcode.react's <QRCodeSVG value=… />, loaded when a QR is first drawn: a chunk of its
    own, not in the first load of the pages that may show one (/signup, /login; issue #11's
    first-load bytes). The QR box keeps its size meanwhile (qr_panel), so nothing moves."""

    library = "qrcode.react@4.2.0"
    tag = "QRCodeSVG"

    value: rx.Var[str]
    size: rx.Var[int]
    level: rx.Var[str]
    margin_size: rx.Var[int]
    bg_color: rx.Var[str]
    fg_color: rx.Var[str]


def qr_code(value: Any, *, size: int = QR_PIXELS) -> rx.Component:
    """The QR of `value`, black on white with its quiet zone, error correction L (BankID's
    frames are short; L gives the largest modules)."""
    # aria-hidden: the wrapper (role=img + aria-label in qr_panel) names the image; the inner
    # <svg role="img"> had no name of its own (axe svg-img-alt, serious; found by the gallery).
    return QrCodeSvg.create(value=value, size=size, level="L", margin_size=QUIET_ZONE,
                            bg_color="#ffffff", fg_color="#000000",
                            custom_attrs={"aria-hidden": "true"})


def qr_panel(frame: Any, *, alt: Any, loading_text: Any,
             steps: list[Any] | None = None) -> rx.Component:
    """The QR of the current frame text (empty: a loading text), with a fixed-size box so
    nothing jumps while the first frame arrives. `alt` names the image for screen readers."""
    image = rx.el.div(
        qr_code(frame),
        role="img",
        aria_label=alt,
        id="bankid-qr",
        style={"width": theme.QR_SIZE, "height": theme.QR_SIZE, "display": "block",
               "line_height": "0", "& svg": {"width": "100%", "height": "100%"}},
    )
    placeholder = rx.el.p(loading_text, style={"color": theme.INK_MUTED, "margin": "0"})
    box = rx.el.div(
        pick(frame != "", image, placeholder) if isinstance(frame, rx.Var)
        else pick(frame, image, placeholder),
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
