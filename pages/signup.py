"""/signup : the wizard. Every step shows 'Steg N av 7', the language switch and the help link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from components import theme
from components.forms import (
    code_input,
    field,
    form,
    post_button,
    primary_button,
    secondary_button,
    status_message,
    text_button,
)
from components.layout import card, page_shell, stack
from components.progress import progress
from pages.bankid_panel import bankid_panel
from pages.common import T, begin_action, tr
from state.signup import TOTAL_STEPS
from state.signup import SignupState as S


def _status() -> rx.Component:
    """The step's polite live region: 'code sent', 'try again', … (always present)."""
    return status_message(S.notice, id="signup-status",
                          tone="info")


def _one_field_step(*, heading: rx.Var, intro: list[rx.Component], input_field: rx.Component,
                    submit_label: rx.Var, on_submit, id_prefix: str) -> rx.Component:
    """A step with one input: heading, intro, the status region and the form."""
    return stack(
        rx.el.h1(heading),
        *intro,
        _status(),
        form(
            input_field,
            primary_button(submit_label, id=f"{id_prefix}-submit"),
            on_submit=on_submit,
            id=f"{id_prefix}-form",
        ),
    )


def _step_field(label: rx.Var, *, id: str, default_value: rx.Var, hint: rx.Var,
                **input_props) -> rx.Component:
    """The step's one field: prefilled by the server, re-mounted by form_key, focused."""
    return field(label, id=id, default_value=default_value, key=S.form_key, error=S.field_error,
                 hint=hint, auto_focus=True, **input_props)


def _step_personnummer() -> rx.Component:
    return _one_field_step(
        heading=T["pnr.heading"],
        intro=[rx.el.p(T["pnr.intro"])],
        input_field=_step_field(T["pnr.label"], id="personnummer", default_value=S.pnr_prefill,
                                hint=T["pnr.hint"], input_mode="numeric", autocomplete="off",
                                max_length=13),
        submit_label=T["pnr.submit"],
        on_submit=S.submit_personnummer,
        id_prefix="pnr",
    )


def _step_bankid() -> rx.Component:
    return bankid_panel(
        S,
        heading=T["bankid.heading"],
        intro=rx.cond(S.pnr_masked != "", rx.el.p(
            T["bankid.for"], " ",
            rx.el.strong(S.pnr_masked, style={"white_space": "nowrap"}),
        )),
    )


@dataclass(frozen=True)
class _Contact:
    """What differs between the email and the phone screens. `name` ("email" | "phone") is the
    field id, the id prefix and the first part of their catalogue keys."""

    name: str
    value: rx.Var  # the address the server holds
    input_type: str  # also its inputmode (the on-screen keyboard)
    autocomplete: str
    max_length: int
    on_submit: Any
    on_verify: Any
    on_resend: Any
    on_change: Any
    greeting: bool  # 'Hej <name>!' above the intro (the first step after BankID)
    spam_hint: bool  # 'look in the spam folder' on the code screen


_EMAIL = _Contact(name="email", value=S.email, input_type="email", autocomplete="email",
                  max_length=254, on_submit=S.submit_email, on_verify=S.verify_email_code,
                  on_resend=S.resend_email_code, on_change=S.change_email, greeting=True,
                  spam_hint=True)
_PHONE = _Contact(name="phone", value=S.phone, input_type="tel", autocomplete="tel-national",
                  max_length=20, on_submit=S.submit_phone, on_verify=S.verify_phone_code,
                  on_resend=S.resend_phone_code, on_change=S.change_phone, greeting=False,
                  spam_hint=False)


def _address_step(contact: _Contact) -> rx.Component:
    """Steps 3 and 5: type the email address / the mobile number."""
    name = contact.name
    greeting = rx.cond(S.given_name != "", rx.el.p(tr(f"{name}.hello", name=S.given_name)))
    return _one_field_step(
        heading=T[f"{name}.heading"],
        intro=[greeting, rx.el.p(T[f"{name}.intro"])] if contact.greeting
        else [rx.el.p(T[f"{name}.intro"])],
        input_field=_step_field(T[f"{name}.label"], id=name, default_value=contact.value,
                                hint=T[f"{name}.hint"], input_type=contact.input_type,
                                input_mode=contact.input_type, autocomplete=contact.autocomplete,
                                max_length=contact.max_length),
        submit_label=T["common.continue"],
        on_submit=contact.on_submit,
        id_prefix=name,
    )


