"""Stories for the mailbox parts as they exist: the inbox list and one opened letter.
(Invoices have no component yet.) Sample letters only."""

from __future__ import annotations

from typing import Any

import reflex as rx

from components.letters import letter_list, letter_view
from components.stories import story

LETTERS = [
    {"id": 3, "sender": "Skatteverket", "subject": "Din deklaration 2026", "date": "2026-11-30",
     "read": False},
    {"id": 2, "sender": "Elbolaget AB", "subject": "Faktura november", "date": "2026-11-12",
     "read": False},
    {"id": 1, "sender": "Försäkringskassan", "subject": "Beslut om bostadsbidrag",
     "date": "2026-10-02", "read": True},
]


def _open(_letter_id):
    return rx.console_log("open letter")  # a stand-in handler: stories have no state


def _list(t, letters):
    return letter_list(rx.Var.create(letters).to(list[dict[str, Any]]), on_open=_open, texts=t)


story("letter-list", "mixed", interactive=True, width="wide",
      notes="Unread rows are tinted and say so in text, not only in colour.",
      args={"letters": LETTERS})(_list)
story("letter-list", "all-read", interactive=True, width="wide",
      args={"letters": [{**x, "read": True} for x in LETTERS]})(_list)
story("letter-list", "empty", width="wide", args={"letters": []})(_list)


@story("letter-view", "default", interactive=True, width="wide", args={
    "sender": "Skatteverket", "subject": "Din deklaration 2026", "date": "2026-11-30",
    "body": "Hej!\n\nDin deklaration för 2026 finns nu att granska.\n\nMed vänliga hälsningar\n"
            "Skatteverket"})
def _(t, sender, subject, date, body):
    return letter_view(sender=sender, subject=subject, date=date, body=body, on_back=None,
                       texts=t)
