"""Form controls with real <label>s, linked hints and errors (aria-describedby, aria-invalid)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from components import theme
from components._util import drop_none, is_var, pick, when


def error_text(message: Any, id: str) -> rx.Component | None:
    """An inline error under a field; empty renders nothing (the id stays stable)."""
    return when(
        message,
        rx.el.p(
            message,
            id=id,
            style={"color": theme.ERROR, "font_weight": theme.WEIGHT_BOLD,
                   "margin": f"{theme.SPACE['xs']} 0 0", "font_size": theme.FONT_SIZE["md"]},
        ),
    )


def field(
    label: Any,
    *,
    id: str,
    name: str | None = None,
    value: Any = None,
    on_change: Any = None,
    default_value: Any = None,
    error: Any = "",
    hint: Any = "",
    input_mode: str | None = None,
    autocomplete: str | None = None,
    input_type: str = "text",
    max_length: int | None = None,
    key: Any = None,
    auto_focus: bool = False,
    style: dict | None = None,
    extra_input_props: dict | None = None,
) -> rx.Component:
    """A labelled text input.

    Controlled (`value` + `on_change`) or, by default, uncontrolled inside a form (`name` +
    `default_value`); for an uncontrolled field pass `key` = the prefill value so a new server
    value (after a reload) re-mounts the input while typed text survives an error.
    The hint and the error are linked with aria-describedby; aria-invalid follows the error.
    """
    hint_id = f"{id}-hint"
    error_id = f"{id}-error"
    has_error = (error != "") if is_var(error) else bool(error)
    has_hint = is_var(hint) or bool(hint)  # a catalogue Var is always a non-empty text
    described = pick(has_error, f"{hint_id} {error_id}" if has_hint else error_id,
                     hint_id if has_hint else "")
    props: dict[str, Any] = {
        "id": id,
        "name": name or id,
        "type": input_type,
        "aria_invalid": pick(has_error, "true", "false"),
        "spell_check": False,
        "auto_capitalize": "off",
        "style": style or theme.INPUT,
    }
    if is_var(described) or described:
        props["aria_describedby"] = described
    if input_mode:
        props["input_mode"] = input_mode
    if autocomplete:
        props["auto_complete"] = autocomplete
    if max_length:
        props["max_length"] = max_length
    if auto_focus:
        props["auto_focus"] = True
    if value is not None:
        props["value"] = value
        if on_change is not None:
            props["on_change"] = on_change
    elif default_value is not None:
        props["default_value"] = default_value
    if key is not None:
        props["key"] = key
    props.update(extra_input_props or {})
    return rx.el.div(
        *drop_none(
            rx.el.label(
                label,
                html_for=id,
                style={"display": "block", "font_weight": theme.WEIGHT_BOLD,
                       "margin_bottom": theme.SPACE["xs"]},
            ),
            when(hint, rx.el.p(hint, id=hint_id,
                               style={"color": theme.INK_MUTED, "margin": f"0 0 {theme.SPACE['xs']}",
                                      "font_size": theme.FONT_SIZE["sm"]})),
            rx.el.input(**props),
            error_text(error, error_id),
        ),
        style={"margin_bottom": theme.SPACE["md"]},
    )


def code_input(label: Any, *, id: str = "code", error: Any = "", hint: Any = "",
               key: Any = None, auto_focus: bool = True) -> rx.Component:
    """One field for a 6-digit code: numeric keyboard, one-time-code autofill, paste works."""
    return field(
        label,
        id=id,
        name="code",
        default_value="",
        error=error,
        hint=hint,
        input_mode="numeric",
        autocomplete="one-time-code",
        max_length=6,
        key=key,
        auto_focus=auto_focus,
        style=theme.CODE_INPUT,
        extra_input_props={"pattern": "[0-9]*"},
    )


def _button(label: Any, style: dict[str, Any], *, type: str, on_click: Any, disabled: Any,
            id: str | None) -> rx.Component:
    props: dict[str, Any] = {"type": type, "style": style}
    if on_click is not None:
        props["on_click"] = on_click
    if disabled is not False:
        props["disabled"] = disabled
    if id:
        props["id"] = id
    return rx.el.button(label, **props)


def primary_button(label: Any, *, type: str = "submit", disabled: Any = False,
                   on_click: Any = None, id: str | None = None) -> rx.Component:
    return _button(label, theme.PRIMARY_BUTTON, type=type, on_click=on_click, disabled=disabled,
                   id=id)


def secondary_button(label: Any, *, on_click: Any = None, disabled: Any = False,
                     type: str = "button", id: str | None = None) -> rx.Component:
    return _button(label, theme.SECONDARY_BUTTON, type=type, on_click=on_click,
                   disabled=disabled, id=id)


def text_button(label: Any, *, on_click: Any = None, disabled: Any = False,
                id: str | None = None) -> rx.Component:
    return _button(label, theme.TEXT_BUTTON, type="button", on_click=on_click,
                   disabled=disabled, id=id)


def link_button(label: Any, href: Any, *, primary: bool = True, id: str | None = None,
                **props: Any) -> rx.Component:
    """A real link that looks like a button (navigation, app launch, store links)."""
    style = {**(theme.PRIMARY_BUTTON if primary else theme.SECONDARY_BUTTON),
             **props.pop("style", {})}
    if id:
        props["id"] = id
    return rx.el.a(label, href=href, style=style, **props)


def text_link(label: Any, href: Any, **props: Any) -> rx.Component:
    return rx.el.a(label, href=href, style={**theme.LINK, **props.pop("style", {})}, **props)


def status_message(text: Any, *, id: str = "status", tone: str = "info") -> rx.Component:
    """A polite live region. It is always in the page; only its text changes, so changes are
    announced (WCAG 4.1.3)."""
    background = {"info": theme.INFO_TINT, "error": theme.ERROR_TINT, "ok": theme.BRAND_TINT}[tone]
    inner = when(
        text,
        rx.el.p(text, style={"margin": "0", "padding": f"{theme.SPACE['sm']} {theme.SPACE['md']}",
                             "background": background, "border_radius": theme.RADIUS["md"],
                             "border_left": f"4px solid {theme.ERROR if tone == 'error' else theme.BRAND}"}),
    )
    return rx.el.div(
        *drop_none(inner),
        id=id,
        role="status",
        aria_live="polite",
        # An empty region stays in the page (so changes are announced) but takes no room.
        style={"&:empty": {"margin_top": f"-{theme.STACK_GAP}"}},
    )


def form(*children: Any, on_submit: Any, id: str | None = None) -> rx.Component:
    """A form whose submit (button or Enter) sends the named fields to `on_submit`.

    `novalidate`: the server's texts explain problems, not the browser's own bubbles.
    """
    props: dict[str, Any] = {"on_submit": on_submit, "no_validate": True,
                             "reset_on_submit": False}
    if id:
        props["id"] = id
    return rx.el.form(*drop_none(*children), **props)



class NativeForm(rx.el.form.__self__):  # type: ignore[misc,name-defined]
    """A plain HTML form that really submits to `action` (no Reflex submit handler): for the
    HTTP routes that set or clear HttpOnly cookies. It also works before hydration."""

    @classmethod
    def create(cls, *children: Any, **props: Any) -> rx.Component:
        # Skip Form.create, which adds a preventDefault submit handler.
        return super(rx.el.form.__self__, cls).create(*children, **props)  # type: ignore[misc]


def post_button(label: Any, action: Any, *, primary: bool = True, id: str | None = None,
                hidden: dict[str, Any] | None = None) -> rx.Component:
    """A button that POSTs a small form to an HTTP route (full page navigation)."""
    button = (primary_button if primary else secondary_button)(label, type="submit", id=id)
    inputs = [rx.el.input(type="hidden", name=k, value=v) for k, v in (hidden or {}).items()]
    return NativeForm.create(*inputs, button, action=action, method="post",
                             style={"margin": "0"})
