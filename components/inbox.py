"""The inbox: filter buttons, one row per letter, paging and the "new mail" notice.

Rows are plain dicts the state builds from the domain, texts already in the person's language:
    {id, sender, subject, date, read, sensitive, invoice, amount, due, status, status_code}
`subject` is already "Känsligt brev" for a sensitive letter not yet opened with BankID.
Unread is said in words ("Oläst"), never only by colour or weight (WCAG 1.4.1).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from components import theme
from components._util import drop_none, pick
from components.forms import secondary_button
from components.layout import stack
from kivra_app.mailbox.formatting import UNREAD_COUNT_CAP

FILTERS = ("all", "unread", "invoices", "unpaid")

def fill(template: Any, **values: Any) -> Any:
    """A catalogue text with `{name}` placeholders filled; works for a catalogue Var (in the
    browser) and for a plain dict's string (the gallery), with Var or plain values."""
    if not isinstance(template, rx.Var) and not any(isinstance(v, rx.Var) for v in values.values()):
        text = str(template)
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text
    text = template if isinstance(template, rx.Var) else rx.Var.create(str(template))
    text = text.to(str)
    for name, value in values.items():
        value = value if isinstance(value, rx.Var) else rx.Var.create(str(value))
        text = text.replace("{" + name + "}", value.to_string() if value._var_type is int else value.to(str))
    return text


_BADGE = {
    "display": "inline-block",
    "padding": f"0 {theme.SPACE['sm']}",
    "border_radius": theme.RADIUS["pill"],
    "font_size": theme.FONT_SIZE["sm"],
    "font_weight": theme.WEIGHT_BOLD,
    "white_space": "nowrap",
}


def unread_badge(count: Any, texts: Any, *, id: str = "unread-count") -> rx.Component:
    """"{count} olästa" in the header; hidden when 0. `count` comes from the capped count
    (kivra_app.mailbox.inbox.unread_count): at the cap (100) it reads "99+ olästa"."""
    if isinstance(count, rx.Var):
        shown = rx.cond(count >= UNREAD_COUNT_CAP, f"{UNREAD_COUNT_CAP - 1}+", count.to_string())
    else:
        shown = f"{UNREAD_COUNT_CAP - 1}+" if count >= UNREAD_COUNT_CAP else count
    label = fill(texts["mbx.unread_count"], count=shown)
    if not isinstance(count, rx.Var):
        return rx.el.span(label, id=id, style={**_BADGE, "background": theme.BRAND,
                                               "color": theme.ON_BRAND}) if count else rx.fragment()
    return rx.cond(
        count > 0,
        rx.el.span(label, id=id, style={**_BADGE, "background": theme.BRAND, "color": theme.ON_BRAND}),
    )


def filter_bar(active: Any, *, on_select: Any, texts: Any) -> rx.Component:
    """Alla / Olästa / Fakturor / Obetalda as toggle buttons (aria-pressed) in a labelled group.
    `on_select(name)` is called with one of FILTERS."""

    def button(name: str) -> rx.Component:
        pressed = active == name
        return rx.el.button(
            texts[f"mbx.filter.{name}"],
            type="button",
            aria_pressed=rx.cond(pressed, "true", "false"),
            on_click=on_select(name),
            id=f"filter-{name}",
            style={
                **theme.BUTTON_BASE,
                "padding": f"{theme.SPACE['xs']} {theme.SPACE['md']}",
                "background": rx.cond(pressed, theme.BRAND, theme.SURFACE),
                "color": rx.cond(pressed, theme.ON_BRAND, theme.BRAND_DARK),
                "border": f"2px solid {theme.BRAND}",
            },
        )

    return rx.el.div(
        rx.el.span(texts["mbx.filters.label"], id="filters-label",
                   style={"font_weight": theme.WEIGHT_BOLD}),
        *[button(name) for name in FILTERS],
        role="group",
        aria_labelledby="filters-label",
        style={"display": "flex", "flex_wrap": "wrap", "gap": theme.SPACE["sm"],
               "align_items": "center"},
    )


def trash_toggle(active: Any, *, on_select: Any, texts: Any) -> rx.Component:
    """"Papperskorg": a toggle button next to the filters; pressed shows the trash, pressed
    again goes back to all letters. `on_select(name)` as for filter_bar."""
    pressed = active == "trash"
    return rx.el.button(
        texts["mbx.nav.trash"], type="button", id="filter-trash",
        aria_pressed=pick(pressed, "true", "false"),
        on_click=on_select(pick(pressed, "all", "trash")),
        style={**theme.TEXT_BUTTON, "font_weight": pick(pressed, theme.WEIGHT_BOLD, "400")},
    )


