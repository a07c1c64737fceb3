"""Design tokens: the one place for colours, radii, spacing, font sizes and target sizes.

Contrast (WCAG 2.2 AA) is checked for both palettes in tests/unit_ui/test_theme.py: text
>= 4.5:1 on its background, borders and focus rings >= 3:1. Components read tokens from here,
never literals.
"""

from __future__ import annotations

import json

# Colours ---------------------------------------------------------------------------------
# Two palettes with the same token names. Components use the CSS variables below (INK, BRAND,
# ...), so one rule on <html data-theme> switches every component; `css_variables()` writes
# the palettes as CSS and THEME_HEAD_JS picks the theme before the first paint.
LIGHT: dict[str, str] = {
    "ink": "#1a1a1a",  # body text
    "ink_muted": "#4a4a4a",  # secondary text, hints
    "page_bg": "#f5f3ee",  # warm off-white page
    "surface": "#ffffff",  # cards, inputs
    "border": "#767676",  # input borders (>= 3:1 on the surface)
    "divider": "#d9d6cf",  # decorative lines only
    "brand": "#00704a",  # Kivra-ish green: buttons, progress
    "brand_dark": "#00553a",  # brand-coloured text and links; hover/pressed buttons
    "brand_tint": "#e3f2ea",  # selected/unread rows, info panels
    "on_brand": "#ffffff",  # text on a brand button
    "error": "#b3261e",
    "error_tint": "#fdecea",
    "focus": "#1849a9",  # focus ring, blue so it differs from the green buttons
    "info_tint": "#eef3fb",
}
DARK: dict[str, str] = {
    "ink": "#ecebe6",
    "ink_muted": "#bdbab2",
    "page_bg": "#141614",
    "surface": "#1f2220",
    "border": "#8f948f",
    "divider": "#3b403c",
    "brand": "#5ccf98",  # a light green: dark text on it (on_brand)
    "brand_dark": "#86e0b5",  # "brand text": lighter still on the dark surfaces
    "brand_tint": "#17382a",
    "on_brand": "#07160f",
    "error": "#ff9c94",
    "error_tint": "#3d1d1b",
    "focus": "#8fb8ff",
    "info_tint": "#1b2840",
}
THEMES = {"light": LIGHT, "dark": DARK}
THEME_STORAGE_KEY = "kivra-theme"  # localStorage: "light" | "dark"; absent = follow the system


def _var(token: str) -> str:
    return f"var(--kv-{token.replace('_', '-')})"


INK = _var("ink")
INK_MUTED = _var("ink_muted")
PAGE_BG = _var("page_bg")
SURFACE = _var("surface")
BORDER = _var("border")
DIVIDER = _var("divider")
BRAND = _var("brand")
BRAND_DARK = _var("brand_dark")
BRAND_TINT = _var("brand_tint")
ON_BRAND = _var("on_brand")
ERROR = _var("error")
ERROR_TINT = _var("error_tint")
FOCUS = _var("focus")
INFO_TINT = _var("info_tint")


def _declarations(palette: dict[str, str], scheme: str) -> str:
    tokens = ";".join(f"--kv-{k.replace('_', '-')}:{v}" for k, v in palette.items())
    return f"{tokens};color-scheme:{scheme}"


def css_variables() -> str:
    """The palettes as CSS: light by default, dark under <html data-theme="dark">, and the
    system setting when no script ran (data-theme absent)."""
    light, dark = _declarations(LIGHT, "light"), _declarations(DARK, "dark")
    return (
        f":root{{{light}}}"
        f":root[data-theme=dark]{{{dark}}}"
        f"@media (prefers-color-scheme: dark){{:root:not([data-theme]){{{dark}}}}}"
        f"html,body{{background:{PAGE_BG};color:{INK}}}"
        ":root[data-theme=dark] .kv-when-light,:root:not([data-theme=dark]) .kv-when-dark"
        "{display:none}"
    )


# Runs in <head> before the first paint: ?theme=light|dark (gallery frames, tests) wins, then the
# person's stored choice, then the system setting (followed live). `kivraToggleTheme()` is the
# switch: it stores the opposite of what is shown.
THEME_HEAD_JS = (
    "(function(){var d=document.documentElement,k=__KEY__,"
    "m=window.matchMedia('(prefers-color-scheme: dark)');"
    "function ok(t){return t==='light'||t==='dark'}"
    "function forced(){try{var t=new URLSearchParams(location.search).get('theme');"
    "return ok(t)?t:null}catch(e){return null}}"
    "function stored(){try{var t=localStorage.getItem(k);return ok(t)?t:null}catch(e){return null}}"
    "function apply(){d.setAttribute('data-theme',forced()||stored()||(m.matches?'dark':'light'))}"
    "apply();m.addEventListener('change',apply);"
    "window.addEventListener('storage',function(e){if(e.key===k)apply()});"
    "window.kivraToggleTheme=function(){var t=d.getAttribute('data-theme')==='dark'?'light':'dark';"
    "try{localStorage.setItem(k,t)}catch(e){}d.setAttribute('data-theme',t)};})();"
).replace("__KEY__", json.dumps(THEME_STORAGE_KEY))

# Typography ------------------------------------------------------------------------------
FONT_FAMILY = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", '
    "sans-serif"
)
FONT_SIZE = {"sm": "0.9375rem", "md": "1.0625rem", "lg": "1.25rem", "xl": "1.625rem", "xxl": "2rem"}
LINE_HEIGHT = "1.5"
WEIGHT_BOLD = "650"

