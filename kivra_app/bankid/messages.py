"""BankID's recommended user messages (RFA) and the mapping from collect and error codes.

Texts follow the current BankID list (reference §6.1); the mapping follows §6.2.
Unknown pending codes give RFA21, unknown failures and error codes give RFA22.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Lang = Literal["sv", "en"]


@dataclass(frozen=True)
class RfaMessage:
    rfa_id: str
    text: str


RFA_TEXTS: dict[str, dict[str, str]] = {
    "RFA1": {"sv": "Starta BankID-appen.", "en": "Start your BankID app."},
    "RFA2": {
        "sv": "Du verkar inte ha BankID-appen. Installera den och skaffa ett BankID.",
        "en": "You don't seem to have the BankID app. Install the app and get a BankID.",
    },
    "RFA3": {
        "sv": "Åtgärden avbröts. Försök igen.",
        "en": "The action was cancelled. Please try again.",
    },
    "RFA4": {
        "sv": "En identifiering eller underskrift pågår redan för ditt personnummer. Försök igen.",
        "en": "An identification or signature is already in progress for your personal "
        "identity number. Please try again.",
    },
    "RFA5": {"sv": "Något gick fel. Försök igen.", "en": "Something went wrong. Please try again."},
    "RFA6": {"sv": "Åtgärden avbröts.", "en": "The action was cancelled."},
    "RFA8": {
        "sv": "BankID-appen svarar inte. Kontrollera att den är startad och att du har "
        "internetanslutning. Försök sedan igen.",
        "en": "The BankID app is not responding. Please check that it's started and that you "
        "have internet access. Try again.",
    },
    "RFA9": {
        "sv": "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under.",
        "en": "Enter your security code in the BankID app and select Identify or Sign.",
    },
    "RFA13": {"sv": "Försöker starta BankID-appen.", "en": "Trying to start your BankID app."},
    "RFA15A": {
        "sv": "Söker efter BankID. Säkerställ att du har ett giltigt BankID på den här datorn. "
        "Om du har ett BankID på kort, sätt in kortet i kortläsaren.",
        "en": "Searching for BankID. Make sure you have a valid BankID on this computer. "
        "If you have a BankID on card, please insert the card into your card reader.",
    },
    "RFA15B": {
        # BankID's own Swedish text misspells "giltigt"; we use the correct spelling.
        "sv": "Söker efter BankID. Säkerställ att du har ett giltigt BankID på den här enheten.",
        "en": "Searching for BankID. Make sure you have a valid BankID on this device.",
    },
    "RFA16": {
        "sv": "Ditt BankID är för gammalt eller spärrat. Använd ett annat BankID eller skaffa "
        "ett nytt hos din bank.",
        "en": "Your BankID is blocked or too old. Please use another BankID or get a new one "
        "from your bank.",
    },
    "RFA17A": {
        "sv": "Du verkar inte ha BankID-appen/programmet. Installera den och skaffa ett BankID "
        "hos din bank.",
        "en": "You don't seem to have the BankID app/program. Please install it and get a "
        "BankID from your bank.",
    },
    "RFA17B": {
        "sv": "Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden.",
        "en": "Failed to scan the QR code. Start the BankID app and scan the QR code.",
    },
    "RFA19": {
        "sv": "Vill du använda BankID på den här datorn eller ett Mobilt BankID?",
        "en": "Would you like to use BankID on this computer, or a Mobile BankID?",
    },
    "RFA20": {
        "sv": "Vill du använda BankID på den här enheten eller på en annan enhet?",
        "en": "Do you want to use BankID on this device or another device?",
    },
    "RFA21": {
        "sv": "En identifiering eller underskrift pågår.",
        "en": "An identification or signing is in progress.",
    },
    "RFA22": {
        "sv": "Något gick fel. Försök igen.",
        "en": "Something went wrong. Please try again.",
    },
    "RFA23": {
        "sv": "Fotografera och läs av din ID-handling med BankID-appen.",
        "en": "Take a photo of, and scan, your ID document with the BankID app.",
    },
}

# Codes whose message does not depend on the device or flow.
_PENDING_RFA = {"noClient": "RFA1", "userSign": "RFA9", "userMrtd": "RFA23"}
_FAILED_RFA = {
    "expiredTransaction": "RFA8",
    "certificateErr": "RFA16",
    "userCancel": "RFA6",
    "cancelled": "RFA3",
}
_ERROR_RFA = {
    "alreadyInProgress": "RFA4",
    "requestTimeout": "RFA5",
    "internalError": "RFA5",
    # Shown only once the silent retries have been used up.
    "maintenance": "RFA5",
}


def message(rfa_id: str, lang: Lang) -> RfaMessage:
    return RfaMessage(rfa_id, RFA_TEXTS[rfa_id][lang])


def rfa_for(
    *,
    status: str | None,
    hint_code: str | None = None,
    error_code: str | None = None,
    same_device: bool,
    started_with_qr: bool,
    mobile: bool = False,
) -> str | None:
    """The RFA id for a collect result or an error; None when there is nothing to say (complete)."""
    if error_code is not None:
        return _ERROR_RFA.get(error_code, "RFA22")
    if status == "complete":
        return None
    if status == "pending":
        if hint_code == "outstandingTransaction":
            return "RFA13" if same_device and not started_with_qr else "RFA1"
        if hint_code == "started":
            return "RFA15B" if mobile else "RFA15A"
        return _PENDING_RFA.get(hint_code or "", "RFA21")
    if status == "failed":
        if hint_code == "startFailed":
            return "RFA17B" if started_with_qr else "RFA17A"
        return _FAILED_RFA.get(hint_code or "", "RFA22")
    return "RFA22"


def user_message(
    *,
    status: str | None,
    hint_code: str | None = None,
    error_code: str | None = None,
    lang: Lang,
    same_device: bool,
    started_with_qr: bool,
    mobile: bool = False,
) -> RfaMessage | None:
    """The text to show the user; `mobile` picks RFA15B over RFA15A for hint `started`."""
    rfa_id = rfa_for(
        status=status,
        hint_code=hint_code,
        error_code=error_code,
        same_device=same_device,
        started_with_qr=started_with_qr,
        mobile=mobile,
    )
    return None if rfa_id is None else message(rfa_id, lang)


def device_choice_message(lang: Lang, *, mobile: bool) -> RfaMessage:
    """The question on a "this device or another?" screen."""
    return message("RFA20" if mobile else "RFA19", lang)
