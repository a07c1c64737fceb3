"""How the reader shows amounts, giro numbers, OCR, invoice statuses and the payment sign text."""

from __future__ import annotations

from datetime import date

import pytest

from kivra_app.mailbox.formatting import (
    format_amount,
    format_bankgiro,
    format_plusgiro,
    group_ocr,
    invoice_status,
    payment_sign_text,
)


@pytest.mark.parametrize(("ore", "sv", "en"), [
    (123_450, "1 234,50 kr", "SEK 1,234.50"),
    (100, "1,00 kr", "SEK 1.00"),
    (5, "0,05 kr", "SEK 0.05"),
    (123_456_789, "1 234 567,89 kr", "SEK 1,234,567.89"),
    (99_900, "999,00 kr", "SEK 999.00"),
])
def test_amounts(ore: int, sv: str, en: str) -> None:
    assert format_amount(ore, "sv") == sv
    assert format_amount(ore, "en") == en


def test_giro_numbers_as_people_read_them() -> None:
    assert format_bankgiro("54029681") == "5402-9681"
    assert format_bankgiro("9020033") == "902-0033"
    assert format_bankgiro("5402-9681") == "5402-9681"
    assert format_plusgiro("2865434") == "28 65 43-4"
    assert format_plusgiro("1234566") == "12 34 56-6"
    assert format_plusgiro("123") == "12-3"
    assert format_plusgiro("12") == "1-2"
    assert format_plusgiro("12345678") == "1 23 45 67-8"


def test_ocr_grouped_for_reading() -> None:
    assert group_ocr("426523791") == "4265 2379 1"
    assert group_ocr("1230") == "1230"
    assert group_ocr("Faktura 2026-118") == "Faktura 2026-118"  # a message stays as written


TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(("kwargs", "code", "sv"), [
    ({"due_date": date(2026, 12, 15)}, "unpaid", "Obetald"),
    ({"due_date": date(2026, 12, 1)}, "unpaid", "Obetald"),  # due today is not overdue
    ({"due_date": date(2026, 11, 30)}, "overdue", "Förfallen"),
    ({"due_date": date(2026, 11, 30), "payment_status": "scheduled",
      "payment_date": date(2026, 12, 2)}, "scheduled", "Betalning planerad 2026-12-02"),
    ({"due_date": date(2026, 11, 30), "payment_status": "paid"}, "paid", "Betald"),
    ({"due_date": date(2026, 11, 30), "payment_status": "paid", "handled": True}, "handled",
     "Hanterad"),
    ({"due_date": date(2026, 11, 1), "handled": True}, "handled", "Hanterad"),
])
def test_invoice_status(kwargs: dict, code: str, sv: str) -> None:
    args = {"payment_status": None, "payment_date": None, "handled": False, "today": TODAY, **kwargs}
    status = invoice_status(**args)
    assert status.code == code
    assert status.text("sv") == sv
    assert status.payable == (code == "unpaid")


def test_status_in_english() -> None:
    status = invoice_status(due_date=None, payment_status="scheduled",
                            payment_date=date(2026, 12, 24), handled=False, today=TODAY)
    assert status.text("en") == "Payment scheduled 2026-12-24"


def test_sign_text_states_amount_payee_giro_reference_and_date() -> None:
    common = {"amount_ore": 123_450, "currency": "SEK", "payee_name": "Elbolaget AB",
              "account_type": "bankgiro", "account_number": "54029681", "reference": "426523791",
              "pay_date": date(2026, 12, 15), "from_account": "Lönekonto •••• 6781"}
    sv = payment_sign_text(lang="sv", **common)
    assert sv.splitlines() == [
        "Betala 1 234,50 kr till Elbolaget AB",
        "Bankgiro: 5402-9681",
        "OCR-nummer: 426523791",
        "Betalningsdag: 2026-12-15",
        "Från konto: Lönekonto •••• 6781",
    ]
    en = payment_sign_text(lang="en", **{**common, "account_type": "plusgiro",
                                         "account_number": "2865434", "reference": "Faktura 7",
                                         "reference_type": "message"})
    assert en.splitlines() == [
        "Pay 1 234,50 kr to Elbolaget AB",
        "Plusgiro: 28 65 43-4",
        "Message: Faktura 7",
        "Payment date: 2026-12-15",
        "From account: Lönekonto •••• 6781",
    ]
