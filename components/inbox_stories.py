"""Stories for the inbox (components/inbox.py): one row in each state, the list (mixed, paged,
empty, the trash), the filter toolbar, the mailbox header and the "new mail" notice.

Rows are the dicts the state sends (kivra_app.mailbox.inbox.Row.as_dict), built here from
sample values with the domain's own formatting, in the language being shown. No state, no DB.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import reflex as rx

from components.inbox import (
    fill,
    inbox_item,
    inbox_list,
    inbox_toolbar,
    mailbox_header,
    new_mail_notice,
)
from components.stories import lang_of, noop, story
from kivra_app.i18n import t as text
from kivra_app.mailbox.formatting import InvoiceStatus, format_amount


def row(t: dict[str, str], *, id: int = 1, sender: str = "Försäkringskassan",
        subject: str = "Beslut om bostadsbidrag", day: str = "2026-11-28", read: bool = True,
        sensitive: bool = False, invoice: str = "", amount_ore: int = 123_450,
        due: str = "2026-12-15", pay_date: str = "") -> dict[str, Any]:
    """One inbox row. `invoice`: "" (a letter) or a status code (unpaid, overdue, scheduled,
    paid, handled). A sensitive row's subject is the catalogue's "Känsligt brev", as the
    domain sends it before the letter is opened with BankID."""
    lang = lang_of(t)
    out: dict[str, Any] = {
        "id": id, "sender": sender, "date": day, "read": read, "sensitive": sensitive,
        "subject": text(lang, "mbx.sensitive") if sensitive else subject,
        "invoice": bool(invoice), "amount": "", "due": "", "status": "", "status_code": "",
    }
    if invoice:
        status = InvoiceStatus(invoice, date.fromisoformat(pay_date) if pay_date else None)
        out.update(amount=format_amount(amount_ore, lang), due=due, status=status.text(lang),
                   status_code=invoice)
    return out


def rows_var(rows: list[dict[str, Any]]) -> rx.Var:
    return rx.Var.create(rows).to(list[dict[str, Any]])


# One row -------------------------------------------------------------------------------------
INVOICE = {"sender": "Elbolaget AB", "subject": "Faktura november", "day": "2026-11-12"}
ROW_STATES: list[tuple[str, dict[str, Any], str]] = [
    ("read", {}, "A letter already opened: plain weight, no marker."),
    ("unread", {"read": False}, "“Oläst:” in words before the subject, bold, tinted row."),
    ("invoice-unpaid", {**INVOICE, "read": False, "invoice": "unpaid"},
     "The invoice badge: amount, due date and status."),
    ("invoice-overdue", {**INVOICE, "invoice": "overdue", "due": "2026-11-30"},
     "“Förfallen” in the error colour (and in words)."),
    ("invoice-scheduled", {**INVOICE, "invoice": "scheduled", "pay_date": "2026-12-14"},
     "A payment is planned."),
    ("invoice-paid", {**INVOICE, "invoice": "paid"}, ""),
    ("invoice-handled", {**INVOICE, "invoice": "handled"},
     "The person marked it handled (paid some other way)."),
    ("sensitive", {"sender": "Region Stockholm", "read": False, "sensitive": True},
     "Before BankID only “Känsligt brev” shows, with a lock."),
]


def _item(t, state, in_trash=False):
    item = inbox_item(rx.Var.create(row(t, **state)), on_open=noop("open letter"), texts=t,
                      on_restore=noop("restore") if in_trash else None)
    # A row is a list item: alone it still sits in a list (as in the inbox).
    return rx.el.ul(item, style={"padding": "0", "margin": "0"})


for _name, _state, _notes in ROW_STATES:
    story("inbox-item", _name, interactive=True, width="wide", notes=_notes,
          args={"state": _state})(_item)
story("inbox-item", "in-trash", interactive=True, width="wide",
      notes="In the trash each row has its own “Återställ” button.",
      args={"state": {}, "in_trash": True})(_item)


# The list ------------------------------------------------------------------------------------
def mixed_rows(t: dict[str, str]) -> list[dict[str, Any]]:
    return [
        row(t, id=6, sender="Skatteverket", subject="Din deklaration 2026", day="2026-11-30",
            read=False),
        row(t, id=5, sender="Region Stockholm", day="2026-11-29", read=False, sensitive=True),
        row(t, id=4, **INVOICE, read=False, invoice="unpaid"),
        row(t, id=3, sender="Telebolaget", subject="Faktura oktober", day="2026-10-20",
            invoice="overdue", amount_ore=39_900, due="2026-11-10"),
        row(t, id=2, sender="Hyresvärden AB", subject="Hyra december", day="2026-10-15",
            invoice="paid", amount_ore=985_000, due="2026-11-30"),
        row(t, id=1),
    ]


def _list(t, kind, page=""):
    """`kind`: mixed | empty | empty-filter | trash | trash-empty; `page`: "" (one page),
    "first" (more follow) or "last" (a later page)."""
    lang = lang_of(t)
    trash = kind.startswith("trash")
    rows = mixed_rows(t) if kind in ("mixed", "trash") else []
    if trash:
        rows = rows[:2]
    empty = {"empty": t["mailbox.empty"], "empty-filter": t["mbx.empty_filter"]}.get(
        kind, t["mbx.trash_empty"])
    pages: dict[str, Any] = {}
    if page:
        pages = {"range_text": fill(text(lang, "mbx.page_of"),
                                    range="1–25" if page == "first" else "26–31"),
                 "has_next": page == "first", "on_next": noop("next page"),
                 "show_first": page == "last", "on_first": noop("first page")}
    return inbox_list(rows_var(rows), heading=t["mbx.trash_heading" if trash else "mailbox.inbox"],
                      on_open=noop("open letter"), texts=t, empty_text=empty,
                      on_restore=noop("restore") if trash else None,
                      id="trash" if trash else "inbox", **pages)


story("inbox-list", "mixed", interactive=True, width="wide",
      notes="Every kind of row on one page: unread, sensitive, invoices, read.",
      args={"kind": "mixed"})(_list)
story("inbox-list", "first-page", interactive=True, width="wide",
      notes="More than 25 letters: “Nästa sida”.", args={"kind": "mixed", "page": "first"})(
    _list)
story("inbox-list", "last-page", interactive=True, width="wide",
      notes="A later page: “Till de senaste” goes back to the newest.",
      args={"kind": "mixed", "page": "last"})(_list)
story("inbox-list", "empty", width="wide", notes="A new account before any letter.",
      args={"kind": "empty"})(_list)
story("inbox-list", "empty-filter", width="wide", notes="A filter that matches nothing.",
      args={"kind": "empty-filter"})(_list)
story("inbox-list", "trash", interactive=True, width="wide", args={"kind": "trash"})(_list)
story("inbox-list", "trash-empty", width="wide", args={"kind": "trash-empty"})(_list)


# The filters ---------------------------------------------------------------------------------
def _toolbar(t, active):
    return inbox_toolbar(active, on_select=noop("filter"), texts=t)


for _active in ("all", "unread", "invoices", "unpaid", "trash"):
    story("inbox-filters", _active, interactive=True, width="wide",
          notes="Toggle buttons (aria-pressed) in a labelled group; the trash at the end.",
          args={"active": _active})(_toolbar)


# The header and the notice -------------------------------------------------------------------
def _header(t, unread, name, current="/mailbox"):
    lang = lang_of(t)
    greeting = text(lang, "mailbox.hello", name=name) if name else t["mailbox.hello_anon"]
    return mailbox_header(current, texts=t, unread=unread, greeting=greeting,
                          on_logout=noop("logout"))


story("mailbox-header", "unread", interactive=True, width="wide",
      notes="“3 olästa” next to the heading and in the navigation.",
      args={"unread": 3, "name": "Anna"})(_header)
story("mailbox-header", "all-read", interactive=True, width="wide",
      notes="No count when everything is read; no name: “Hej!”.",
      args={"unread": 0, "name": ""})(_header)
story("mailbox-header", "settings-current", interactive=True, width="wide",
      notes="On the settings page: its link has aria-current=page.",
      args={"unread": 1, "name": "Anna", "current": "/mailbox/installningar"})(_header)


@story("new-mail-notice", "shown", interactive=True, width="wide",
       notes="A polite live region; the button shows the newest page.", args={"show": True})
def _(t, show):
    return new_mail_notice(show, on_show=noop("show new"), texts=t)
