"""The invoice panel of an opened letter and the payment form.

`invoice` is a plain dict of display texts the state builds from the domain:
    {amount, due, payee, account_label, account, account_digits, reference_label, reference,
     reference_digits, status, status_code, note, payable, handled}
Copy buttons copy the plain digits and announce "Kopierat." in a live region (no state).
"""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from components import theme
from components._util import drop_none
from components.forms import error_text, primary_button, secondary_button, text_button

_DL_ROW = {"display": "grid", "grid_template_columns": ["1fr", "10rem 1fr"],
           "gap": f"0 {theme.SPACE['md']}", "margin": "0", "padding": f"{theme.SPACE['xs']} 0",
           "border_bottom": f"1px solid {theme.DIVIDER}"}


def _copied(texts: Any) -> Any:
    script = "(function(t){var el=document.getElementById('copy-status');if(el){el.textContent='';" \
             "setTimeout(function(){el.textContent=t;},50);}})"
    if isinstance(texts, rx.Var):
        return rx.call_script(rx.Var(f"{script}({texts['invoice.copied'].to(str)!s})"))
    return rx.call_script(f"{script}({json.dumps(str(texts['invoice.copied']))})")


def copy_button(value: Any, label: Any, *, texts: Any, id: str) -> rx.Component:
    return rx.el.button(
        texts["invoice.copy"], type="button", aria_label=label, id=id,
        on_click=[rx.set_clipboard(value), _copied(texts)],
        style={**theme.TEXT_BUTTON, "font_size": theme.FONT_SIZE["sm"]},
    )


def _row(term: Any, value: Any, *extra: Any, id: str, nowrap: bool = True) -> rx.Component:
    """`nowrap`: numbers stay on one line; a text (the status) wraps at 320 px (WCAG 1.4.10)."""
    return rx.el.div(
        rx.el.dt(term, style={"font_weight": theme.WEIGHT_BOLD}),
        rx.el.dd(rx.el.span(value, id=id, style={"white_space": "nowrap" if nowrap else "normal",
                                                 "font_variant_numeric": "tabular-nums"}),
                 *extra, style={"margin": "0", "display": "flex", "gap": theme.SPACE["sm"],
                                "align_items": "center", "flex_wrap": "wrap"}),
        style=_DL_ROW,
    )


def invoice_panel(invoice: Any, *, texts: Any, on_pay: Any, on_mark_handled: Any,
                  on_unmark_handled: Any, form: Any = None) -> rx.Component:
    """Amount, due date, payee, bankgiro/plusgiro, OCR with copy buttons, status, then "Betala"
    (only when payable) and "Markera som hanterad" (reversible). `form`: the payment form,
    shown instead of the buttons while paying."""
    overdue = invoice["status_code"] == "overdue"
    status_colour = rx.cond(overdue, theme.ERROR, rx.cond(invoice["status_code"] == "unpaid",
                                                         theme.INK, theme.BRAND_DARK))
    buttons = rx.el.div(
        *drop_none(rx.cond(invoice["payable"].to(bool),
                primary_button(texts["invoice.pay"], type="button", on_click=on_pay, id="pay"))
        if on_pay is not None else None,
        rx.cond(invoice["handled"].to(bool),
                secondary_button(texts["invoice.unmark_handled"], on_click=on_unmark_handled,
                                 id="unmark-handled"),
                rx.cond(invoice["status_code"] != "paid",
                        secondary_button(texts["invoice.mark_handled"], on_click=on_mark_handled,
                                         id="mark-handled")))),
        style={"display": "grid", "grid_template_columns": ["1fr", "1fr 1fr"],
               "gap": theme.SPACE["sm"]},
    )
    return rx.el.section(
        *drop_none(
            rx.el.h3(texts["invoice.heading"], id="invoice-heading",
                     style={"margin": "0", "font_size": theme.FONT_SIZE["lg"]}),
            rx.el.dl(
                _row(texts["invoice.amount"], invoice["amount"], id="invoice-amount"),
                _row(texts["invoice.due"], invoice["due"], id="invoice-due"),
                _row(texts["invoice.payee"], invoice["payee"], id="invoice-payee"),
                _row(invoice["account_label"], invoice["account"],
                     copy_button(invoice["account_digits"], texts["invoice.copy_account"],
                                 texts=texts, id="copy-account"), id="invoice-account"),
                _row(invoice["reference_label"], invoice["reference"],
                     copy_button(invoice["reference_digits"], texts["invoice.copy_ocr"],
                                 texts=texts, id="copy-ocr"), id="invoice-reference"),
                _row(texts["invoice.status"],
                     rx.el.strong(invoice["status"], style={"color": status_colour}),
                     id="invoice-status", nowrap=False),
                style={"margin": "0"},
            ),
            rx.el.p("", id="copy-status", role="status", aria_live="polite",
                    style={"margin": "0", "min_height": "1.5em", "color": theme.INK_MUTED}),
            rx.cond(invoice["note"] != "", rx.el.p(invoice["note"], id="invoice-note")),
            form if form is not None else None,
            buttons if form is None else None,
        ),
        aria_labelledby="invoice-heading",
        id="invoice",
        style={"display": "flex", "flex_direction": "column", "gap": theme.SPACE["sm"],
               "padding": theme.SPACE["md"], "border": f"2px solid {theme.DIVIDER}",
               "border_radius": theme.RADIUS["md"]},
    )


