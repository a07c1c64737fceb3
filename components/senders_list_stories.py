"""Stories for "Avsändare" (components/senders_list.py): senders with the "Ta emot digitalt"
switch on and off (off: the note says from when the sender sends paper), all on, none yet.

The rows are what kivra_app.mailbox.sender_choices sends ({id, name, enabled, note}); the intro
is the catalogue's, with the sample grace period. No state, no DB.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from components.senders_list import senders_list
from components.stories import lang_of, noop, story
from kivra_app.i18n import t as text

GRACE_DAYS = 10  # a sample value (settings.sender_opt_out_grace_days)
SENDERS = [("Elbolaget AB", True, ""), ("Försäkringskassan", True, ""),
           ("Telebolaget", False, "2026-12-11"), ("Skatteverket", True, "")]


def _senders(t, senders, **_: Any):
    lang = lang_of(t)
    rows = [{"id": i, "name": name, "enabled": on,
             "note": "" if on else text(lang, "senders.off_from", date=paper_from, sender=name)}
            for i, (name, on, paper_from) in enumerate(senders, start=1)]
    return senders_list(rx.Var.create(rows).to(list[dict[str, Any]]),
                        intro=text(lang, "senders.intro", days=GRACE_DAYS),
                        on_toggle=noop("toggle sender"), texts=t)


story("senders-list", "mixed", interactive=True, width="wide",
      notes="A switch (role=switch, aria-checked) per sender, named with the sender's name. "
            "Off: when paper starts.",
      args={"senders": SENDERS})(_senders)
story("senders-list", "all-on", interactive=True, width="wide",
      args={"senders": [(n, True, "") for n, _on, _d in SENDERS]})(_senders)
story("senders-list", "all-off", interactive=True, width="wide",
      args={"senders": [(n, False, "2026-12-11") for n, _on, _d in SENDERS[:2]]})(_senders)
story("senders-list", "empty", width="wide", notes="No sender has delivered yet.",
      args={"senders": []})(_senders)
