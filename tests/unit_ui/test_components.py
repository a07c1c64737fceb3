"""Components: real labels, linked errors, the OTP field's attributes, AA contrast, and no
State imports (components are presentational)."""

from __future__ import annotations

from pathlib import Path

import pytest

from components import theme
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


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize(
    ("fg", "bg", "minimum"),
    [
        (theme.INK, theme.PAGE_BG, 4.5),
        (theme.INK, theme.SURFACE, 4.5),
        (theme.INK_MUTED, theme.SURFACE, 4.5),
        (theme.INK_MUTED, theme.PAGE_BG, 4.5),
        (theme.ON_BRAND, theme.BRAND, 4.5),
        (theme.ON_BRAND, theme.BRAND_DARK, 4.5),
        (theme.BRAND_DARK, theme.SURFACE, 4.5),
        (theme.BRAND_DARK, theme.BRAND_TINT, 4.5),
        (theme.BRAND_DARK, theme.PAGE_BG, 4.5),
        (theme.ERROR, theme.SURFACE, 4.5),
        (theme.INK, theme.ERROR_TINT, 4.5),
        (theme.INK, theme.INFO_TINT, 4.5),
        (theme.BORDER, theme.SURFACE, 3.0),
        (theme.FOCUS, theme.SURFACE, 3.0),
        (theme.FOCUS, theme.PAGE_BG, 3.0),
        (theme.BRAND, theme.SURFACE, 3.0),
    ],
)
def test_theme_contrast_is_aa(fg: str, bg: str, minimum: float) -> None:
    assert _contrast(fg, bg) >= minimum, (fg, bg, round(_contrast(fg, bg), 2))


def test_targets_are_at_least_24px() -> None:
    assert int(theme.MIN_TARGET.removesuffix("px")) >= 24
    assert int(theme.SMALL_TARGET.removesuffix("px")) >= 24
