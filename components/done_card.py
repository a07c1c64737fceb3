"""The last step: 'Klart!' for a new account, 'Välkommen tillbaka!' for someone who has one."""

from __future__ import annotations

from typing import Any

import reflex as rx

from components._util import is_var, pick
from components.forms import primary_button
from components.layout import stack


def done_card(*, texts: Any, welcome_back: Any = False, greeting: Any = "",
              status: rx.Component | None = None, on_ok: Any = None) -> rx.Component:
    """`greeting`: the filled 'Hej {name}! …' text for a returning person ("" without a name).
    `status`: the step's live region (the page passes its own)."""
    named = (greeting != "") if is_var(greeting) else bool(greeting)
    returning = stack(
        rx.el.h1(texts["bankid.welcome_back_heading"]),
        pick(named, rx.el.p(greeting), rx.el.p(texts["bankid.welcome_back"])),
        status,
        primary_button(texts["bankid.to_mailbox"], type="button", on_click=on_ok, id="done-ok"),
    )
    created = stack(
        rx.el.h1(texts["done.heading"]),
        rx.el.p(rx.el.strong(texts["done.created"])),
        rx.el.p(texts["done.post"]),
        rx.el.p(texts["done.notify"]),
        rx.el.p(texts["done.ok_hint"]),
        status,
        primary_button(texts["done.ok"], type="button", on_click=on_ok, id="done-ok"),
    )
    return pick(welcome_back, returning, created)