def inbox_toolbar(active: Any, *, on_select: Any, texts: Any) -> rx.Component:
    """The filter buttons and, at the other end, the trash toggle."""
    return rx.el.div(
        filter_bar(active, on_select=on_select, texts=texts),
        trash_toggle(active, on_select=on_select, texts=texts),
        style={"display": "flex", "justify_content": "space-between", "flex_wrap": "wrap",
               "gap": theme.SPACE["sm"], "align_items": "center"},
    )


def _invoice_line(letter: Any, texts: Any) -> rx.Component:
    return rx.el.span(
        rx.el.span(texts["mbx.invoice"], " ", rx.el.span(letter["amount"], style={"white_space": "nowrap"}),
                   style={**_BADGE, "background": theme.INFO_TINT, "color": theme.INK}),
        rx.el.span(fill(texts["mbx.invoice_due"], date=letter["due"]),
                   style={"color": theme.INK_MUTED}),
        rx.el.span(letter["status"], style={"font_weight": theme.WEIGHT_BOLD,
                                            "color": rx.cond(letter["status_code"] == "overdue",
                                                             theme.ERROR, theme.INK)}),
        style={"display": "flex", "flex_wrap": "wrap", "gap": theme.SPACE["sm"],
               "font_size": theme.FONT_SIZE["sm"], "margin_top": theme.SPACE["xs"]},
    )


def inbox_item(letter: Any, *, on_open: Any, texts: Any, on_restore: Any = None) -> rx.Component:
    """One row: a button that opens the letter (its whole text is the accessible name). In the
    trash (`on_restore` given) a second button restores it."""
    unread = ~letter["read"].to(bool)
    opener = rx.el.button(
        rx.el.span(
            rx.el.span(letter["sender"], style={"font_weight": theme.WEIGHT_BOLD}),
            rx.el.span(letter["date"], style={"color": theme.INK_MUTED,
                                              "font_size": theme.FONT_SIZE["sm"]}),
            style={"display": "flex", "justify_content": "space-between",
                   "gap": theme.SPACE["sm"], "flex_wrap": "wrap"},
        ),
        rx.el.span(
            rx.cond(unread, rx.el.span(texts["mailbox.unread"], ": ",
                                       class_name="unread-marker",
                                       style={"color": theme.BRAND_DARK,
                                              "font_weight": theme.WEIGHT_BOLD})),
            rx.cond(letter["sensitive"].to(bool),
                    rx.el.span("🔒 ", aria_hidden="true")),
            letter["subject"],
            style={"display": "block",
                   "font_weight": rx.cond(unread, theme.WEIGHT_BOLD, "400")},
        ),
        rx.cond(letter["invoice"].to(bool), _invoice_line(letter, texts)),
        type="button",
        on_click=on_open(letter["id"]),
        style={
            "display": "block", "flex": "1", "width": "100%", "text_align": "left",
            "padding": theme.SPACE["md"], "min_height": theme.MIN_TARGET,
            "background": "transparent", "border": "none", "color": theme.INK,
            "font": "inherit", "cursor": "pointer",
            "&:hover": {"background": theme.INFO_TINT},
            "&:focus-visible": {**theme.FOCUS_RING, "outline_offset": "-3px"},
        },
    )
    restore = None
    if on_restore is not None:
        restore = rx.el.button(texts["mbx.restore"], type="button",
                               on_click=on_restore(letter["id"]),
                               style={**theme.TEXT_BUTTON, "margin": theme.SPACE["md"]})
    return rx.el.li(
        *drop_none(opener, restore),
        class_name="inbox-item",
        style={"list_style": "none", "margin": "0", "display": "flex", "align_items": "center",
               "border_bottom": f"1px solid {theme.DIVIDER}",
               "background": rx.cond(unread, theme.BRAND_TINT, theme.SURFACE)},
    )


