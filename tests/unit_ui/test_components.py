"""Components: real labels, linked errors, the OTP field's attributes, and no State imports (components are presentational)."""

from __future__ import annotations

from pathlib import Path

from components.forms import code_input, field, status_message
from components.progress import progress

COMPONENTS = Path(__file__).resolve().parents[2] / "components"


def _props(component) -> str:  # noqa: ANN001
    return str(component.render())


def test_field_links_label_hint_and_error() -> None:
    rendered = _props(field("Mailadress", id="email", hint="Till exempel", error="Fel adress",
                            input_type="email", autocomplete="email"))
    assert 'htmlFor:"email"' in rendered and 'id:"email"' in rendered
    assert '"aria-describedby":"email-hint email-error"' in rendered
    assert '"aria-invalid":"true"' in rendered
    assert "Fel adress" in rendered and 'autoComplete:"email"' in rendered
    ok = _props(field("Mailadress", id="email", hint="Till exempel"))
    assert '"email-hint"' in ok and "email-error" not in ok


def test_code_input_is_numeric_one_time_code_max_six() -> None:
    rendered = _props(code_input("Verifieringskod"))
    assert 'inputMode:"numeric"' in rendered
    assert 'autoComplete:"one-time-code"' in rendered
    assert "maxLength:6" in rendered
    assert 'name:"code"' in rendered


def test_status_message_is_a_polite_live_region() -> None:
    rendered = _props(status_message("Vi har skickat en ny kod."))
    assert 'role:"status"' in rendered and '"aria-live":"polite"' in rendered


def test_progress_has_a_progressbar_with_values() -> None:
    rendered = _props(progress(2, 7, "Steg 2 av 7", "Hur långt du har kommit"))
    assert 'role:"progressbar"' in rendered
    assert '"aria-valuenow":2' in rendered and '"aria-valuemax":7' in rendered
    assert '"aria-valuetext":"Steg 2 av 7"' in rendered
    assert '"Steg 2 av 7"' in rendered

