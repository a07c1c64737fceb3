"""The component gallery (dev only): /gallery, /gallery/<component>/<story> and the bare
pages /gallery/raw/<lang>/<component>/<story>?theme=light|dark that frames and tests load.

Registered by `register_gallery(app)` only when settings.gallery_enabled (kivra_app.py); the
only module that calls components.stories.discover(). The index, one dynamic viewer, and one
bare page per component (`/gallery/raw/[lang]/button/[story]`, which picks the story from the
route params) plus a catch-all bare page for unknown components. Not one page per story (a
save in `make dev` recompiled ~450 of those), and not one bare page for all of them either:
that page was 1.1 MB of JSX, which Vite re-transformed and the browser re-ran after every
save of a style (issue #10); a component's page is a few dozen KB.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import reflex as rx
from reflex.utils.imports import ImportVar
from reflex.vars import VarData

from components import theme
from components.layout import stack
from components.stories import WIDTHS, Story, discover
from kivra_app.i18n import LANGUAGES, texts_for
from state.gallery import DEFAULTS, VIEWPORTS, GalleryState, set_catalogue, viewer_url

G = GalleryState.texts
ROOT = Path(__file__).resolve().parent.parent
# <html lang> of a bare page follows its /gallery/raw/<lang>/ path before the first paint.
LANG_HEAD_JS = (
    "(function(){var m=location.pathname.match(/^\\/gallery\\/raw\\/(sv|en)\\//);"
    "if(m){document.documentElement.lang=m[1];}})();"
)
PAGE = {**theme.SHELL_RULES, "padding": theme.SPACE["lg"]}


# The bare story pages --------------------------------------------------------------------------
# One dynamic route per component, its story and language picked at run time from the route
# params (rx.match over "<lang>/<component>/<story>", _route_key): few pages to compile (issue
# #10: a save took over 120 s with ~220 gallery routes under Vite), each small for Vite and the
# browser. React Router prefers the static component segment over RAW_ROUTE's dynamic one, which
# only answers for components that do not exist.
RAW_ROUTE = "/gallery/raw/[gallery_lang]/[gallery_component]/[gallery_story]"
VIEWER_ROUTE = "/gallery/[gallery_component]/[gallery_story]"


# The memo files of the component pages: .web/app_components/gallery_story_pages/<component>.jsx
MEMO_PACKAGE = "gallery_story_pages"


def raw_route(component: str) -> str:
    """The bare page route of one component's stories."""
    return f"/gallery/raw/[gallery_lang]/{component}/[gallery_story]"


def _raw_story(story: Story, lang: str) -> rx.Component:
    return rx.el.div(
        story.render(texts_for(lang)),
        data_testid="story-root",
        style={"max_width": WIDTHS[story.width], "padding": theme.SPACE["md"],
               "background": theme.PAGE_BG},
    )


def _route_key(component: str | None) -> rx.Var:
    """"<lang>/<component>/<story>" of the bare page, read in the browser from React Router's
    route params (the component is the route's own, or the catch-all's param): the story shows
    from the first render, as with one static page per story, without waiting for the backend
    (after a save that is the restarting worker) to hydrate the page."""
    part = json.dumps(component) if component else "galleryParams.gallery_component"
    return rx.Var(
        _js_expr=f"[galleryParams.gallery_lang, {part}, galleryParams.gallery_story].join('/')",
        _var_type=str,
        _var_data=VarData(imports={"react-router": [ImportVar(tag="useParams")]},
                          hooks={"const galleryParams = useParams();": None}),
    )


def _raw_page(stories: list[Story], component: str | None):
    """The bare page of `component`'s stories (None and no stories: the catch-all page that
    says a story does not exist)."""
    def page() -> rx.Component:
        key = _route_key(component)
        missing = rx.cond(rx.State.is_hydrated,
                          rx.el.p(G["gallery.not_found"], data_testid="story-missing"))
        if not stories:
            return rx.el.main(missing, style={**theme.SHELL_RULES, "min_height": "100vh"})
        known = rx.Var.create([f"{lang}/{s.key}" for s in stories for lang in LANGUAGES])
        return rx.el.main(
            rx.match(
                key,
                *[(f"{lang}/{s.key}", _raw_story(s, lang)) for s in stories for lang in LANGUAGES],
                missing,
            ),
            # Tests wait for this: the page is hydrated (its event handlers work) and the route
            # params picked a story.
            rx.cond(rx.State.is_hydrated & known.contains(key),
                    rx.el.span(data_testid="story-hydrated", hidden=True)),
            style={**theme.SHELL_RULES, "min_height": "100vh"},
        )

    page.__name__ = f"gallery_story_{(component or 'unknown').replace('-', '_')}"
    if stories and component:
        # Reflex writes a page's memo components into a file named after the page function's
        # module (.web/app_components/<module path>.jsx): one per component's page, so the
        # page imports its own few, not a file with every story's, and `make dev` can
        # recompile one component's page without the others sharing its file
        # (devtools/dev_gallery.py). Not a module that exists: only the file name.
        page.__module__ = f"{MEMO_PACKAGE}.{component.replace('-', '_')}"
    return page


