"""The story registry of the component gallery: plain Python, no Reflex state.

A story is one component in one state, rendered from sample values only (no database, no
BankID, no state). Stories live next to the components, in `components/<name>_stories.py`:

    from components.stories import story

    @story("button", "busy", args={"label": "Skickar …", "disabled": True})
    def _(t, label, disabled):          # t: the catalogue of the language being shown
        return primary_button(label, disabled=disabled)

`args` are passed to the function as keyword arguments and shown as the story's argument table.
Only the gallery (pages/gallery.py) and the gallery tests call `discover()`; production code
never imports a `*_stories` module.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import reflex as rx

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WIDTHS = {"column": "480px", "wide": "760px"}  # the signup column; the mailbox


@dataclass(frozen=True)
class Story:
    component: str  # route-safe slug: "personnummer-field"
    name: str  # route-safe slug: "error-invalid"
    render_fn: Callable[..., rx.Component]
    module: str
    title: str = ""
    notes: str = ""
    args: dict[str, Any] = field(default_factory=dict)
    width: str = "column"  # "column" | "wide"
    interactive: bool = False  # has controls: keyboard checks run on it
    mask: tuple[str, ...] = ()  # CSS selectors masked in screenshots (moving parts)

    @property
    def key(self) -> str:
        return f"{self.component}/{self.name}"

    @property
    def label(self) -> str:
        return self.title or f"{self.component} · {self.name}"

    def render(self, texts: dict[str, str]) -> rx.Component:
        return self.render_fn(texts, **self.args)


REGISTRY: dict[tuple[str, str], Story] = {}


def lang_of(texts: dict[str, str]) -> str:
    """The language of a catalogue (its switch names the other one)."""
    return "en" if texts["lang.other_code"] == "sv" else "sv"


def story(component: str, name: str, **meta: Any) -> Callable[[Callable[..., rx.Component]],
                                                              Callable[..., rx.Component]]:
    """Register the decorated function as the story `component/name`."""
    for slug in (component, name):
        if not SLUG.match(slug):
            raise ValueError(f"story names are lower-case slugs: {slug!r}")
    if meta.get("width", "column") not in WIDTHS:
        raise ValueError(f"width must be one of {sorted(WIDTHS)}")

    def register(fn: Callable[..., rx.Component]) -> Callable[..., rx.Component]:
        if (component, name) in REGISTRY:
            raise ValueError(f"duplicate story {component}/{name}")
        REGISTRY[(component, name)] = Story(component, name, fn, fn.__module__, **meta)
        return fn

    return register


def noop(name: str) -> Callable[..., Any]:
    """A stand-in handler (stories have no state): `handler(*args)` logs `name` in the
    browser console. For components that call their handler with an argument, e.g.
    `on_open(letter["id"])`, and for plain `on_click=`."""

    def handler(*_args: Any) -> Any:
        return rx.console_log(name)

    return handler


def discover() -> list[Story]:
    """Import every components/*_stories.py module; the stories sorted by component, name."""
    import components

    for module in pkgutil.iter_modules(components.__path__):
        if module.name.endswith("_stories"):
            importlib.import_module(f"components.{module.name}")
    return sorted(REGISTRY.values(), key=lambda s: (s.component, s.name))
