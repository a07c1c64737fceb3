"""/login : BankID without a typed personnummer; 'Du har inget Kivra-konto' for a stranger."""

from __future__ import annotations

import reflex as rx

from components import theme
from components.forms import link_button, post_button, status_message
from components.layout import card, page_shell, stack
from pages.bankid_panel import bankid_panel
from pages.common import T
from state.lang import LangState
from state.login import LoginState as L


def _no_account() -> rx.Component:
    """After BankID, a person without an account: say so plainly; nothing was created."""
    return stack(
        rx.el.h1(T["login.no_account_heading"]),
        rx.el.p(T["login.no_account"]),
        # A form POST: the completed identification becomes a signup at the email step.
        post_button(T["login.create"], "/api/login/signup?lang=" + LangState.lang,
                    id="login-create-account"),
        link_button(T["login.to_start"], "/", primary=False, id="login-to-start"),
    )


def _done() -> rx.Component:
    return stack(
        rx.el.h1(T["login.heading"]),
        status_message(L.bankid_message, id="login-status"),
    )


def _loading() -> rx.Component:
    return rx.el.div(rx.el.p(T["common.loading"], style={"color": theme.INK_MUTED}),
                     role="status", aria_live="polite")


def login_page() -> rx.Component:
    return page_shell(
        card(
            rx.match(
                L.status,
                ("bankid", bankid_panel(L, heading=T["login.heading"],
                                        intro=rx.el.p(T["login.intro"]))),
                ("no_account", _no_account()),
                ("done", _done()),
                _loading(),
            ),
        ),
        texts=T,
        on_switch_lang=LangState.set_language(T["lang.other_code"]),
        extra=rx.window_event_listener(on_visibility_change=L.page_visibility),
    )
