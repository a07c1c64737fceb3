"""'Steg 2 av 7' with an accessible progressbar."""

from __future__ import annotations

from typing import Any

import reflex as rx

from components import theme
from components._util import is_var


def progress(step_number: Any, total: Any, label: Any, name: Any = "") -> rx.Component:
    """Visible text `label` ("Steg 2 av 7") and a bar with role=progressbar.

    `name` is the progressbar's accessible name ("Hur långt du har kommit").
    """
    if is_var(step_number) or is_var(total):
        width = (step_number.to(int) * 100 / total).to_string() + "%"  # type: ignore[union-attr]
    else:
        width = f"{(int(step_number) * 100) // max(int(total), 1)}%"
    return rx.el.div(
        rx.el.p(
            label,
            id="progress-label",
            style={"margin": f"0 0 {theme.SPACE['xs']}", "color": theme.INK_MUTED,
                   "font_size": theme.FONT_SIZE["sm"], "font_weight": theme.WEIGHT_BOLD},
        ),
        rx.el.div(
            rx.el.div(
                style={"height": "100%", "width": width, "background": theme.BRAND,
                       "border_radius": theme.RADIUS["pill"], "transition": "width .3s"},
            ),
            role="progressbar",
            aria_label=name,
            aria_valuemin=1,
            aria_valuemax=total,
            aria_valuenow=step_number,
            aria_valuetext=label,
            style={"height": "8px", "background": theme.DIVIDER,
                   "border_radius": theme.RADIUS["pill"], "overflow": "hidden"},
        ),
        style={"margin_bottom": theme.SPACE["lg"]},
    )
