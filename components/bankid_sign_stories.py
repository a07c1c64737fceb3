"""Stories for the mailbox's BankID panel (components/bankid_sign.py): approving a payment,
opening a sensitive letter, closing the account; starting, the QR, the app on this device,
the person signing in the app, a failure with "Försök igen".

The values are those state/bankid_loop.py sets (bankid_state, bankid_mode, bankid_qr,
bankid_show_qr, bankid_launch_url, bankid_message); RFA texts from kivra_app.bankid.messages.
The QR is a fixed sample frame, so screenshots need no mask.
"""

from __future__ import annotations

from components.bankid_sign import bankid_panel
from components.bankid_step_stories import SAMPLE_QR_DATA
from components.stories import lang_of, noop, story
from kivra_app.bankid.messages import RFA_TEXTS
from kivra_app.i18n import t as text

LAUNCH = "bankid:///?autostarttoken=7c40b5c9-fa74-49cf-b98c-bfe651f9a7c6&redirect=null"


def _panel(t, heading, state, mode, rfa, qr, show_qr, launch_url):
    lang = lang_of(t)
    message = text(lang, "bankid.starting") if rfa == "starting" else (
        RFA_TEXTS[rfa][lang] if rfa else "")
    return bankid_panel(heading=t[heading], state=state, mode=mode,
                        qr=SAMPLE_QR_DATA if qr else "", show_qr=show_qr, launch_url=launch_url,
                        message=message, texts=t, on_retry=noop("retry"),
                        on_cancel=noop("cancel"))


_BASE = {"heading": "sign.heading_pay", "state": "pending", "mode": "qr", "rfa": "RFA1",
         "qr": True, "show_qr": True, "launch_url": ""}
# (story, overrides, notes)
_STORIES = [
    ("starting", {"state": "starting", "rfa": "starting", "qr": False},
     "Before BankID answers: only “Startar BankID …” and “Avbryt”."),
    ("pay-qr", {}, "Another device: the QR (here a fixed frame)."),
    ("qr-loading", {"qr": False}, "Pending, before the first QR frame."),
    ("user-sign", {"rfa": "RFA9", "show_qr": False},
     "The app has the order: the QR goes away, the person signs in the app."),
    ("pay-app", {"mode": "app", "rfa": "RFA13", "qr": False, "launch_url": LAUNCH},
     "This device (a phone): a real “Öppna BankID” link."),
    ("failed", {"state": "failed", "rfa": "RFA6", "qr": False},
     "Cancelled in the app: “Försök igen” and “Avbryt”."),
    ("failed-expired", {"state": "failed", "rfa": "RFA8", "qr": False}, "expiredTransaction"),
    ("step-up-qr", {"heading": "sign.heading_step_up"},
     "Opening a sensitive letter: an identification, not a signature."),
    ("close-qr", {"heading": "sign.heading_close"}, "“Avsluta konto” on the settings page."),
]
for _name, _over, _notes in _STORIES:
    story("bankid-sign-panel", _name, interactive=True, width="wide", notes=_notes,
          args={**_BASE, **_over})(_panel)
