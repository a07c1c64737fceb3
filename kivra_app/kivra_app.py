"""The Reflex app: wires pages, HTTP routes and lifespan tasks. No logic here."""

import reflex as rx

from kivra_app.i18n import page_titles
from kivra_app.logging_setup import configure_logging
from kivra_app.settings import get_settings
from kivra_app.web.api import build_api
from kivra_app.web.lifespan import embedded_services
from kivra_app.web.sender_lifespan import sender_services
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

settings = get_settings()
configure_logging(settings)


app = rx.App(
    html_lang=settings.default_language,
    api_transformer=build_api(settings),
)
app.register_lifespan_task(embedded_services)
app.register_lifespan_task(sender_services)  # notification worker, dev demo sender
TITLES = page_titles(settings.default_language)
app.add_page(start_page, route="/", title=TITLES["/"], on_load=LangState.apply)
app.add_page(signup_page, route="/signup", title=TITLES["/signup"], on_load=SignupState.load)
app.add_page(mailbox_page, route="/mailbox", title=TITLES["/mailbox"], on_load=MailboxState.load)
app.add_page(help_page, route="/hjalp", title=TITLES["/hjalp"], on_load=LangState.apply)
app.add_page(login_page, route="/login", title=TITLES["/login"], on_load=LoginState.load)
# The mailbox's other pages (issue 9)
app.add_page(senders_page, route="/mailbox/avsandare", title=TITLES["/mailbox/avsandare"],
             on_load=SendersState.load)
app.add_page(settings_page, route="/mailbox/installningar",
             title=TITLES["/mailbox/installningar"], on_load=SettingsState.load)
app.add_page(account_closed_page, route="/konto-avslutat", title=TITLES["/konto-avslutat"],
             on_load=LangState.apply)