# Spacing, radii, sizes -------------------------------------------------------------------
STACK_GAP = "1rem"  # the vertical rhythm inside cards
SPACE = {"xs": "0.25rem", "sm": "0.5rem", "md": "1rem", "lg": "1.5rem", "xl": "2rem", "xxl": "3rem"}
RADIUS = {"sm": "6px", "md": "10px", "lg": "16px", "pill": "999px"}
COLUMN_WIDTH = "480px"  # the signup column on a computer; full width on a phone
WIDE_COLUMN_WIDTH = "760px"  # the mailbox
MIN_TARGET = "44px"  # buttons and inputs; WCAG 2.5.8 asks for >= 24 px, we give more
SMALL_TARGET = "24px"  # the smallest allowed target (inline links get padding up to it)
QR_SIZE = "240px"
APP_QR_SIZE = "132px"

FOCUS_RING = {"outline": f"3px solid {FOCUS}", "outline_offset": "2px"}

# Shared style dicts ----------------------------------------------------------------------
BUTTON_BASE = {
    "display": "inline-flex",
    "align_items": "center",
    "justify_content": "center",
    "gap": SPACE["sm"],
    "min_height": MIN_TARGET,
    "padding": f"{SPACE['sm']} {SPACE['lg']}",
    "border_radius": RADIUS["pill"],
    "font_size": FONT_SIZE["md"],
    "font_weight": WEIGHT_BOLD,
    "font_family": "inherit",
    "line_height": "1.2",
    "cursor": "pointer",
    "text_decoration": "none",
    "text_align": "center",
    "&:focus-visible": FOCUS_RING,
    "&:disabled": {"cursor": "not-allowed", "opacity": "0.6"},
    "&[aria-disabled='true']": {"cursor": "not-allowed", "opacity": "0.6"},
}

PRIMARY_BUTTON = {
    **BUTTON_BASE,
    "width": "100%",
    "background": BRAND,
    "color": ON_BRAND,
    "border": f"2px solid {BRAND}",
    "&:hover:not(:disabled)": {"background": BRAND_DARK, "border_color": BRAND_DARK},
}

SECONDARY_BUTTON = {
    **BUTTON_BASE,
    "width": "100%",
    "background": SURFACE,
    "color": BRAND_DARK,
    "border": f"2px solid {BRAND}",
    "&:hover:not(:disabled)": {"background": BRAND_TINT},
}

TEXT_BUTTON = {
    "display": "inline-flex",
    "align_items": "center",
    "min_height": SMALL_TARGET,
    "min_width": SMALL_TARGET,
    "padding": f"{SPACE['xs']} {SPACE['xs']}",
    "background": "transparent",
    "border": "none",
    "color": BRAND_DARK,
    "font_size": FONT_SIZE["md"],
    "font_family": "inherit",
    "text_decoration": "underline",
    "text_underline_offset": "3px",
    "cursor": "pointer",
    "&:hover": {"color": INK},
    "&:focus-visible": FOCUS_RING,
    "&:disabled": {"cursor": "not-allowed", "color": INK_MUTED, "text_decoration": "none"},
}

LINK = {
    "color": BRAND_DARK,
    "text_decoration": "underline",
    "text_underline_offset": "3px",
    "display": "inline-block",
    "min_height": SMALL_TARGET,
    "padding_block": "2px",
    "&:hover": {"color": INK},
    "&:focus-visible": FOCUS_RING,
}

INPUT = {
    "display": "block",
    "width": "100%",
    "min_height": MIN_TARGET,
    "padding": f"{SPACE['sm']} {SPACE['md']}",
    "font_size": FONT_SIZE["lg"],
    "font_family": "inherit",
    "color": INK,
    "background": SURFACE,
    "border": f"2px solid {BORDER}",
    "border_radius": RADIUS["md"],
    "&:focus-visible": {**FOCUS_RING, "border_color": FOCUS},
    "&[aria-invalid='true']": {"border_color": ERROR},
}

CODE_INPUT = {
    **INPUT,
    "max_width": "12ch",
    "letter_spacing": "0.3em",
    "font_variant_numeric": "tabular-nums",
}

CARD = {
    "background": SURFACE,
    "border_radius": RADIUS["lg"],
    "padding": [SPACE["lg"], SPACE["xl"]],
    "box_shadow": "0 1px 3px rgba(0,0,0,0.08)",
}

# Global rules for everything inside the page shell (nested selectors of one root element).
SHELL_RULES = {
    "min_height": "100vh",
    "background": PAGE_BG,
    "color": INK,
    "font_family": FONT_FAMILY,
    "font_size": FONT_SIZE["md"],
    "line_height": LINE_HEIGHT,
    "& :where(h1)": {
        "font_size": FONT_SIZE["xl"],
        "line_height": "1.25",
        "margin": "0",
        "font_weight": WEIGHT_BOLD,
    },
    "& :where(h2)": {
        "font_size": FONT_SIZE["lg"],
        "line_height": "1.3",
        "margin": f"{SPACE['sm']} 0 0",
        "font_weight": WEIGHT_BOLD,
    },
    "& :where(p)": {"margin": "0"},
    "& :where(ul, ol)": {"margin": "0", "padding_left": SPACE["lg"]},
    "& :where(ul)": {"list_style": "disc"},
    "& :where(ol)": {"list_style": "decimal"},
    "& :where(li)": {"margin_bottom": SPACE["xs"]},
    "& a:focus-visible, & button:focus-visible, & input:focus-visible": FOCUS_RING,
    "& *": {"box_sizing": "border-box"},
}

# Shown only in one theme (the theme switch's two labels); the rules are in css_variables().
WHEN_LIGHT = "kv-when-light"
WHEN_DARK = "kv-when-dark"
