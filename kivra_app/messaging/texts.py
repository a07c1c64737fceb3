"""Texts of the verification messages, Swedish and English (the signup's language)."""

from __future__ import annotations

import html

MAIL_SUBJECT = {"sv": "Verifieringskod från Kivra", "en": "Verification code from Kivra"}
IN_USE_SUBJECT = {
    "sv": "Din mailadress används redan i Kivra",
    "en": "Your email address is already used in Kivra",
}


def lang(language: str) -> str:
    return "en" if language == "en" else "sv"


def code_sms_text(code: str, language: str) -> str:
    if lang(language) == "en":
        return f"Your verification code from Kivra is {code}"
    return f"Din verifieringskod från Kivra är {code}"


def _mail_lines(language: str, body: list[str]) -> list[str]:
    """The greeting, `body`, and Kivra's signature, one paragraph break between each."""
    greeting = "Hi," if language == "en" else "Hej,"
    return [greeting, "", *body, "", "Kivra"]


def code_mail_text(code: str, language: str, valid_minutes: int) -> tuple[str, str, str]:
    """(subject, plain text, html) for the email-verification code."""
    language = lang(language)
    if language == "en":
        body = [
            f"Your verification code from Kivra is: {code}",
            "",
            f"The code is valid for {valid_minutes} minutes. Enter it on the page where you are "
            "creating your Kivra account.",
            "Do not share the code with anyone. Kivra will never ask you for it.",
            "",
            "If you did not try to create a Kivra account, you can ignore this email.",
        ]
    else:
        body = [
            f"Din verifieringskod från Kivra är: {code}",
            "",
            f"Koden gäller i {valid_minutes} minuter. Fyll i den på sidan där du skapar ditt "
            "Kivra-konto.",
            "Dela inte koden med någon. Kivra kommer aldrig att be dig om den.",
            "",
            "Om du inte försökte skapa ett Kivra-konto kan du bortse från det här mailet.",
        ]
    lines = _mail_lines(language, body)
    return MAIL_SUBJECT[language], "\n".join(lines) + "\n", _html(lines, language, code)


def in_use_mail_text(language: str) -> tuple[str, str, str]:
    """Sent instead of a code when the address already belongs to an account (R-17)."""
    language = lang(language)
    if language == "en":
        body = [
            "Someone tried to create a Kivra account with this email address, but it is already "
            "used by a Kivra account.",
            "If it was you, log in to Kivra with BankID instead. You can use each email address "
            "for one account only.",
            "If it was not you, you can ignore this email.",
        ]
    else:
        body = [
            "Någon försökte skapa ett Kivra-konto med den här mailadressen, men den används "
            "redan av ett Kivra-konto.",
            "Om det var du kan du logga in i Kivra med BankID i stället. En mailadress kan bara "
            "användas för ett konto.",
            "Om det inte var du kan du bortse från det här mailet.",
        ]
    lines = _mail_lines(language, body)
    return IN_USE_SUBJECT[language], "\n".join(lines) + "\n", _html(lines, language, None)


def _html(lines: list[str], language: str, code: str | None) -> str:
    parts = [f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
             f"<title>{html.escape(MAIL_SUBJECT[language])}</title></head>"
             '<body style="font-family:Arial,sans-serif;color:#1d1d1b">']
    paragraph: list[str] = []
    for line in [*lines, ""]:
        if line:
            paragraph.append(html.escape(line))
            continue
        if paragraph:
            parts.append("<p>" + "<br>".join(paragraph) + "</p>")
            paragraph = []
    if code is not None:
        parts.insert(
            2,
            '<p style="font-size:28px;font-weight:bold;letter-spacing:4px">'
            f"{html.escape(code)}</p>",
        )
    parts.append("</body></html>")
    return "".join(parts)
