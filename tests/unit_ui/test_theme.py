"""Both palettes meet WCAG 2.2 AA for every pair the components draw (1.4.3 text >= 4.5:1,
1.4.11 borders, focus rings and the button fill >= 3:1), and the CSS carries exactly them."""

from __future__ import annotations

import re

import pytest

from components import theme


def _luminance(hex_colour: str) -> float:
    # WCAG 2.x relative luminance (sRGB); the threshold is 0.04045 in IEC 61966-2-1.
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# (foreground token, background token, minimum): where each pair is drawn is in the comment.
PAIRS = [
    ("ink", "page_bg", 4.5),  # body text
    ("ink", "surface", 4.5),  # card and input text
    ("ink_muted", "surface", 4.5),  # hints, dates
    ("ink_muted", "page_bg", 4.5),  # progress label
    ("ink_muted", "brand_tint", 4.5),  # a date on an unread row
    ("on_brand", "brand", 4.5),  # primary button
    ("on_brand", "brand_dark", 4.5),  # primary button, hovered
    ("brand_dark", "surface", 4.5),  # links, secondary button text
    ("brand_dark", "brand_tint", 4.5),  # secondary button hovered, "Oläst" on a row
    ("brand_dark", "page_bg", 4.5),  # links on the page
    ("brand_dark", "info_tint", 4.5),  # links in a status message
    ("ink", "brand_tint", 4.5),  # unread rows, ok status
    ("ink", "error_tint", 4.5),  # error status
    ("ink", "info_tint", 4.5),  # info status, hovered rows
    ("error", "surface", 4.5),  # inline errors
    ("border", "surface", 3.0),  # input borders
    ("focus", "surface", 3.0),  # focus ring
    ("focus", "page_bg", 3.0),
    ("brand", "surface", 3.0),  # secondary button border, status stripe
    ("brand", "divider", 3.0),  # progress bar fill on its track
]


@pytest.mark.parametrize("name", sorted(theme.THEMES))
@pytest.mark.parametrize(("fg", "bg", "minimum"), PAIRS)
def test_every_pair_is_aa_in_both_themes(name: str, fg: str, bg: str, minimum: float) -> None:
    palette = theme.THEMES[name]
    ratio = contrast(palette[fg], palette[bg])
    assert ratio >= minimum, (name, fg, bg, round(ratio, 2))


def test_contrast_helper_matches_known_values() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54  # the classic AA grey


def test_both_palettes_have_the_same_tokens() -> None:
    assert set(theme.LIGHT) == set(theme.DARK)


def test_css_declares_every_token_for_both_themes() -> None:
    css = theme.css_variables()
    light = css[css.index(":root{"):css.index("}")]
    dark = css[css.index(":root[data-theme=dark]{"):]
    dark = dark[:dark.index("}")]
    for token, value in theme.LIGHT.items():
        assert f"--kv-{token.replace('_', '-')}:{value}" in light
    for token, value in theme.DARK.items():
        assert f"--kv-{token.replace('_', '-')}:{value}" in dark


def test_components_use_the_variables_not_hex_literals() -> None:
    assert theme.INK == "var(--kv-ink)" and theme.BRAND == "var(--kv-brand)"
    assert not re.search(r"#[0-9a-f]{6}", str(theme.PRIMARY_BUTTON) + str(theme.INPUT))


def test_targets_are_at_least_24px() -> None:
    assert int(theme.MIN_TARGET.removesuffix("px")) >= 24
    assert int(theme.SMALL_TARGET.removesuffix("px")) >= 24
