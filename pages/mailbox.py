"""/mailbox : the welcome letter list, one opened letter, the app prompt and 'Logga ut'."""

from __future__ import annotations

import reflex as rx

from components import theme
from components.app_prompt import app_prompt
from components.forms import link_button, secondary_button, status_message
from components.layout import card, page_shell, stack
from components.letters import letter_list, letter_view
from pages.common import T, tr
from state.lang import LangState
from state.mailbox import MailboxState as M


def _inbox() -> rx.Component:
    return stack(
        rx.el.div(
            rx.el.div(
                rx.el.h1(T["mailbox.title"], style={"margin_bottom": "0"}),
                rx.el.p(
                    rx.cond(M.given_name != "", tr("mailbox.hello", name=M.given_name),
                            T["mailbox.hello_anon"]),
                    style={"margin": "0", "color": theme.INK_MUTED},
                ),
            ),
            # An event: it ends the session, clears this tab's mailbox state, then loads
            # /api/logout (which clears the HttpOnly cookie).
            rx.el.div(secondary_button(T["mailbox.logout"], on_click=M.logout, id="logout"),
                      style={"min_width": "9rem"}),
            style={"display": "flex", "justify_content": "space-between", "align_items": "center",
                   "gap": theme.SPACE["md"], "flex_wrap": "wrap"},
        ),
        rx.cond(
            M.show_app_prompt,
            app_prompt(texts=T, platform=M.platform, on_dismiss=M.dismiss_app_prompt,
                       qr_app_store=M.qr_app_store, qr_google_play=M.qr_google_play),
        ),
        status_message(rx.cond(M.letter_missing, T["mailbox.not_found"], ""), id="mailbox-status"),
        rx.cond(
            M.open_id > 0,
            letter_view(sender=M.letter_sender, subject=M.letter_subject, date=M.letter_date,
                        body=M.letter_body, on_back=M.close_letter, texts=T),
            letter_list(M.letters, on_open=M.open_letter, texts=T),
        ),
    )


def _logged_out() -> rx.Component:
    return card(stack(
        rx.el.h1(T["mailbox.logged_out_heading"]),
        rx.el.p(T["mailbox.logged_out"]),
        link_button(T["mailbox.to_start"], "/", id="to-start"),
    ))


def _expired() -> rx.Component:
    """The session ran out (idle or absolute lifetime): calmly, with a way back in."""
    return card(stack(
        rx.el.h1(T["mailbox.expired_heading"]),
        rx.el.p(T["mailbox.expired"]),
        link_button(T["mailbox.login"], "/login?next=/mailbox", id="mailbox-login"),
    ))


def mailbox_page() -> rx.Component:
    return page_shell(
        rx.match(
            M.status,
            ("in", _inbox()),
            ("out", _logged_out()),
            ("expired", _expired()),
            rx.el.div(rx.el.p(T["common.loading"]), role="status", aria_live="polite"),
        ),
        texts=T,
        width=theme.WIDE_COLUMN_WIDTH,
        on_switch_lang=LangState.set_language(T["lang.other_code"]),
    )
