"""/mailbox/avsandare (senders and "Ta emot digitalt"), /mailbox/installningar (settings and
the person's own data) and /konto-avslutat (after "Avsluta konto")."""

from __future__ import annotations

import reflex as rx

from components import theme
from components.forms import link_button, status_message
from components.layout import card, page_shell, stack
from components.senders_list import senders_list
from components.settings_sections import (
    close_section,
    contact_change,
    data_section,
    notifications_section,
    section,
    sessions_section,
)
from pages.common import T
from pages.mailbox import _bankid, logged_out, mailbox_header
from state.lang import LangState
from state.mailbox_settings import SendersState, SettingsState
from state.mailbox_sign import SignState as S


def _shell(*children: rx.Component) -> rx.Component:
    return page_shell(*children, texts=T, width=theme.WIDE_COLUMN_WIDTH, login_href=None,
                      on_switch_lang=LangState.set_language(T["lang.other_code"]))


def senders_page() -> rx.Component:
    return _shell(rx.match(
        SendersState.status,
        ("in", stack(
            mailbox_header("/mailbox/avsandare"),
            status_message(SendersState.notice, id="senders-status", tone="ok"),
            senders_list(SendersState.senders, intro=SendersState.intro,
                         on_toggle=SendersState.toggle, texts=T),
        )),
        ("out", logged_out()),
        rx.el.div(rx.el.p(T["common.loading"]), role="status", aria_live="polite"),
    ))


def _contact() -> rx.Component:
    st = SettingsState
    return section(
        T["settings.contact"],
        contact_change(channel="email", current=st.email, texts=T, stage=st.email_stage,
                       error=st.email_error, sent_text=st.email_sent,
                       on_start=st.start_change("email"), on_send=st.send_email_code,
                       on_verify=st.verify_email, on_cancel=st.cancel_change("email"),
                       key=st.form_key),
        contact_change(channel="phone", current=st.phone, texts=T, stage=st.phone_stage,
                       error=st.phone_error, sent_text=st.phone_sent,
                       on_start=st.start_change("phone"), on_send=st.send_phone_code,
                       on_verify=st.verify_phone, on_cancel=st.cancel_change("phone"),
                       key=st.form_key),
        id="contact",
    )


def settings_page() -> rx.Component:
    return _shell(rx.match(
        SettingsState.status,
        ("in", stack(
            mailbox_header("/mailbox/installningar"),
            rx.el.h1(T["settings.heading"], id="settings-heading",
                     style={"font_size": theme.FONT_SIZE["lg"]}),
            status_message(SettingsState.notice, id="settings-status", tone="ok"),
            notifications_section(email_new_mail=SettingsState.email_new_mail,
                                  sms_invoices=SettingsState.sms_invoices,
                                  language=SettingsState.language, texts=T,
                                  on_submit=SettingsState.save, key=SettingsState.form_key),
            _contact(),
            sessions_section(texts=T, on_logout_all=SettingsState.logout_everywhere),
            data_section(texts=T, export_href="/api/me/export"),
            rx.cond(S.purpose == "close", _bankid("sign.heading_close"),
                    close_section(texts=T, on_close=S.start_close,
                                  busy=S.bankid_state == "starting")),
        )),
        ("out", logged_out()),
        rx.el.div(rx.el.p(T["common.loading"]), role="status", aria_live="polite"),
    ))


def account_closed_page() -> rx.Component:
    return _shell(card(stack(
        rx.el.h1(T["settings.closed_heading"]),
        rx.el.p(T["settings.closed"]),
        link_button(T["mailbox.to_start"], "/", id="to-start"),
    )))