# The viewer ----------------------------------------------------------------------------------
def _select(name: str, label_key: str, options: list[tuple[str, Any]]) -> rx.Component:
    select_id = f"gallery-{name}"
    return rx.el.div(
        rx.el.label(G[label_key], html_for=select_id,
                    style={"display": "block", "font_weight": theme.WEIGHT_BOLD}),
        rx.el.select(
            *[rx.el.option(text, value=value) for value, text in options],
            id=select_id,
            name=name,
            value=getattr(GalleryState, name),
            on_change=lambda value: GalleryState.choose(name, value),
            style={**theme.INPUT, "font_size": theme.FONT_SIZE["md"], "width": "auto"},
        ),
    )


def _toolbar() -> rx.Component:
    return rx.el.section(
        rx.el.h2(G["gallery.toolbar"], id="gallery-toolbar-heading", style={"margin": "0"}),
        rx.el.div(
            _select("viewport", "gallery.viewport",
                    [("desktop", "Desktop 1280×800"), ("iphone13", "iPhone 13 390×844"),
                     ("pixel7", "Pixel 7 412×915"), ("all", G["gallery.viewport_all"])]),
            _select("theme", "gallery.theme",
                    [("light", G["gallery.theme_light"]), ("dark", G["gallery.theme_dark"]),
                     ("both", G["gallery.theme_both"])]),
            _select("lang", "gallery.lang", [("sv", "Svenska"), ("en", "English")]),
            style={"display": "flex", "gap": theme.SPACE["lg"], "flex_wrap": "wrap"},
        ),
        aria_labelledby="gallery-toolbar-heading",
        style={"display": "flex", "flex_direction": "column", "gap": theme.SPACE["sm"]},
    )


def _frame(frame: rx.Var) -> rx.Component:
    return rx.el.figure(
        rx.el.figcaption(frame["caption"], style={"font_size": theme.FONT_SIZE["sm"],
                                                  "color": theme.INK_MUTED}),
        rx.el.iframe(
            src=frame["src"],
            title=frame["caption"],
            data_testid=frame["testid"],
            style={"width": frame["width"], "height": frame["height"], "border": "none",
                   "display": "block", "background": theme.SURFACE,
                   "box_shadow": f"0 0 0 1px {theme.DIVIDER}"},
        ),
        style={"margin": "0", "flex_shrink": "0"},
    )


def _args_table() -> rx.Component:
    return rx.cond(
        GalleryState.args_rows,
        rx.el.table(
            rx.el.thead(rx.el.tr(rx.el.th(G["gallery.arg_name"], scope="col"),
                                 rx.el.th(G["gallery.arg_value"], scope="col"))),
            rx.el.tbody(rx.foreach(
                GalleryState.args_rows,
                lambda row: rx.el.tr(rx.el.td(rx.el.code(row[0])), rx.el.td(rx.el.code(row[1]))),
            )),
            style={"border_collapse": "collapse", "& td, & th": {
                "text_align": "left", "padding": f"{theme.SPACE['xs']} {theme.SPACE['sm']}",
                "border_bottom": f"1px solid {theme.DIVIDER}", "vertical_align": "top"},
                "& code": {"white_space": "pre-wrap", "word_break": "break-word"}},
        ),
        rx.el.p(G["gallery.no_args"]),
    )


def _viewer_page() -> rx.Component:
    """One page for every story: what it shows comes from GalleryState (the route's story)."""
    return rx.el.main(
        stack(
            rx.el.a(G["gallery.back"], href="/gallery", style=theme.LINK),
            rx.el.h1(GalleryState.label),
            rx.cond(GalleryState.notes != "", rx.el.p(GalleryState.notes)),
            rx.cond(
                GalleryState.found,
                stack(
                    _toolbar(),
                    rx.el.section(
                        rx.el.h2(G["gallery.frames"], class_name="sr-only",
                                 style={"position": "absolute", "width": "1px", "height": "1px",
                                        "overflow": "hidden", "clip": "rect(0 0 0 0)"}),
                        rx.foreach(GalleryState.frames, _frame),
                        style={"display": "flex", "gap": theme.SPACE["lg"], "overflow_x": "auto",
                               "align_items": "flex-start", "padding_bottom": theme.SPACE["md"]},
                    ),
                    rx.el.a(G["gallery.open_raw"], href=GalleryState.raw_href,
                            id="gallery-open-raw", style=theme.LINK),
                    rx.el.h2(G["gallery.args"]),
                    _args_table(),
                    rx.el.p(G["gallery.source"], ": ", rx.el.code(GalleryState.source)),
                ),
            ),
        ),
        style=PAGE,
    )


