"""The settings page's sections: notifications and language, contact details (change with a
6-digit code, as in the signup), logins ("Logga ut från alla enheter"), the person's data
("Hämta din data") and "Avsluta konto". Values and handlers in; no state."""

from __future__ import annotations

from typing import Any

import reflex as rx

from components import theme
from components._util import drop_none
from components.forms import code_input, field, link_button, primary_button, secondary_button


def section(heading: Any, *children: Any, id: str) -> rx.Component:
    return rx.el.section(
        rx.el.h2(heading, id=f"{id}-heading", style={"margin": "0"}),
        *drop_none(*children),
        aria_labelledby=f"{id}-heading",
        id=id,
        style={**theme.CARD, "display": "flex", "flex_direction": "column",
               "gap": theme.SPACE["md"]},
    )


def _checkbox(label: Any, *, name: str, checked: Any) -> rx.Component:
    return rx.el.div(
        rx.el.input(type="checkbox", id=f"pref-{name}", name=name, default_checked=checked,
                    style={"width": "24px", "height": "24px", "accent_color": theme.BRAND,
                           "flex_shrink": "0"}),
        rx.el.label(label, html_for=f"pref-{name}"),
        style={"display": "flex", "gap": theme.SPACE["sm"], "align_items": "center",
               "min_height": theme.MIN_TARGET},
    )


def _radio(label: Any, *, name: str, value: str, checked: Any) -> rx.Component:
    return rx.el.div(
        rx.el.input(type="radio", id=f"{name}-{value}", name=name, value=value,
                    default_checked=checked,
                    style={"width": "24px", "height": "24px", "accent_color": theme.BRAND}),
        rx.el.label(label, html_for=f"{name}-{value}", lang=value),
        style={"display": "flex", "gap": theme.SPACE["sm"], "align_items": "center",
               "min_height": theme.MIN_TARGET},
    )


def notifications_section(*, email_new_mail: Any, sms_invoices: Any, language: Any,
                          texts: Any, on_submit: Any, key: Any = None) -> rx.Component:
    """Sends {"email_new_mail": "on"?, "sms_invoices": "on"?, "language": "sv"|"en"}."""
    return section(
        texts["settings.notifications"],
        rx.el.form(
            _checkbox(texts["settings.email_new_mail"], name="email_new_mail",
                      checked=email_new_mail),
            _checkbox(texts["settings.sms_invoices"], name="sms_invoices", checked=sms_invoices),
            rx.el.fieldset(
                rx.el.legend(texts["settings.language"], style={"font_weight": theme.WEIGHT_BOLD}),
                _radio(texts["settings.language_sv"], name="language", value="sv",
                       checked=language == "sv"),
                _radio(texts["settings.language_en"], name="language", value="en",
                       checked=language == "en"),
                style={"border": "none", "padding": "0", "margin": "0"},
            ),
            rx.el.div(primary_button(texts["settings.save"], id="save-preferences"),
                      style={"max_width": "16rem"}),
            on_submit=on_submit, reset_on_submit=False, no_validate=True, key=key,
            id="preferences-form",
            style={"display": "flex", "flex_direction": "column", "gap": theme.SPACE["sm"]},
        ),
        id="notifications",
    )


def contact_change(*, channel: str, current: Any, texts: Any, stage: Any, error: Any,
                   sent_text: Any, on_start: Any, on_send: Any, on_verify: Any,
                   on_cancel: Any, key: Any = None) -> rx.Component:
    """One contact channel ("email" | "phone"): the current value, then "Byt …" opens a form for
    the new one; after "Skicka kod" the 6-digit code. `stage`: "" | "new" | "code"."""
    is_email = channel == "email"
    label = texts["settings.email" if is_email else "settings.phone"]
    new_form = rx.el.form(
        field(texts["settings.new_email" if is_email else "settings.new_phone"],
              id=f"new-{channel}", name="value", default_value="", error=error,
              input_type="email" if is_email else "tel",
              input_mode="email" if is_email else "tel",
              autocomplete="email" if is_email else "tel", key=key),
        rx.el.div(primary_button(texts["settings.send_code"], id=f"send-{channel}-code"),
                  secondary_button(texts["pay.cancel"], on_click=on_cancel,
                                   id=f"cancel-{channel}"),
                  style={"display": "grid", "grid_template_columns": ["1fr", "1fr 1fr"],
                         "gap": theme.SPACE["sm"]}),
        on_submit=on_send, reset_on_submit=False, no_validate=True, id=f"{channel}-form",
    )
    code_form = rx.el.form(
        rx.el.p(sent_text),
        code_input(texts["settings.code"], id=f"{channel}-code", error=error, key=key),
        rx.el.div(primary_button(texts["settings.verify"], id=f"verify-{channel}"),
                  secondary_button(texts["pay.cancel"], on_click=on_cancel,
                                   id=f"cancel-{channel}-code"),
                  style={"display": "grid", "grid_template_columns": ["1fr", "1fr 1fr"],
                         "gap": theme.SPACE["sm"]}),
        on_submit=on_verify, reset_on_submit=False, no_validate=True, id=f"{channel}-code-form",
    )
    return rx.el.div(
        rx.el.p(rx.el.strong(label), ": ", rx.el.span(current, id=f"current-{channel}")),
        rx.match(
            stage,
            ("new", new_form),
            ("code", code_form),
            rx.el.div(secondary_button(
                texts["settings.change_email" if is_email else "settings.change_phone"],
                on_click=on_start, id=f"change-{channel}"),
                style={"max_width": "20rem"}),
        ),
        style={"display": "flex", "flex_direction": "column", "gap": theme.SPACE["sm"]},
    )


def sessions_section(*, texts: Any, on_logout_all: Any) -> rx.Component:
    return section(
        texts["settings.sessions"],
        rx.el.p(texts["settings.logout_all_explain"]),
        rx.el.div(secondary_button(texts["settings.logout_all"], on_click=on_logout_all,
                                   id="logout-all"), style={"max_width": "20rem"}),
        id="sessions",
    )


def data_section(*, texts: Any, export_href: str) -> rx.Component:
    """A real link: the browser downloads the streamed zip itself (nothing goes through the
    websocket)."""
    return section(
        texts["settings.data"],
        rx.el.p(texts["settings.export_explain"]),
        rx.el.div(link_button(texts["settings.export"], export_href, primary=False,
                              id="export",
                              custom_attrs={"reloadDocument": True, "download": ""}),
                  style={"max_width": "20rem"}),
        id="data",
    )


def close_section(*, texts: Any, on_close: Any, busy: Any = False) -> rx.Component:
    return section(
        texts["settings.close"],
        rx.el.p(texts["settings.close_explain"]),
        rx.el.div(primary_button(texts["settings.close_confirm"], type="button",
                                 on_click=on_close, disabled=busy, id="close-account"),
                  style={"max_width": "20rem"}),
        id="close",
    )
