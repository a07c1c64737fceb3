"""Design tokens: the one place for colours, radii, spacing, font sizes and target sizes.

Contrast (WCAG 2.2 AA) is checked in tests/unit_ui/test_theme.py: text >= 4.5:1 on its
background, borders and focus rings >= 3:1. Components read tokens from here, never literals.
"""

from __future__ import annotations

# Colours ---------------------------------------------------------------------------------
INK = "#1a1a1a"  # body text
INK_MUTED = "#4a4a4a"  # secondary text, hints
PAGE_BG = "#f5f3ee"  # warm off-white page
SURFACE = "#ffffff"  # cards, inputs
BORDER = "#767676"  # input borders (>= 3:1 on white)
DIVIDER = "#d9d6cf"  # decorative lines only
BRAND = "#00704a"  # Kivra-ish green: buttons, links, progress
BRAND_DARK = "#00553a"  # hover/pressed
BRAND_TINT = "#e3f2ea"  # selected/unread rows, info panels
ON_BRAND = "#ffffff"
ERROR = "#b3261e"
ERROR_TINT = "#fdecea"
FOCUS = "#1849a9"  # focus ring, blue so it differs from the green buttons
INFO_TINT = "#eef3fb"

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
