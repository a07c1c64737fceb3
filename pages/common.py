"""Helpers shared by the pages: the catalogue Var and placeholder filling on the client."""

from __future__ import annotations

from typing import Any

import reflex as rx

from state.lang import LangState

T = LangState.texts  # the current language's catalogue (a Var of dict[str, str])


def tr(key: str, **values: Any) -> rx.Var:
    """A catalogue text with `{placeholders}` replaced by (Var) values, in the browser."""
    text = T[key].to(str)
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def begin_action() -> rx.Var:
    """The HTTP route that creates (or resumes) a signup and sets its HttpOnly cookie."""
    return "/api/signup/begin?lang=" + LangState.lang
