"""Small helpers shared by the components: render something only when a value is non-empty."""

from __future__ import annotations

from typing import Any

import reflex as rx


def is_var(value: Any) -> bool:
    return isinstance(value, rx.Var)


def when(value: Any, component: rx.Component) -> rx.Component | None:
    """`component` if `value` (a Var or a plain value) is truthy/non-empty, else nothing."""
    if is_var(value):
        return rx.cond(value, component)
    return component if value else None


def pick(condition: Any, if_true: Any, if_false: Any) -> Any:
    """A value chosen by a Var condition (rx.cond) or a plain one."""
    if is_var(condition):
        return rx.cond(condition, if_true, if_false)
    return if_true if condition else if_false


def drop_none(*children: Any) -> list[Any]:
    return [c for c in children if c is not None]
