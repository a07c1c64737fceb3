"""Validators: personnummer (incl. the gaps of personnummer 3.2.1), email and phone."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kivra_app.signup.errors import SignupError
from kivra_app.signup.validation import (
    mask_personnummer,
    validate_email,
    validate_personnummer,
    validate_phone,
)
from tests.unit.fakes import make_pnr

TODAY = date(2026, 3, 2)


def pnr(raw, *, minimum_age=18, allow_test=True, today=TODAY):
    return validate_personnummer(raw, today=today, minimum_age=minimum_age,
                                 allow_test_numbers=allow_test)


def key_of(fn, *args, **kwargs) -> str:
    with pytest.raises(SignupError) as info:
        fn(*args, **kwargs)
    return info.value.key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("19850709-9805", "198507099805"),
        ("198507099805", "198507099805"),
        (" 19850709 9805 ", "198507099805"),
        ("1985 07 09-98 05", "198507099805"),
        ("19850709\u20139805", "198507099805"),  # en dash from copy-paste
        ("19121212+1212", "191212121212"),  # aged 100+: '+' separator
        ("19701063-2391", "197010632391"),  # samordningsnummer (day + 60)
        ("191500722390", "191500722390"),  # samordningsnummer, month 00 (package refuses)
        ("191711602399", "191711602399"),  # samordningsnummer, day 00 (package refuses)
        ("191800852384", "191800852384"),
        ("192001602396", "192001602396"),
    ],
)
def test_valid_personnummer(raw, expected):
    assert pnr(raw).number == expected


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("", "pnr.required"),
        ("   ", "pnr.required"),
        (None, "pnr.invalid"),
        (198507099805, "pnr.invalid"),  # not a string
        (["198507099805"], "pnr.invalid"),
        ("8507099805", "pnr.invalid"),  # 10 digits: Kivra asks for 12
        ("850709-9805", "pnr.invalid"),
        ("19850709-9806", "pnr.invalid"),  # bad check digit
        ("201701272394", "pnr.invalid"),  # Skatteverket's bad-check-digit example
        ("190302299813", "pnr.invalid"),  # 1903-02-29 does not exist
        ("19851309-9805", "pnr.invalid"),  # month 13
        ("198507009805", "pnr.invalid"),  # day 00 on an ordinary personnummer
        ("19850709-980", "pnr.invalid"),  # 11 digits
        ("1985070998050", "pnr.invalid"),  # 13 digits
        ("19850709-98O5", "pnr.invalid"),  # letter O
        ("000101-T220", "pnr.invalid"),  # interim number
        ("１９８５０７０９９８０５", "pnr.invalid"),  # full-width digits
        ("١٩٨٥٠٧٠٩٩٨٠٥", "pnr.invalid"),  # Arabic-Indic digits
        ("17850709-9805", "pnr.invalid"),  # century 17
        ("20850709-9805", "pnr.future"),  # the package says valid, age -59
        ("0707767612", "pnr.looks_like_phone"),  # the package says valid samordningsnummer
        ("070-776 76 12", "pnr.looks_like_phone"),
        ("+46707767612", "pnr.looks_like_phone"),
        ("0046707767612", "pnr.looks_like_phone"),
        ("+46 (0)70 776 76 12", "pnr.looks_like_phone"),
    ],
)
def test_invalid_personnummer(raw, key):
    assert key_of(pnr, raw) == key


def test_future_date_tomorrow_refused_today_allowed():
    tomorrow = make_pnr("20260303")
    assert key_of(pnr, tomorrow, minimum_age=0) == "pnr.future"
    assert pnr(make_pnr("20260302"), minimum_age=0).number.startswith("20260302")


def test_minimum_age_boundary():
    eighteen_today = make_pnr("20080302")
    eighteen_tomorrow = make_pnr("20080303")
    assert pnr(eighteen_today).number == eighteen_today
    with pytest.raises(SignupError) as info:
        pnr(eighteen_tomorrow)
    assert info.value.key == "pnr.too_young" and info.value.params == {"age": 18}
    assert pnr(eighteen_tomorrow, minimum_age=17).number == eighteen_tomorrow


def test_unknown_birth_day_counts_age_from_the_latest_possible_date():
    # samordningsnummer born in March 2008, day unknown (60): maybe not 18 yet on 2026-03-02
    number = make_pnr("20080360", "239")
    assert key_of(pnr, number) == "pnr.too_young"
    assert pnr(number, today=date(2026, 4, 1)).number == number


def test_too_old_is_invalid():
    assert key_of(pnr, make_pnr("18800101")) == "pnr.invalid"


@pytest.mark.parametrize("number", ["199001189811", "19900118-9811", "201701102384",
                                    "198107249289", "191500722390"])
def test_skatteverket_test_numbers_refused_only_when_not_allowed(number):
    assert key_of(pnr, number, allow_test=False) == "pnr.test_number"
    assert pnr(number, allow_test=True, minimum_age=0)


def test_mask():
    assert mask_personnummer("198507099805") == "19850709-****"
    assert mask_personnummer(None) == ""


@st.composite
def real_personnummer(draw):
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2008, 3, 1)))
    serial = draw(st.integers(min_value=1, max_value=999))
    coordination = draw(st.booleans()) and born.year >= 1940
    day = born.day + 60 if coordination else born.day
    return make_pnr(f"{born:%Y%m}{day:02d}", f"{serial:03d}")


@settings(max_examples=200, deadline=None)
@given(real_personnummer(), st.sampled_from(["{a}-{b}", "{a}{b}", " {a} {b} ", "{a}\u2010{b}"]))
def test_any_real_number_in_any_accepted_shape_normalises(number, shape):
    typed = shape.format(a=number[:8], b=number[8:])
    assert pnr(typed).number == number


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_arbitrary_text_gives_a_result_or_a_signup_error(text):
    try:
        result = pnr(text)
    except SignupError as exc:
        assert exc.key.startswith("pnr.")
    else:
        assert len(result.number) == 12 and result.number.isascii() and result.number.isdigit()


@settings(max_examples=200, deadline=None)
@given(real_personnummer(), st.integers(min_value=0, max_value=11))
def test_one_changed_digit_is_refused(number, position):
    digit = number[position]
    changed = number[:position] + str((int(digit) + 1) % 10) + number[position + 1:]
    try:
        pnr(changed)
    except SignupError:
        return
    # A change in the century digits keeps the Luhn sum (it covers the last 10 digits only)
    assert position < 2


# ------------------------------------------------------------------ email

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("karin@example.se", "karin@example.se"),
        ("  Karin.Karlsson@Example.SE ", "karin.karlsson@example.se"),
        ("A@Example.SE", "a@example.se"),
        ("karin+kivra@example.se", "karin+kivra@example.se"),
    ],
)
def test_valid_email(raw, expected):
    assert validate_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("", "email.required"),
        ("  ", "email.required"),
        (None, "email.invalid"),
        (["a@b.se"], "email.invalid"),
        ("karin", "email.invalid"),
        ("karin@", "email.invalid"),
        ("@example.se", "email.invalid"),
        ("karin@@example.se", "email.invalid"),
        ("a@b@example.se", "email.invalid"),
        ("victim@x.se\r\nBcc: a@y.se", "email.invalid"),
        ("victim@x.se\nBcc: a@y.se", "email.invalid"),
        ("Karin <karin@example.se>", "email.invalid"),
        ('"karin"@example.se', "email.invalid"),
        ("karin@[127.0.0.1]", "email.invalid"),
        ("kärin@example.se", "email.invalid"),  # SMTPUTF8 not supported
        ("a" * 250 + "@example.se", "email.invalid"),
        ("karin@example", "email.invalid"),
    ],
)
def test_invalid_email(raw, key):
    assert key_of(validate_email, raw) == key


# ------------------------------------------------------------------ phone

@pytest.mark.parametrize(
    "raw",
    ["070-174 06 05", "0701740605", "+46701740605", "+46 (0)70 174 06 05", "0046701740605",
     "46701740605", " 070 174 06 05 "],
)
def test_same_mobile_number_in_every_format(raw):
    result = validate_phone(raw)
    assert result.e164 == "+46701740605"
    assert result.national == "070-174 06 05"


@pytest.mark.parametrize("raw", ["072-123 45 67", "073 123 45 67", "076-1234567", "079-1234567"])
def test_mobile_ranges(raw):
    assert validate_phone(raw).e164.startswith("+467")


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("", "phone.required"),
        (None, "phone.invalid"),
        (701740605, "phone.invalid"),
        ("hello", "phone.invalid"),
        ("070-12345", "phone.invalid"),  # too short: possible but not valid
        ("070 123 45 678", "phone.invalid"),  # too long
        ("071-123 45 67", "phone.invalid"),  # M2M range, not valid in libphonenumber
        ("075-123 45 67", "phone.not_mobile"),  # personal number
        ("077-123 45 67", "phone.not_mobile"),  # shared cost
        ("08-123 456 78", "phone.not_mobile"),  # landline
        ("0900-123 45 67", "phone.not_mobile"),  # premium rate
        ("+4570123456", "phone.not_swedish"),  # Denmark
        ("+447700900123", "phone.not_swedish"),  # UK mobile
        ("+44 9 0912 34567", "phone.not_swedish"),  # UK premium
        ("０７０１７４０６０５", "phone.invalid"),  # full-width digits
    ],
)
def test_invalid_phone(raw, key):
    assert key_of(validate_phone, raw) == key
