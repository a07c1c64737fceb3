"""/hjalp : 'Behöver du hjälp?' - answers to the common problems, same link on every step."""

from __future__ import annotations

import reflex as rx

from components.forms import text_link
from components.layout import card, page_shell, stack
from pages.common import T
from state.lang import LangState


def _qa(q: str, a: str) -> list[rx.Component]:
    return [rx.el.h2(T[q]), rx.el.p(T[a])]


def help_page() -> rx.Component:
    return page_shell(
        card(stack(
            rx.el.h1(T["help.title"]),
            rx.el.p(T["help.intro"]),
            *_qa("help.q_code", "help.a_code"),
            *_qa("help.q_expired", "help.a_expired"),
            *_qa("help.q_sms", "help.a_sms"),
            *_qa("help.q_bankid", "help.a_bankid"),
            rx.el.p(
                text_link(T["help.back_signup"], "/signup"),
                " · ",
                text_link(T["help.back_start"], "/"),
            ),
        )),
        texts=T,
        on_switch_lang=LangState.set_language(T["lang.other_code"]),
    )