def _code_step(contact: _Contact) -> rx.Component:
    """Steps 4 and 6: the code sent to the address of step 3 / 5."""
    name = contact.name
    return stack(
        rx.el.h1(T[f"{name}_code.heading"]),
        rx.el.p(tr(f"{name}_code.intro", **{name: contact.value})),
        _status(),
        form(
            code_input(T["code.label"], error=S.field_error, hint=T["code.hint"], key=S.form_key),
            primary_button(T["common.continue"], id="code-submit"),
            on_submit=contact.on_verify,
            id="code-form",
        ),
        rx.cond(S.code_valid_text != "", rx.el.p(S.code_valid_text, id="code-validity")),
        rx.el.p(T["email_code.spam"]) if contact.spam_hint else None,
        secondary_button(S.resend_label, on_click=contact.on_resend, disabled=S.resend_wait > 0,
                         id="code-resend"),
        rx.el.div(text_button(T[f"{name}_code.change"], on_click=contact.on_change,
                              id="code-change"),
                  style={"text_align": "center"}),
    )


def _step_done() -> rx.Component:
    return rx.cond(
        S.welcome_back,
        stack(
            rx.el.h1(T["bankid.welcome_back_heading"]),
            rx.cond(
                S.given_name != "",
                rx.el.p(tr("bankid.welcome_back_named", name=S.given_name)),
                rx.el.p(T["bankid.welcome_back"]),
            ),
            _status(),
            primary_button(T["bankid.to_mailbox"], type="button", on_click=S.open_mailbox,
                           id="done-ok"),
        ),
        stack(
            rx.el.h1(T["done.heading"]),
            rx.el.p(rx.el.strong(T["done.created"])),
            rx.el.p(T["done.post"]),
            rx.el.p(T["done.notify"]),
            rx.el.p(T["done.ok_hint"]),
            _status(),
            primary_button(T["done.ok"], type="button", on_click=S.open_mailbox, id="done-ok"),
        ),
    )


def _missing() -> rx.Component:
    return stack(
        rx.el.h1(T["signup.missing_heading"]),
        _status(),
        rx.el.p(T["signup.missing"]),
        post_button(T["signup.restart"], begin_action(), id="signup-restart"),
    )


def _continue() -> rx.Component:
    """Right after BankID, on the way to GET /api/signup/continue (the secret rotation); the
    state loads it by itself, the button is the fallback."""
    return stack(
        rx.el.h1(T["signup.continue_heading"]),
        rx.el.p(T["signup.continue_text"], role="status", aria_live="polite"),
        primary_button(T["common.continue"], type="button", on_click=S.continue_signup,
                       id="signup-continue"),
    )


def _loading() -> rx.Component:
    return rx.el.div(
        rx.el.p(T["common.loading"], style={"color": theme.INK_MUTED}),
        role="status",
        aria_live="polite",
    )


def signup_page() -> rx.Component:
    return page_shell(
        rx.cond(
            (S.step_number > 0) & ~S.welcome_back,
            progress(S.step_number, TOTAL_STEPS, S.progress_label, T["progress.name"]),
        ),
        card(
            rx.match(
                S.step,
                ("personnummer", _step_personnummer()),
                ("bankid", _step_bankid()),
                ("email", _address_step(_EMAIL)),
                ("email_code", _code_step(_EMAIL)),
                ("phone", _address_step(_PHONE)),
                ("phone_code", _code_step(_PHONE)),
                ("done", _step_done()),
                ("missing", _missing()),
                ("continue", _continue()),
                _loading(),
            ),
        ),
        texts=T,
        on_switch_lang=S.switch_language(T["lang.other_code"]),
        extra=rx.window_event_listener(on_visibility_change=S.page_visibility),
    )
