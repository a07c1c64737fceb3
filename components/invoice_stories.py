"""Stories for the invoice panel (components/invoice.py) in every status, the payment form
(account and date; an error; busy) and the panel while paying.

The panel's dict is what kivra_app.mailbox.inbox.invoice_display sends, built here from sample
values with the domain's own formatting, in the language being shown. No state, no DB.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import reflex as rx

from components.bankid_sign import bankid_panel
from components.bankid_step_stories import SAMPLE_QR_DATA
from components.invoice import invoice_panel, payment_form
from components.stories import lang_of, noop, story
from kivra_app.bankid.messages import RFA_TEXTS
from kivra_app.i18n import t as text
from kivra_app.mailbox.formatting import (
    InvoiceStatus,
    format_amount,
    format_payee_account,
    group_ocr,
)

PAYEE = "Elbolaget AB"
DUE = "2026-12-15"


def invoice(t: dict[str, str], status: str = "unpaid", *, payee: str = PAYEE,
            amount_ore: int = 123_450, due: str = DUE, pay_date: str = "",
            account_type: str = "bankgiro", account_number: str = "54029681",
            reference_type: str = "ocr", reference: str = "426523791") -> dict[str, Any]:
    """The panel's texts for one invoice in `status` (unpaid | overdue | scheduled | paid |
    handled), as the domain builds them."""
    lang = lang_of(t)
    st = InvoiceStatus(status, date.fromisoformat(pay_date) if pay_date else None)
    notes = {"overdue": text(lang, "invoice.overdue_note", sender=payee),
             "handled": text(lang, "invoice.handled_note"),
             "paid": text(lang, "invoice.paid_note"),
             "scheduled": text(lang, "invoice.scheduled_note", date=pay_date)}
    is_ocr = reference_type != "message"
    return {
        "amount": format_amount(amount_ore, lang),
        "due": due,
        "payee": payee,
        "account_label": text(lang, "invoice.plusgiro" if account_type == "plusgiro"
                              else "invoice.bankgiro"),
        "account": format_payee_account(account_type, account_number),
        "account_digits": account_number,
        "reference_label": text(lang, "invoice.ocr" if is_ocr else "invoice.message"),
        "reference": group_ocr(reference) if is_ocr else reference,
        "reference_digits": reference,
        "status": st.text(lang),
        "status_code": st.code,
        "note": notes.get(st.code, ""),
        "payable": st.payable,
        "handled": st.code == "handled",
    }


def panel(t: dict[str, str], values: dict[str, Any], form: Any = None) -> rx.Component:
    return invoice_panel(rx.Var.create(values), texts=t, on_pay=noop("pay"),
                         on_mark_handled=noop("mark handled"),
                         on_unmark_handled=noop("unmark handled"), form=form)


# The panel per status ------------------------------------------------------------------------
def _panel(t, status, **sample):
    return panel(t, invoice(t, status, **sample))


STATUSES: list[tuple[str, dict[str, Any], str]] = [
    ("unpaid", {}, "Payable: “Betala” and “Markera som hanterad”."),
    ("overdue", {"due": "2026-11-30"},
     "Past its due date: not payable here; the note says whom to contact."),
    ("scheduled", {"pay_date": "2026-12-14"}, "A payment is planned: no “Betala”."),
    ("paid", {}, "Paid: no buttons."),
    ("handled", {}, "Marked handled: the marking can be undone."),
]
for _status, _sample, _notes in STATUSES:
    story("invoice-panel", _status, interactive=True, width="wide", notes=_notes,
          args={"status": _status, **_sample})(_panel)
story("invoice-panel", "plusgiro-message", interactive=True, width="wide",
      notes="Plusgiro and a message instead of an OCR number (shown as the sender wrote it).",
      args={"status": "unpaid", "account_type": "plusgiro", "account_number": "2865434",
            "reference_type": "message", "reference": "Kundnr 88123, nov"})(_panel)


# The payment form ----------------------------------------------------------------------------
def accounts(t: dict[str, str]) -> list[dict[str, str]]:
    """[{id, label}] as kivra_app.mailbox.invoices.account_options builds them."""
    lang = lang_of(t)
    sample = [("1", "Lönekonto", "•••• 6781", 2_450_000), ("2", "Sparkonto", "•••• 1204", 12_000)]
    return [{"id": aid, "label": text(lang, "pay.account_option", name=name, number=number,
                                      available=format_amount(ore, lang))}
            for aid, name, number, ore in sample]


def form(t: dict[str, str], *, error_key: str = "", busy: bool = False) -> rx.Component:
    lang = lang_of(t)
    return payment_form(
        accounts=rx.Var.create(accounts(t)).to(list[dict[str, str]]), default_account="1",
        default_date="2026-12-14", min_date="2026-12-02",
        date_hint=text(lang, "pay.date_hint", due=DUE),
        error=text(lang, error_key) if error_key else "", texts=t,
        on_submit=noop("submit payment"), on_cancel=noop("cancel payment"), busy=busy)


def _form_story(t, error_key, busy):
    return form(t, error_key=error_key, busy=busy)


story("payment-form", "default", interactive=True, width="wide",
      notes="The person's accounts (with what is available) and a bank day; then BankID.",
      args={"error_key": "", "busy": False})(_form_story)
story("payment-form", "error-not-bank-day", interactive=True, width="wide",
      notes="The server checks the date; what was chosen stays.",
      args={"error_key": "pay.date_not_bank_day", "busy": False})(_form_story)
story("payment-form", "error-insufficient-funds", interactive=True, width="wide",
      args={"error_key": "pay.insufficient_funds", "busy": False})(_form_story)
story("payment-form", "busy", interactive=True, width="wide",
      notes="While BankID starts: “Betala med BankID” is disabled.",
      args={"error_key": "", "busy": True})(_form_story)


# The panel while paying ----------------------------------------------------------------------
@story("invoice-panel", "paying", interactive=True, width="wide",
       notes="“Betala” opens the form in place of the buttons.", args={"status": "unpaid"})
def _(t, status):
    return panel(t, invoice(t, status), form=form(t))


@story("invoice-panel", "signing", interactive=True, width="wide",
       notes="After “Betala med BankID”: the BankID panel in place of the form.",
       args={"status": "unpaid", "rfa": "RFA1"})
def _(t, status, rfa):
    sign = bankid_panel(heading=t["sign.heading_pay"], state="pending", mode="qr",
                        qr=SAMPLE_QR_DATA, show_qr=True, launch_url="",
                        message=RFA_TEXTS[rfa][lang_of(t)], texts=t, on_retry=noop("retry"),
                        on_cancel=noop("cancel"))
    return panel(t, invoice(t, status), form=sign)
