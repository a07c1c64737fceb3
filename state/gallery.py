"""The gallery viewer's toolbar (viewport, theme, language) and the index filter.

Dev-only (imported by pages/gallery.py alone). The toolbar's choices live in the query string:
`load` reads them, `choose` writes a new URL, so every view is a link for a design review.
Stories themselves have no state; each frame loads a bare story page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import reflex as rx

from kivra_app.i18n import LANGUAGES, texts_for

# CSS-pixel screen sizes of the frames (the devices' screens, not their browser viewports).
VIEWPORTS: dict[str, tuple[int, int]] = {
    "desktop": (1280, 800),
    "iphone13": (390, 844),
    "pixel7": (412, 915),
}
VIEWPORT_CHOICES = (*VIEWPORTS, "all")
THEME_CHOICES = ("light", "dark", "both")
DEFAULTS = {"viewport": "desktop", "theme": "light", "lang": "sv"}
CHOICES = {"viewport": VIEWPORT_CHOICES, "theme": THEME_CHOICES, "lang": LANGUAGES}


def raw_path(lang: str, key: str) -> str:
    """The bare page of story `key` ("component/name") in `lang`."""
    return f"/gallery/raw/{lang}/{key}"


def viewer_url(key: str, choices: dict[str, str]) -> str:
    return f"/gallery/{key}?{urlencode({k: choices[k] for k in DEFAULTS})}"


# What the viewer shows of each story, by key; filled by pages/gallery.py from the registry.
# The viewer is one dynamic page, so these are data, not compiled components.
CATALOGUE: dict[str, dict[str, Any]] = {}


def set_catalogue(entries: dict[str, dict[str, Any]]) -> None:
    """Fill the catalogue: key -> {"label", "notes", "args" ([name, json] pairs), "source"}.
    pages/gallery.py builds the entries from the story registry (state imports no components)."""
    CATALOGUE.clear()
    CATALOGUE.update(entries)


def _story_of(path: str) -> str:
    """The story key of a viewer path: /gallery/<component>/<name> -> "component/name"."""
    parts = path.split("?")[0].strip("/").split("/")
    return "/".join(parts[1:3]) if len(parts) == 3 and parts[0] == "gallery" else ""


class GalleryState(rx.State):
    story: str = ""  # "component/name" of the story on screen
    viewport: str = DEFAULTS["viewport"]
    theme: str = DEFAULTS["theme"]
    lang: str = DEFAULTS["lang"]
    needle: str = ""  # the index filter, lower-case

    @rx.var
    def texts(self) -> dict[str, str]:
        return texts_for(self.lang)

    def _fact(self, name: str, default: Any = "") -> Any:
        return CATALOGUE.get(self.story, {}).get(name, default)

    @rx.var
    def found(self) -> bool:
        return self.story in CATALOGUE

    @rx.var
    def label(self) -> str:
        return self._fact("label", self.texts["gallery.not_found"] if self.story else "")

    @rx.var
    def page_title(self) -> str:
        return f"{self.label} · Gallery" if self.label else "Gallery"

    @rx.var
    def notes(self) -> str:
        return self._fact("notes")

    @rx.var
    def args_rows(self) -> list[list[str]]:
        return self._fact("args", [])

    @rx.var
    def source(self) -> str:
        return self._fact("source")

    @rx.var
    def raw_href(self) -> str:
        theme = "dark" if self.theme == "dark" else "light"
        return f"{raw_path(self.lang, self.story)}?theme={theme}" if self.found else ""

    @rx.var
    def frames(self) -> list[dict[str, str]]:
        if self.story not in CATALOGUE:
            return []
        viewports = list(VIEWPORTS) if self.viewport == "all" else [self.viewport]
        themes = ["light", "dark"] if self.theme == "both" else [self.theme]
        return [
            {
                "src": f"{raw_path(self.lang, self.story)}?theme={theme}",
                "caption": f"{vp} · {VIEWPORTS[vp][0]}×{VIEWPORTS[vp][1]} · {theme} · {self.lang}",
                "width": f"{VIEWPORTS[vp][0]}px",  # px: a bare number leaves a 300x150 frame
                "height": f"{VIEWPORTS[vp][1]}px",
                "testid": f"frame-{vp}-{theme}",
            }
            for theme in themes
            for vp in viewports
        ]

    def _choices(self) -> dict[str, str]:
        return {"viewport": self.viewport, "theme": self.theme, "lang": self.lang}

    @rx.event
    def load(self):
        """on_load of the viewer: the story from the path, the toolbar choices from the query
        string."""
        self.story = _story_of(self.router.url.path)
        query = self.router.url.query_parameters
        for name, default in DEFAULTS.items():
            value = query.get(name, default)
            setattr(self, name, value if value in CHOICES[name] else default)

    @rx.event
    def choose(self, name: str, value: str):
        """A toolbar change: a new URL (so the view stays a link), which loads it again."""
        if name not in CHOICES or value not in CHOICES[name] or self.story not in CATALOGUE:
            return None
        choices = {**self._choices(), name: value}
        return rx.redirect(viewer_url(self.story, choices))

    @rx.event
    def set_needle(self, value: str):
        self.needle = str(value)[:100].strip().lower()