def inbox_list(letters: Any, *, heading: Any, on_open: Any, texts: Any, empty_text: Any,
               on_restore: Any = None, range_text: Any = "", has_next: Any = False,
               on_next: Any = None, show_first: Any = False, on_first: Any = None,
               id: str = "inbox") -> rx.Component:
    """A heading, the rows (a list) and the page buttons (keyset paging: next, back to the
    newest)."""
    pager = rx.el.div(
        rx.el.span(range_text, style={"color": theme.INK_MUTED, "font_size": theme.FONT_SIZE["sm"]}),
        rx.el.div(
            rx.cond(show_first, rx.el.button(texts["mbx.first_page"], type="button",
                                             on_click=on_first, id="page-first",
                                             style=theme.TEXT_BUTTON)),
            rx.cond(has_next, rx.el.button(texts["mbx.next_page"], type="button",
                                           on_click=on_next, id="page-next",
                                           style=theme.TEXT_BUTTON)),
            style={"display": "flex", "gap": theme.SPACE["md"]},
        ),
        style={"display": "flex", "justify_content": "space-between", "align_items": "center",
               "flex_wrap": "wrap", "gap": theme.SPACE["sm"], "margin_top": theme.SPACE["md"]},
    ) if on_next is not None else None
    return rx.el.section(
        *drop_none(
            rx.el.h2(heading, id=f"{id}-heading", style={"margin": f"0 0 {theme.SPACE['md']}"}),
            rx.cond(
                letters.length() > 0,  # type: ignore[union-attr]
                rx.el.ul(
                    rx.foreach(letters, lambda letter: inbox_item(
                        letter, on_open=on_open, texts=texts, on_restore=on_restore)),
                    style={"padding": "0", "margin": "0",
                           "border_top": f"1px solid {theme.DIVIDER}"},
                ),
                rx.el.p(empty_text),
            ),
            pager,
        ),
        aria_labelledby=f"{id}-heading",
        id=id,
        style=theme.CARD,
    )


def new_mail_notice(show: Any, *, on_show: Any, texts: Any) -> rx.Component:
    """A polite live region: "Du har fått nytt brev." with a button to show the newest page.
    The region is always in the page so the change is announced."""
    return rx.el.div(
        rx.cond(show, rx.el.p(
            texts["mbx.new_arrived"], " ",
            rx.el.button(texts["mbx.show_new"], type="button", on_click=on_show, id="show-new",
                         style=theme.TEXT_BUTTON),
            style={"margin": "0", "padding": f"{theme.SPACE['sm']} {theme.SPACE['md']}",
                   "background": theme.BRAND_TINT, "border_radius": theme.RADIUS["md"],
                   "border_left": f"4px solid {theme.BRAND}"},
        )),
        role="status", aria_live="polite", id="new-mail",
    )


def mailbox_nav(current: str, *, texts: Any, unread: Any) -> rx.Component:
    """Inkorg / Papperskorg / Avsändare / Inställningar; the current page has aria-current.
    `current` is a route; the inbox and the trash are one page with a filter, so they are
    buttons in the inbox, links here."""
    items = (("/mailbox", "mbx.nav.inbox"), ("/mailbox/avsandare", "mbx.nav.senders"),
             ("/mailbox/installningar", "mbx.nav.settings"))
    links = []
    for href, key in items:
        props: dict[str, Any] = {"href": href, "style": {**theme.LINK,
                                                         "font_weight": theme.WEIGHT_BOLD}}
        if href == current:
            props["aria_current"] = "page"
            props["style"] = {**props["style"], "text_decoration": "none", "color": theme.INK}
        children = [texts[key]]
        if key == "mbx.nav.inbox":
            children += [" ", unread_badge(unread, texts, id="nav-unread")]
        links.append(rx.el.li(rx.el.a(*children, **props), style={"list_style": "none",
                                                                  "margin": "0"}))
    return rx.el.nav(
        rx.el.ul(*links, style={"display": "flex", "gap": theme.SPACE["lg"], "flex_wrap": "wrap",
                                "padding": "0", "margin": "0"}),
        aria_label=texts["mbx.nav.label"],
    )


def mailbox_header(current: str, *, texts: Any, unread: Any, greeting: Any,
                   on_logout: Any) -> rx.Component:
    """The top of every mailbox page: heading with the unread count, the greeting ("Hej
    Anna!"), "Logga ut" and the navigation."""
    return stack(
        rx.el.div(
            rx.el.div(
                rx.el.h1(texts["mailbox.title"], " ", unread_badge(unread, texts),
                         style={"margin_bottom": "0"}),
                rx.el.p(greeting, style={"margin": "0", "color": theme.INK_MUTED}),
            ),
            rx.el.div(secondary_button(texts["mailbox.logout"], on_click=on_logout, id="logout"),
                      style={"min_width": "9rem"}),
            style={"display": "flex", "justify_content": "space-between", "align_items": "center",
                   "gap": theme.SPACE["md"], "flex_wrap": "wrap"},
        ),
        mailbox_nav(current, texts=texts, unread=unread),
    )
