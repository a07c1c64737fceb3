"""The mailbox's presentational components render alone from plain values and carry the
attributes keyboard and screen-reader users rely on."""

from __future__ import annotations

import re
from typing import Any

import reflex as rx

from components.inbox import fill, filter_bar, inbox_list, unread_badge
from components.invoice import invoice_panel, payment_form
from components.reader import letter_reader
from components.senders_list import senders_list
from components.settings_sections import close_section, data_section, notifications_section
from kivra_app.i18n import texts_for

SV = texts_for("sv")
NOOP = rx.console_log("noop")


def _noop(*_args: Any) -> Any:
    return NOOP


def _r(component: rx.Component) -> str:
    """The rendered tree as text, with the JSON \\uXXXX escapes of non-ASCII letters undone."""
    return re.sub(r"\\\\+u([0-9a-f]{4})", lambda m: chr(int(m.group(1), 16)),
                  str(component.render()))


ROW = {"id": 7, "sender": "Elbolaget AB", "subject": "Faktura december", "date": "2026-12-01",
       "read": False, "sensitive": False, "invoice": True, "amount": "1 234,50 kr",
       "due": "2026-12-15", "status": "Obetald", "status_code": "unpaid"}


def test_inbox_rows_say_unread_in_words_and_show_the_invoice_badge() -> None:
    rows = rx.Var.create([ROW]).to(list[dict[str, Any]])
    out = _r(inbox_list(rows, heading=SV["mailbox.inbox"], on_open=_noop, texts=SV,
                        empty_text=SV["mbx.empty_filter"], has_next=True, on_next=NOOP))
    assert '"Oläst"' in out and '"Faktura"' in out and "förfaller" in out
    assert '"Nästa sida"' in out
    assert '"aria-labelledby":"inbox-heading"' in out


def test_filters_are_toggle_buttons_in_a_labelled_group() -> None:
    out = _r(filter_bar(rx.Var.create("unread"), on_select=_noop, texts=SV))
    for name in ("Alla", "Olästa", "Fakturor", "Obetalda"):
        assert f'"{name}"' in out
    assert out.count("aria-pressed") == 4 and 'role:"group"' in out


def test_unread_badge_fills_the_count_and_hides_at_zero() -> None:
    assert "3 olästa" in _r(unread_badge(3, SV))
    assert "olästa" not in _r(unread_badge(0, SV))
    assert "99 olästa" in _r(unread_badge(99, SV))
    assert "99+ olästa" in _r(unread_badge(100, SV))  # the capped count (inbox.unread_count)
    assert fill("Brev {first}–{last}", first=1, last=25) == "Brev 1–25"


def test_the_pdf_frame_is_titled_and_not_sandboxed_by_attribute() -> None:
    out = _r(letter_reader(sender="Skatteverket", subject="Beslut", date="2026-12-01", body="",
                           texts=SV, on_back=NOOP, on_mark_unread=NOOP, on_trash=NOOP,
                           on_restore=NOOP, pdf_src="/api/me/documents/abc",
                           download_href="/api/me/documents/abc?download=1"))
    assert '"iframe"' in out and 'title:"Brevet som PDF"' in out
    assert "sandbox" not in out  # Chromium's viewer refuses sandboxed frames; the CSP sandboxes
    assert '"Markera som oläst"' in out and '"Ladda ner brevet (PDF)"' in out


def test_a_locked_sensitive_letter_offers_bankid_not_the_content() -> None:
    out = _r(letter_reader(sender="Region", subject="Känsligt brev", date="2026-12-01",
                           body="secret text", texts=SV, on_back=NOOP, locked=True,
                           on_unlock=NOOP))
    assert "Öppna med BankID" in out


def test_invoice_panel_copy_buttons_are_named_and_announce() -> None:
    inv = rx.Var.create({"amount": "1 234,50 kr", "due": "2026-12-15", "payee": "Elbolaget AB",
                         "account_label": "Bankgiro", "account": "5402-9681",
                         "account_digits": "54029681", "reference_label": "OCR-nummer",
                         "reference": "4265 2379 1", "reference_digits": "426523791",
                         "status": "Obetald", "status_code": "unpaid", "note": "",
                         "payable": True, "handled": False}).to(dict[str, Any])
    out = _r(invoice_panel(inv, texts=SV, on_pay=NOOP, on_mark_handled=NOOP,
                           on_unmark_handled=NOOP))
    assert '"aria-label":"Kopiera OCR-numret"' in out
    assert 'id:"copy-status"' in out and 'role:"status"' in out
    assert '"Betala"' in out and '"Markera som hanterad"' in out


def test_payment_form_labels_the_account_and_date_and_links_the_error() -> None:
    out = _r(payment_form(accounts=rx.Var.create([{"id": "1", "label": "Lönekonto"}])
                          .to(list[dict[str, Any]]), default_account="1",
                          default_date="2026-12-15", min_date="2026-12-01", date_hint="hint",
                          error="Det är ingen bankdag.", texts=SV, on_submit=_noop,
                          on_cancel=NOOP))
    assert 'htmlFor:"pay-account"' in out and 'htmlFor:"pay-date"' in out
    assert '"aria-describedby":"pay-date-hint pay-error"' in out
    assert '"aria-invalid":"true"' in out and '"Betala med BankID"' in out


def test_sender_switches_are_switches_named_with_the_sender() -> None:
    senders = rx.Var.create([{"id": 3, "name": "Elbolaget AB", "enabled": False,
                              "note": "Avstängd."}]).to(list[dict[str, Any]])
    out = _r(senders_list(senders, intro="intro", on_toggle=_noop, texts=SV))
    assert 'role:"switch"' in out and "aria-checked" in out and "Ta emot digitalt" in out
    assert "sender-name-" in out


def test_settings_sections() -> None:
    out = _r(notifications_section(email_new_mail=True, sms_invoices=False, language="sv",
                                   texts=SV, on_submit=_noop))
    assert 'htmlFor:"pref-email_new_mail"' in out and '"legend"' in out
    assert "Hämta din data" in _r(data_section(texts=SV, export_href="/api/me/export"))
    assert "Avsluta konto med BankID" in _r(close_section(texts=SV, on_close=NOOP))
