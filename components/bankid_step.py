"""The BankID step's panel: heading, the QR (another device) or the app button (this device),
the RFA status line, 'Försök igen' after a failure, the device switch and 'Avbryt'.

Presentational: every value and handler comes in (Vars from the signup state, or plain values
in the gallery), so each state of the panel renders alone.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from components._util import is_var, pick, when
from components.bankid import qr_panel
from components.forms import (
    link_button,
    primary_button,
    secondary_button,
    status_message,
    text_button,
)
from components.layout import stack


def _eq(value: Any, wanted: str) -> Any:
    return (value == wanted) if is_var(value) else value == wanted


def _not_empty(value: Any) -> Any:
    return (value != "") if is_var(value) else bool(value)


def bankid_panel(
    *,
    texts: Any,
    mode: Any,  # "qr" (BankID on another device) | "app" (on this device)
    state: Any,  # idle | starting | pending | failed | complete
    message: Any,  # the RFA text ("" for none)
    qr_src: Any = "",
    qr_visible: Any = True,
    launch_url: Any = "",
    pnr_masked: Any = "",
    on_phone: Any = False,
    on_this_device: Any = None,
    on_other_device: Any = None,
    on_retry: Any = None,
    on_cancel: Any = None,
    heading: Any = None,
    intro: Any = "default",
) -> rx.Component:
    """`qr_src`: the current QR frame text (drawn in the browser); `heading` defaults to the
    signup's; `intro` (a component or None) replaces the 'for personnummer …' line."""
    failed = _eq(state, "failed")
    qr_mode = _eq(mode, "qr")
    qr = stack(
        rx.el.p(texts["bankid.qr_intro"]),
        when(qr_visible, qr_panel(
            qr_src,
            alt=texts["bankid.qr_alt"],
            loading_text=texts["bankid.qr_loading"],
            steps=[texts["bankid.qr_step1"], texts["bankid.qr_step2"], texts["bankid.qr_step3"]],
        )),
    )
    app = stack(
        rx.el.p(texts["bankid.app_intro"]),
        pick(
            _not_empty(launch_url),
            # A real link: the BankID app opens on the person's own tap.
            link_button(texts["bankid.open_app"], launch_url, id="bankid-open-app"),
            primary_button(texts["bankid.open_app"], type="button", on_click=on_this_device,
                           id="bankid-start-app"),
        ),
    )
    if isinstance(intro, str) and intro == "default":
        intro = when(_not_empty(pnr_masked), rx.el.p(
            texts["bankid.for"], " ",
            rx.el.strong(pnr_masked, style={"white_space": "nowrap"}),
        ))
    return stack(
        rx.el.h1(texts["bankid.heading"] if heading is None else heading),
        intro,
        # A dead order: no QR and no app link, only 'Försök igen' below.
        pick(failed, None, pick(qr_mode, qr, app)),
        # RFA texts from the BankID service, announced politely.
        status_message(message, id="bankid-status"),
        when(failed, primary_button(texts["bankid.retry"], type="button", on_click=on_retry,
                                    id="bankid-retry")),
        rx.el.div(
            pick(
                qr_mode,
                text_button(pick(on_phone, texts["bankid.this_unit"], texts["bankid.this_device"]),
                            on_click=on_this_device, id="bankid-this-device"),
                text_button(texts["bankid.other_device"], on_click=on_other_device,
                            id="bankid-other-device"),
            ),
            style={"text_align": "center"},
        ),
        secondary_button(texts["bankid.cancel"], on_click=on_cancel, id="bankid-cancel"),
    )