# The index -----------------------------------------------------------------------------------
def _index_page(stories: list[Story]):
    components: dict[str, list[Story]] = {}
    for s in stories:
        components.setdefault(s.component, []).append(s)

    def item(s: Story) -> rx.Component:
        haystack = rx.Var.create(f"{s.component} {s.name} {s.title}".lower())
        return rx.cond(
            haystack.contains(GalleryState.needle),
            rx.el.li(rx.el.a(s.name, href=viewer_url(s.key, DEFAULTS), style=theme.LINK)),
        )

    def group(name: str, members: list[Story]) -> rx.Component:
        haystack = rx.Var.create(" ".join(f"{s.component} {s.name} {s.title}".lower()
                                          for s in members))
        return rx.cond(
            haystack.contains(GalleryState.needle),
            rx.el.section(
                rx.el.h2(name),
                rx.el.ul(*[item(s) for s in members]),
                data_testid=f"gallery-group-{name}",
            ),
        )

    def page() -> rx.Component:
        return rx.el.main(
            stack(
                rx.el.h1(G["gallery.title"]),
                rx.el.p(G["gallery.intro"]),
                rx.el.div(
                    rx.el.label(G["gallery.filter"], html_for="gallery-filter",
                                style={"display": "block", "font_weight": theme.WEIGHT_BOLD}),
                    rx.el.p(G["gallery.filter_hint"], id="gallery-filter-hint",
                            style={"color": theme.INK_MUTED, "font_size": theme.FONT_SIZE["sm"]}),
                    rx.el.input(id="gallery-filter", type="search", aria_describedby="gallery-filter-hint",
                                on_change=GalleryState.set_needle.debounce(150),
                                style={**theme.INPUT, "max_width": "24rem"}),
                ),
                rx.el.p(G["gallery.count"].to(str).replace("{stories}", str(len(stories)))
                        .replace("{components}", str(len(components))), id="gallery-count"),
                *[group(name, members) for name, members in components.items()],
            ),
            style=PAGE,
        )

    return page


def catalogue_entries(stories: list[Story]) -> dict[str, dict[str, Any]]:
    """What the viewer shows of each story (state.gallery.CATALOGUE), as plain data."""
    return {s.key: {"label": s.label, "notes": s.notes,
                    "args": [[name, json.dumps(value, ensure_ascii=False)]
                             for name, value in s.args.items()],
                    "source": s.module.replace(".", "/") + ".py"} for s in stories}


def gallery_pages(stories: list[Story]) -> list[dict[str, Any]]:
    """The gallery's pages as `app.add_page` arguments: /gallery, the viewer, the catch-all bare
    page and one bare page per component (devtools/dev_gallery.py recompiles some of them in
    `make dev` from a fresh import of this module)."""
    pages: list[dict[str, Any]] = [
        {"component": _index_page(stories), "route": "/gallery", "title": "Gallery"},
        {"component": _viewer_page, "route": VIEWER_ROUTE, "title": GalleryState.page_title,
         "on_load": GalleryState.load},
        # The viewer's route sets up rx.State.gallery_component and .gallery_story when it is
        # added, and this one rx.State.gallery_lang: titles reading them are made once the
        # pages before them are added (a callable title, see page_arguments).
        {"component": _raw_page([], None), "route": RAW_ROUTE,
         "title": lambda: rx.State.gallery_component.to(str) + " · "
         + rx.State.gallery_story.to(str) + " · Gallery"},
    ]
    components: dict[str, list[Story]] = {}
    for s in stories:
        components.setdefault(s.component, []).append(s)
    for component, members in components.items():
        pages.append({"component": _raw_page(members, component), "route": raw_route(component),
                      "title": lambda c=component: f"{c} · " + rx.State.gallery_story.to(str)
                      + " · Gallery"})
    return pages


def page_arguments(page: dict[str, Any]) -> dict[str, Any]:
    """A gallery_pages() entry as `app.add_page` arguments (its title made now)."""
    title = page.get("title")
    return {**page, "title": title() if callable(title) else title}


def register_gallery(app: rx.App) -> None:
    """Add /gallery, the viewer, the catch-all bare page and one bare page per component."""
    stories = discover()
    set_catalogue(catalogue_entries(stories))
    app.head_components.append(rx.el.script(LANG_HEAD_JS))
    for page in gallery_pages(stories):
        app.add_page(**page_arguments(page))


__all__ = ["gallery_pages", "register_gallery", "VIEWPORTS"]
