"""Swedish payment references and sender identity (mailbox-and-senders.md §5, §8).

No package validates bankgiro, plusgiro or OCR: the rules are here, the check digit is
`stdnum.luhn` ("10-modul"). The organisationsnummer uses the `organisationsnummer` package.
Every function takes what a sender typed and returns the normalised value or raises
`InvalidValue` (the caller maps it to a problem type).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from organisationsnummer import organisationsnummer
from stdnum import luhn

from kivra_app.signup.errors import SignupError
from kivra_app.signup.validation import parse_personnummer

_SEPARATORS = re.compile(r"[\s-]+")
_AMOUNT = re.compile(r"[0-9]{1,9}(\.[0-9]{1,2})?")
MAX_AMOUNT_ORE = 99_999_999_99  # 99,999,999.99 SEK, far above any invoice; keeps ints small


class InvalidValue(ValueError):
    """`code` is a short machine-readable reason for the problem's `errors[]`."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _digits(raw: object, *, separators: bool) -> str:
    if not isinstance(raw, str):
        raise InvalidValue("not_a_string")
    value = _SEPARATORS.sub("", raw) if separators else raw
    # isascii(): full-width and other Unicode digits are not digits here
    if not value or not (value.isascii() and value.isdigit()):
        raise InvalidValue("not_digits")
    return value


def _luhn_ok(digits: str) -> bool:
    return luhn.is_valid(digits)


def ocr_reference(raw: object) -> str:
    """An OCR reference: 2-25 ASCII digits, the last one the Luhn check digit (hard check)."""
    digits = _digits(raw, separators=False)
    if not 2 <= len(digits) <= 25:
        raise InvalidValue("length")
    if not _luhn_ok(digits):
        raise InvalidValue("check_digit")
    return digits


def ocr_has_length_digit(digits: str) -> bool:
    """The "längdsiffra" level: second-to-last digit = total length mod 10 (for payees whose
    bank agreement asks for it; not enforced by default)."""
    return len(digits) >= 2 and int(digits[-2]) == len(digits) % 10


def bankgiro(raw: object) -> str:
    """7 or 8 digits (shown NNN-NNNN / NNNN-NNNN), Luhn over all digits."""
    digits = _digits(raw, separators=True)
    if len(digits) not in (7, 8):
        raise InvalidValue("length")
    if not _luhn_ok(digits):
        raise InvalidValue("check_digit")
    return digits


def plusgiro(raw: object) -> str:
    """2-8 digits (shown in pairs from the right, hyphen before the check digit), Luhn."""
    digits = _digits(raw, separators=True)
    if not 2 <= len(digits) <= 8:
        raise InvalidValue("length")
    if not _luhn_ok(digits):
        raise InvalidValue("check_digit")
    return digits


def account(account_type: str, raw: object) -> str:
    if account_type == "bankgiro":
        return bankgiro(raw)
    if account_type == "plusgiro":
        return plusgiro(raw)
    raise InvalidValue("account_type")


def format_bankgiro(digits: str) -> str:
    return f"{digits[:-4]}-{digits[-4:]}"


def format_plusgiro(digits: str) -> str:
    body, check = digits[:-1], digits[-1]
    pairs = []
    while body:
        pairs.insert(0, body[-2:])
        body = body[:-2]
    return f"{' '.join(pairs)}-{check}"


def amount_ore(raw: object) -> int:
    """"1234.50" -> 123450. A string with at most two decimals, > 0 (no exponents, signs,
    commas or spaces: senders send a machine format)."""
    if not isinstance(raw, str) or not _AMOUNT.fullmatch(raw):
        raise InvalidValue("format")
    try:
        value = Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern already excludes it
        raise InvalidValue("format") from None
    ore = int(value * 100)
    if ore <= 0:
        raise InvalidValue("not_positive")
    if ore > MAX_AMOUNT_ORE:
        raise InvalidValue("too_large")
    return ore


def due_date(raw: object) -> date:
    if not isinstance(raw, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise InvalidValue("format")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidValue("format") from None


def orgnr(raw: object) -> str:
    """A Swedish organisationsnummer, normalised to 10 digits. Refuses personnummer-shaped
    numbers (an enskild firma has no organisationsnummer of its own to send as)."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidValue("required")
    text = raw.strip()
    if not text.replace("-", "").isascii():
        raise InvalidValue("invalid")
    try:
        number = organisationsnummer.parse(text)
    except Exception:  # noqa: BLE001 - the package raises its own error types
        raise InvalidValue("invalid") from None
    if number.is_personnummer():
        raise InvalidValue("personnummer")
    return number.format(False)[-10:]


def recipient_personnummer(raw: object) -> str:
    """The 12-digit personnummer (or samordningsnummer) of a recipient, as the signup stores it."""
    if not isinstance(raw, str):
        raise InvalidValue("invalid")
    try:
        return parse_personnummer(raw).number
    except SignupError:
        raise InvalidValue("invalid") from None
