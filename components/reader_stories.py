"""Stories for one opened letter (components/reader.py): the PDF part with its download link, a
plain-text body, a sensitive letter locked until BankID (and while BankID runs), a letter in
the trash, and an invoice letter with its panel.

The PDF frame loads about:blank here (the gallery has no documents; the real route is
/api/me/documents/<part>) and is masked in screenshots: the browser's own viewer draws there.
"""

from __future__ import annotations

from typing import Any

from components.bankid_sign import bankid_panel
from components.bankid_step_stories import SAMPLE_QR_DATA
from components.invoice_stories import invoice, panel
from components.reader import letter_reader
from components.stories import lang_of, noop, story
from kivra_app.bankid.messages import RFA_TEXTS

PDF_MASK = ("#letter-pdf",)
PDF = {"pdf_src": "about:blank", "download_href": "/api/me/documents/sample?download=1"}
BODY = {
    "sv": "Hej Anna!\n\nDin deklaration för 2026 finns nu att granska. Logga in på "
          "Skatteverkets webbplats senast den 4 maj.\n\nMed vänliga hälsningar\nSkatteverket",
    "en": "Hi Anna,\n\nYour 2026 tax return is ready to review. Log in to the Swedish Tax "
          "Agency's website by 4 May.\n\nKind regards\nSkatteverket",
}
LETTER = {"sender": "Skatteverket", "subject": "Din deklaration 2026", "date": "2026-11-30"}


def reader(t: dict[str, str], *, body: str = "", pdf: bool = False, locked: bool = False,
           in_trash: bool = False, extra: Any = None, **letter: Any) -> Any:
    values = {**LETTER, **letter}
    return letter_reader(
        sender=values["sender"], subject=values["subject"], date=values["date"], body=body,
        texts=t, on_back=noop("back"), on_mark_unread=noop("mark unread"),
        on_trash=noop("trash"), on_restore=noop("restore"), in_trash=in_trash,
        locked=locked, on_unlock=noop("unlock"), extra=extra, **(PDF if pdf else {}))


@story("letter-reader", "pdf", interactive=True, width="wide", mask=PDF_MASK,
       notes="A PDF part in the browser's viewer (masked), the download link, the actions.",
       args={**LETTER, "pdf": True})
def _(t, pdf, **letter):
    return reader(t, pdf=pdf, **letter)


@story("letter-reader", "plain-text", interactive=True, width="wide",
       notes="A letter with only a text body: shown as text (never HTML), line breaks kept.",
       args={**LETTER, "body": "(a sample text in the language shown)"})
def _(t, body, **letter):
    return reader(t, body=BODY[lang_of(t)], **letter)


@story("letter-reader", "pdf-and-text", interactive=True, width="wide", mask=PDF_MASK,
       args={**LETTER, "pdf": True, "body": "(a sample text in the language shown)"})
def _(t, pdf, body, **letter):
    return reader(t, pdf=pdf, body=BODY[lang_of(t)], **letter)


SENSITIVE = {"sender": "Region Stockholm", "subject": "Känsligt brev", "date": "2026-11-29"}


@story("letter-reader", "sensitive-locked", interactive=True, width="wide",
       notes="Only sender and date until a fresh BankID identification: “Öppna med BankID”.",
       args={**SENSITIVE, "locked": True})
def _(t, locked, **letter):
    return reader(t, locked=locked, **{**letter, "subject": t["mbx.sensitive"]})


@story("letter-reader", "sensitive-bankid", interactive=True, width="wide",
       notes="After “Öppna med BankID”: the BankID panel in the letter.",
       args={**SENSITIVE, "rfa": "RFA1"})
def _(t, rfa, **letter):
    sign = bankid_panel(heading=t["sign.heading_step_up"], state="pending", mode="qr",
                        qr=SAMPLE_QR_DATA, show_qr=True, launch_url="",
                        message=RFA_TEXTS[rfa][lang_of(t)], texts=t, on_retry=noop("retry"),
                        on_cancel=noop("cancel"))
    return reader(t, extra=sign, **{**letter, "subject": t["mbx.sensitive"]})


@story("letter-reader", "in-trash", interactive=True, width="wide",
       notes="A letter in the trash: “Återställ” instead of “Flytta till papperskorgen”.",
       args={**LETTER, "in_trash": True, "body": "(a sample text in the language shown)"})
def _(t, in_trash, body, **letter):
    return reader(t, in_trash=in_trash, body=BODY[lang_of(t)], **letter)


@story("letter-reader", "invoice", interactive=True, width="wide", mask=PDF_MASK,
       notes="An invoice letter: the invoice panel above the PDF.",
       args={"sender": "Elbolaget AB", "subject": "Faktura november", "date": "2026-11-12",
             "status": "unpaid", "pdf": True})
def _(t, status, pdf, **letter):
    return reader(t, pdf=pdf, extra=panel(t, invoice(t, status)), **letter)
