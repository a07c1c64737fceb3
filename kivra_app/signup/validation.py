"""Validation and normalisation of what the user types: personnummer, email, mobile number.

Every refusal raises `SignupError(key, params)` with a key from docs/signup-service.md.

Personnummer policy (product-facts §5, security-requirements R-30):
- Only the 12-digit form is accepted, as Kivra asks for ("tolvsiffriga"): `YYYYMMDD-NNNN` or
  `YYYYMMDDNNNN`; spaces and dashes anywhere are stripped, `+` is accepted as the separator of
  people aged 100 or more. Only ASCII digits count (no full-width or other Unicode digits).
- Century 18, 19 or 20; födelsenummer 001-999; a valid Luhn check digit; a real calendar date.
- Samordningsnummer (day + 60) are allowed, including Skatteverket's "unknown" month or day
  `00` (e.g. 191500722390, 191711602399) which the `personnummer` package 3.2.1 refuses. For an
  ordinary personnummer month/day 00 stays invalid.
- Future birth dates are refused (`pnr.future`); the package accepts them.
- Something that looks like a Swedish mobile number gets `pnr.looks_like_phone`.
- Minimum age (settings.minimum_age) from the latest possible birth date; ages above 130 invalid.
- Skatteverket test numbers are refused (`pnr.test_number`) when test numbers are not allowed.

Email policy (R-31): trimmed, validated by email-validator without DNS, ASCII only, at most 254
characters, and lower-cased as a whole (local part included) so `A@Example.SE` and `a@example.se`
are the same address for uniqueness.

Phone policy (R-15, R-32, product-facts §6): parsed with `phonenumbers` in region SE, Swedish
MOBILE numbers only, stored as E.164, shown in the national format.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

import email_validator
import phonenumbers
from personnummer import personnummer as pnr_lib

from kivra_app.signup.errors import SignupError

ASCII_DIGITS = frozenset("0123456789")
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_STRIP_RE = re.compile(r"[\s" + re.escape(_DASHES) + "]+")
_PHONE_LOOKALIKE_RE = re.compile(r"(?:\+46|0046|46)?(?:\(0\))?0?7\d{8}")
MAX_AGE = 130

# Skatteverket test personnummer (open data, CC0; product-facts §5.4). They will never be given to
# a real person, so refusing them in production has no false positives. This is the sample that
# product-facts quotes, including the 1990-series number 19900118-9811; more can be appended
# (12 digits each) without touching the logic.
SKATTEVERKET_TEST_NUMBERS: frozenset[str] = frozenset(
    {
        "201701102384",
        "201412062380",
        "200809032386",
        "197101169295",
        "198107249289",
        "190212149819",
        "190910199827",
        "191006089807",
        "192109099180",
        "194607137454",
        "194510168885",
        "199001189811",
        "189102279800",
        "189912299816",
        # test samordningsnummer
        "191500722390",
        "191611882398",
        "191711602399",
        "191800852384",
        "191911612388",
        "192001602396",
        "192112792383",
    }
)


@dataclass(frozen=True)
class Personnummer:
    number: str  # 12 digits, YYYYMMDDNNNC
    earliest_birth_date: date  # the birth date, or the earliest possible one if month/day is 00
    latest_birth_date: date
    coordination: bool

    def age(self, today: date) -> int:
        """Age in whole years, counted from the latest possible birth date (conservative)."""
        return years_between(self.latest_birth_date, today)


def years_between(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _looks_like_phone(cleaned: str) -> bool:
    return bool(_PHONE_LOOKALIKE_RE.fullmatch(cleaned))


def parse_personnummer(raw: object) -> Personnummer:
    """Shape, date and check digit only (no age or test-number policy)."""
    if not isinstance(raw, str):
        raise SignupError("pnr.invalid")
    text = raw.strip()
    if not text:
        raise SignupError("pnr.required")
    cleaned = _STRIP_RE.sub("", text)
    if len(cleaned) == 13 and cleaned[8] == "+":  # YYYYMMDD+NNNN, people aged 100 or more
        cleaned = cleaned[:8] + cleaned[9:]
    if _looks_like_phone(cleaned):
        raise SignupError("pnr.looks_like_phone")
    if len(cleaned) > 40 or not set(cleaned) <= ASCII_DIGITS:
        raise SignupError("pnr.invalid")
    if len(cleaned) != 12:
        raise SignupError("pnr.invalid")
    century, month, day, serial = cleaned[:2], int(cleaned[4:6]), int(cleaned[6:8]), cleaned[8:11]
    if century not in ("18", "19", "20") or serial == "000" or not luhn_ok(cleaned[2:]):
        raise SignupError("pnr.invalid")
    year = int(cleaned[:4])
    coordination = day >= 60
    real_day = day - 60 if coordination else day
    if not 0 <= month <= 12 or not 0 <= real_day <= 31:
        raise SignupError("pnr.invalid")
    if month and real_day:
        try:
            earliest = latest = date(year, month, real_day)
        except ValueError:
            raise SignupError("pnr.invalid") from None
        # The package is the reference for every complete date (it adds nothing for 00 parts).
        try:
            pnr_lib.parse(cleaned)
        except pnr_lib.PersonnummerException:
            raise SignupError("pnr.invalid") from None
    else:
        if not coordination:  # month/day 00 exists only for samordningsnummer
            raise SignupError("pnr.invalid")
        first_month, last_month = (month, month) if month else (1, 12)
        earliest = date(year, first_month, real_day or 1)
        last_day = real_day or calendar.monthrange(year, last_month)[1]
        try:
            latest = date(year, last_month, last_day)
        except ValueError:
            raise SignupError("pnr.invalid") from None
    return Personnummer(cleaned, earliest, latest, coordination)


def validate_personnummer(
    raw: object, *, today: date, minimum_age: int, allow_test_numbers: bool
) -> Personnummer:
    """The full step-1 check; returns the normalised number or raises SignupError."""
    parsed = parse_personnummer(raw)
    if parsed.earliest_birth_date > today:
        raise SignupError("pnr.future")
    if years_between(parsed.earliest_birth_date, today) > MAX_AGE:
        raise SignupError("pnr.invalid")
    if not allow_test_numbers and is_test_number(parsed.number):
        raise SignupError("pnr.test_number")
    if parsed.age(today) < minimum_age:
        raise SignupError("pnr.too_young", {"age": minimum_age})
    return parsed


def is_test_number(number12: str) -> bool:
    return number12 in SKATTEVERKET_TEST_NUMBERS


def mask_personnummer(number12: str | None) -> str:
    """'19850709-****' (GDPR: never show or log the last four)."""
    if not number12 or len(number12) != 12:
        return ""
    return f"{number12[:8]}-****"


# ---------------------------------------------------------------- email

MAX_EMAIL_LENGTH = 254


def validate_email(raw: object) -> str:
    if not isinstance(raw, str):
        raise SignupError("email.invalid")
    text = raw.strip()
    if not text:
        raise SignupError("email.required")
    if len(text) > MAX_EMAIL_LENGTH or any(c in text for c in "\r\n\x00"):
        raise SignupError("email.invalid")
    try:
        result = email_validator.validate_email(
            text,
            check_deliverability=False,
            allow_smtputf8=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
        )
    except email_validator.EmailNotValidError:
        raise SignupError("email.invalid") from None
    normalized = result.normalized.lower()
    if len(normalized) > MAX_EMAIL_LENGTH or normalized.count("@") != 1:
        raise SignupError("email.invalid")
    return normalized


def mask_email(address: str | None) -> str:
    if not address or "@" not in address:
        return ""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


# ---------------------------------------------------------------- phone


@dataclass(frozen=True)
class PhoneNumber:
    e164: str  # '+46701234567'
    national: str  # '070-123 45 67'


def validate_phone(raw: object) -> PhoneNumber:
    if not isinstance(raw, str):
        raise SignupError("phone.invalid")
    text = raw.strip()
    if not text:
        raise SignupError("phone.required")
    if len(text) > 40:
        raise SignupError("phone.invalid")
    text = text.replace("(0)", "")
    if any(ch.isdigit() and ch not in ASCII_DIGITS for ch in text):
        raise SignupError("phone.invalid")
    try:
        number = phonenumbers.parse(text, "SE")
    except phonenumbers.NumberParseException:
        raise SignupError("phone.invalid") from None
    region = phonenumbers.region_code_for_number(number)
    if number.country_code != 46 or (region and region != "SE"):
        raise SignupError("phone.not_swedish")
    if not phonenumbers.is_valid_number(number):
        raise SignupError("phone.invalid")
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        raise SignupError("phone.not_mobile")
    return PhoneNumber(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        national=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
    )


def phone_national(e164: str | None) -> str:
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def mask_phone(e164: str | None) -> str:
    """'+46 70 *** ** 67' style: country, operator prefix and the last two digits only."""
    if not e164 or len(e164) < 6:
        return ""
    return f"{e164[:5]}*****{e164[-2:]}"
