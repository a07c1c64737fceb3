"""Validator tables from mailbox-and-senders.md §5.1 and §8 (the reference's test vectors)."""

from __future__ import annotations

from datetime import date

import pytest

from kivra_app.senders import validators as v


@pytest.mark.parametrize("ocr", ["1230", "12351", "426523791", "771554193", "123456789023"])
def test_valid_ocr(ocr: str) -> None:
    assert v.ocr_reference(ocr) == ocr


@pytest.mark.parametrize(("ocr", "code"), [
    ("1231", "check_digit"), ("123456789012345", "check_digit"), ("１２３０", "not_digits"),
    ("0", "length"), ("1" * 26, "length"), ("12 30", "not_digits"), ("", "not_digits"),
    ("12a0", "not_digits"), (1230, "not_a_string"),
])
def test_invalid_ocr(ocr: object, code: str) -> None:
    with pytest.raises(v.InvalidValue) as err:
        v.ocr_reference(ocr)
    assert err.value.code == code


def test_ocr_length_digit_level() -> None:
    assert v.ocr_has_length_digit("12351") and v.ocr_has_length_digit("123456789023")
    assert not v.ocr_has_length_digit("1230")


@pytest.mark.parametrize(("raw", "digits", "shown"), [
    ("5402-9681", "54029681", "5402-9681"), ("902-0033", "9020033", "902-0033"),
    ("160-9908", "1609908", "160-9908"), ("5402 9681", "54029681", "5402-9681"),
])
def test_valid_bankgiro(raw: str, digits: str, shown: str) -> None:
    assert v.bankgiro(raw) == digits
    assert v.format_bankgiro(digits) == shown


@pytest.mark.parametrize(("raw", "code"), [
    ("123-4567", "check_digit"), ("456-9999", "check_digit"), ("12-3456", "length"),
    ("123456789", "length"), ("５４０２-９６８１", "not_digits"),
])
def test_invalid_bankgiro(raw: str, code: str) -> None:
    with pytest.raises(v.InvalidValue) as err:
        v.bankgiro(raw)
    assert err.value.code == code


@pytest.mark.parametrize(("raw", "digits", "shown"), [
    ("28 65 43-4", "2865434", "28 65 43-4"), ("123456-6", "1234566", "12 34 56-6"), ("1234567-4", "12345674", "1 23 45 67-4"),
    ("18", "18", "1-8"),
])
def test_valid_plusgiro(raw: str, digits: str, shown: str) -> None:
    assert v.plusgiro(raw) == digits
    assert v.format_plusgiro(digits) == shown


@pytest.mark.parametrize("raw", ["456-9999", "1", "123456789", "28 65 43-5"])
def test_invalid_plusgiro(raw: str) -> None:
    with pytest.raises(v.InvalidValue):
        v.plusgiro(raw)


@pytest.mark.parametrize(("raw", "ore"), [("1", 100), ("1234.50", 123450), ("0.99", 99),
                                          ("0.01", 1), ("10.5", 1050)])
def test_amounts(raw: str, ore: int) -> None:
    assert v.amount_ore(raw) == ore


@pytest.mark.parametrize(("raw", "code"), [
    ("1.005", "format"), ("-5", "format"), ("0", "not_positive"), ("0.00", "not_positive"),
    ("1e3", "format"), ("1,50", "format"), (" 1", "format"), ("", "format"), (12, "format"),
    ("9999999999", "format"),
])
def test_bad_amounts(raw: object, code: str) -> None:
    with pytest.raises(v.InvalidValue) as err:
        v.amount_ore(raw)
    assert err.value.code == code


def test_due_date() -> None:
    assert v.due_date("2026-12-31") == date(2026, 12, 31)
    for bad in ("2026-02-30", "31/12/2026", "2026-1-1", None):
        with pytest.raises(v.InvalidValue):
            v.due_date(bad)


@pytest.mark.parametrize(("raw", "number"), [
    ("556840-2266", "5568402266"), ("5569173544", "5569173544"), ("212000-0142", "2120000142"),
    ("556036-0793", "5560360793"), ("556047-3521", "5560473521"), ("5564300142", "5564300142"),
    ("165568402266", "5568402266"),
])
def test_valid_orgnr(raw: str, number: str) -> None:
    assert v.orgnr(raw) == number


@pytest.mark.parametrize(("raw", "code"), [
    ("556840-2267", "invalid"), ("8507099805", "personnummer"), ("", "required"),
    ("55684O2266", "invalid"), ("５５６８４０２２６６", "invalid"),
])
def test_invalid_orgnr(raw: str, code: str) -> None:
    with pytest.raises(v.InvalidValue) as err:
        v.orgnr(raw)
    assert err.value.code == code


def test_recipient_personnummer() -> None:
    assert v.recipient_personnummer("19850709-9805") == "198507099805"
    for bad in ("8507099805", "198507099806", "19850709980", None):
        with pytest.raises(v.InvalidValue):
            v.recipient_personnummer(bad)
