"""The BankID panel every BankID page shows (signup, login, sign): the QR or 'Öppna BankID',
the RFA text, 'Försök igen', the other-device choice and 'Avbryt'. `S` is a state with the
BankIdLoopMixin vars and the handlers use_this_device / use_other_device / retry_bankid /
cancel_bankid, and `on_phone`."""

from __future__ import annotations

from typing import Any

import reflex as rx

from components.bankid import qr_panel
from components.forms import (
    link_button,
    primary_button,
    secondary_button,
    status_message,
    text_button,
)
from components.layout import stack
from pages.common import T


def _qr(S: Any) -> rx.Component:  # noqa: N803 - a state class
    return stack(
        rx.el.p(T["bankid.qr_intro"]),
        rx.cond(
            S.bankid_show_qr,
            qr_panel(
                S.bankid_qr,
                alt=T["bankid.qr_alt"],
                loading_text=T["bankid.qr_loading"],
                steps=[T["bankid.qr_step1"], T["bankid.qr_step2"], T["bankid.qr_step3"]],
            ),
        ),
    )


def _app(S: Any) -> rx.Component:  # noqa: N803
    return stack(
        rx.el.p(T["bankid.app_intro"]),
        rx.cond(
            S.bankid_launch_url != "",
            # A real link: the BankID app opens on the person's own tap.
            link_button(T["bankid.open_app"], S.bankid_launch_url, id="bankid-open-app"),
            primary_button(T["bankid.open_app"], type="button", on_click=S.use_this_device,
                           id="bankid-start-app"),
        ),
    )


def bankid_panel(S: Any, *, heading: Any, intro: Any = None) -> rx.Component:  # noqa: N803
    return stack(
        rx.el.h1(heading),
        intro,
        rx.cond(
            S.bankid_state == "failed",
            None,  # a dead order: no QR and no app link, only 'Försök igen' below
            rx.cond(S.bankid_mode == "qr", _qr(S), _app(S)),
        ),
        # RFA texts from the BankID service, announced politely.
        status_message(S.bankid_message, id="bankid-status"),
        rx.cond(
            S.bankid_state == "failed",
            primary_button(T["bankid.retry"], type="button", on_click=S.retry_bankid,
                           id="bankid-retry"),
        ),
        rx.el.div(
            rx.cond(
                S.bankid_mode == "qr",
                text_button(rx.cond(S.on_phone, T["bankid.this_unit"], T["bankid.this_device"]),
                            on_click=S.use_this_device, id="bankid-this-device"),
                text_button(T["bankid.other_device"], on_click=S.use_other_device,
                            id="bankid-other-device"),
            ),
            style={"text_align": "center"},
        ),
        secondary_button(T["bankid.cancel"], on_click=S.cancel_bankid, id="bankid-cancel"),
    )
