"""How the reader shows invoice data: amounts, bankgiro/plusgiro, OCR, dates, invoice status and
the text a person signs in BankID to pay. Plain Python, no Reflex.

Amounts are integers in öre. Swedish: "1 234,50 kr" (space between thousands, comma before öre);
English: "SEK 1,234.50". Spaces are plain spaces (the exact text on the invoice); the UI keeps an
amount on one line with CSS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kivra_app.i18n import normalise_language, t


def _digits(value: object) -> str:
    return "".join(ch for ch in str(value or "") if ch.isascii() and ch.isdigit())


def format_amount(amount_ore: int, lang: str = "sv", currency: str = "SEK") -> str:
    lang = normalise_language(lang)
    sign = "-" if amount_ore < 0 else ""
    kronor, ore = divmod(abs(int(amount_ore)), 100)
    if lang == "sv":
        whole = f"{kronor:,}".replace(",", " ")
        unit = "kr" if currency == "SEK" else currency
        return f"{sign}{whole},{ore:02d} {unit}"
    return f"{sign}{currency} {kronor:,}.{ore:02d}"


def format_bankgiro(number: str) -> str:
    """7 digits → "NNN-NNNN", 8 → "NNNN-NNNN" (the last four after the hyphen)."""
    digits = _digits(number)
    if len(digits) not in (7, 8):
        return digits
    return f"{digits[:-4]}-{digits[-4:]}"


def format_plusgiro(number: str) -> str:
    """Pairs from the right, a hyphen before the check digit: 2865434 → "28 65 43-4"."""
    digits = _digits(number)
    if not 2 <= len(digits) <= 8:
        return digits
    body, check = digits[:-1], digits[-1]
    pairs: list[str] = []
    while body:
        pairs.insert(0, body[-2:])
        body = body[:-2]
    return f"{' '.join(pairs)}-{check}" if pairs else check


def format_payee_account(account_type: str, number: str) -> str:
    return format_plusgiro(number) if account_type == "plusgiro" else format_bankgiro(number)


def group_ocr(reference: str) -> str:
    """OCR digits in groups of four from the left, for reading aloud or typing over; the copy
    button copies the plain digits."""
    digits = _digits(reference)
    if digits != str(reference or "").replace(" ", ""):
        return str(reference or "")  # a message, not an OCR number: as the sender wrote it
    return " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))


def format_date(day: date, lang: str = "sv") -> str:
    """ISO 8601 "2026-12-24": the Swedish standard date, unambiguous in English too."""
    return day.isoformat()


# -- invoice status ---------------------------------------------------------------------------
STATUSES = ("unpaid", "overdue", "scheduled", "paid", "handled")


@dataclass(frozen=True)
class InvoiceStatus:
    code: str  # one of STATUSES
    pay_date: date | None = None  # for "scheduled"

    def text(self, lang: str) -> str:
        if self.code == "scheduled" and self.pay_date is not None:
            return t(lang, "invoice.status.scheduled", date=format_date(self.pay_date, lang))
        return t(lang, f"invoice.status.{self.code}")

    @property
    def payable(self) -> bool:
        """May the person start a payment? Not when it is overdue, planned, paid or handled."""
        return self.code == "unpaid"


def invoice_status(*, due_date: date | None, payment_status: str | None,
                   payment_date: date | None, handled: bool, today: date) -> InvoiceStatus:
    """Obetald / Förfallen / Betalning planerad {datum} / Betald / Hanterad.

    `payment_status` is the state of the invoice's one active payment ("scheduled" | "paid") or
    None. Handled wins (the person said so); then paid, then a planned payment; an invoice
    without a payment is overdue the day after its due date.
    """
    if handled:
        return InvoiceStatus("handled")
    if payment_status == "paid":
        return InvoiceStatus("paid")
    if payment_status == "scheduled":
        return InvoiceStatus("scheduled", payment_date)
    if due_date is not None and today > due_date:
        return InvoiceStatus("overdue")
    return InvoiceStatus("unpaid")


# -- the BankID sign text ---------------------------------------------------------------------
def payment_sign_text(*, lang: str, amount_ore: int, currency: str, payee_name: str,
                      account_type: str, account_number: str, reference: str,
                      reference_type: str = "ocr", pay_date: date, from_account: str) -> str:
    """userVisibleData of the sign order that approves a payment, in the person's language:
    the amount as on the invoice, the payee, its bankgiro/plusgiro as printed, the reference
    and the date. The amount is written as on the invoice (Swedish: "1 234,50 kr") in both
    languages, so the person can compare it with the PDF letter by letter."""
    lang = normalise_language(lang)
    account_label = t(lang, "invoice.plusgiro" if account_type == "plusgiro" else "invoice.bankgiro")
    lines = [
        t(lang, "pay.sign.heading", amount=format_amount(amount_ore, "sv", currency),
          payee=payee_name.strip()),
        f"{account_label}: {format_payee_account(account_type, account_number)}",
        f"{t(lang, 'invoice.message' if reference_type == 'message' else 'invoice.ocr')}: {reference}",
        f"{t(lang, 'pay.sign.date')}: {format_date(pay_date, lang)}",
        f"{t(lang, 'pay.sign.from')}: {from_account}",
    ]
    return "\n".join(lines)


# The unread count in the header and the title stops at this many (inbox.unread_count): counting
# is then bounded by the cap, not by the size of the mailbox (a 10,000-letter inbox opens as fast
# as a 10-letter one), and the badge says "99+" beyond 99, as mail and chat apps do.
UNREAD_COUNT_CAP = 100


def unread_label(count: int) -> str:
    """What the badge and the title show for a count from unread_count: "99+" at the cap."""
    return f"{UNREAD_COUNT_CAP - 1}+" if count >= UNREAD_COUNT_CAP else str(count)
