"""The BankID panel every BankID page shows (signup, login, sign): the QR or 'Öppna BankID',
the RFA text, 'Försök igen', the other-device choice and 'Avbryt'. `S` is a state with the
BankIdLoopMixin vars and the handlers use_this_device / use_other_device / retry_bankid /
cancel_bankid, and `on_phone`."""

from __future__ import annotations

from typing import Any

import reflex as rx

from components.bankid_step import bankid_panel as panel
from pages.common import T


def bankid_panel(S: Any, *, heading: Any, intro: Any = None) -> rx.Component:  # noqa: N803
    """The page's panel: the state's values and handlers into the presentational component
    (components/bankid_step.py, whose every state is a gallery story)."""
    return panel(
        texts=T, heading=heading, intro=intro, mode=S.bankid_mode, state=S.bankid_state,
        message=S.bankid_message, qr_src=S.bankid_qr, qr_visible=S.bankid_show_qr,
        launch_url=S.bankid_launch_url, on_phone=S.on_phone, on_this_device=S.use_this_device,
        on_other_device=S.use_other_device, on_retry=S.retry_bankid, on_cancel=S.cancel_bankid,
    )
