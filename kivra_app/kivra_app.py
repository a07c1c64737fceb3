"""The Reflex app: wires pages, HTTP routes and lifespan tasks. No logic here."""

import reflex as rx

from components import theme
from kivra_app.i18n import page_titles
from kivra_app.logging_setup import configure_logging
from kivra_app.settings import get_settings
from kivra_app.web.api import build_api
from kivra_app.web.lifespan import embedded_services
from kivra_app.web.sender_lifespan import sender_services

settings = get_settings()
configure_logging(settings)


app = rx.App(
    html_lang=settings.default_language,
    api_transformer=build_api(settings),
    # The light and dark palettes, and the script that picks one before the first paint.
    head_components=[rx.el.style(theme.css_variables()), rx.el.script(theme.THEME_HEAD_JS)],
)
app.register_lifespan_task(embedded_services)
app.register_lifespan_task(sender_services)  # notification worker, dev demo sender


def add_product_pages() -> None:
    """The product's pages and their states (imported here: `make dev`, the gallery alone,
    neither compiles nor imports them)."""
    from pages.help import help_page
    from pages.login import login_page
    from pages.mailbox import mailbox_page
    from pages.mailbox_more import account_closed_page, senders_page, settings_page
    from pages.signup import signup_page
    from pages.start import start_page
    from state.lang import LangState
    from state.login import LoginState
    from state.mailbox import MailboxState
    from state.mailbox_settings import SendersState, SettingsState
    from state.signup import SignupState

    titles = page_titles(settings.default_language)
    app.add_page(start_page, route="/", title=titles["/"], on_load=LangState.apply)
    app.add_page(signup_page, route="/signup", title=titles["/signup"], on_load=SignupState.load)
    app.add_page(mailbox_page, route="/mailbox", title=titles["/mailbox"],
                 on_load=MailboxState.load)
    app.add_page(help_page, route="/hjalp", title=titles["/hjalp"], on_load=LangState.apply)
    app.add_page(login_page, route="/login", title=titles["/login"], on_load=LoginState.load)
    # The mailbox's other pages (issue 9)
    app.add_page(senders_page, route="/mailbox/avsandare", title=titles["/mailbox/avsandare"],
                 on_load=SendersState.load)
    app.add_page(settings_page, route="/mailbox/installningar",
                 title=titles["/mailbox/installningar"], on_load=SettingsState.load)
    app.add_page(account_closed_page, route="/konto-avslutat",
                 title=titles["/konto-avslutat"], on_load=LangState.apply)


if settings.product_pages_enabled:
    add_product_pages()

if settings.gallery_enabled:
    # Development only: the component gallery. Its modules (and every *_stories module) are
    # imported here and nowhere else, so a production app never loads them.
    from pages.gallery import register_gallery

    register_gallery(app)
