"""Stories for components/forms.py: the personnummer, email, phone and code fields, the
buttons and the status messages. Sample values only."""

from __future__ import annotations

from components.forms import (
    code_input,
    field,
    link_button,
    primary_button,
    secondary_button,
    status_message,
    text_button,
    text_link,
)
from components.layout import stack
from components.stories import story


def _text(t: dict[str, str], key: str, **params: object) -> str:
    """A catalogue text with its placeholders filled (t is one language's catalogue)."""
    return t[key].format(**{k: str(v) for k, v in params.items()}) if params else t[key]


# Personnummer ------------------------------------------------------------------------------
PNR_ERRORS = {
    "required": ("", {}),
    "invalid": ("19900101-1235", {}),
    "future": ("20991231-1234", {}),
    "looks-like-phone": ("0701234567", {}),
    "too-young": ("20150101-1239", {"age": 18}),
    "test-number": ("19900101-3027", {}),
}


def _pnr(t, value, error_key, error_params):
    return field(t["pnr.label"], id="personnummer", default_value=value, hint=t["pnr.hint"],
                 error=_text(t, error_key, **error_params) if error_key else "",
                 input_mode="numeric", autocomplete="off", max_length=13)


@story("personnummer-field", "empty", interactive=True,
       args={"value": "", "error_key": "", "error_params": {}})
def _(t, value, error_key, error_params):
    return _pnr(t, value, error_key, error_params)


@story("personnummer-field", "typed", interactive=True,
       args={"value": "19900101-1234", "error_key": "", "error_params": {}})
def _(t, value, error_key, error_params):
    return _pnr(t, value, error_key, error_params)


def _register_pnr_error(slug: str, value: str, params: dict) -> None:
    key = "pnr." + slug.replace("-", "_")

    @story("personnummer-field", f"error-{slug}", interactive=True,
           args={"value": value, "error_key": key, "error_params": params})
    def _(t, value, error_key, error_params):
        return _pnr(t, value, error_key, error_params)


for _slug, (_value, _params) in PNR_ERRORS.items():
    _register_pnr_error(_slug, _value, _params)


# Email and phone ---------------------------------------------------------------------------
def _email(t, value, error_key):
    return field(t["email.label"], id="email", default_value=value, hint=t["email.hint"],
                 error=t[error_key] if error_key else "", input_type="email", input_mode="email",
                 autocomplete="email", max_length=254)


def _phone(t, value, error_key):
    return field(t["phone.label"], id="phone", default_value=value, hint=t["phone.hint"],
                 error=t[error_key] if error_key else "", input_type="tel", input_mode="tel",
                 autocomplete="tel-national", max_length=20)


for _name, _value, _error in [
    ("empty", "", ""),
    ("typed", "anna.andersson@example.se", ""),
    ("error-required", "", "email.required"),
    ("error-invalid", "anna.andersson@example", "email.invalid"),
]:
    story("email-field", _name, interactive=True, args={"value": _value, "error_key": _error})(
        _email)

for _name, _value, _error in [
    ("empty", "", ""),
    ("typed", "070-123 45 67", ""),
    ("error-invalid", "070-12", "phone.invalid"),
    ("error-not-mobile", "08-123 456 78", "phone.not_mobile"),
    ("error-not-swedish", "+44 7700 900123", "phone.not_swedish"),
]:
    story("phone-field", _name, interactive=True, args={"value": _value, "error_key": _error})(
        _phone)


# The code step's parts: the field, its notices and the resend button ------------------------
def _code_form(t, error_key, error_params, notice_key, resend_seconds, valid_until):
    if resend_seconds:
        resend = _text(t, "code.resend_in", seconds=resend_seconds)
    else:
        resend = t["code.resend"]
    return stack(
        status_message(t[notice_key] if notice_key else "", id="signup-status"),
        code_input(t["code.label"], hint=t["code.hint"], auto_focus=False,
                   error=_text(t, error_key, **error_params) if error_key else ""),
        primary_button(t["common.continue"], type="button", id="code-submit"),
        _valid(t, valid_until),
        secondary_button(resend, disabled=resend_seconds > 0, id="code-resend"),
    )


def _valid(t, valid_until):
    from reflex import el

    if valid_until == "gone":
        return el.p(t["code.valid_gone"], id="code-validity")
    return el.p(_text(t, "code.valid_until", time=valid_until), id="code-validity")


_CODE_BASE = {"error_key": "", "error_params": {}, "notice_key": "", "resend_seconds": 0,
              "valid_until": "14:35"}
for _name, _over in [
    ("empty", {}),
    ("error-wrong", {"error_key": "code.wrong", "error_params": {"attempts_left": 3}}),
    ("error-format", {"error_key": "code.format"}),
    ("expired", {"error_key": "code.expired", "valid_until": "gone"}),
    ("locked", {"error_key": "code.locked"}),
    ("resend-countdown", {"resend_seconds": 42}),
    ("sent-email", {"notice_key": "code.sent_email", "resend_seconds": 60}),
    ("sent-sms", {"notice_key": "code.sent_sms", "resend_seconds": 60}),
]:
    story("code-field", _name, interactive=True, args={**_CODE_BASE, **_over})(_code_form)


# Buttons -----------------------------------------------------------------------------------
_BUTTONS = {"primary": primary_button, "secondary": secondary_button, "text": text_button}


def _button(t, kind, label_key, disabled):
    label = t[label_key]
    if kind == "primary":
        return primary_button(label, type="button", disabled=disabled)
    return _BUTTONS[kind](label, disabled=disabled)


for _kind in _BUTTONS:
    story("button", f"{_kind}-default", interactive=True,
          args={"kind": _kind, "label_key": "common.continue", "disabled": False})(_button)
    story("button", f"{_kind}-disabled", interactive=True,
          args={"kind": _kind, "label_key": "common.continue", "disabled": True})(_button)
story("button", "primary-busy", interactive=True,
      notes="While a request runs: disabled, and the label says what happens.",
      args={"kind": "primary", "label_key": "bankid.starting", "disabled": True})(_button)


@story("button", "links", interactive=True, args={"href": "/hjalp"})
def _(t, href):
    return stack(link_button(t["bankid.open_app"], href),
                 link_button(t["nav.help"], href, primary=False),
                 text_link(t["nav.help"], href))


# Status messages ---------------------------------------------------------------------------
for _tone, _key in [("info", "code.sent_email"), ("error", "service.bankid"),
                    ("ok", "done.created")]:
    story("status-message", _tone, args={"text_key": _key, "tone": _tone})(
        lambda t, text_key, tone: status_message(t[text_key], tone=tone))
story("status-message", "empty", notes="Always in the page, so a new text is announced.",
      args={"text_key": "", "tone": "info"})(
    lambda t, text_key, tone: status_message("", tone=tone))
