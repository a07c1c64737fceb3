"""The Reflex app: wires pages, HTTP routes and lifespan tasks. No logic here."""

import reflex as rx

from kivra_app.settings import get_settings
from kivra_app.web.api import build_api

settings = get_settings()


def index() -> rx.Component:
    return rx.center(rx.vstack(rx.heading("Skapa ett Kivra-konto"), rx.button("Skapa konto")))


app = rx.App(
    html_lang=settings.default_language,
    api_transformer=build_api(settings),
)
app.add_page(index, route="/", title="Kivra")
