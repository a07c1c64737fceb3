"""Stories for the settings page's sections (components/settings_sections.py): notifications and
language, contact details (idle, a new address, the code, errors), "Logga ut från alla
enheter", "Hämta din data" and "Avsluta konto" (also while BankID starts). No state, no DB.
"""

from __future__ import annotations

from components.settings_sections import (
    close_section,
    contact_change,
    data_section,
    notifications_section,
    section,
    sessions_section,
)
from components.stories import lang_of, noop, story
from kivra_app.i18n import t as text

EMAIL = "anna.andersson@example.se"
PHONE = "070-174 06 05"


@story("settings-notifications", "default", interactive=True, width="wide",
       notes="Checkboxes and the language as radio buttons (each named in its own language).",
       args={"email_new_mail": True, "sms_invoices": False, "language": "sv"})
def _(t, email_new_mail, sms_invoices, language):
    return notifications_section(email_new_mail=email_new_mail, sms_invoices=sms_invoices,
                                 language=language, texts=t, on_submit=noop("save"))


@story("settings-notifications", "all-on-english", interactive=True, width="wide",
       args={"email_new_mail": True, "sms_invoices": True, "language": "en"})
def _(t, email_new_mail, sms_invoices, language):
    return notifications_section(email_new_mail=email_new_mail, sms_invoices=sms_invoices,
                                 language=language, texts=t, on_submit=noop("save"))


def _contact(t, email_stage="", phone_stage="", error_key="", error_params=None):
    """The contact section as the page composes it: one contact_change per channel."""
    lang = lang_of(t)
    error = text(lang, error_key, **(error_params or {})) if error_key else ""

    def channel(name, current, stage, sent_key, sent_param):
        return contact_change(
            channel=name, current=current, texts=t, stage=stage,
            error=error if stage else "",
            sent_text=text(lang, sent_key, **{sent_param: "anna@nyadress.se" if name == "email"
                                              else "070-123 45 67"}),
            on_start=noop(f"start {name}"), on_send=noop(f"send {name} code"),
            on_verify=noop(f"verify {name}"), on_cancel=noop(f"cancel {name}"))

    return section(
        t["settings.contact"],
        channel("email", EMAIL, email_stage, "settings.code_sent_email", "email"),
        channel("phone", PHONE, phone_stage, "settings.code_sent_phone", "phone"),
        id="contact",
    )


story("settings-contact", "default", interactive=True, width="wide",
      notes="The current address and number, each with “Byt …”.", args={})(_contact)
story("settings-contact", "new-email", interactive=True, width="wide",
      notes="“Byt mailadress”: the new address, then “Skicka kod”.",
      args={"email_stage": "new"})(_contact)
story("settings-contact", "new-email-taken", interactive=True, width="wide",
      args={"email_stage": "new", "error_key": "settings.email_taken"})(_contact)
story("settings-contact", "phone-code", interactive=True, width="wide",
      notes="The 6-digit code sent to the new number.", args={"phone_stage": "code"})(_contact)
story("settings-contact", "phone-code-wrong", interactive=True, width="wide",
      args={"phone_stage": "code", "error_key": "code.wrong",
            "error_params": {"attempts_left": 2}})(_contact)


@story("settings-sessions", "default", interactive=True, width="wide")
def _(t):
    return sessions_section(texts=t, on_logout_all=noop("logout everywhere"))


@story("settings-data", "default", interactive=True, width="wide",
       notes="A real link: the browser downloads the zip itself.",
       args={"export_href": "/api/me/export"})
def _(t, export_href):
    return data_section(texts=t, export_href=export_href)


@story("settings-close", "default", interactive=True, width="wide", args={"busy": False})
def _(t, busy):
    return close_section(texts=t, on_close=noop("close account"), busy=busy)


@story("settings-close", "busy", interactive=True, width="wide",
       notes="While BankID starts; then the BankID panel (bankid-sign-panel/close-qr).",
       args={"busy": True})
def _(t, busy):
    return close_section(texts=t, on_close=noop("close account"), busy=busy)
