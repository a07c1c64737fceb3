"""Every row of the reference's RFA mapping (§6.2), with the texts of §6.1 in both languages."""

from __future__ import annotations

import pytest

from kivra_app.bankid.messages import device_choice_message, user_message

# Texts copied from the reference §6.1 (independently of the module under test).
TEXTS = {
    "RFA1": ("Starta BankID-appen.", "Start your BankID app."),
    "RFA3": ("Åtgärden avbröts. Försök igen.", "The action was cancelled. Please try again."),
    "RFA4": (
        "En identifiering eller underskrift pågår redan för ditt personnummer. Försök igen.",
        "An identification or signature is already in progress for your personal identity "
        "number. Please try again.",
    ),
    "RFA5": ("Något gick fel. Försök igen.", "Something went wrong. Please try again."),
    "RFA6": ("Åtgärden avbröts.", "The action was cancelled."),
    "RFA8": (
        "BankID-appen svarar inte. Kontrollera att den är startad och att du har "
        "internetanslutning. Försök sedan igen.",
        "The BankID app is not responding. Please check that it's started and that you have "
        "internet access. Try again.",
    ),
    "RFA9": (
        "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under.",
        "Enter your security code in the BankID app and select Identify or Sign.",
    ),
    "RFA13": ("Försöker starta BankID-appen.", "Trying to start your BankID app."),
    "RFA15A": (
        "Söker efter BankID. Säkerställ att du har ett giltigt BankID på den här datorn. "
        "Om du har ett BankID på kort, sätt in kortet i kortläsaren.",
        "Searching for BankID. Make sure you have a valid BankID on this computer. If you have "
        "a BankID on card, please insert the card into your card reader.",
    ),
    "RFA15B": (
        "Söker efter BankID. Säkerställ att du har ett giltigt BankID på den här enheten.",
        "Searching for BankID. Make sure you have a valid BankID on this device.",
    ),
    "RFA16": (
        "Ditt BankID är för gammalt eller spärrat. Använd ett annat BankID eller skaffa ett "
        "nytt hos din bank.",
        "Your BankID is blocked or too old. Please use another BankID or get a new one from "
        "your bank.",
    ),
    "RFA17A": (
        "Du verkar inte ha BankID-appen/programmet. Installera den och skaffa ett BankID hos "
        "din bank.",
        "You don't seem to have the BankID app/program. Please install it and get a BankID "
        "from your bank.",
    ),
    "RFA17B": (
        "Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden.",
        "Failed to scan the QR code. Start the BankID app and scan the QR code.",
    ),
    "RFA19": (
        "Vill du använda BankID på den här datorn eller ett Mobilt BankID?",
        "Would you like to use BankID on this computer, or a Mobile BankID?",
    ),
    "RFA20": (
        "Vill du använda BankID på den här enheten eller på en annan enhet?",
        "Do you want to use BankID on this device or another device?",
    ),
    "RFA21": (
        "En identifiering eller underskrift pågår.",
        "An identification or signing is in progress.",
    ),
    "RFA22": ("Något gick fel. Försök igen.", "Something went wrong. Please try again."),
    "RFA23": (
        "Fotografera och läs av din ID-handling med BankID-appen.",
        "Take a photo of, and scan, your ID document with the BankID app.",
    ),
}

QR = {"same_device": False, "started_with_qr": True}
AUTOSTART = {"same_device": True, "started_with_qr": False}

# (status, hintCode, errorCode, flow, mobile) -> RFA
ROWS = [
    ("pending", "outstandingTransaction", None, QR, False, "RFA1"),
    ("pending", "outstandingTransaction", None, AUTOSTART, False, "RFA13"),
    ("pending", "outstandingTransaction", None, AUTOSTART, True, "RFA13"),
    ("pending", "noClient", None, QR, False, "RFA1"),
    ("pending", "noClient", None, AUTOSTART, True, "RFA1"),
    ("pending", "started", None, AUTOSTART, False, "RFA15A"),
    ("pending", "started", None, AUTOSTART, True, "RFA15B"),
    ("pending", "userSign", None, QR, False, "RFA9"),
    ("pending", "userMrtd", None, QR, False, "RFA23"),
    ("pending", "userCallConfirm", None, QR, False, "RFA21"),
    ("pending", "someNewPendingCode", None, QR, False, "RFA21"),
    ("failed", "expiredTransaction", None, QR, False, "RFA8"),
    ("failed", "certificateErr", None, QR, False, "RFA16"),
    ("failed", "userCancel", None, AUTOSTART, True, "RFA6"),
    ("failed", "cancelled", None, QR, False, "RFA3"),
    ("failed", "startFailed", None, AUTOSTART, True, "RFA17A"),
    ("failed", "startFailed", None, QR, False, "RFA17B"),
    ("failed", "userDeclinedCall", None, QR, False, "RFA22"),
    ("failed", "notSupportedByUserApp", None, QR, False, "RFA22"),
    ("failed", "transactionRiskBlocked", None, QR, False, "RFA22"),
    ("failed", "someNewFailure", None, QR, False, "RFA22"),
    (None, None, "alreadyInProgress", QR, False, "RFA4"),
    (None, None, "requestTimeout", QR, False, "RFA5"),
    (None, None, "internalError", QR, False, "RFA5"),
    (None, None, "maintenance", QR, False, "RFA5"),
    (None, None, "invalidParameters", QR, False, "RFA22"),
    (None, None, "unauthorized", QR, False, "RFA22"),
    (None, None, "notFound", QR, False, "RFA22"),
    (None, None, "methodNotAllowed", QR, False, "RFA22"),
    (None, None, "unsupportedMediaType", QR, False, "RFA22"),
    (None, None, "brandNewErrorCode", QR, False, "RFA22"),
]


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize(("status", "hint", "error", "flow", "mobile", "rfa"), ROWS)
def test_mapping_row(status, hint, error, flow, mobile, rfa, lang) -> None:
    msg = user_message(
        status=status, hint_code=hint, error_code=error, lang=lang, mobile=mobile, **flow
    )
    assert msg is not None
    assert msg.rfa_id == rfa
    assert msg.text == TEXTS[rfa][0 if lang == "sv" else 1]


def test_complete_has_no_message() -> None:
    assert user_message(status="complete", lang="sv", **QR) is None


def test_error_code_wins_over_status() -> None:
    msg = user_message(
        status="pending", hint_code="userSign", error_code="alreadyInProgress", lang="en", **QR
    )
    assert msg is not None and msg.rfa_id == "RFA4"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_device_choice(lang: str) -> None:
    i = 0 if lang == "sv" else 1
    assert device_choice_message(lang, mobile=False).text == TEXTS["RFA19"][i]  # type: ignore[arg-type]
    assert device_choice_message(lang, mobile=True).text == TEXTS["RFA20"][i]  # type: ignore[arg-type]
