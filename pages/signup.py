"""/signup : the wizard. Every step shows 'Steg N av 7', the language switch and the help link."""

from __future__ import annotations

import reflex as rx

from components import theme
from components.bankid import qr_panel
from components.forms import (
    code_input,
    field,
    form,
    link_button,
    post_button,
    primary_button,
    secondary_button,
    status_message,
    text_button,
)
from components.layout import card, page_shell, stack
from components.progress import progress
from pages.common import T, begin_action, tr
from state.signup import TOTAL_STEPS
from state.signup import SignupState as S


def _status() -> rx.Component:
    """The step's polite live region: 'code sent', 'try again', … (always present)."""
    return status_message(S.notice, id="signup-status",
                          tone="info")


def _step_personnummer() -> rx.Component:
    return stack(
        rx.el.h1(T["pnr.heading"]),
        rx.el.p(T["pnr.intro"]),
        _status(),
        form(
            field(
                T["pnr.label"],
                id="personnummer",
                default_value=S.pnr_prefill,
                key=S.form_key,
                error=S.field_error,
                hint=T["pnr.hint"],
                input_mode="numeric",
                autocomplete="off",
                max_length=13,
                auto_focus=True,
            ),
            primary_button(T["pnr.submit"], id="pnr-submit"),
            on_submit=S.submit_personnummer,
            id="pnr-form",
        ),
    )


def _bankid_qr() -> rx.Component:
    return stack(
        rx.el.p(T["bankid.qr_intro"]),
        rx.cond(
            S.qr_visible,
            qr_panel(
                S.qr_src,
                alt=T["bankid.qr_alt"],
                loading_text=T["bankid.qr_loading"],
                steps=[T["bankid.qr_step1"], T["bankid.qr_step2"], T["bankid.qr_step3"]],
            ),
        ),
    )


def _bankid_app() -> rx.Component:
    return stack(
        rx.el.p(T["bankid.app_intro"]),
        rx.cond(
            S.launch_url != "",
            # A real link: the BankID app opens on the person's own tap.
            link_button(T["bankid.open_app"], S.launch_url, id="bankid-open-app"),
            primary_button(T["bankid.open_app"], type="button", on_click=S.use_this_device,
                           id="bankid-start-app"),
        ),
    )


def _step_bankid() -> rx.Component:
    return stack(
        rx.el.h1(T["bankid.heading"]),
        rx.cond(S.pnr_masked != "", rx.el.p(
            T["bankid.for"], " ",
            rx.el.strong(S.pnr_masked, style={"white_space": "nowrap"}),
        )),
        rx.cond(
            S.bankid_state == "failed",
            None,  # a dead order: no QR and no app link, only 'Försök igen' below
            rx.cond(S.bankid_mode == "qr", _bankid_qr(), _bankid_app()),
        ),
        # RFA texts from the BankID service, announced politely.
        status_message(S.bankid_message, id="bankid-status"),
        rx.cond(
            S.bankid_state == "failed",
            primary_button(T["bankid.retry"], type="button", on_click=S.retry_bankid,
                           id="bankid-retry"),
        ),
        rx.el.div(
            rx.cond(
                S.bankid_mode == "qr",
                text_button(rx.cond(S.on_phone, T["bankid.this_unit"], T["bankid.this_device"]),
                            on_click=S.use_this_device, id="bankid-this-device"),
                text_button(T["bankid.other_device"], on_click=S.use_other_device,
                            id="bankid-other-device"),
            ),
            style={"text_align": "center"},
        ),
        secondary_button(T["bankid.cancel"], on_click=S.cancel_bankid, id="bankid-cancel"),
    )


def _step_email() -> rx.Component:
    return stack(
        rx.el.h1(T["email.heading"]),
        rx.cond(S.given_name != "", rx.el.p(tr("email.hello", name=S.given_name))),
        rx.el.p(T["email.intro"]),
        _status(),
        form(
            field(
                T["email.label"],
                id="email",
                input_type="email",
                default_value=S.email,
                key=S.form_key,
                error=S.field_error,
                hint=T["email.hint"],
                input_mode="email",
                autocomplete="email",
                max_length=254,
                auto_focus=True,
            ),
            primary_button(T["common.continue"], id="email-submit"),
            on_submit=S.submit_email,
            id="email-form",
        ),
    )


def _code_step(*, heading: str, intro: rx.Var, on_submit, on_resend, on_change,
               change_label: str, spam_hint: bool) -> rx.Component:
    return stack(
        rx.el.h1(T[heading]),
        rx.el.p(intro),
        _status(),
        form(
            code_input(T["code.label"], error=S.field_error, hint=T["code.hint"], key=S.form_key),
            primary_button(T["common.continue"], id="code-submit"),
            on_submit=on_submit,
            id="code-form",
        ),
        rx.cond(S.code_valid_text != "", rx.el.p(S.code_valid_text, id="code-validity")),
        rx.el.p(T["email_code.spam"]) if spam_hint else None,
        secondary_button(S.resend_label, on_click=on_resend, disabled=S.resend_wait > 0,
                         id="code-resend"),
        rx.el.div(text_button(T[change_label], on_click=on_change, id="code-change"),
                  style={"text_align": "center"}),
    )


def _step_phone() -> rx.Component:
    return stack(
        rx.el.h1(T["phone.heading"]),
        rx.el.p(T["phone.intro"]),
        _status(),
        form(
            field(
                T["phone.label"],
                id="phone",
                input_type="tel",
                default_value=S.phone,
                key=S.form_key,
                error=S.field_error,
                hint=T["phone.hint"],
                input_mode="tel",
                autocomplete="tel-national",
                max_length=20,
                auto_focus=True,
            ),
            primary_button(T["common.continue"], id="phone-submit"),
            on_submit=S.submit_phone,
            id="phone-form",
        ),
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
                ("email", _step_email()),
                ("email_code", _code_step(
                    heading="email_code.heading",
                    intro=tr("email_code.intro", email=S.email),
                    on_submit=S.verify_email_code,
                    on_resend=S.resend_email_code,
                    on_change=S.change_email,
                    change_label="email_code.change",
                    spam_hint=True,
                )),
                ("phone", _step_phone()),
                ("phone_code", _code_step(
                    heading="phone_code.heading",
                    intro=tr("phone_code.intro", phone=S.phone),
                    on_submit=S.verify_phone_code,
                    on_resend=S.resend_phone_code,
                    on_change=S.change_phone,
                    change_label="phone_code.change",
                    spam_hint=False,
                )),
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
