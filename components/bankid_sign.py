"""The BankID panel of the mailbox (approving a payment, opening a sensitive letter, closing
the account): the QR (drawn in the browser from the frame text) or the "Öppna BankID" link, the
RFA text in a polite live region, "Försök igen" after a failure and "Avbryt"."""

from __future__ import annotations

from typing import Any

import reflex as rx

from components import theme
from components.bankid import qr_panel
from components.forms import link_button, primary_button, secondary_button, status_message


def bankid_panel(*, heading: Any, state: Any, mode: Any, qr: Any, show_qr: Any,
                 launch_url: Any, message: Any, texts: Any, on_retry: Any, on_cancel: Any,
                 id: str = "bankid-panel") -> rx.Component:
    """`state`: idle | starting | pending | failed | complete; `mode`: qr | app."""
    qr_part = rx.el.div(
        rx.el.p(texts["sign.qr_intro"]),
        rx.cond(show_qr, qr_panel(qr, alt=texts["bankid.qr_alt"],
                                  loading_text=texts["bankid.qr_loading"])),
        style={"display": "flex", "flex_direction": "column", "gap": theme.SPACE["sm"]},
    )
    app_part = rx.el.div(
        rx.el.p(texts["sign.app_intro"]),
        rx.cond(launch_url != "",
                link_button(texts["bankid.open_app"], launch_url, id="bankid-open-app")),
        style={"display": "flex", "flex_direction": "column", "gap": theme.SPACE["sm"]},
    )
    return rx.el.section(
        rx.el.h3(heading, id=f"{id}-heading", style={"margin": "0",
                                                     "font_size": theme.FONT_SIZE["lg"]}),
        rx.cond(state == "pending", rx.cond(mode == "qr", qr_part, app_part)),
        status_message(message, id=f"{id}-status"),
        rx.el.div(
            rx.cond(state == "failed",
                    primary_button(texts["bankid.retry"], type="button", on_click=on_retry,
                                   id="bankid-retry")),
            secondary_button(texts["bankid.cancel"], on_click=on_cancel, id="bankid-cancel"),
            style={"display": "grid", "grid_template_columns": ["1fr", "1fr 1fr"],
                   "gap": theme.SPACE["sm"]},
        ),
        aria_labelledby=f"{id}-heading",
        id=id,
        style={"display": "flex", "flex_direction": "column", "gap": theme.SPACE["md"],
               "padding": theme.SPACE["md"], "background": theme.INFO_TINT,
               "border_radius": theme.RADIUS["md"]},
    )
