"""/ : what you need, that it is free, and 'Skapa konto' (a real form POST)."""

from __future__ import annotations

import reflex as rx

from components import theme
from components.forms import link_button, post_button
from components.layout import card, page_shell, stack
from pages.common import T, begin_action
from state.lang import LangState


def _need(key: str) -> rx.Component:
    return rx.el.li(T[key])


def start_page() -> rx.Component:
    return page_shell(
        card(stack(
            rx.el.h1(T["start.title"]),
            rx.el.p(rx.el.strong(T["start.free"])),
            rx.el.p(T["start.intro"]),
            rx.el.h2(T["start.need"]),
            rx.el.ul(
                _need("start.need_pnr"),
                _need("start.need_email"),
                _need("start.need_phone"),
                _need("start.need_bankid"),
            ),
            rx.el.p(T["start.time"], style={"color": theme.INK_MUTED}),
            post_button(T["start.cta"], begin_action(), id="start-signup"),
            # Already a customer: BankID, straight to the mailbox.
            link_button(T["nav.login"], "/login", primary=False, id="start-login"),
        )),
        texts=T,
        on_switch_lang=LangState.set_language(T["lang.other_code"]),
    )
