"""/mailbox : the inbox (filters, keyset pages, live arrival), one opened letter with its PDF
and invoice panel, the app prompt and 'Logga ut'."""

from __future__ import annotations

import reflex as rx

from components import theme
from components.app_prompt import app_prompt
from components.bankid_sign import bankid_panel
from components.forms import link_button, status_message
from components.inbox import (
    fill,
    inbox_list,
    inbox_toolbar,
    new_mail_notice,
)
from components.inbox import mailbox_header as inbox_header
from components.invoice import invoice_panel, payment_form
from components.layout import card, page_shell, stack
from components.reader import letter_reader
from pages.common import T, tr
from state.lang import LangState
from state.mailbox import MailboxState as M
from state.mailbox_sign import SignState as S


def mailbox_header(current: str) -> rx.Component:
    """The top of every mailbox page, from the mailbox state."""
    # on_logout is an event: it ends the session, clears this tab's mailbox state, then loads
    # /api/logout (which clears the HttpOnly cookie).
    return inbox_header(
        current, texts=T, unread=M.unread, on_logout=M.logout,
        greeting=rx.cond(M.given_name != "", tr("mailbox.hello", name=M.given_name),
                         T["mailbox.hello_anon"]))


def _bankid(heading_key: str) -> rx.Component:
    return bankid_panel(
        heading=T[heading_key], state=S.bankid_state, mode=S.bankid_mode, qr=S.bankid_qr,
        show_qr=S.bankid_show_qr, launch_url=S.bankid_launch_url, message=S.bankid_message,
        texts=T, on_retry=S.retry, on_cancel=S.cancel)


def _pay_form() -> rx.Component:
    return rx.cond(
        S.purpose == "pay",
        _bankid("sign.heading_pay"),
        payment_form(accounts=S.accounts, default_account=S.pay_account,
                     default_date=S.pay_date, min_date=S.pay_min, date_hint=S.pay_hint,
                     error=S.pay_error, texts=T, on_submit=S.submit_payment,
                     on_cancel=S.close_payment, key=S.form_key),
    )


def _invoice() -> rx.Component:
    panel = {"texts": T, "on_pay": S.start_payment(M.open_id),
             "on_mark_handled": M.set_handled(True), "on_unmark_handled": M.set_handled(False)}
    return rx.cond(
        M.invoice.length() > 0,  # type: ignore[union-attr]
        rx.fragment(
            status_message(rx.cond(S.pay_done != "", S.pay_done,
                                   rx.cond(S.pay_for == 0, S.pay_error, "")),
                           id="pay-status", tone="ok"),
            rx.cond(S.pay_for == M.open_id,
                    invoice_panel(M.invoice, form=_pay_form(), **panel),
                    invoice_panel(M.invoice, **panel)),
        ),
    )


def _letter() -> rx.Component:
    return letter_reader(
        sender=M.letter_sender, subject=M.letter_subject, date=M.letter_date,
        body=M.letter_body, texts=T, on_back=M.close_letter, on_mark_unread=M.mark_unread,
        on_trash=M.trash, on_restore=M.restore, in_trash=M.letter_trashed,
        pdf_src=M.pdf_src, download_href=M.download_href,
        locked=M.letter_locked & ~((S.purpose == "step_up") & (S.letter_id == M.open_id)),
        on_unlock=S.start_step_up(M.open_id), unlock_busy=S.bankid_state == "starting",
        extra=rx.fragment(
            rx.cond((S.purpose == "step_up") & (S.letter_id == M.open_id) & M.letter_locked,
                    _bankid("sign.heading_step_up")),
            _invoice(),
        ),
    )


def _list() -> rx.Component:
    in_trash = M.filter == "trash"
    return stack(
        inbox_toolbar(M.filter, on_select=M.set_filter, texts=T),
        rx.cond(
            in_trash,
            inbox_list(M.letters, heading=T["mbx.trash_heading"], on_open=M.open_letter, texts=T,
                       empty_text=T["mbx.trash_empty"], on_restore=M.restore_row,
                       range_text=fill(T["mbx.page_of"], range=M.page_range),
                       has_next=M.has_next, on_next=M.next_page, show_first=M.page_number > 1,
                       on_first=M.first_page, id="trash"),
            inbox_list(M.letters, heading=T["mailbox.inbox"], on_open=M.open_letter, texts=T,
                       empty_text=rx.cond(M.filter == "all", T["mailbox.empty"],
                                          T["mbx.empty_filter"]),
                       range_text=rx.cond(M.page_range != "", fill(T["mbx.page_of"], range=M.page_range), ""),
                       has_next=M.has_next, on_next=M.next_page, show_first=M.page_number > 1,
                       on_first=M.first_page, id="inbox"),
        ),
    )


def _inbox() -> rx.Component:
    return stack(
        mailbox_header("/mailbox"),
        rx.cond(
            M.show_app_prompt,
            app_prompt(texts=T, platform=M.platform, on_dismiss=M.dismiss_app_prompt,
                       qr_app_store=M.qr_app_store, qr_google_play=M.qr_google_play),
        ),
        status_message(rx.cond(M.letter_missing, T["mailbox.not_found"], M.notice),
                       id="mailbox-status"),
        new_mail_notice(M.new_mail, on_show=M.first_page, texts=T),
        rx.cond(M.open_id > 0, _letter(), _list()),
    )


def logged_out() -> rx.Component:
    return card(stack(
        rx.el.h1(T["mailbox.logged_out_heading"]),
        rx.el.p(T["mailbox.logged_out"]),
        link_button(T["mailbox.login"], "/login?next=/mailbox", id="mailbox-login"),
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
            ("out", logged_out()),
            ("expired", _expired()),
            rx.el.div(rx.el.p(T["common.loading"]), role="status", aria_live="polite"),
        ),
        login_href=None,  # logged in, or told how to log in again in the page itself
        texts=T,
        width=theme.WIDE_COLUMN_WIDTH,
        on_switch_lang=[LangState.set_language(T["lang.other_code"]), M.relabel],
    )
