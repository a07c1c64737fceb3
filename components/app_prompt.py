"""'Vi rekommenderar att du installerar Kivra-appen': App Store on an iPhone, Google Play on
Android, both (with QR codes to the store pages) on a computer. Dismissible."""

from __future__ import annotations

from typing import Any

import reflex as rx

from components import theme
from components.forms import link_button, text_button
from components.layout import stack
from kivra_app.app_links import APP_STORE_URL, GOOGLE_PLAY_URL


def _store_qr(src: Any, alt: Any, caption: Any) -> rx.Component:
    return rx.el.figure(
        rx.el.img(src=src, alt=alt, width=132, height=132,
                  style={"width": theme.APP_QR_SIZE, "height": theme.APP_QR_SIZE,
                         "display": "block", "margin": "0 auto"}),
        rx.el.figcaption(caption, style={"font_size": theme.FONT_SIZE["sm"], "text_align": "center"}),
        style={"margin": "0"},
    )


def app_prompt(
    *,
    texts: Any,
    platform: Any,
    on_dismiss: Any,
    qr_app_store: Any = "",
    qr_google_play: Any = "",
) -> rx.Component:
    """`platform` is "ios", "android" or "desktop" (decided on the server from the User-Agent)."""
    app_store = link_button(texts["app.app_store"], APP_STORE_URL, id="app-store-link",
                            rel="noopener", target="_blank")
    google_play = link_button(texts["app.google_play"], GOOGLE_PLAY_URL, id="google-play-link",
                              rel="noopener", target="_blank")
    desktop = stack(
        rx.el.p(texts["app.scan"]),
        rx.el.div(
            _store_qr(qr_app_store, texts["app.qr_app_store"], "App Store"),
            _store_qr(qr_google_play, texts["app.qr_google_play"], "Google Play"),
            style={"display": "flex", "gap": theme.SPACE["lg"], "justify_content": "center",
                   "flex_wrap": "wrap"},
        ),
        rx.el.div(
            app_store, google_play,
            style={"display": "flex", "flex_direction": "column", "gap": theme.SPACE["sm"]},
        ),
    )
    buttons = rx.match(
        platform,
        ("ios", app_store),
        ("android", google_play),
        desktop,
    )
    return rx.el.section(
        stack(
        rx.el.h2(texts["app.heading"], id="app-prompt-heading", style={"margin_top": "0"}),
        rx.el.p(texts["app.web_or_app"]),
        rx.el.p(texts["app.why"]),
        rx.el.ol(
            rx.el.li(texts["app.step1"]),
            rx.el.li(texts["app.step2"]),
            rx.el.li(texts["app.step3"]),
            rx.el.li(texts["app.step4"]),
        ),
        buttons,
        rx.el.div(
            text_button(texts["app.dismiss"], on_click=on_dismiss, id="app-prompt-dismiss"),
            style={"text_align": "center"},
        ),
        ),
        aria_labelledby="app-prompt-heading",
        id="app-prompt",
        style={**theme.CARD, "border": f"2px solid {theme.BRAND_TINT}"},
    )