def payment_form(*, accounts: Any, default_account: Any, default_date: Any, min_date: Any,
                 date_hint: Any, error: Any, texts: Any, on_submit: Any, on_cancel: Any,
                 busy: Any = False, key: Any = None) -> rx.Component:
    """Choose the account (`accounts`: [{id, label}]) and the payment date (a native date
    input; the server checks it is a bank day), then "Betala med BankID". Sends
    {"account": id, "date": "YYYY-MM-DD"} to `on_submit`; an error keeps what was chosen."""
    has_error = error != "" if isinstance(error, rx.Var) else bool(error)
    described = rx.cond(has_error, "pay-date-hint pay-error", "pay-date-hint") \
        if isinstance(has_error, rx.Var) else ("pay-date-hint pay-error" if has_error else "pay-date-hint")
    label_style = {"display": "block", "font_weight": theme.WEIGHT_BOLD,
                   "margin_bottom": theme.SPACE["xs"]}
    return rx.el.form(
        rx.el.h3(texts["pay.heading"], style={"margin": "0", "font_size": theme.FONT_SIZE["lg"]}),
        rx.el.div(
            rx.el.label(texts["pay.account"], html_for="pay-account", style=label_style),
            rx.el.select(
                rx.foreach(accounts, lambda a: rx.el.option(a["label"], value=a["id"])),
                id="pay-account", name="account", default_value=default_account,
                style={**theme.INPUT, "font_size": theme.FONT_SIZE["md"]},
            ),
        ),
        rx.el.div(
            rx.el.label(texts["pay.date"], html_for="pay-date", style=label_style),
            rx.el.p(date_hint, id="pay-date-hint",
                    style={"color": theme.INK_MUTED, "font_size": theme.FONT_SIZE["sm"],
                           "margin": f"0 0 {theme.SPACE['xs']}"}),
            rx.el.input(type="date", id="pay-date", name="date", default_value=default_date,
                        min=min_date, aria_describedby=described,
                        aria_invalid=rx.cond(has_error, "true", "false")
                        if isinstance(has_error, rx.Var) else ("true" if has_error else "false"),
                        style=theme.INPUT),
            error_text(error, "pay-error"),
        ),
        rx.el.div(
            primary_button(texts["pay.submit"], disabled=busy, id="pay-submit"),
            secondary_button(texts["pay.cancel"], on_click=on_cancel, id="pay-cancel"),
            style={"display": "grid", "grid_template_columns": ["1fr", "1fr 1fr"],
                   "gap": theme.SPACE["sm"]},
        ),
        on_submit=on_submit, no_validate=True, reset_on_submit=False, id="pay-form", key=key,
        style={"display": "flex", "flex_direction": "column", "gap": theme.SPACE["md"]},
    )


__all__ = ["copy_button", "invoice_panel", "payment_form", "text_button"]
