"""Stories for the BankID panel: QR, autostart on a phone, every hint message, failures.

The QR is a fixed sample (the test vector of bankid-rp-api-v6.md §5.1), so screenshots need
no mask. RFA texts come from kivra_app.bankid.messages, as the signup shows them.
"""

from __future__ import annotations

from components.bankid_step import bankid_panel
from components.stories import lang_of, story
from kivra_app.bankid.messages import RFA_TEXTS

SAMPLE_QR_DATA = (
    "bankid.67df3917-fa0d-44e5-b327-edcc928297f8.0."
    "dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8"
)
PNR_MASKED = "19900101-****"


def _panel(t, mode, state, rfa, qr, launch_url, on_phone):
    lang = lang_of(t)
    return bankid_panel(
        texts=t, mode=mode, state=state, message=RFA_TEXTS[rfa][lang] if rfa else "",
        qr_src=SAMPLE_QR_DATA if qr else "", launch_url=launch_url, pnr_masked=PNR_MASKED,
        on_phone=on_phone,
    )


_BASE = {"mode": "qr", "state": "pending", "rfa": "RFA1", "qr": True, "launch_url": "",
         "on_phone": False}
_LAUNCH = "bankid:///?autostarttoken=7c40b5c9-fa74-49cf-b98c-bfe651f9a7c6&redirect=null"

# (story, overrides, notes). Hint codes: bankid-rp-api-v6.md §6.2.
_STORIES = [
    ("qr", {}, "Another device: the animated QR (here a fixed frame). Hint outstandingTransaction."),
    ("qr-loading", {"state": "starting", "rfa": "", "qr": False}, "Before the first QR frame."),
    ("autostart-phone", {"mode": "app", "rfa": "RFA13", "qr": False, "launch_url": _LAUNCH,
                         "on_phone": True}, "This device on a phone: a real link opens the app."),
    ("app-button", {"mode": "app", "rfa": "", "qr": False, "on_phone": True},
     "This device, before the order exists: a button starts it."),
    ("hint-started", {"rfa": "RFA15A"}, "started, on a computer"),
    ("hint-started-mobile", {"mode": "app", "rfa": "RFA15B", "qr": False, "launch_url": _LAUNCH,
                             "on_phone": True}, "started, on a phone"),
    ("hint-user-sign", {"rfa": "RFA9"}, "userSign: the person is in the app"),
    ("hint-user-mrtd", {"rfa": "RFA23"}, "userMrtd: reading the passport"),
    ("hint-unknown", {"rfa": "RFA21"}, "an unknown pending code"),
    ("failed-cancelled", {"state": "failed", "rfa": "RFA6", "qr": False}, "userCancel"),
    ("failed-rp-cancelled", {"state": "failed", "rfa": "RFA3", "qr": False}, "cancelled"),
    ("failed-expired", {"state": "failed", "rfa": "RFA8", "qr": False}, "expiredTransaction"),
    ("failed-start", {"state": "failed", "rfa": "RFA17B", "qr": False}, "startFailed (QR)"),
    ("failed-certificate", {"state": "failed", "rfa": "RFA16", "qr": False}, "certificateErr"),
    ("failed-in-progress", {"state": "failed", "rfa": "RFA4", "qr": False}, "alreadyInProgress"),
    ("failed-internal", {"state": "failed", "rfa": "RFA5", "qr": False}, "internalError"),
]
for _name, _over, _notes in _STORIES:
    story("bankid-panel", _name, interactive=True, notes=_notes, args={**_BASE, **_over})(_panel)
